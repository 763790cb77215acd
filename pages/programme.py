"""Tester un programme: is a housing programme (building footprints) in the 300 m / 500 m zone of CGI art. 278 sexies?"""

import streamlit as st
from streamlit_folium import st_folium

from quartiers.formes import carte as carte_proposition
from quartiers.formes import carte_programme
from quartiers.ui import chrome, perimetre, programme, state

reference = programme.get_programme_reference()

st.title("Un programme de logements est-il dans la zone ?")
st.markdown(
    "Déposez les emprises au sol des bâtiments d'un programme (export QGIS) ou dessinez-les\u00a0: pour chaque "
    "bâtiment et pour l'ensemble immobilier, la réponse à la règle des 300\u00a0m autour des QPV et à celle des "
    "500\u00a0m autour des quartiers en renouvellement urbain (TVA à taux réduit, article 278 sexies du CGI)."
)
state.show_problems()

input_column, map_column = st.columns([2, 3], gap="medium")
with input_column:
    resultat = programme.current_programme(reference)
    if resultat is not None:
        programme.verdicts(*resultat, reference)
with map_column:
    if not state.leaflet_installed():
        st.error(state.LEAFLET_MISSING)
    st_folium(
        carte_proposition.build_proposal_map(
            perimetre.map_layers(),
            perimetre.layer_urls(),
            presentation=chrome.is_presentation(),
            title=carte_programme.MAP_TITLE,
            legend=carte_programme.programme_legend_html(),
        ),
        key=programme.MAP_KEY,
        height=carte_proposition.MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["all_drawings"],
        feature_group_to_add=carte_programme.programme_group(resultat[1], reference) if resultat else None,
        **(carte_programme.programme_view(resultat[1]) if resultat else {}),
    )
    programme.text_legend()
if resultat is not None:
    programme.figures(resultat[1])
    programme.conditions(resultat[1], reference)
    programme.downloads(resultat[1], reference)
