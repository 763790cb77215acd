"""Streamlit widgets and cached state; the only part of the package that imports streamlit."""
