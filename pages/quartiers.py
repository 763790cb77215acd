"""Quartiers: every quartier as a link and a sortable table, each linked to its portrait; and a comparison."""

import streamlit as st

from quartiers.ui import reference, state

catalogue = state.get_catalogue()

st.title("Tous les quartiers")
st.markdown(
    "Alternative textuelle à la carte : chaque quartier prioritaire (QPV) et quartier d'intérêt communautaire (QIC) "
    "connu. Choisissez un quartier dans la liste pour ouvrir son portrait, ou triez le tableau avec « Trier le tableau par ». "
    "Ajoutez des quartiers à comparer par leur nom ou leur code."
)
state.show_problems()
st.header("Portraits des quartiers")
reference.quartier_links(catalogue)
st.header("Tableau des quartiers")
reference.quartiers_table(catalogue)
st.header("Comparer des quartiers")
chosen = reference.comparison_chooser(catalogue)
if chosen:
    reference.comparison(chosen)
