"""Strict reading of a visitor's GeoJSON, without GDAL (RFC 7946, plus the older `crs` member).

Only JSON text is read (UTF-8, with or without BOM); NaN and Infinity are refused, as is any `type` that is not
GeoJSON's (a GDAL pipeline or anything else a library might act on). Vertices, polygon parts and objects are
counted while walking the structure, before any geometry is built, so that a file's cost is bounded by the
limits given. Unclosed rings are closed and reported; nothing else is altered.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

import shapely

from quartiers.formats import fmt_number

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
MAX_COLLECTION_DEPTH = 4


class GeoJsonError(ValueError):
    """A GeoJSON that cannot be used; the message is French and says what to do."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one file: vertices (all geometries), polygon parts, objects (features)."""

    vertices: int
    parts: int
    objects: int


@dataclass
class GeoJsonContent:
    """Features read: (properties, geometry or None) pairs, the declared `crs` as text or None, remarks in French."""

    features: list[tuple[dict, shapely.Geometry | None]]
    crs: str | None
    messages: list[str] = field(default_factory=list)


@dataclass
class _Counter:
    limits: Limits
    vertices: int = 0
    parts: int = 0
    unclosed: int = 0

    def add_vertices(self, count: int) -> None:
        self.vertices += count
        if self.vertices > self.limits.vertices:
            raise GeoJsonError(
                f"Fichier trop détaillé : plus de {_n(self.limits.vertices)} sommets, la limite par fichier. "
                "Simplifiez les contours dans votre SIG (une précision d'un mètre suffit)."
            )

    def add_part(self) -> None:
        self.parts += 1
        if self.parts > self.limits.parts:
            raise GeoJsonError(
                f"Fichier trop morcelé : plus de {_n(self.limits.parts)} parties de polygones, la limite par fichier. "
                "Regroupez ou simplifiez les polygones dans votre SIG."
            )


def _n(value: int) -> str:
    return fmt_number(value)


def _refuse_constant(name: str):
    raise GeoJsonError(f"Coordonnée invalide (« {name} ») : le fichier contient une valeur non numérique.")


def parse(data: bytes, limits: Limits) -> GeoJsonContent:
    """Features of a GeoJSON file given as bytes; raises GeoJsonError (French) for anything else.

    Accepted: a FeatureCollection, a Feature or a bare geometry; `crs` as an EPSG code or URN, or CRS84.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GeoJsonError(
            "Le fichier n'est pas du texte UTF-8 : un GeoJSON est un fichier texte (exportez-le de nouveau en GeoJSON)."
        ) from exc
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise GeoJsonError("Fichier JSON trop profondément imbriqué : ce n'est pas un GeoJSON.") from exc
    except json.JSONDecodeError as exc:
        raise GeoJsonError(
            f"Fichier JSON illisible (ligne {exc.lineno}, colonne {exc.colno}) : ce n'est pas un GeoJSON valide."
        ) from exc
    except GeoJsonError:
        raise
    except ValueError as exc:  # Python's own bound on a number's digits (4 300): no coordinate needs them
        raise GeoJsonError(
            "Fichier JSON illisible : un nombre y a des milliers de chiffres, ce n'est pas une coordonnée."
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise GeoJsonError("Ce fichier JSON n'est pas un GeoJSON : il n'a pas de membre « type ».")
    kind = document["type"]
    counter = _Counter(limits)
    if kind == "FeatureCollection":
        raw = document.get("features")
        if not isinstance(raw, list):
            raise GeoJsonError("GeoJSON invalide : la FeatureCollection n'a pas de liste « features ».")
        if len(raw) > limits.objects:
            raise GeoJsonError(f"Trop d'objets : {_n(len(raw))} pour une limite de {_n(limits.objects)} par fichier.")
        features = [_feature(item, number, counter) for number, item in enumerate(raw, start=1)]
    elif kind == "Feature":
        features = [_feature(document, 1, counter)]
    elif kind in GEOMETRY_TYPES or kind == "GeometryCollection":
        features = [({}, _geometry(document, 1, counter, 0))]
    else:
        shown = kind if len(kind) <= 40 else kind[:40] + "…"
        raise GeoJsonError(
            f"Ce fichier JSON n'est pas un GeoJSON (type « {shown} ») : seuls les objets et géométries GeoJSON "
            "sont lus."
        )
    messages = []
    if counter.unclosed:
        plural = "s" if counter.unclosed > 1 else ""
        messages.append(
            f"{_n(counter.unclosed)} contour{plural} non fermé{plural} (dernier point différent du premier) : "
            f"fermé{plural} en rejoignant le premier point."
        )
    return GeoJsonContent(features, _crs_text(document.get("crs")), messages)


def _feature(item, number: int, counter: _Counter) -> tuple[dict, shapely.Geometry | None]:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        raise GeoJsonError(f"GeoJSON invalide : l'objet n° {number} n'est pas un « Feature ».")
    properties = item.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        raise GeoJsonError(f"GeoJSON invalide : les propriétés de l'objet n° {number} ne sont pas un objet JSON.")
    geometry = item.get("geometry")
    return properties, None if geometry is None else _geometry(geometry, number, counter, 0)


def _geometry(value, number: int, counter: _Counter, depth: int) -> shapely.Geometry:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise GeoJsonError(f"GeoJSON invalide : la géométrie de l'objet n° {number} n'a pas de type.")
    kind = value["type"]
    if kind == "GeometryCollection":
        members = value.get("geometries")
        if not isinstance(members, list) or depth >= MAX_COLLECTION_DEPTH:
            raise GeoJsonError(f"GeoJSON invalide : collection de géométries incorrecte (objet n° {number}).")
        return shapely.GeometryCollection([_geometry(g, number, counter, depth + 1) for g in members])
    if kind not in GEOMETRY_TYPES:
        raise GeoJsonError(f"GeoJSON invalide : type de géométrie inconnu pour l'objet n° {number}.")
    coordinates = value.get("coordinates")
    where = f"l'objet n° {number} ({kind})"
    if kind == "Point":
        return shapely.Point(_position(coordinates, where, counter))
    if kind in ("MultiPoint", "LineString"):
        points = _positions(coordinates, where, counter)
        if kind == "MultiPoint":
            return shapely.MultiPoint(points) if points else shapely.MultiPoint()
        if len(points) < 2:
            raise GeoJsonError(f"GeoJSON invalide : une ligne de {where} a moins de deux points.")
        return shapely.LineString(points)
    if kind == "MultiLineString":
        lines = [_positions(line, where, counter) for line in _list(coordinates, where)]
        if any(len(line) < 2 for line in lines):
            raise GeoJsonError(f"GeoJSON invalide : une ligne de {where} a moins de deux points.")
        return shapely.MultiLineString(lines)
    if kind == "Polygon":
        return _polygon(coordinates, where, counter)
    return shapely.MultiPolygon([_polygon(p, where, counter) for p in _list(coordinates, where)])


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise GeoJsonError(f"GeoJSON invalide : les coordonnées de {where} ne sont pas une liste.")
    return value


def _position(value, where: str, counter: _Counter) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) < 2 or len(value) > 4:
        raise GeoJsonError(f"GeoJSON invalide : une position de {where} n'est pas une paire de coordonnées.")
    x, y = value[0], value[1]
    for number in (x, y):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise GeoJsonError(f"Coordonnée invalide dans {where} : « {str(number)[:30]} » n'est pas un nombre.")
    counter.add_vertices(1)
    return float(x), float(y)


def _positions(value, where: str, counter: _Counter) -> list[tuple[float, float]]:
    return [_position(p, where, counter) for p in _list(value, where)]


def _polygon(value, where: str, counter: _Counter) -> shapely.Polygon:
    counter.add_part()
    rings = []
    for ring in _list(value, where):
        points = _positions(ring, where, counter)
        if len(points) >= 2 and points[0] != points[-1]:
            points.append(points[0])
            counter.unclosed += 1
        if len(points) < 4:
            raise GeoJsonError(
                f"Polygone invalide dans {where} : un contour a moins de trois points distincts, "
                "ce n'est pas une surface."
            )
        rings.append(points)
    if not rings:
        return shapely.Polygon()
    return shapely.Polygon(rings[0], rings[1:])


_EPSG = re.compile(r"^(?:urn:ogc:def:crs:EPSG:[0-9.]*:|EPSG:{1,2})(\d{1,6})$", re.IGNORECASE)
_CRS84 = re.compile(r"^urn:ogc:def:crs:OGC:(?:1\.3|[0-9.]*):CRS84$", re.IGNORECASE)


def _crs_text(value) -> str | None:
    """ "EPSG:NNNN" or "OGC:CRS84" from the GeoJSON 2008 `crs` member; None when absent; GeoJsonError otherwise."""
    if value is None:
        return None
    name = None
    if isinstance(value, dict) and isinstance(value.get("properties"), dict):
        properties = value["properties"]
        if value.get("type") == "name" and isinstance(properties.get("name"), str):
            name = properties["name"].strip()
        elif str(value.get("type", "")).upper() == "EPSG" and isinstance(properties.get("code"), int | str):
            name = f"EPSG:{properties['code']}"
    if name is not None:
        if _CRS84.match(name) or name.upper() in ("CRS84", "OGC:CRS84"):
            return "OGC:CRS84"
        match = _EPSG.match(name)
        if match:
            return f"EPSG:{int(match.group(1))}"
    shown = json.dumps(value, ensure_ascii=False)[:80]
    raise GeoJsonError(
        f"Système de coordonnées illisible (membre « crs » : {shown}) : indiquez un code EPSG "
        "(par exemple « urn:ogc:def:crs:EPSG::2154 » pour le Lambert-93) ou retirez ce membre si les coordonnées "
        "sont en degrés (WGS84)."
    )
