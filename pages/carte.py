"""Carte: the QPV, the 300 m band and the communes; click a quartier to read its portrait."""

import streamlit as st
from streamlit_folium import st_folium

from quartiers import maps
from quartiers.ui import carte, portrait, recherche, state

display = state.get_display()
catalogue = state.get_catalogue()
quartier, url_error = state.read_selection()

st.title("Carte des quartiers prioritaires")
st.caption("Béthune-Bruay, Artois Lys Romane (CABBALR) et Lens-Liévin (CALL) — géographie prioritaire 2024-2030")
state.show_problems()
if url_error:
    st.error(url_error)
if not state.leaflet_installed():
    st.error(state.LEAFLET_MISSING)

recherche.search_box(catalogue, quartier)
map_column, panel_column = st.columns([3, 2], gap="medium")
with map_column:
    st_folium(
        maps.build_map(display),
        key="carte",
        height=maps.MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        on_change=carte.on_map_click,
        feature_group_to_add=carte.selection_layer(display, quartier),
        **carte.requested_view(display, quartier),
    )
    carte.text_legend(display)
    carte.downloads()
with panel_column:
    if quartier is None:
        carte.welcome(catalogue)
    else:
        portrait.portrait_header(quartier)
        portrait.portrait_body(quartier)
