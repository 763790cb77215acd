"""Tester un périmètre: a proposed perimeter (file or drawing) measured against the official QPV 2024."""

import streamlit as st

from quartiers.formes import carte as carte_proposition
from quartiers.ui import chrome, perimetre, rendered_map, state

reference = perimetre.get_reference()

st.title("Tester un périmètre proposé")
st.markdown(
    "Déposez le fichier d'un périmètre (export QGIS) ou dessinez-le sur la carte\u00a0: sa surface, les communes "
    "couvertes, ce qu'il garde et laisse hors des QPV 2024 officiels, ce qu'il ajoute, et sa propre bande des "
    "300\u00a0m."
)
state.show_problems()

chrome.map_first_styles(carte_proposition.MAP_TITLE, perimetre.LAYOUT_KEY)
with st.container(key=perimetre.LAYOUT_KEY):
    input_column, map_column = st.columns([2, 3], gap="medium")
with input_column:
    resultat = perimetre.current_result(reference)
with map_column:
    if not state.leaflet_installed():
        st.error(state.LEAFLET_MISSING)
    view = carte_proposition.result_view(resultat.bilans) if resultat is not None else {}
    rendered_map.show(  # st_folium, with the map rendered once per process (quartiers/ui/rendered_map.py)
        # The official layers are fetched from static files: a rerun sends the map's script and the proposal only.
        perimetre.rendered_proposal_map(chrome.is_presentation(), tuple(perimetre.layer_urls().items())),
        key=perimetre.MAP_KEY,
        height=carte_proposition.MAP_HEIGHT_PX,
        returned_objects=["all_drawings"],
        feature_group=rendered_map.group_script(carte_proposition.result_group(resultat.bilans)) if resultat else None,
        **view,
    )
    chrome.print_map_button(carte_proposition.MAP_TITLE, "Périmètre proposé et quartiers prioritaires 2024")
    perimetre.text_legend()
if resultat is not None:
    perimetre.results(resultat)
    perimetre.downloads(resultat, reference)
