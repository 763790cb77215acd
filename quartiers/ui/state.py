"""Shared Streamlit state: cached loaders, the selection kept in the URL, escaping of shown text."""

from __future__ import annotations

import gc
import logging
import re
import threading

import streamlit as st

from quartiers import settings
from quartiers.catalogue import Quartier, build_catalogue, normalise_id
from quartiers.coordonnees import LAT_RANGE, LON_RANGE, parse_degrees
from quartiers.couches_officielles import Layers, load_layers
from quartiers.maps import DisplayLayers, display_layers, publish_layers, with_names
from quartiers.portraits import (
    Cadre,
    Document,
    Portrait,
    PortraitError,
    load_cadres_checked,
    load_documents,
    load_portraits,
)
from quartiers.zones import Locator

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#|<>~$])")

_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)(?=\s)", re.MULTILINE)


def md(text: str) -> str:
    """Text shown literally through st.markdown: markdown and HTML characters are escaped."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def map_value(key: str, member: str) -> object:
    """One member of what a map (st_folium) reported, None unless the report is a JSON object.

    The report comes from the visitor's browser, which may send anything: every caller then checks the
    member's own shape (a dict, a list...) before using it.
    """
    value = st.session_state.get(key)
    return value.get(member) if isinstance(value, dict) else None


def as_dict(value: object) -> dict:
    """`value` if it is a JSON object, else an empty one (a visitor's report of the wrong shape)."""
    return value if isinstance(value, dict) else {}


@st.cache_resource(show_spinner="Chargement des périmètres…")
def get_layers() -> Layers:
    return load_layers()


@st.cache_resource(show_spinner="Préparation de la carte…")
def get_display() -> DisplayLayers:
    """The layers as the maps draw them; tooltips name each QPV as the app does, the ANCT name after."""
    names = {q.code_qp: q.nom for q in get_catalogue().values() if q.code_qp}
    return with_names(display_layers(get_layers()), names)


def publish_or_embed(display: DisplayLayers) -> dict[str, str]:
    """Layer name → URL of its static file (`maps.publish_layers`); {} if static/couches/ cannot be written.

    With {} the maps embed their layers: the same map, only heavier on each rerun. The server log says why.
    """
    try:
        return publish_layers(display)
    except OSError as exc:
        logging.getLogger(__name__).warning("Layer files not written (%s): the maps embed their layers.", exc)
        return {}


@st.cache_resource
def get_locator() -> Locator | None:
    layers = get_layers()
    return Locator(layers.qpv, layers.epci) if layers.qpv is not None else None


@st.cache_resource
def get_portraits() -> tuple[dict[str, Portrait], list[str]]:
    portraits, errors = load_portraits()
    return portraits, [str(e) for e in errors]


@st.cache_resource
def get_cadres() -> tuple[dict[str, Cadre], str | None]:
    """The valid frames, and one French message listing the frame files set aside (None when all load)."""
    cadres, errors = load_cadres_checked()
    return cadres, ("; ".join(map(str, errors)) or None)


@st.cache_resource
def _documents() -> tuple[dict[str, Document], str | None]:
    try:
        return load_documents(), None
    except PortraitError as exc:
        return {}, str(exc)


def get_documents() -> dict[str, Document]:
    """The source documents by number; empty when documents.toml cannot be used (reported by show_problems)."""
    return _documents()[0]


@st.cache_resource
def get_catalogue() -> dict[str, Quartier]:
    layers = get_layers()
    portraits, _ = get_portraits()
    return build_catalogue(layers.qpv, layers.qic, portraits)


def read_selection() -> tuple[Quartier | None, str | None]:
    """The quartier named in the URL (?quartier=...), or a French message when the value is unknown."""
    raw = st.query_params.get("quartier")
    if not raw:
        return None, None
    catalogue = get_catalogue()
    quartier = catalogue.get(normalise_id(raw))
    if quartier is None:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        return None, (
            f"Quartier inconnu : « {md(shown)} ». Vérifiez le lien, ou choisissez un quartier dans la recherche "
            "ou dans la page Quartiers."
        )
    return quartier, None


def select(quartier_id: str | None) -> None:
    """Put the selection in the URL (a callback only copies a value into that state)."""
    if quartier_id:
        st.query_params["quartier"] = quartier_id
    elif "quartier" in st.query_params:
        del st.query_params["quartier"]


def select_commune(nom: str | None) -> None:
    """Put a commune in the URL (?commune=...) and clear the quartier: the map zooms to the commune."""
    if nom:
        st.query_params["commune"] = nom
    elif "commune" in st.query_params:
        del st.query_params["commune"]
    select(None)


def request_view() -> None:
    """Ask the map to re-centre on the selection at the next run, even if the user panned away since."""
    st.session_state["vue_version"] = st.session_state.get("vue_version", 0) + 1


def read_point() -> tuple[tuple[float, float] | None, str | None]:
    """The point of the URL (?lat=..&lon=..), or a French message when the values are not coordinates."""
    raw_lat, raw_lon = st.query_params.get("lat"), st.query_params.get("lon")
    if raw_lat is None and raw_lon is None:
        return None, None
    lat, lon = parse_degrees(raw_lat, *LAT_RANGE), parse_degrees(raw_lon, *LON_RANGE)
    if lat is None or lon is None:
        return (
            None,
            "Coordonnées invalides dans le lien : latitude et longitude attendues en degrés (ex. lat=50.518&lon=2.629).",
        )
    return (lat, lon), None


def set_point(lat: float, lon: float) -> None:
    st.query_params["lat"] = f"{lat:.6f}"
    st.query_params["lon"] = f"{lon:.6f}"


def data_problems() -> list[str]:
    """Every data file that could not be used, one French sentence each, naming the file and the field."""
    layers = get_layers()
    _, errors = get_portraits()
    _, cadre_error = get_cadres()
    _, documents_error = _documents()
    problems = list(layers.problems)
    problems += ["Portrait écarté : " + error for error in errors]
    if cadre_error:
        problems.append("Cadre intercommunal écarté : " + cadre_error)
    if documents_error:
        problems.append(
            "Liste des documents sources inutilisable (titres des sources non affichés) : " + documents_error
        )
    return problems


def show_problems() -> None:
    """Data files that could not be used, in French, in one box, without stopping the page."""
    problems = data_problems()
    if not problems:
        return
    if len(problems) == 1:
        st.warning(md(problems[0]), icon="⚠️")
        return
    text = "Certains fichiers de données n'ont pas pu être utilisés ; le reste de l'application fonctionne :\n\n"
    st.warning(text + "\n".join("* " + md(problem) for problem in problems), icon="⚠️")


LEAFLET_MISSING = (
    "Les fichiers de la bibliothèque cartographique (Leaflet) ne sont pas installés : la carte ne peut pas "
    "s'afficher. Lancez « make run » (ou « make setup ») depuis le dossier du projet. Le reste de l'application "
    "fonctionne."
)


def leaflet_installed() -> bool:
    return (settings.LEAFLET_DIR / "leaflet.js").exists()


_settled_pages: set[str] = set()
_settling = threading.Lock()


def settle_heap(page: str) -> None:
    """After the first run of each page in this process, move what it loaded out of the garbage collector's view.

    Streamlit collects garbage after every run (its runner.postScriptGC option); a full collection walks
    every object alive, and the libraries, layers and catalogue loaded once per process made that about 50 ms
    per run, page load or click. Frozen (gc.freeze), they are no longer walked: they live as long as the
    process anyway. Later runs collect only what they themselves made.
    """
    if page in _settled_pages:
        return
    with _settling:
        if page not in _settled_pages:
            gc.collect()
            gc.freeze()
            _settled_pages.add(page)
