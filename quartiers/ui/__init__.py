"""Streamlit widgets and cached state; the only part of the package that imports streamlit.

Importing it also guards against Streamlit's legacy multipage mode. A `pages/` folder beside app.py
makes a fresh server run the first request's page file on its own ("MPA v1": no app.py, no shared
sidebar, a navigation built from file names) until some session calls st.navigation. A deep link such
as /situer?lat=… as the very first request would be stuck there. Every page imports this package, so
on that first run we switch the flag Streamlit reads and rerun: app.py then runs and st.navigation
takes over, for every session.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()
