"""Sources et méthode: where each layer and figure comes from, and how the 300 m band is computed."""

import streamlit as st

from quartiers import ui

st.title("Sources et méthode")
ui.show_problems()
ui.sources_page(ui.get_catalogue())
