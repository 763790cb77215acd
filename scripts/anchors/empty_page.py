"""Benchmark anchor: an empty page (one title), Streamlit's own floor of server CPU per page load.

Run by scripts/benchmark.py with `streamlit run scripts/anchors/empty_page.py`.
"""

import streamlit as st

st.title("Page vide")
