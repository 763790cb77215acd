"""Sources et méthode: where each layer and figure comes from, and how the 300 m band is computed."""

import streamlit as st

from quartiers.ui import reference, state

st.title("Sources et méthode")
state.show_problems()
reference.sources_page(state.get_catalogue())
