"""A folium map rendered once per process and shown like `st_folium` (streamlit-folium 0.27.4, pinned).

`st_folium` renders its map on every run: folium compiles one Jinja template per map element each time
(about 40 ms of server CPU per run for the Carte's map, most of a click). The Carte's map is the same for
every visitor, so its script is rendered once per process and each run only sends it; the selected
quartier's highlight (a few lines of script, one per quartier) is rendered once per quartier.
`show` passes the component exactly the arguments `st_folium` would (tests/test_rendered_map.py
compares them), so the browser side, the returned values and the rerun behaviour are unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import folium
import streamlit as st
import streamlit_folium


@dataclass(frozen=True)
class RenderedMap:
    """What `st_folium` sends of a map: its script, header and HTML, its id, and what it returns by default."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: list
    zoom: float | None
    css_links: list[str]
    js_links: list[str]


def render(fmap: folium.Map) -> RenderedMap:
    """The map's script and resources, computed as `st_folium` does (the map object is consumed)."""
    fmap.get_root().render()
    fmap.render()
    html = streamlit_folium._get_html(fmap)
    header = streamlit_folium._get_header(fmap)
    script = streamlit_folium._get_map_string(fmap)
    css_links: list[str] = []
    js_links: list[str] = []
    for element in _elements(fmap):
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    return RenderedMap(
        script=script,
        header=header,
        html=html,
        map_id=streamlit_folium.get_full_id(fmap),
        bounds=fmap.get_bounds(),
        zoom=fmap.options.get("zoom"),
        css_links=list(dict.fromkeys(css_links)),
        js_links=list(dict.fromkeys(js_links)),
    )


def _elements(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


@functools.cache
def feature_group_script(build: Callable[[], folium.FeatureGroup], *args) -> str:
    """The script `st_folium` sends for `feature_group_to_add=build(*args)`: pure, so kept per process."""
    return group_script(build(*args))


def group_script(group: folium.FeatureGroup) -> str:
    """The script `st_folium` sends for `feature_group_to_add=group` (not kept: for a group made once)."""
    return streamlit_folium._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


def show(
    rendered: RenderedMap,
    key: str,
    height: int,
    returned_objects: Iterable[str],
    on_change: Callable[[], None] | None = None,
    feature_group: str | None = None,
    zoom: float | None = None,
    center: tuple[float, float] | None = None,
):
    """`st_folium(map, key=..., use_container_width=True, ...)` for a map rendered beforehand."""
    returned_objects = list(returned_objects)
    southwest, northeast = rendered.bounds
    everything = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {
            "_southWest": {"lat": southwest[0], "lng": southwest[1]},
            "_northEast": {"lat": northeast[0], "lng": northeast[1]},
        },
        "zoom": rendered.zoom,
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }
    hash_key = streamlit_folium.generate_js_hash(rendered.script, key, False)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return streamlit_folium._component_func(
        script=rendered.script,
        header=rendered.header,
        html=rendered.html,
        id=rendered.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned_objects,
        default={name: value for name, value in everything.items() if name in returned_objects},
        zoom=zoom,
        center=center,
        feature_group=feature_group,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=rendered.css_links,
        js_links=rendered.js_links,
        on_change=_on_change,
        wrap_longitude=False,
    )
