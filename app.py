"""Carte Quartiers 2030: page configuration, navigation along the top, presentation switch, shared footer."""

from pathlib import Path

import streamlit as st

from quartiers.ui import chrome, state, televersements

HERE = Path(__file__).resolve().parent
CARTE = HERE / "pages" / "carte.py"

st.set_page_config(page_title="Carte Quartiers 2030 — CABBALR et CALL", page_icon="🗺️", layout="wide")
# The menu is a row of links at the top of every page (chrome.navigation_bar): on a phone no side menu
# covers the page, and every link keeps presentation mode. The default page is served at "/" whatever its
# url_path (which it still reserves), so a hidden page on the same script makes the address /carte work too.
PAGES = [
    st.Page(CARTE, title="Carte", icon=":material/map:", url_path="accueil", default=True),
    st.Page(
        HERE / "pages" / "situer.py",
        title="Ce lieu est-il en QPV ?",
        icon=":material/location_on:",
        url_path="situer",
    ),
    st.Page(HERE / "pages" / "quartiers.py", title="Quartiers", icon=":material/table_rows:", url_path="quartiers"),
    st.Page(HERE / "pages" / "perimetre.py", title="Tester un périmètre", icon=":material/draw:", url_path="perimetre"),
    st.Page(
        HERE / "pages" / "programme.py", title="Tester un programme", icon=":material/apartment:", url_path="programme"
    ),
    st.Page(HERE / "pages" / "sources.py", title="Sources et méthode", icon=":material/menu_book:", url_path="sources"),
]
navigation = st.navigation(
    [*PAGES, st.Page(CARTE, title="Carte", icon=":material/map:", url_path="carte", visibility="hidden")],
    position="hidden",
)
televersements.start_janitor()  # once per process: uploads of closed sessions are released
chrome.page_language()
chrome.page_styles()
chrome.structure()
chrome.control_styles()
chrome.navigation_bar(PAGES)
if navigation.title != "Carte":  # the Carte page sets its own title in its fragment (carte.page_title)
    chrome.document_title(navigation.title)
navigation.run()
chrome.footer()
state.settle_heap(navigation.url_path)
