"""Carte Quartiers 2030: page configuration, navigation and the shared sidebar."""

from pathlib import Path

import streamlit as st

from quartiers.ui import chrome

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="Carte Quartiers 2030 — CABBALR et CALL", page_icon="🗺️", layout="wide")
navigation = st.navigation(
    [
        st.Page(HERE / "pages" / "carte.py", title="Carte", icon=":material/map:", url_path="carte", default=True),
        st.Page(
            HERE / "pages" / "situer.py",
            title="Ce lieu est-il en QPV ?",
            icon=":material/location_on:",
            url_path="situer",
        ),
        st.Page(HERE / "pages" / "quartiers.py", title="Quartiers", icon=":material/table_rows:", url_path="quartiers"),
        st.Page(
            HERE / "pages" / "perimetre.py", title="Tester un périmètre", icon=":material/draw:", url_path="perimetre"
        ),
        st.Page(
            HERE / "pages" / "sources.py", title="Sources et méthode", icon=":material/menu_book:", url_path="sources"
        ),
    ]
)
chrome.page_language()
chrome.presentation_toggle()
chrome.page_styles()
st.sidebar.caption(
    "Géographie prioritaire 2024-2030 (Quartiers 2030) de la Communauté d'Agglomération de Béthune-Bruay, "
    "Artois Lys Romane et de la Communauté d'Agglomération de Lens-Liévin. Informations indicatives."
)
navigation.run()
