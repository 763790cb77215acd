"""Carte: the QPV, the 300 m band and the communes; click a quartier to read its portrait."""

import streamlit as st
from streamlit_folium import st_folium

from quartiers import maps, ui

display = ui.get_display()
catalogue = ui.get_catalogue()
quartier, url_error = ui.read_selection()

st.title("Carte des quartiers prioritaires — CABBALR et CALL")
ui.show_problems()
if url_error:
    st.error(url_error)
if not ui.leaflet_installed():
    st.error(ui.LEAFLET_MISSING)

ui.search_box(catalogue, quartier)
map_column, panel_column = st.columns([3, 2], gap="medium")
with map_column:
    st_folium(
        maps.build_map(display),
        key="carte",
        height=maps.MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        on_change=ui.on_map_click,
        feature_group_to_add=ui.selection_layer(display, quartier),
        **ui.requested_view(display, quartier),
    )
    ui.text_legend(display)
    ui.downloads()
with panel_column:
    if quartier is None:
        ui.welcome(catalogue)
    else:
        ui.portrait_panel(quartier)
        ui.fiche_download(quartier)
        ui.cadres_for(quartier)
