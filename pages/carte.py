"""Carte: the QPV, the 300 m band and the communes; click a quartier to read its portrait."""

import streamlit as st

from quartiers.ui import carte, state

display = state.get_display()

st.title("Carte des quartiers prioritaires")
st.caption("Béthune-Bruay, Artois Lys Romane (CABBALR) et Lens-Liévin (CALL) — géographie prioritaire 2024-2030")
state.show_problems()
if not state.leaflet_installed():
    st.error(state.LEAFLET_MISSING)

carte.selection_view()
carte.text_legend(display)
carte.downloads()
