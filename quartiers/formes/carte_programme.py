"""Folium only: the layers of « Tester un programme » over the perimeter test's map (formes.carte).

The footprints, the 300 m line of each quartier within 500 m, the 500 m line of the NPNRU ones, and each
building's farthest point with its distance. Told apart by line pattern and a text label, not by colour alone.
Every name from a file is escaped (tooltips and labels are HTML). Geometries go to the browser in EPSG:4326.
"""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import shapely
import shapely.affinity
import shapely.ops

from quartiers import settings
from quartiers.formats import fmt_number
from quartiers.formes.carte import legend_entries as perimetre_legend_entries
from quartiers.formes.carte import legend_html
from quartiers.formes.programme import Programme, ProgrammeReference, lignes
from quartiers.maps import MAX_ZOOM, STYLE_BANDE, STYLE_COMMUNE, STYLE_QPV, STYLE_VOISIN, view_for_bounds

MAP_TITLE = "Carte pour tester un programme : emprises des bâtiments, QPV 2024, lignes des 300 m et des 500 m"
STYLE_BATIMENT = {"color": "#000000", "weight": 3, "fillColor": "#6a3d9a", "fillOpacity": 0.45}
STYLE_LIGNE_300M = {"color": "#a63603", "weight": 3, "fill": False, "dashArray": "12 6"}
STYLE_LIGNE_500M = {"color": "#3f007d", "weight": 3, "fill": False, "dashArray": "2 6"}
STYLE_POINT = {"color": "#000000", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1}
VIEW_MARGIN_M = 550
LINE_LABEL_OFFSET_M = 120


def legend_entries() -> list[tuple[dict, str]]:
    """(style, French label) of each legend line of the programme map; the page prints them as text."""
    official = [entry for entry in perimetre_legend_entries() if entry[0] in (STYLE_QPV, STYLE_VOISIN, STYLE_COMMUNE)]
    return [
        (STYLE_BATIMENT, "Emprise d'un bâtiment : aplat violet, trait noir, son nom au survol"),
        (STYLE_LIGNE_300M, "Ligne des 300 m d'un QPV proche : longs tirets bruns, étiquette « 300 m »"),
        (
            STYLE_LIGNE_500M,
            "Ligne des 500 m d'un QPV en renouvellement urbain (NPNRU) : pointillés violets, étiquette « 500 m »",
        ),
        (STYLE_POINT, "Point le plus éloigné du QPV : rond blanc cerclé de noir, étiquette avec sa distance"),
        (STYLE_BANDE, "Bande des 300 m des QPV officiels : tirets orange"),
        *official,
    ]


def programme_legend_html() -> str:
    return legend_html(legend_entries())


def _wgs84(geometry: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geometry], crs=settings.LAMBERT93).to_crs(settings.WGS84).iloc[0]


def _collection(geometry: shapely.Geometry) -> dict:
    """A FeatureCollection of one Lambert-93 geometry, in EPSG:4326 (Leaflet refuses a bare geometry)."""
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(_wgs84(geometry))}
    return {"type": "FeatureCollection", "features": [feature]}


def _label(point: shapely.Point, text: str, group: folium.FeatureGroup) -> None:
    folium.Marker(
        [point.y, point.x],
        icon=folium.DivIcon(html=f'<span class="etiquette-difference">{escape(text)}</span>', icon_size=(0, 0)),
        interactive=False,
    ).add_to(group)


def programme_group(programme: Programme, ref: ProgrammeReference) -> folium.FeatureGroup:
    """Footprints, the lines used and the farthest points, with text labels; added without reloading the map."""
    group = folium.FeatureGroup(name="Programme")
    # Line labels where each line passes north of the footprints, clear of the farthest points' labels.
    centre = shapely.affinity.translate(programme.ensemble.geometrie.centroid, yoff=LINE_LABEL_OFFSET_M)
    for partie, code, line in lignes(programme, ref):
        style = STYLE_LIGNE_300M if partie == "ligne_300m" else STYLE_LIGNE_500M
        distance = "300 m" if partie == "ligne_300m" else "500 m"
        folium.GeoJson(
            _collection(line),
            style_function=lambda _f, style=style: style,
            tooltip=escape(f"Ligne des {distance} — {ref.nom(code)}"),
        ).add_to(group)
        _label(_wgs84(shapely.ops.nearest_points(line, centre)[0]), distance, group)
    for verdict in programme.batiments:
        tooltip = escape(f"{verdict.nom} — règle (a) : {'oui' if verdict.regle_a else 'non'}")
        folium.GeoJson(
            _collection(verdict.geometrie),
            style_function=lambda _f: STYLE_BATIMENT,
            tooltip=tooltip,
        ).add_to(group)
        if verdict.point_le_plus_loin is not None:
            point = _wgs84(shapely.Point(verdict.point_le_plus_loin))
            text = f"{verdict.nom} : {fmt_number(verdict.distance_max_m)} m"
            folium.CircleMarker([point.y, point.x], radius=5, tooltip=escape(text), **STYLE_POINT).add_to(group)
            _label(point, f"{fmt_number(verdict.distance_max_m)} m", group)
    return group


def programme_view(programme: Programme) -> dict:
    """`center` and `zoom` for st_folium that fit the footprints and 500 m around them."""
    extent = _wgs84(programme.ensemble.geometrie.buffer(VIEW_MARGIN_M))
    west, south, east, north = extent.bounds
    centre, zoom = view_for_bounds([[south, west], [north, east]])
    return {"center": centre, "zoom": min(zoom + 1, MAX_ZOOM - 1)}
