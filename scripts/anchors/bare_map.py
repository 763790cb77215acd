"""Benchmark anchor: a bare st_folium map of the same 37 QPV, Leaflet served locally as in the app.

Run by scripts/benchmark.py with `streamlit run scripts/anchors/bare_map.py` (static/ is a link to the
project's static/ folder, for Leaflet). A click shows the clicked quartier's name: what the app's click
is compared with.
"""

import sys
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from quartiers import settings  # noqa: E402
from quartiers.couches_officielles import load_qpv  # noqa: E402


@st.cache_resource
def qpv() -> dict:
    layer, _ = load_qpv()
    own = layer[~layer["voisin"]][["code_qp", "lib_qp", "geometry"]].to_crs(settings.WGS84)
    return own.__geo_interface__


fmap = folium.Map(location=[50.5, 2.6], zoom_start=10, tiles=None)
fmap.default_js = [("leaflet", f"{settings.LEAFLET_URL}/leaflet.js")]
fmap.default_css = [("leaflet_css", f"{settings.LEAFLET_URL}/leaflet.css")]
folium.GeoJson(qpv(), style_function=lambda _f: {"color": "#8e1b10", "weight": 2}).add_to(fmap)
value = st_folium(fmap, key="nue", height=620, use_container_width=True, returned_objects=["last_active_drawing"])
drawing = (value or {}).get("last_active_drawing") or {}
st.subheader((drawing.get("properties") or {}).get("lib_qp") or "Aucun quartier")
