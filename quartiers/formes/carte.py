"""Folium only: the map of the "Tester un périmètre" page — official layers, drawing tools, the proposal's layers.

Leaflet.draw comes from the npm registry (static/package.json) and is served by the app at /app/static/...,
like Leaflet itself: no CDN. Geometries go to the browser in EPSG:4326. The official layers are static files
published like the Carte map's (`maps.publish_layers`) and drawn by static/carte/carte.js: a rerun of the page
sends the map's short script and the proposal's own layers, not the official ones.
"""

from __future__ import annotations

import dataclasses
from html import escape

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement
from folium.plugins import Draw
from jinja2 import Template

from quartiers import settings
from quartiers.formats import fmt_ha
from quartiers.formes.bilan_perimetre import Bilan
from quartiers.maps import (
    MAX_ZOOM,
    PANES,
    STYLE_BANDE,
    STYLE_COMMUNE,
    STYLE_QPV,
    STYLE_VOISIN,
    DisplayLayers,
    add_backgrounds,
    add_display_layer,
    add_map_extras,
    add_map_tools,
    first_layer_url,
    to_display_geojson,
    view_for_bounds,
    with_names,
)

LEAFLET_DRAW_DIR = settings.STATIC_DIR / "node_modules" / "leaflet-draw" / "dist"
LEAFLET_DRAW_URL = "/app/static/node_modules/leaflet-draw/dist"
MAP_HEIGHT_PX = 560
MAP_TITLE = "Carte pour tester un périmètre : QPV 2024 officiels, bandes des 300 m, communes et outils de dessin"

# Told apart by line pattern, fill and a text label on the map, not by colour alone.
STYLE_PROPOSITION = {"color": "#000000", "weight": 4, "fillColor": "#1f78b4", "fillOpacity": 0.12}
STYLE_BANDE_PROPOSITION = {"color": "#1f4e79", "weight": 2, "fill": True, "fillColor": "#6baed6",
                           "fillOpacity": 0.10, "dashArray": "2 5"}  # fmt: skip
STYLE_AJOUT = {"color": "#00441b", "weight": 2.5, "fillColor": "#41ab5d", "fillOpacity": 0.55, "dashArray": "12 4"}
STYLE_LAISSE_HORS = {"color": "#67000d", "weight": 3, "fillColor": "#ffffff", "fillOpacity": 0.6, "dashArray": "1 5"}
LABEL_MIN_HA = 0.2  # smaller parts get no text label on the map (they stay in the table and the legend)

# The official layers lie under Leaflet's overlay pane (z-index 400), where Leaflet.draw puts what is drawn and
# the proposal's layers are added: those stay on top of the official layers whatever order they arrive in.
REFERENCE_PANES = {name: z_index - 50 for name, z_index in PANES.items()}
# Bottom to top: layer of DisplayLayers, its name in the layer switch, style, tooltip ([property, label] as text).
REFERENCE_LAYERS = (
    ("communes", "Communes", STYLE_COMMUNE, [["nom", "Commune"]]),
    ("bande", "Bande des 300 m des QPV", STYLE_BANDE, [["nom_affiche", "Bande des 300 m autour de"]]),
    ("voisins", "QPV voisins", STYLE_VOISIN, [["nom_affiche", "QPV voisin"], ["code_qp", "Code"]]),
    ("qpv", "QPV 2024 officiels", STYLE_QPV, [["nom_affiche", "QPV"], ["code_qp", "Code"]]),
)


def legend_entries() -> list[tuple[dict, str]]:
    """(style, French label) of each legend line; the page prints the same lines as text."""
    return [
        (STYLE_PROPOSITION, "Périmètre proposé : trait noir épais"),
        (STYLE_BANDE_PROPOSITION, "Sa bande des 300 m : pointillés bleus fins"),
        (STYLE_AJOUT, "Ajout (proposé, hors de tout QPV) : aplat vert, longs tirets, étiquette « + »"),
        (STYLE_LAISSE_HORS, "QPV laissé hors de la proposition : blanc, pointillés rouges, étiquette « − »"),
        (STYLE_QPV, "QPV 2024 officiel (contrats CABBALR / CALL) : aplat rouge, trait plein"),
        (STYLE_VOISIN, "QPV voisin, hors contrats : gris, pointillés"),
        (STYLE_BANDE, "Bande des 300 m des QPV officiels : tirets orange"),
        (STYLE_COMMUNE, "Communes (contours généralisés à 100 m) : trait fin pointillé"),
    ]


def _swatch(style: dict) -> str:
    fill = style.get("fillColor", "none") if style.get("fill", True) else "none"
    return (
        '<svg width="30" height="16" aria-hidden="true" style="vertical-align:middle;margin-right:6px">'
        f'<rect x="2" y="2" width="26" height="12" fill="{fill}" fill-opacity="{style.get("fillOpacity", 0)}" '
        f'stroke="{style["color"]}" stroke-width="{min(style["weight"], 3)}" '
        f'stroke-dasharray="{style.get("dashArray", "")}"/></svg>'
    )


def legend_html(entries: list[tuple[dict, str]] | None = None) -> str:
    """The map's legend control: a swatch and the label's first part for each of `entries` (legend_entries())."""
    lines = "".join(
        f"<div>{_swatch(style)}{escape(label.split(' : ')[0])}</div>" for style, label in entries or legend_entries()
    )
    return "<summary style='cursor:pointer;font-weight:bold'>Légende</summary>" + lines


# Leaflet.draw's interface in French (its own texts are English); merged into L.drawLocal before the control.
DRAW_FRENCH = {
    # The area shown while drawing reads as the results do: « 727,93 ha », « 1 234,50 ha ».
    "format": {"numeric": {"delimiters": {"thousands": " ", "decimal": ","}}},
    "draw": {
        "toolbar": {
            "actions": {"title": "Annuler le dessin", "text": "Annuler"},
            "finish": {"title": "Terminer le dessin", "text": "Terminer"},
            "undo": {"title": "Supprimer le dernier point", "text": "Supprimer le dernier point"},
            "buttons": {"polygon": "Dessiner un polygone", "rectangle": "Dessiner un rectangle"},
        },
        "handlers": {
            "polygon": {
                "tooltip": {
                    "start": "Cliquez pour commencer le polygone.",
                    "cont": "Cliquez pour ajouter un sommet.",
                    "end": "Cliquez sur le premier point pour fermer le polygone.",
                }
            },
            "polyline": {
                "error": "<strong>Erreur :</strong> les côtés ne doivent pas se croiser.",
                "tooltip": {
                    "start": "Cliquez pour commencer.",
                    "cont": "Cliquez pour continuer.",
                    "end": "Cliquez sur le dernier point pour terminer.",
                },
            },
            "rectangle": {"tooltip": {"start": "Cliquez et faites glisser pour dessiner un rectangle."}},
            "simpleshape": {"tooltip": {"end": "Relâchez la souris pour terminer."}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {
                "save": {"title": "Enregistrer les modifications", "text": "Enregistrer"},
                "cancel": {"title": "Annuler les modifications", "text": "Annuler"},
                "clearAll": {"title": "Effacer tous les polygones", "text": "Tout effacer"},
            },
            "buttons": {
                "edit": "Modifier les polygones",
                "editDisabled": "Aucun polygone à modifier",
                "remove": "Supprimer des polygones",
                "removeDisabled": "Aucun polygone à supprimer",
            },
        },
        "handlers": {
            "edit": {
                "tooltip": {
                    "text": "Déplacez les poignées pour modifier le polygone.",
                    "subtext": "« Annuler » défait les modifications.",
                }
            },
            "remove": {"tooltip": {"text": "Cliquez sur un polygone pour le supprimer."}},
        },
    },
}


class _DrawFrench(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function merge(target, source) {
            Object.keys(source).forEach(function (key) {
                if (typeof source[key] === "object") { merge(target[key] = target[key] || {}, source[key]); }
                else { target[key] = source[key]; }
            });
        })(L.drawLocal, {{ this.texts|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "DrawFrench"
        self.texts = DRAW_FRENCH


def draw_control() -> Draw:
    """Leaflet.draw restricted to polygons and rectangles, its assets served by the app."""
    draw = Draw(
        position="topleft",
        show_geometry_on_click=False,
        draw_options={
            "polyline": False,
            "circle": False,
            "circlemarker": False,
            "marker": False,
            "polygon": {"allowIntersection": False, "showArea": True, "metric": True},
            "rectangle": {"showArea": True, "metric": True},
        },
        edit_options={"edit": True, "remove": True},
    )
    draw.default_js = [("leaflet_draw_js", f"{LEAFLET_DRAW_URL}/leaflet.draw.js")]
    draw.default_css = [("leaflet_draw_css", f"{LEAFLET_DRAW_URL}/leaflet.draw.css")]
    return draw


def reference_layers(layers: DisplayLayers, names: dict[str, str] | None = None) -> DisplayLayers:
    """The official layers this map shows: QPV, neighbours and bands carrying `nom_affiche`, and the communes.

    `names` maps code_qp to the app's quartier name, shown before the ANCT name. The other layers (EPCI, QIC,
    commune labels) are left out. Publish the result with `maps.publish_layers` for `build_proposal_map`.
    """
    return dataclasses.replace(
        with_names(layers, names or {}),
        epci=None,
        qic=None,
        etiquettes=None,
        bande500=None,
    )


def build_proposal_map(
    layers: DisplayLayers,
    layer_urls: dict[str, str] | None = None,
    with_tiles: bool = True,
    presentation: bool = False,
    title: str = MAP_TITLE,
    legend: str | None = None,
) -> folium.Map:
    """The official QPV, their bands and the communes, with the drawing tools and the legend; the territory in view.

    `layers` comes from `reference_layers`; with `layer_urls` (`maps.publish_layers` of those same layers) the
    map fetches each layer from its static file, without it the GeoJSON is embedded (heavier: a map shown once).
    Built on the app's map assets (maps.add_map_tools / add_map_extras: French controls, scale, legend, tooltips
    as text); `presentation` enlarges the legend, the controls and the labels. `title` (accessible name) and
    `legend` (legend_html of other entries) let « Tester un programme » use the same map.
    """
    fmap = folium.Map(location=None, tiles=None, control_scale=False, max_zoom=MAX_ZOOM)
    # The page gives the frame a fixed height: the map is not shortened on a phone.
    add_map_tools(
        fmap, title, phone_max_width=0, panes=REFERENCE_PANES, home=layers.bounds, early=first_layer_url(layer_urls)
    )
    osm, plain = add_backgrounds(fmap, with_tiles)
    for name, title, style, tooltip in REFERENCE_LAYERS:
        add_display_layer(fmap, layers, layer_urls, name, title, style, name, tooltip)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    _DrawFrench().add_to(fmap)
    draw_control().add_to(fmap)
    add_map_extras(fmap, legend or legend_html(), osm, plain, presentation)
    return fmap


def _layer(geometries: list[shapely.Geometry], properties: dict[str, list], layer: str) -> dict | None:
    geometries_kept = [(i, g) for i, g in enumerate(geometries) if g is not None and not g.is_empty]
    if not geometries_kept:
        return None
    frame = gpd.GeoDataFrame(
        {key: [values[i] for i, _ in geometries_kept] for key, values in properties.items()},
        geometry=[g for _, g in geometries_kept],
        crs=settings.LAMBERT93,
    )
    return to_display_geojson(frame, list(properties), layer)


def result_group(bilans: list[Bilan]) -> folium.FeatureGroup:
    """The proposal, its band, the added and left-out parts, with text labels; added without reloading the map."""
    group = folium.FeatureGroup(name="Proposition")
    names = [escape(b.nom) for b in bilans]  # tooltips are HTML: a name from a file is shown as text
    for geometries, properties, style, label, aliases in (
        ([b.bande for b in bilans], {"nom": names, "surface_ha": [fmt_ha(b.surface_bande_300m_ha) for b in bilans]},
         STYLE_BANDE_PROPOSITION, "bande_proposition", ["Bande des 300 m de", "Surface"]),
        ([b.geometrie for b in bilans], {"nom": names, "surface_ha": [fmt_ha(b.surface_ha) for b in bilans]},
         STYLE_PROPOSITION, "proposition", ["Périmètre proposé", "Surface"]),
        ([b.laisse_hors for b in bilans], {"nom": names, "surface_ha": [fmt_ha(b.surface_laissee_hors_ha) for b in bilans]},
         STYLE_LAISSE_HORS, "laisse_hors", ["QPV laissé hors de", "Surface"]),
        ([b.ajout for b in bilans], {"nom": names, "surface_ha": [fmt_ha(b.surface_hors_qpv_ha) for b in bilans]},
         STYLE_AJOUT, "ajout", ["Ajout hors QPV de", "Surface"]),
    ):  # fmt: skip
        data = _layer(geometries, properties, label)
        if data is None:
            continue
        folium.GeoJson(
            data,
            style_function=lambda _f, style=style: style,
            tooltip=folium.GeoJsonTooltip(fields=list(properties), aliases=aliases, localize=False),
        ).add_to(group)
    for bilan in bilans:
        for geometry, text in ((bilan.ajout, "+ ajout"), (bilan.laisse_hors, "− hors proposition")):
            for part in getattr(geometry, "geoms", [geometry]):
                if part.is_empty or part.area / 10_000 < LABEL_MIN_HA:
                    continue
                point = gpd.GeoSeries([part.representative_point()], crs=settings.LAMBERT93).to_crs(settings.WGS84)
                folium.Marker(
                    [point.y.iloc[0], point.x.iloc[0]],
                    icon=folium.DivIcon(
                        html=f'<span class="etiquette-difference">{escape(text)}</span>',
                        icon_size=(0, 0),
                    ),
                    interactive=False,
                    keyboard=False,  # a label, not a control: no unnamed Tab stop
                ).add_to(group)
    return group


def result_view(bilans: list[Bilan]) -> dict:
    """`center` and `zoom` for st_folium that fit the proposals and their bands."""
    centre, zoom = view_for_bounds(result_bounds(bilans))
    # view_for_bounds keeps one level out for a quartier's band; these bounds already hold the band.
    return {"center": centre, "zoom": min(zoom + 1, MAX_ZOOM - 1)}


def result_bounds(bilans: list[Bilan]) -> list[list[float]]:
    """[[south, west], [north, east]] of the proposals, their bands and the QPV parts left out, in degrees."""
    union = shapely.union_all([g for b in bilans for g in (b.geometrie, b.bande, b.laisse_hors) if g is not None])
    west, south, east, north = gpd.GeoSeries([union], crs=settings.LAMBERT93).to_crs(settings.WGS84).total_bounds
    return [[south, west], [north, east]]
