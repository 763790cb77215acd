"""Folium only: the map's layers, styles and legend, and the view for a set of bounds."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from quartiers import settings
from quartiers.perimeters import Layers
from quartiers.zones import band

MAP_HEIGHT_PX = 620
MAP_TITLE = "Carte interactive des quartiers prioritaires, de la bande des 300 m et des communes"  # iframe title
MAX_ZOOM = 17

STYLE_QPV = {"color": "#8e1b10", "weight": 2, "fillColor": "#d2402f", "fillOpacity": 0.35}
STYLE_VOISIN = {"color": "#4d4d4d", "weight": 1.5, "fillColor": "#9a9a9a", "fillOpacity": 0.35, "dashArray": "1 4"}
STYLE_BANDE = {"color": "#9c4a00", "weight": 1.5, "fillColor": "#f0a040", "fillOpacity": 0.18, "dashArray": "8 6"}
STYLE_COMMUNE = {"color": "#333333", "weight": 1, "fill": False, "dashArray": "2 3"}
STYLE_EPCI = {"color": "#1d3f8f", "weight": 3.5, "fill": False}
STYLE_QIC = {"color": "#5b2a86", "weight": 2, "fillColor": "#9b6fc4", "fillOpacity": 0.3, "dashArray": "10 4 2 4"}
STYLE_SELECTION = {"color": "#000000", "weight": 5, "fillColor": "#ffd400", "fillOpacity": 0.25}


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


def display_layers(layers: Layers) -> DisplayLayers:
    """Prepare every loaded layer for display; a missing layer stays None."""
    qpv = voisins = bande = None
    if layers.qpv is not None:
        qpv_columns = ["code_qp", "lib_qp", "lib_com", "contrat"]
        own = layers.qpv[~layers.qpv["voisin"]]
        qpv = to_display_geojson(own, qpv_columns, "qpv")
        voisins = to_display_geojson(layers.qpv[layers.qpv["voisin"]], qpv_columns, "qpv_voisin")
        # The band is indicative: 2 m and 5 decimals (about 1 m) are below what it can claim.
        bande = to_display_geojson(band(layers.qpv), ["code_qp", "lib_qp", "contrat"], "bande300", 2.0, 5)
    # Communes and EPCI are generalised at 100 m at the source: 4 decimals are their own precision.
    communes = epci = None
    if layers.communes is not None:
        communes = to_display_geojson(layers.communes, ["code", "nom", "epci"], "commune", 5.0, 4)
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
        qpv, voisins, bande, communes, epci, qic, [[south, west], [north, east]], settings.DISPLAY_TOLERANCE_METRES
    )


class _MapExtras(MacroElement):
    """A plain background for when basemap tiles fail, and the legend as a Leaflet control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().style.background = "#f4f3ee";
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("details", "legende-carte");
                div.open = div.ownerDocument.defaultView.innerWidth > 450;  // map frame: ~550 px desktop, ~360 phone
                div.setAttribute("aria-label", "Légende de la carte");
                div.style.cssText = "background:#fff;color:#111;padding:4px 8px;font:12px/1.35 sans-serif;" +
                    "border:1px solid #555;border-radius:4px;max-width:240px";
                div.innerHTML = {{ this.legend_html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str):
        super().__init__()
        self._name = "MapExtras"
        self.legend_html = legend_html


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
        (STYLE_VOISIN, "QPV voisin, hors contrats CABBALR / CALL : gris, pointillés"),
        (STYLE_COMMUNE, "Communes (contours généralisés à 100 m) : trait fin pointillé"),
        (STYLE_EPCI, "Limite d'agglomération : trait bleu épais"),
    ]
    if layers.qic is not None:
        entries.append((STYLE_QIC, "QIC (quartier d'intérêt communautaire) : violet, tiret-point"))
    return entries


def legend_html(layers: DisplayLayers) -> str:
    # On the map the swatch shows the pattern: only the name before " : " (the text legend keeps it all).
    lines = [f"<div>{_swatch(style)}{escape(label.split(' : ')[0])}</div>" for style, label in legend_entries(layers)]
    if layers.qic is None:
        lines.append("<div><em>Périmètres des QIC non publiés</em></div>")
    return "<summary style='cursor:pointer;font-weight:bold'>Légende</summary>" + "".join(lines)


def _tooltip(fields: list[str], aliases: list[str]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=False, localize=False)


def build_map(layers: DisplayLayers, with_tiles: bool = True) -> folium.Map:
    """The base map: every layer, the legend and a layer switch; its view is the whole territory."""
    fmap = folium.Map(location=None, tiles=None, control_scale=False, max_zoom=MAX_ZOOM, prefer_canvas=False)
    fmap.default_js = [("leaflet", f"{settings.LEAFLET_URL}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{settings.LEAFLET_URL}/leaflet.css")]
    if with_tiles:
        folium.TileLayer(
            "OpenStreetMap",
            name="Plan OpenStreetMap (en ligne)",
            attr="© contributeurs OpenStreetMap",
            max_zoom=MAX_ZOOM,
        ).add_to(fmap)
    folium.FeatureGroup(name="Fond neutre (hors ligne)", overlay=False).add_to(fmap)

    def add(data, name, style, tooltip=None, interactive=True, show=True):
        if data is None or not data["features"]:
            return
        group = folium.FeatureGroup(name=name, show=show)
        folium.GeoJson(
            data,
            name=name,
            style_function=lambda _feature, style=style: style,
            highlight_function=(lambda _f: {"weight": 4}) if interactive else None,
            tooltip=tooltip,
            interactive=interactive,
        ).add_to(group)
        group.add_to(fmap)

    add(layers.communes, "Communes", STYLE_COMMUNE, _tooltip(["nom", "epci"], ["Commune", "Agglomération"]))
    add(layers.epci, "Agglomérations", STYLE_EPCI, interactive=False)
    add(
        layers.bande,
        "Bande des 300 m (indicative)",
        STYLE_BANDE,
        _tooltip(["lib_qp", "code_qp"], ["Bande des 300 m autour de", "Code"]),
    )
    add(
        layers.voisins,
        "QPV voisins (hors contrats)",
        STYLE_VOISIN,
        _tooltip(["lib_qp", "code_qp", "lib_com", "contrat"], ["QPV voisin", "Code", "Communes", "Contrat"]),
    )
    add(layers.qic, "QIC", STYLE_QIC, _tooltip(["nom", "commune"], ["QIC", "Commune"]))
    add(
        layers.qpv,
        "QPV 2024",
        STYLE_QPV,
        _tooltip(["lib_qp", "code_qp", "lib_com"], ["Quartier", "Code", "Communes"]),
    )
    # Leave the bottom strip to the legend, so that it does not hide the south-east of CALL.
    fmap.fit_bounds(layers.bounds, padding_bottom_right=(0, 170))
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    _MapExtras(legend_html(layers)).add_to(fmap)
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
            color="#000",
            weight=3,
            fill=True,
            fill_color="#ffd400",
            fill_opacity=1,
            tooltip=label or None,
        ).add_to(group)
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
