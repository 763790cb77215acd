"""Widgets of the Carte page: search, map click and view, text legend, downloads, welcome."""

from __future__ import annotations

import streamlit as st

from quartiers.answers import BAND_DISCLAIMER
from quartiers.catalogue import Quartier
from quartiers.formats import fmt_number
from quartiers.maps import DisplayLayers
from quartiers.ui.chrome import link_params
from quartiers.ui.recherche import search_options
from quartiers.ui.state import get_catalogue, get_layers, md, select


def on_map_click() -> None:
    """Copy the clicked quartier's code into the URL; clicks on other layers select nothing."""
    state = st.session_state.get("carte") or {}
    feature = state.get("last_active_drawing") or {}
    properties = feature.get("properties") or {}
    if properties.get("couche") in ("qpv", "qpv_voisin"):
        chosen = properties.get("code_qp")
    elif properties.get("couche") == "qic":
        chosen = properties.get("id")
    else:
        return
    st.session_state["selection_par_clic"] = True
    st.session_state["recherche"] = next(
        (label for label, value in search_options(get_catalogue()).items() if value == f"q:{chosen}"), None
    )
    select(chosen)


def selection_layer(display: DisplayLayers, quartier: Quartier | None):
    from quartiers.maps import feature_for, selection_group

    feature = feature_for(display, quartier.id) if quartier else None
    return selection_group(feature)


def requested_view(display: DisplayLayers, quartier: Quartier | None) -> dict:
    """Centre and zoom to apply without reloading the map: kept as is after a click on the map itself."""
    from quartiers.maps import feature_bounds, feature_for, view_for_bounds

    if st.session_state.pop("selection_par_clic", False):
        return st.session_state.get("vue_demandee", {})
    bounds = None
    commune = st.session_state.get("vue_commune")
    if quartier is not None:
        feature = feature_for(display, quartier.id)
        bounds = feature_bounds(feature) if feature else None
    elif commune and display.communes:
        feature = next((f for f in display.communes["features"] if f["properties"]["nom"] == commune), None)
        bounds = feature_bounds(feature) if feature else None
    if bounds is None:
        view = {}
    else:
        centre, zoom = view_for_bounds(bounds)
        view = {"center": centre, "zoom": zoom}
    st.session_state["vue_demandee"] = view
    return view


def text_legend(display: DisplayLayers) -> None:
    """RGAA: the legend and the map's content also exist as text."""
    from quartiers.maps import legend_entries

    with st.expander("Légende et contenu de la carte (texte)", expanded=False):
        for _, label in legend_entries(display):
            st.markdown(f"- {md(label)}")
        if display.qic is None:
            st.markdown("- " + md("Quartiers d'intérêt communautaire (QIC) : périmètres non publiés, non représentés."))
        st.markdown(md(BAND_DISCLAIMER))
        st.markdown(
            md(
                "Contours des communes : Etalab 2024 (IGN ADMIN EXPRESS), généralisés à 100 m : ils servent de repère, "
                "pas de limite exacte. Les QPV sont au tracé officiel ANCT, non simplifié pour les calculs "
                f"(simplifié à {fmt_number(display.simplification_m)} m pour l'affichage)."
            )
        )
        st.markdown(
            "La liste complète des quartiers, avec leurs communes et indicateurs, est sur la page « Quartiers »."
        )


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
                data,
                file_name=f"{name}.geojson",
                mime="application/geo+json",
                key=f"dl_{name}",
            )


@st.cache_data(show_spinner=False)
def _layer_geojson_cached(name: str) -> str:
    from quartiers.exports import layer_geojson

    return layer_geojson(get_layers(), name)


def welcome(catalogue: dict[str, Quartier]) -> None:
    own = [q for q in catalogue.values() if not q.voisin]
    qpv = sum(1 for q in own if q.statut == "QPV")
    detailed = sum(1 for q in own if q.portrait and q.portrait.portrait_detaille)
    st.subheader("Choisissez un quartier")
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
