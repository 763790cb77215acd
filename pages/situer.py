"""Ce lieu est-il en QPV ? One point (click, coordinates, address, my position) or a whole CSV file."""

import streamlit as st
from streamlit_folium import st_folium

from quartiers import maps
from quartiers.ui import carte, chrome, situer, state

display = state.get_display()
point, point_error = state.read_point()

st.title("Ce lieu est-il en quartier prioritaire ou dans la bande des 300\u00a0m\u00a0?")
st.markdown(
    "Cliquez sur la carte, saisissez des coordonnées ou une adresse\u00a0: la réponse dit si le lieu est dans un QPV, "
    "dans sa bande des 300\u00a0m (TVA à 5,5\u00a0% pour l'accession sociale), ou en dehors, avec la distance à la limite."
)
state.show_problems()
if point_error:
    st.error(point_error)

chrome.phone_map_styles()
situer.phone_layout_styles()
chrome.map_first_styles(maps.MAP_TITLE, situer.LAYOUT_KEY)
with st.container(key=situer.LAYOUT_KEY):
    answer_column, map_column = st.columns([2, 3], gap="medium")
with answer_column:
    with st.container(key=situer.ANSWER_KEY):
        situer.point_answer(point)
    with st.container(key=situer.INPUT_KEY):
        situer.locate_me_button()
        situer.coordinates_form(point)
        situer.address_form()
with map_column:
    if not state.leaflet_installed():
        st.error(state.LEAFLET_MISSING)
    st_folium(
        # Layers fetched once from static files; presentation mode enlarges the legend, scale and labels.
        maps.build_map(display, carte.layer_urls(), presentation=chrome.is_presentation()),
        key="carte_situer",
        height=maps.MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_clicked"],
        on_change=situer.on_point_click,
        feature_group_to_add=situer.point_layer(point),
        **situer.point_view(point, display),
    )
situer.bring_answer_into_view()
st.divider()
situer.batch_section()
