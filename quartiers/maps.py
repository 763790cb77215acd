"""Folium only: the map's layers, styles and legend, the layer files the browser loads, and the view for bounds.

The map is light: its layers are not embedded in the page but written once as GeoJSON files under
static/couches/ (named by their content's hash) and fetched by the map from Streamlit's static server,
so the browser caches them and a rerun re-sends only a few kilobytes of script.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass, fields
from html import escape
from pathlib import Path
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from quartiers import settings
from quartiers.catalogue import qpv_label
from quartiers.couches_officielles import Layers
from quartiers.npnru import npnru_sites
from quartiers.zones import band

MAP_HEIGHT_PX = 620
MAP_TITLE = "Carte interactive des quartiers prioritaires, de la bande des 300 m et des communes"  # iframe title
MAX_ZOOM = 17
PHONE_MAX_WIDTH_PX = 480  # up to this screen width the map takes at most half the screen's height
LABELS_MIN_ZOOM = 12  # commune names are drawn from this zoom on (below, they would cover each other)
LEGEND_FONT_PX = 12
NEAREST_QUARTIER_PX = 22  # a tap this close to a quartier selects it: a 44 px target however small it is drawn
PRESENTATION_SCALE = 1.6  # the map legend in presentation mode (issue 8: every text ≥ 1.5×)

# Written at first use (git-ignored) and served by Streamlit's static server (server.enableStaticServing).
STATIC_LAYERS_DIR = settings.STATIC_DIR / "couches"
STATIC_LAYERS_URL = "/app/static/couches"
MAP_ASSETS_DIR = settings.STATIC_DIR / "carte"  # the map's own JS and CSS, committed
MAP_ASSETS_URL = "/app/static/carte"

STYLE_QPV = {"color": "#8e1b10", "weight": 2, "fillColor": "#d2402f", "fillOpacity": 0.35}
STYLE_VOISIN = {"color": "#4d4d4d", "weight": 1.5, "fillColor": "#9a9a9a", "fillOpacity": 0.35, "dashArray": "1 4"}
STYLE_BANDE = {"color": "#9c4a00", "weight": 1.5, "fillColor": "#f0a040", "fillOpacity": 0.18, "dashArray": "8 6"}
STYLE_BANDE_500M = {"color": "#3f007d", "weight": 2, "fillColor": "#9e9ac8", "fillOpacity": 0.12, "dashArray": "2 6"}
BANDE_500M_TITLE = "Bande des 500 m (QPV en renouvellement urbain)"
STYLE_COMMUNE = {"color": "#333333", "weight": 1, "fill": False, "dashArray": "2 3"}
STYLE_EPCI = {"color": "#1d3f8f", "weight": 3.5, "fill": False}
STYLE_QIC = {"color": "#5b2a86", "weight": 2, "fillColor": "#9b6fc4", "fillOpacity": 0.3, "dashArray": "10 4 2 4"}
STYLE_SELECTION = {"color": "#000000", "weight": 5, "fillColor": "#ffd400", "fillOpacity": 0.25}

# Leaflet panes, bottom to top: whatever the order layers are switched on, the QPV stay above the band.
PANES = {
    "communes": 402,
    "epci": 404,
    "bande500": 405,
    "bande": 406,
    "voisins": 408,
    "qic": 410,
    "qpv": 412,
    "selection": 414,
    "etiquettes": 416,
}


@dataclass(frozen=True)
class DisplayLayers:
    """Layers simplified for the browser (GeoJSON dicts in EPSG:4326), computed once."""

    qpv: dict | None
    voisins: dict | None
    bande: dict | None
    communes: dict | None
    epci: dict | None
    qic: dict | None
    bounds: list[list[float]]  # [[south, west], [north, east]] of the territory
    simplification_m: float
    etiquettes: dict | None = None  # one point per commune (inside it), for its name on the map
    bande500: dict | None = None  # the 500 m ring of the NPNRU quartiers (CGI art. 278 sexies, rule (b))


LAYER_NAMES = tuple(f.name for f in fields(DisplayLayers) if f.name not in ("bounds", "simplification_m"))


def _round(geometry, decimals: int):
    return shapely.transform(geometry, lambda coords: np.round(coords, decimals))


def to_display_geojson(
    gdf: gpd.GeoDataFrame,
    columns: list[str],
    layer: str,
    tolerance_m: float = settings.DISPLAY_TOLERANCE_METRES,
    decimals: int = settings.DISPLAY_DECIMALS,
) -> dict:
    """Simplify (in Lambert-93, by `tolerance_m` metres) and round to `decimals` for the browser."""
    metric = gdf.to_crs(settings.LAMBERT93)
    simplified = metric.geometry.simplify(tolerance_m, preserve_topology=True)
    display = gpd.GeoDataFrame(metric[columns].copy(), geometry=simplified, crs=settings.LAMBERT93).to_crs(
        settings.WGS84
    )
    display["geometry"] = display.geometry.map(lambda g: _round(g, decimals))
    display["couche"] = layer
    for column in columns:
        display[column] = display[column].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
    return json.loads(display.to_json(drop_id=True))


def label_points(communes: gpd.GeoDataFrame) -> dict:
    """One point inside each commune (computed in Lambert-93), with its name: GeoJSON in EPSG:4326."""
    metric = communes.to_crs(settings.LAMBERT93)
    points = gpd.GeoDataFrame(
        {"nom": metric["nom"]}, geometry=metric.geometry.representative_point(), crs=settings.LAMBERT93
    ).to_crs(settings.WGS84)
    points["geometry"] = points.geometry.map(lambda g: _round(g, 5))
    points["couche"] = "etiquette"
    return json.loads(points.to_json(drop_id=True))


def display_layers(layers: Layers) -> DisplayLayers:
    """Prepare every loaded layer for display; a missing layer stays None."""
    qpv = voisins = bande = bande500 = None
    if layers.qpv is not None:
        qpv_columns = ["code_qp", "lib_qp", "lib_com", "contrat"]
        own = layers.qpv[~layers.qpv["voisin"]]
        qpv = to_display_geojson(own, qpv_columns, "qpv")
        voisins = to_display_geojson(layers.qpv[layers.qpv["voisin"]], qpv_columns, "qpv_voisin")
        # The band is indicative: 2 m and 5 decimals (about 1 m) are below what it can claim.
        bande = to_display_geojson(band(layers.qpv), ["code_qp", "lib_qp", "contrat"], "bande300", 2.0, 5)
        renouvellement = layers.qpv[layers.qpv["code_qp"].isin(npnru_sites())]
        if len(renouvellement):
            bande500 = to_display_geojson(
                band(renouvellement, settings.NPNRU_BAND_METRES), ["code_qp", "lib_qp"], "bande500", 2.0, 5
            )
    # Communes and EPCI are generalised at 100 m at the source: 4 decimals are their own precision.
    communes = epci = etiquettes = None
    if layers.communes is not None:
        communes = to_display_geojson(layers.communes, ["code", "nom", "epci"], "commune", 5.0, 4)
        etiquettes = label_points(layers.communes)
    if layers.epci is not None:
        epci = to_display_geojson(layers.epci, ["nom", "epci"], "epci", 5.0, 4)
    qic = (
        to_display_geojson(layers.qic, ["id", "nom", "commune", "source", "date"], "qic")
        if layers.qic is not None
        else None
    )
    extent = next((g for g in (layers.epci, layers.communes, layers.qpv) if g is not None), None)
    if extent is not None:
        west, south, east, north = extent.total_bounds
    else:
        west, south, east, north = 2.2, 50.3, 3.1, 50.7
    return DisplayLayers(
        qpv,
        voisins,
        bande,
        communes,
        epci,
        qic,
        [[south, west], [north, east]],
        settings.DISPLAY_TOLERANCE_METRES,
        etiquettes,
        bande500,
    )


def _named(data: dict | None, names: dict[str, str]) -> dict | None:
    if data is None:
        return None
    features = []
    for feature in data["features"]:
        properties = feature["properties"]
        official = properties.get("lib_qp") or ""
        label = qpv_label(names.get(properties.get("code_qp"), official), official)
        features.append({**feature, "properties": {**properties, "nom_affiche": label}})
    return {**data, "features": features}


def with_names(layers: DisplayLayers, names: dict[str, str]) -> DisplayLayers:
    """The same layers, each QPV, neighbour and band feature carrying `nom_affiche` for tooltips.

    `names` maps code_qp to the name the app uses (the portrait's); the ANCT name (lib_qp) follows in
    parentheses when it differs: « 3 Îlots (Quartier 3 ilôts) ». Without a name, the ANCT name alone.
    """
    return dataclasses.replace(
        layers,
        qpv=_named(layers.qpv, names),
        voisins=_named(layers.voisins, names),
        bande=_named(layers.bande, names),
        bande500=_named(layers.bande500, names),
    )


def layer_file_bytes(display: DisplayLayers) -> dict[str, tuple[str, bytes]]:
    """Layer name → (file name carrying the content's hash, UTF-8 GeoJSON bytes); missing layers left out."""
    files = {}
    for name in LAYER_NAMES:
        data = getattr(display, name)
        if data is None:
            continue
        content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        files[name] = (f"{name}-{hashlib.sha256(content).hexdigest()[:12]}.geojson", content)
    return files


def publish_layers(
    display: DisplayLayers, directory: Path = STATIC_LAYERS_DIR, url_prefix: str = STATIC_LAYERS_URL
) -> dict[str, str]:
    """Write each layer once as a static GeoJSON file; return layer name → URL the map fetches.

    The file name carries a hash of the content, so a browser may cache it for good and new data gets a
    new URL. Files are written atomically (several app processes may start at once); raises OSError if
    the directory cannot be written.
    """
    urls = {}
    for name, (filename, content) in layer_file_bytes(display).items():
        _write_once(directory, filename, content)
        urls[name] = f"{url_prefix}/{filename}"
    return urls


def _write_once(directory: Path, filename: str, content: bytes) -> None:
    """Write `content` as `directory`/`filename` (readable by all) unless it is there already; atomic, so that
    app processes starting at once never serve half a file. Raises OSError if the directory cannot be written."""
    target = directory / filename
    if target.exists() and target.stat().st_size == len(content):
        return
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{filename}-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def layer_files_present(urls: dict[str, str]) -> bool:
    """Whether every file of `urls` (from `publish_layers`) is still on disk: a cache of URLs is valid only then."""
    return all((settings.STATIC_DIR / url.removeprefix("/app/static/")).exists() for url in urls.values())


def early_fetch_script(urls: list[str]) -> tuple[str, str]:
    """A folium `default_js` entry that starts fetching `urls` (layer files of this app) before the map's scripts.

    st_folium waits for each script before asking for the next, and the map asks for its layers only once every
    script has run: the QPV file then cost one more round trip after the scripts. This first entry is a `data:`
    URL (no request of its own) whose script starts the fetches at once, so they download beside the scripts;
    carte.js takes the answers from `window.carteQuartiersPrecharge` (keyed by URL) instead of asking again.
    Only URLs of `STATIC_LAYERS_URL` are accepted (ValueError otherwise): nothing from a visitor goes in here.
    """
    if not all(url.startswith(STATIC_LAYERS_URL + "/") for url in urls):
        raise ValueError(f"not a layer file of this app: {urls}")
    # A failure is reported by carte.js when it takes the answer (the early catch only keeps the console quiet).
    script = (
        "(function(){var early=window.carteQuartiersPrecharge={};"
        f"{json.dumps(urls)}.forEach(function(url){{"
        "var answer=fetch(url).then(function(r){if(!r.ok)throw new Error(r.status);return r.json();});"
        "answer.catch(function(){});early[url]=answer;});})();"
    )
    return ("precharge", "data:text/javascript;charset=utf-8," + quote(script, safe=""))


def map_scripts(directory: Path = STATIC_LAYERS_DIR, url_prefix: str = STATIC_LAYERS_URL) -> list[tuple[str, str]]:
    """The scripts every map loads, as folium `default_js` entries: one file when it can be written, else three.

    st_folium loads a map's scripts one after the other, each waiting for the previous one: Leaflet, then
    leaflet-gesture-handling, then static/carte/carte.js took three round trips before the map could start
    (three times the latency on a phone network). The three are joined, in that order, into one file named
    by a hash of its content under `directory` (git-ignored, written once, served like the layer files and
    cached for good). When a part is missing (Leaflet not installed: the page says so) or the directory
    cannot be written, the three separate files are returned, as before.
    """
    separate = [(name, url) for name, url, _ in _map_script_parts()]
    bundle = _map_script_bundle()
    if bundle is None:
        return separate
    filename, content = bundle
    try:
        _write_once(directory, filename, content)
    except OSError:
        return separate
    return [("carte", f"{url_prefix}/{filename}")]


def _map_script_parts() -> list[tuple[str, str, Path]]:
    """(name, URL, file) of each script every map needs, in the order they must run."""
    gestures = "leaflet-gesture-handling.min.js"
    return [
        ("leaflet", f"{settings.LEAFLET_URL}/leaflet.js", settings.LEAFLET_DIR / "leaflet.js"),
        ("gestes", f"{settings.GESTURE_HANDLING_URL}/{gestures}", settings.GESTURE_HANDLING_DIR / gestures),
        ("carte", _asset_url("carte.js"), MAP_ASSETS_DIR / "carte.js"),
    ]


@functools.cache
def _map_script_bundle() -> tuple[str, bytes] | None:
    """(file name carrying the hash, content) of the joined scripts, read once per process; None if one is missing.

    Each part ends with a newline and a semicolon (a script that omits its last one cannot swallow the next);
    source-map comments are dropped (they would point next to the joined file, where no map is).
    """
    parts = []
    for _, _, path in _map_script_parts():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        kept = [line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")]
        parts.append(f"/* {path.relative_to(settings.STATIC_DIR)} */\n" + "\n".join(kept) + "\n;\n")
    content = "".join(parts).encode("utf-8")
    return f"carte-{hashlib.sha256(content).hexdigest()[:12]}.js", content


def _asset_url(name: str) -> str:
    """URL of one of the app's own map assets (static/carte/), versioned by content so browsers may cache it."""
    path = MAP_ASSETS_DIR / name
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "absent"
    return f"{MAP_ASSETS_URL}/{name}?v={version}"


class _MapTools(MacroElement):
    """First element of the map: panes, French labels, focus, touch and tooltip rules (static/carte/carte.js)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.carteQuartiers.init({{ this._parent.get_name() }}, {{ this.options|tojson }});"
        "{% endmacro %}"
    )

    def __init__(
        self,
        title: str = MAP_TITLE,
        phone_max_width: int = PHONE_MAX_WIDTH_PX,
        panes: dict = PANES,
        home: list[list[float]] | None = None,
        nearest_px: int = 0,
    ):
        super().__init__()
        self._name = "MapTools"
        self.options = {
            "panes": panes,
            "title": title,
            "labelsZoom": LABELS_MIN_ZOOM,
            "phoneMaxWidth": phone_max_width,
            "home": home,
            "nearestPx": nearest_px,
        }


class _Layer(MacroElement):
    """A GeoJSON layer in its own pane, filled from its static file (or inline data) once the map exists."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.carteQuartiers.layer({{ this._parent.get_name() }}, "
        "{{ this.layer|tojson }}, {{ this.source|tojson }}, {{ this.options|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, layer: str, source, style: dict, pane: str, tooltip=None, interactive=True, labels=False):
        super().__init__()
        self._name = "Couche"
        self.layer, self.source = layer, source
        self.options = {
            "style": style,
            "pane": pane,
            "tooltip": tooltip,
            "interactive": interactive,
            "labels": labels,
        }


class _MapExtras(MacroElement):
    """The scale, the legend as a Leaflet control, and the basemap's fallback when tiles cannot load."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.carteQuartiers.extras({{ this._parent.get_name() }}, {{ this.options|tojson }}, "
        "{{ this.osm.get_name() if this.osm else 'null' }}, {{ this.plain.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, legend_html: str, osm, plain, scale: float = 1.0, fold_over_home: bool = False):
        super().__init__()
        self._name = "MapExtras"
        self.options = {
            "foldOverHome": fold_over_home,
            "legend": legend_html,
            "fontPx": round(LEGEND_FONT_PX * scale),
            "maxWidthPx": round(240 * scale),
            "presentation": scale > 1,
        }
        self.osm, self.plain = osm, plain


class _SelectedFeature(MacroElement):
    """The selected quartier, drawn from the layer already in the browser: only its code is sent."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.carteQuartiers.selection({{ this._parent.get_name() }}, "
        "{{ this.quartier_id|tojson }}, {{ this.style|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, quartier_id: str):
        super().__init__()
        self._name = "Selection"
        self.quartier_id = quartier_id
        self.style = STYLE_SELECTION


def _swatch(style: dict) -> str:
    fill = style.get("fillColor", "none") if style.get("fill", True) else "none"
    opacity = style.get("fillOpacity", 0)
    dash = style.get("dashArray", "")
    return (
        '<svg width="30" height="16" aria-hidden="true" style="vertical-align:middle;margin-right:6px">'
        f'<rect x="2" y="2" width="26" height="12" fill="{fill}" fill-opacity="{opacity}" '
        f'stroke="{style["color"]}" stroke-width="{min(style["weight"], 3)}" stroke-dasharray="{dash}"/></svg>'
    )


def legend_entries(layers: DisplayLayers) -> list[tuple[dict, str]]:
    """(style, French label) for each legend line, the same text as the page's text legend."""
    entries = [
        (STYLE_QPV, "QPV 2024 (contrats CABBALR / CALL) : aplat rouge, trait plein"),
        (STYLE_BANDE, "Bande des 300 m (indicative) : tirets orange"),
    ]
    if layers.bande500 is not None:
        entries.append(
            (STYLE_BANDE_500M, BANDE_500M_TITLE + " : pointillés violets, à afficher dans le sélecteur de couches")
        )
    entries += [
        (STYLE_VOISIN, "QPV voisin, hors contrats CABBALR / CALL : gris, pointillés"),
        (STYLE_COMMUNE, "Communes (contours généralisés à 100 m) : trait fin pointillé"),
        (STYLE_EPCI, "Limite d'agglomération : trait bleu épais"),
    ]
    if layers.qic is not None:
        entries.append((STYLE_QIC, "QIC (quartier d'intérêt communautaire) : violet, tiret-point"))
    # The Carte's selected quartier and the point of « Ce lieu » are drawn alike (STYLE_SELECTION, selection_group).
    entries.append((STYLE_SELECTION, "Quartier ou lieu choisi : contour noir épais, aplat jaune"))
    return entries


def legend_html(layers: DisplayLayers) -> str:
    # On the map the swatch shows the pattern: only the name before " : " (the text legend keeps it all).
    lines = [f"<div>{_swatch(style)}{escape(label.split(' : ')[0])}</div>" for style, label in legend_entries(layers)]
    if layers.qic is None:
        lines.append("<div><em>Périmètres des QIC non publiés</em></div>")
    return "<summary style='cursor:pointer;font-weight:bold'>Légende</summary>" + "".join(lines)


def add_map_tools(
    fmap: folium.Map,
    title: str = MAP_TITLE,
    phone_max_width: int = PHONE_MAX_WIDTH_PX,
    panes: dict = PANES,
    home: list[list[float]] | None = None,
    nearest_px: int = 0,
    early: list[str] | None = None,
) -> None:
    """Load the app's map assets (static/carte/carte.js, carte.css) and run their set-up first on `fmap`.

    French control labels (zoom, plain "Leaflet" link), panes, focus ring, wheel and touch gestures
    (leaflet-gesture-handling), tooltips kept inside the frame and closed by a tap elsewhere, the attribution
    kept off the scale. `title` is the map's accessible name; a screen up to `phone_max_width` px wide gets the
    map at half its height (0: never); `panes` maps each of PANES' names to its z-index. `home`
    ([[south, west], [north, east]]) is the first view, fitted to the map's size, and what « Vue d'ensemble »
    brings back; with `nearest_px`, a click that misses every quartier selects the nearest one within that many
    pixels. The layer files in `early` (URLs from `publish_layers`) are fetched while the scripts load
    (`early_fetch_script`).
    """
    first = [early_fetch_script(early)] if early else []
    fmap.default_js = first + map_scripts()  # Leaflet, leaflet-gesture-handling and carte.js, as one file
    fmap.default_css = [
        ("leaflet_css", f"{settings.LEAFLET_URL}/leaflet.css"),
        ("gestes_css", f"{settings.GESTURE_HANDLING_URL}/leaflet-gesture-handling.min.css"),
        ("carte_css", _asset_url("carte.css")),
    ]
    _MapTools(title, phone_max_width, panes, home, nearest_px).add_to(fmap)


def add_layer(
    fmap: folium.Map,
    name: str,
    title: str,
    source,
    style: dict,
    pane: str,
    tooltip=None,
    interactive=True,
    labels=False,
    show=True,
) -> None:
    """One layer, in its pane, under `title` in the layer switch; drawn by carte.js from `source`.

    `source` is the URL of its static file (from `publish_layers`) or, for a map shown once, the GeoJSON itself;
    `tooltip` is a list of [property, French label] shown as text; `show` False leaves it off at start.
    """
    group = folium.FeatureGroup(name=title, show=show)
    _Layer(name, source, style, pane, tooltip, interactive, labels).add_to(group)
    group.add_to(fmap)


def add_backgrounds(fmap: folium.Map, with_tiles: bool) -> tuple[folium.TileLayer | None, folium.FeatureGroup]:
    """The two backgrounds: OpenStreetMap (online, optional) and a plain one that needs no network.

    Only one is on the map at start, so the layer switch shows the one really displayed; returns (osm, plain),
    osm None without tiles.
    """
    osm = None
    if with_tiles:
        osm = folium.TileLayer(
            "OpenStreetMap",
            name="Plan OpenStreetMap (en ligne)",
            attr="© contributeurs OpenStreetMap",
            max_zoom=MAX_ZOOM,
        ).add_to(fmap)
    plain = folium.FeatureGroup(name="Fond neutre (hors ligne)", overlay=False, show=not with_tiles).add_to(fmap)
    return osm, plain


def add_map_extras(
    fmap: folium.Map, legend: str, osm=None, plain=None, presentation: bool = False, fold_over_home: bool = False
) -> None:
    """Scale, `legend` (HTML: a <summary> then lines) as a control, French layer switch, offline fallback.

    Call after the layer control. `presentation` enlarges the legend by PRESENTATION_SCALE; with
    `fold_over_home` the legend starts folded when, open, it would make the first view smaller (a map not
    wide enough to hold it beside the territory). It starts folded on a phone in any case.
    """
    _MapExtras(legend, osm, plain, PRESENTATION_SCALE if presentation else 1.0, fold_over_home).add_to(fmap)


def add_display_layer(
    fmap: folium.Map,
    layers: DisplayLayers,
    layer_urls: dict[str, str] | None,
    name: str,
    title: str,
    style: dict,
    pane: str,
    tooltip=None,
    interactive: bool = True,
    labels: bool = False,
    show: bool = True,
) -> None:
    """The layer `name` of `layers` (see `add_layer`): fetched from its static file when `layer_urls` has it,
    embedded otherwise; nothing when the layer is missing or empty."""
    data = getattr(layers, name)
    if data is None or not data["features"]:
        return
    source = layer_urls[name] if layer_urls and name in layer_urls else data
    add_layer(fmap, name, title, source, style, pane, tooltip, interactive, labels, show)


def first_layer_url(layer_urls: dict[str, str] | None) -> list[str]:
    """The layer file a map draws first (the QPV: carte.js fills the others after them), to fetch early."""
    return [layer_urls["qpv"]] if layer_urls and "qpv" in layer_urls else []


def build_map(
    layers: DisplayLayers,
    layer_urls: dict[str, str] | None = None,
    with_tiles: bool = True,
    presentation: bool = False,
    nearest_px: int = 0,
) -> folium.Map:
    """The base map: every layer in its pane, the legend and a layer switch; its view is the whole territory.

    With `layer_urls` (from `publish_layers`) the map fetches each layer from its URL; without, the GeoJSON
    is embedded in the map's script (heavier: only for a map shown once). `presentation` enlarges the legend;
    `nearest_px` (NEAREST_QUARTIER_PX where a click selects a quartier) see `add_map_tools`.
    """
    fmap = folium.Map(location=None, tiles=None, control_scale=False, max_zoom=MAX_ZOOM, prefer_canvas=False)
    add_map_tools(fmap, home=layers.bounds, nearest_px=nearest_px, early=first_layer_url(layer_urls))
    osm, plain = add_backgrounds(fmap, with_tiles)

    def add(name, title, style, pane, tooltip=None, interactive=True, labels=False, show=True):
        add_display_layer(fmap, layers, layer_urls, name, title, style, pane, tooltip, interactive, labels, show)

    add("communes", "Communes", STYLE_COMMUNE, "communes", [["nom", "Commune"], ["epci", "Agglomération"]])
    add("epci", "Agglomérations", STYLE_EPCI, "epci", interactive=False)
    add("bande500", BANDE_500M_TITLE, STYLE_BANDE_500M, "bande500", [["nom_affiche", "Bande des 500 m autour de"]],
        show=False)  # fmt: skip
    add("bande", "Bande des 300 m (indicative)", STYLE_BANDE, "bande", [["nom_affiche", "Bande des 300 m autour de"]])
    add(
        "voisins",
        "QPV voisins (hors contrats)",
        STYLE_VOISIN,
        "voisins",
        [["nom_affiche", "QPV voisin"], ["code_qp", "Code"], ["lib_com", "Communes"], ["contrat", "Contrat"]],
    )
    add("qic", "QIC", STYLE_QIC, "qic", [["nom", "QIC"], ["commune", "Commune"]])
    add(
        "qpv", "QPV 2024", STYLE_QPV, "qpv", [["nom_affiche", "Quartier"], ["code_qp", "Code"], ["lib_com", "Communes"]]
    )
    add("etiquettes", "Noms des communes", {}, "etiquettes", interactive=False, labels=True)
    # The first view (the territory, above the legend when it is open) is set by carte.js for the map's real size.
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    add_map_extras(fmap, legend_html(layers), osm, plain, presentation, fold_over_home=True)
    return fmap


def selection_group(
    feature: dict | None, point: tuple[float, float] | None = None, label: str = ""
) -> folium.FeatureGroup:
    """The highlighted quartier and/or the located point, added without reloading the map."""
    group = folium.FeatureGroup(name="Sélection")
    if feature is not None:
        folium.GeoJson(feature, style_function=lambda _f: STYLE_SELECTION, interactive=False).add_to(group)
    if point is not None:
        folium.CircleMarker(
            location=list(point),
            radius=9,
            color=STYLE_SELECTION["color"],
            weight=3,
            fill=True,
            fill_color=STYLE_SELECTION["fillColor"],
            fill_opacity=1,
            tooltip=escape(label) or None,
        ).add_to(group)
    return group


def selected_quartier_group(quartier_id: str | None) -> folium.FeatureGroup:
    """The highlighted quartier by its code (or QIC id): the map draws it from the layer it already has."""
    group = folium.FeatureGroup(name="Sélection")
    if quartier_id:
        _SelectedFeature(quartier_id).add_to(group)
    return group


def view_for_bounds(
    bounds: list[list[float]], width_px: int = 480, height_px: int = MAP_HEIGHT_PX
) -> tuple[tuple[float, float], int]:
    """Centre and Web Mercator zoom level that fit [[south, west], [north, east]] in the map's size."""
    (south, west), (north, east) = bounds
    centre = ((south + north) / 2, (west + east) / 2)

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 1e-6) / 360
    lat_span = max(mercator_y(north) - mercator_y(south), 1e-9) / (2 * math.pi)
    # One level out from the tightest fit, so that the 300 m band and the streets around stay in view.
    zoom = min(math.log2(width_px / 256 / lon_span), math.log2(height_px / 256 / lat_span)) - 1
    return centre, int(max(1, min(MAX_ZOOM - 1, math.floor(zoom))))


def feature_for(layers: DisplayLayers, quartier_id: str) -> dict | None:
    """The display feature of a QPV (or QIC) by its id, if it has a perimeter."""
    for collection, key in ((layers.qpv, "code_qp"), (layers.voisins, "code_qp"), (layers.qic, "id")):
        if collection is None:
            continue
        for feature in collection["features"]:
            if feature["properties"].get(key) == quartier_id:
                return feature
    return None


def feature_bounds(feature: dict) -> list[list[float]]:
    west, south, east, north = shapely.geometry.shape(feature["geometry"]).bounds
    return [[south, west], [north, east]]
