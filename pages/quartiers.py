"""Quartiers: every quartier as text, sortable, each linked to its portrait; and a side-by-side comparison."""

import streamlit as st

from quartiers import tables
from quartiers.ui import reference, state

catalogue = state.get_catalogue()

st.title("Tous les quartiers")
st.markdown(
    "Alternative textuelle à la carte : chaque quartier prioritaire (QPV) et quartier d'intérêt communautaire (QIC) "
    "connu, avec son statut, ses communes, son intercommunalité et les principaux indicateurs que donnent les sources. "
    "Cliquez sur un en-tête pour trier, sur « Voir » pour ouvrir le portrait."
)
state.show_problems()
st.dataframe(
    tables.quartiers_table(catalogue),
    hide_index=True,
    width="stretch",
    column_config=reference.quartiers_table_columns(),
)
st.subheader("Comparer des quartiers")
comparable = tables.comparable_ids(catalogue)  # only quartiers whose portrait loaded and has figures
chosen = st.multiselect(
    "Quartiers à comparer",
    options=comparable,
    format_func=lambda quartier_id: catalogue[quartier_id].label,
    default=[q for q in ("QN06208M", "QN06209M") if q in comparable],
)
if chosen:
    st.dataframe(tables.comparison_table([catalogue[c] for c in chosen]), width="stretch")
