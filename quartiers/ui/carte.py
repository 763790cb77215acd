"""Widgets of the Carte page: the map and the portrait beside it (one fragment), text legend, downloads, welcome.

A click on the map reruns only `selection_view` (an `st.fragment`): the search, the map and the portrait.
The map's layers are static files fetched once by the browser (see `maps.publish_layers`), so a rerun sends
the map's short script, not its data.
"""

from __future__ import annotations

import functools

import streamlit as st

from quartiers import maps
from quartiers.answers import BAND_DISCLAIMER
from quartiers.catalogue import Quartier
from quartiers.formats import fmt_number
from quartiers.maps import DisplayLayers
from quartiers.ui import chrome, portrait, recherche, rendered_map, state
from quartiers.ui.chrome import link_params
from quartiers.ui.state import get_catalogue, get_display, get_layers, md, select

MAP_KEY = "carte"
# Each new search adds this to the requested view (a few millimetres, below a pixel at any zoom): st_folium
# re-centres only on a value it has not applied yet, and the same quartier searched again must re-centre.
VIEW_NUDGE_DEGREES = 1e-9
PRINT_TITLE = "Quartiers prioritaires 2024-2030 — CABBALR et CALL"  # « Imprimer la carte »
LAYOUT_KEY = "carte_disposition"  # the map and the panel beside it
PANEL_KEY = "carte_panneau"  # the selection's heading and key facts (or the welcome), scrolling on its own


@st.cache_resource(show_spinner="Préparation des couches de la carte…", validate=maps.layer_files_present)
def layer_urls() -> dict[str, str]:
    """Layer name → URL of its static GeoJSON file, written once per process (again if deleted meanwhile)."""
    return state.publish_or_embed(get_display())


def on_map_click() -> None:
    """Copy the clicked quartier's code into the URL; clicks on other layers (the band included) select nothing."""
    properties = state.as_dict(state.as_dict(state.map_value(MAP_KEY, "last_active_drawing")).get("properties"))
    if properties.get("couche") in ("qpv", "qpv_voisin"):
        chosen = properties.get("code_qp")
    elif properties.get("couche") == "qic":
        chosen = properties.get("id")
    else:
        return
    if not isinstance(chosen, str):
        return
    st.session_state["selection_par_clic"] = True
    st.session_state["portrait_a_montrer"] = True
    select(chosen)


def requested_view(display: DisplayLayers, quartier: Quartier | None, commune: str | None) -> dict:
    """Centre and zoom to apply without reloading the map: kept as is after a click on the map itself."""
    if st.session_state.pop("selection_par_clic", False):
        return st.session_state.get("vue_demandee", {})
    bounds = None
    if quartier is not None:
        feature = maps.feature_for(display, quartier.id)
        bounds = maps.feature_bounds(feature) if feature else None
    elif commune and display.communes:
        feature = next((f for f in display.communes["features"] if f["properties"]["nom"] == commune), None)
        bounds = maps.feature_bounds(feature) if feature else None
    if bounds is None:
        view = {}
    else:
        (lat, lon), zoom = maps.view_for_bounds(bounds)
        nudge = st.session_state.get("vue_version", 0) * VIEW_NUDGE_DEGREES
        view = {"center": (lat + nudge, lon), "zoom": zoom + nudge}
    st.session_state["vue_demandee"] = view
    return view


def map_widget(display: DisplayLayers, quartier: Quartier | None, commune: str | None) -> None:
    """The map: built from the cached layer URLs; the selection and the view change without reloading it."""
    presentation = st.query_params.get("presentation") == "1"
    rendered_map.show(  # st_folium, with the map rendered once per process (quartiers/ui/rendered_map.py)
        rendered_carte(presentation, tuple(layer_urls().items())),
        key=MAP_KEY,
        height=maps.MAP_HEIGHT_PX,
        # The click counter makes a second click on the same quartier a new value (after a search or Back).
        returned_objects=["last_active_drawing", "last_object_clicked_count"],
        on_change=on_map_click,
        feature_group=rendered_map.feature_group_script(
            maps.selected_quartier_group, quartier.id if quartier else None
        ),
        **requested_view(display, quartier, commune),
    )


@st.cache_resource(show_spinner=False)
def rendered_carte(presentation: bool, urls: tuple[tuple[str, str], ...]) -> rendered_map.RenderedMap:
    """The Carte's map as st_folium sends it, once per process for each presentation mode and set of layer URLs."""
    return rendered_map.render(
        maps.build_map(get_display(), dict(urls), presentation=presentation, nearest_px=maps.NEAREST_QUARTIER_PX)
    )


def page_title(quartier: Quartier | None) -> None:
    """The one place where the Carte page's browser tab title is set: it follows the selected quartier."""
    chrome.document_title("Carte", quartier.nom if quartier else None)


def bring_portrait_into_view(quartier: Quartier) -> None:
    """After a click on the map or a search: on a phone, scroll to the portrait's heading (id "portrait");
    after a search, on every screen, the keyboard focus moves to that heading."""
    version = st.session_state.get("vue_version", 0)
    clicked = st.session_state.pop("portrait_a_montrer", False)
    searched = version != st.session_state.get("vue_version_montree", 0)
    st.session_state["vue_version_montree"] = version
    if not (clicked or searched):
        return
    chrome.bring_into_view("portrait", quartier.nom, focus=searched and not clicked)


@st.fragment
def selection_view() -> None:
    """Search, map, the portrait's key facts beside the map and the rest of it full width below."""
    display, catalogue = get_display(), get_catalogue()
    quartier, url_error = state.read_selection()
    linked = st.query_params.get("commune")
    commune = recherche.get_index().commune(linked) if linked else None  # "bethune" in a link → "Béthune"
    chrome.phone_map_styles()
    if url_error:
        st.error(url_error)
    page_title(quartier)
    recherche.search_box(catalogue, quartier)
    chrome.map_first_styles(maps.MAP_TITLE, LAYOUT_KEY, PANEL_KEY)
    with st.container(key=LAYOUT_KEY):
        map_column, header_column = st.columns([3, 2], gap="medium")
    with map_column:
        map_widget(display, quartier, commune)
        chrome.print_map_button(maps.MAP_TITLE, f"Quartiers prioritaires — {quartier.nom}" if quartier else PRINT_TITLE)
    with header_column, st.container(key=PANEL_KEY):
        if quartier is None:
            welcome(catalogue)
        else:
            portrait.portrait_header(quartier)
    if quartier is not None:
        portrait.portrait_body(quartier)
        bring_portrait_into_view(quartier)


def text_legend(display: DisplayLayers) -> None:
    """RGAA: the legend and the map's content also exist as text."""
    with st.expander("Légende et contenu de la carte (texte)", expanded=False):
        st.markdown(_text_legend_markdown(display))  # one element, not one per line


def _text_legend_markdown(display: DisplayLayers) -> str:
    """The text legend as one markdown text: a list of the layers, then the notes (a few µs: not cached)."""
    lines = [f"- {md(label)}" for _, label in maps.legend_entries(display)]
    if display.qic is None:
        lines.append("- " + md("Quartiers d'intérêt communautaire (QIC) : périmètres non publiés, non représentés."))
    notes = [
        md(BAND_DISCLAIMER),
        md(
            "Contours des communes : Etalab 2024 (IGN ADMIN EXPRESS), généralisés à 100 m : ils servent de repère, "
            "pas de limite exacte. Les QPV sont au tracé officiel ANCT, non simplifié pour les calculs "
            f"(simplifié à {fmt_number(display.simplification_m)} m pour l'affichage)."
        ),
        "La liste complète des quartiers, avec leurs communes et indicateurs, est sur la page « Quartiers ».",
    ]
    return "\n\n".join(["\n".join(lines), *notes])


def downloads() -> None:
    """Every layer as GeoJSON, for QGIS."""
    from quartiers.exports import EXPORTABLE, ExportError

    with st.expander("Télécharger les couches (GeoJSON, pour QGIS)"):
        labels = {"qpv": "QPV 2024", "bande300": "Bande des 300 m", "communes": "Communes", "qic": "QIC"}
        for name in EXPORTABLE:
            try:
                data = _layer_geojson_cached(name)
            except ExportError as exc:
                st.caption(md(f"{labels[name]} : {exc}"))
                continue
            st.download_button(
                f"{labels[name]} (GeoJSON)",
                # Handed over when pressed (deferred): each page load no longer hashes and stores every layer.
                functools.partial(str, data),
                file_name=f"{name}.geojson",
                mime="application/geo+json",
                key=f"dl_{name}",
                on_click="ignore",
            )


@st.cache_resource(show_spinner=False)  # the same text for every visitor, never modified: no copy per run
def _layer_geojson_cached(name: str) -> str:
    from quartiers.exports import layer_geojson

    return layer_geojson(get_layers(), name)


def welcome(catalogue: dict[str, Quartier]) -> None:
    own = [q for q in catalogue.values() if not q.voisin]
    qpv = sum(1 for q in own if q.statut == "QPV")
    detailed = sum(1 for q in own if q.portrait and q.portrait.portrait_detaille)
    st.header("Choisissez un quartier")
    st.markdown(
        md(
            f"Cliquez sur un quartier de la carte, ou cherchez-le par son nom ou sa commune. "
            f"La carte montre les {qpv} quartiers prioritaires (QPV) des contrats de ville de la CABBALR et de la CALL, "
            f"la bande des 300 m autour de chacun, et les communes. {detailed} quartiers ont un portrait détaillé "
            "issu d'une convention communale."
        )
    )
    st.page_link(
        "pages/situer.py",
        label="Un lieu est-il en QPV ?",
        icon=":material/location_on:",
        query_params=link_params(),
    )
    st.page_link(
        "pages/quartiers.py",
        label="Tous les quartiers (tableau)",
        icon=":material/table_rows:",
        query_params=link_params(),
    )
