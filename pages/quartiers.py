"""Quartiers: every quartier as a link and a sortable table, each linked to its portrait; and a comparison."""

import streamlit as st

from quartiers import tables
from quartiers.ui import reference, state

catalogue = state.get_catalogue()

st.title("Tous les quartiers")
st.markdown(
    "Alternative textuelle à la carte : chaque quartier prioritaire (QPV) et quartier d'intérêt communautaire (QIC) "
    "connu. Choisissez un quartier dans la liste pour ouvrir son portrait, ou triez le tableau avec « Trier le tableau par »."
)
state.show_problems()
st.header("Portraits des quartiers")
reference.quartier_links(catalogue)
st.header("Tableau des quartiers")
reference.quartiers_table(catalogue)
st.header("Comparer des quartiers")
comparable = tables.comparable_ids(catalogue)  # only quartiers whose portrait loaded and has figures
chosen = st.multiselect(
    "Quartiers à comparer",
    options=comparable,
    format_func=lambda quartier_id: catalogue[quartier_id].label,
    default=[q for q in ("QN06208M", "QN06209M") if q in comparable],
)
if chosen:
    reference.comparison([catalogue[c] for c in chosen])
