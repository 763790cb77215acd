"""Proposed perimeters: reading and validating a proposal file or drawing, once, at the edge.

A proposal is one or more polygons (GeoJSON, GeoPackage, zipped Shapefile, KML, or features drawn on the map).
`read_proposal` and `proposal_from_features` return a `Proposal` whose frame is in Lambert-93 (EPSG:2154),
with one row per proposed polygon and its `nom`; anything unusable raises `ProposalError` with a French message.
Nothing is kept on disk: files are read from bytes in a temporary folder deleted at once.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS
from shapely.validation import explain_validity, make_valid

from quartiers import settings
from quartiers.formats import fmt_ha, fmt_number

MAX_AREA_KM2 = 100.0
MAX_VERTICES = 100_000
MAX_POLYGONS = 50
EXTENSIONS = ("geojson", "json", "gpkg", "zip", "kml")
FORMATS_TEXT = "GeoJSON (.geojson, .json), GeoPackage (.gpkg), Shapefile zippé (.zip) ou KML (.kml)"


# GEOS's reasons (shapely's explain_validity, coordinates dropped) in plain French, by lower-case prefix.
INVALIDITY_FRENCH = {
    "ring self-intersection": "le contour se recoupe lui-même",
    "self-intersection": "ses côtés se croisent",
    "too few distinct points": "trop peu de points distincts pour former une surface",
    "too few points": "trop peu de points pour former une surface",
    "interior is disconnected": "un trou coupe le polygone en plusieurs morceaux",
    "hole lies outside shell": "un trou est en dehors du contour",
    "holes are nested": "des trous sont imbriqués",
    "nested holes": "des trous sont imbriqués",
    "nested shells": "des contours sont imbriqués",
    "duplicate rings": "un contour est répété",
    "invalid coordinate": "une coordonnée est invalide",
    "ring is not closed": "le contour n'est pas fermé",
    "repeated point": "un point est répété",
}


def invalidity_french(reason: str) -> str:
    """Plain French for a reason given by shapely's explain_validity, without its coordinates."""
    text = reason.split("[", 1)[0].strip().lower()
    for prefix, french in INVALIDITY_FRENCH.items():
        if text.startswith(prefix):
            return french
    return "forme géométrique incorrecte"


def accord(count: int, singulier: str, pluriel: str | None = None) -> str:
    """« 1 polygone », « 2 polygones »: the number (French format) and the noun agreed with it."""
    return f"{fmt_number(count)} {singulier if count == 1 else (pluriel or singulier + 's')}"


class ProposalError(ValueError):
    """A proposal file or drawing that cannot be used; the message is French and says what to do."""


class LayerChoiceNeeded(ProposalError):
    """A file (GeoPackage, KML) holds several layers: the user must choose one (`layers` lists them)."""

    def __init__(self, layers: list[str]):
        self.layers = layers
        super().__init__(
            f"Le fichier contient {len(layers)} couches ({', '.join(layers)}) : choisissez celle à tester"
            " (option --couche en ligne de commande)."
        )


@dataclass(frozen=True)
class Proposal:
    """Proposed polygons in Lambert-93 (EPSG:2154): columns `nom` and geometry (Polygon/MultiPolygon).

    `messages` says, in French, what was done to the input (repairs with the area change, reprojection,
    CRS assumed, objects ignored).
    """

    frame: gpd.GeoDataFrame
    messages: tuple[str, ...] = field(default=())


def upload_limit_mb() -> int:
    """Streamlit's `server.maxUploadSize` as set in .streamlit/config.toml (Streamlit's default: 200 MB)."""
    import tomllib

    config = settings.ROOT / ".streamlit" / "config.toml"
    try:
        value = tomllib.loads(config.read_text(encoding="utf-8")).get("server", {}).get("maxUploadSize", 200)
    except (OSError, tomllib.TOMLDecodeError):
        return 200
    return int(value)


def _extension(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in EXTENSIONS:
        raise ProposalError(f"Format non reconnu (« .{suffix} ») : déposez un fichier {FORMATS_TEXT}.")
    return suffix


def _check_zip(data: bytes) -> None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise ProposalError("Le fichier .zip est illisible (archive endommagée).") from exc
    shp = [n for n in names if n.lower().endswith(".shp")]
    if not shp:
        raise ProposalError(
            "L'archive .zip ne contient pas de fichier .shp : zippez ensemble les fichiers .shp, .shx, .dbf et .prj "
            "du Shapefile."
        )
    if len(shp) > 1:
        raise ProposalError(f"L'archive .zip contient plusieurs Shapefiles ({', '.join(shp)}) : n'en mettez qu'un.")
    stem = shp[0][: -len(".shp")].lower()
    if not any(n.lower() == stem + ".prj" for n in names):
        raise ProposalError(
            "L'archive .zip ne contient pas de fichier .prj : sans lui, le système de coordonnées est inconnu. "
            "Ajoutez le .prj exporté avec le Shapefile (Lambert-93, EPSG:2154, de préférence)."
        )


def list_layers(data: bytes, filename: str) -> list[str]:
    """Names of the layers of a proposal file (several only for a GeoPackage)."""
    with _on_disk(data, filename) as path:
        return _layers_at(path)


def _layers_at(path: str) -> list[str]:
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise ProposalError(f"Fichier illisible : ce n'est pas un fichier {FORMATS_TEXT} valide.") from exc


@contextmanager
def _on_disk(data: bytes, filename: str) -> Iterator[str]:
    """The bytes written to a temporary folder for GDAL, deleted on exit (nothing kept on the server)."""
    extension = _extension(filename)
    with tempfile.TemporaryDirectory(prefix="proposition_") as folder:
        path = Path(folder) / f"proposition.{extension}"
        path.write_bytes(data)
        yield f"/vsizip/{path}" if extension == "zip" else str(path)


def read_proposal(
    data: bytes, filename: str, layer: str | None = None, max_mb: int | None = None, *, max_polygons: int = MAX_POLYGONS
) -> Proposal:
    """Read and validate a proposal file given as bytes; returned in Lambert-93 (EPSG:2154).

    Raises ProposalError (LayerChoiceNeeded for a GeoPackage with several layers and no `layer`).
    """
    max_mb = upload_limit_mb() if max_mb is None else max_mb
    if len(data) > max_mb * 1024 * 1024:
        raise ProposalError(
            f"Fichier trop volumineux : {len(data) / 1024 / 1024:.1f} Mo pour une limite de {max_mb} Mo."
        )
    if not data.strip():
        raise ProposalError("Le fichier est vide : il ne contient aucun objet.")
    extension = _extension(filename)
    if extension == "zip":
        _check_zip(data)
    with _on_disk(data, filename) as path:
        layers = _layers_at(path)
        if not layers:
            raise ProposalError("Le fichier ne contient aucune couche.")
        if layer is not None and layer not in layers:
            raise ProposalError(f"Couche « {layer} » absente du fichier. Couches : {', '.join(layers)}.")
        if layer is None and len(layers) > 1:
            raise LayerChoiceNeeded(layers)
        try:
            frame = gpd.read_file(path, layer=layer or layers[0], engine="pyogrio")
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError) as exc:
            raise ProposalError(f"Fichier illisible : ce n'est pas un fichier {FORMATS_TEXT} valide.") from exc
    return _validate(frame, max_polygons)


def proposal_from_features(features: list[dict], *, max_polygons: int = MAX_POLYGONS) -> Proposal:
    """Proposal from GeoJSON features drawn on the map (EPSG:4326, as Leaflet.draw returns them)."""
    collection = {"type": "FeatureCollection", "features": [f for f in features if f.get("geometry")]}
    if not collection["features"]:
        raise ProposalError("Aucun polygone dessiné.")
    try:
        frame = gpd.GeoDataFrame.from_features(collection, crs=settings.WGS84)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ProposalError("Dessin illisible.") from exc
    return _validate(frame, max_polygons)


def _names(frame: gpd.GeoDataFrame) -> list[str]:
    lowered = {str(c).lower(): c for c in frame.columns if c != frame.geometry.name}
    column = lowered.get("nom") or lowered.get("name")
    names = []
    for number, value in enumerate(frame[column] if column else [None] * len(frame), start=1):
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
        names.append(text[:120] or f"Proposition {number}")
    return names


def _lonlat_bounds_ok(frame: gpd.GeoDataFrame) -> bool:
    west, south, east, north = frame.total_bounds
    return -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90


def _polygonal(geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (a GeometryCollection after make_valid keeps its polygons)."""
    if geometry is None or geometry.is_empty:
        return None
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    if geometry.geom_type == "GeometryCollection":
        parts = [_polygonal(g) for g in geometry.geoms]
        parts = [p for p in parts if p is not None]
        return shapely.union_all(parts) if parts else None
    return None


def _validate(frame: gpd.GeoDataFrame, max_polygons: int = MAX_POLYGONS) -> Proposal:
    messages: list[str] = []
    if frame.empty or frame.geometry.isna().all() or frame.geometry.is_empty.all():
        raise ProposalError("Le fichier est vide : il ne contient aucun objet.")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty].copy()
    frame["nom"] = _names(frame)
    crs = CRS.from_user_input(frame.crs) if frame.crs is not None else None
    if crs is None:
        if not _lonlat_bounds_ok(frame):
            raise ProposalError(
                "Le fichier n'indique pas son système de coordonnées et ses coordonnées ne sont pas des degrés "
                "(longitude/latitude). S'il est en Lambert-93, exportez-le avec son système (EPSG:2154), "
                "par exemple en GeoPackage, ou joignez le fichier .prj."
            )
        frame = frame.set_crs(settings.WGS84)
        messages.append("Aucun système de coordonnées indiqué : coordonnées lues en degrés (WGS84, EPSG:4326).")
    elif crs.is_geographic and not _lonlat_bounds_ok(frame):
        raise ProposalError(
            "Les coordonnées sont hors des bornes de la longitude et de la latitude alors que le fichier se dit en "
            "degrés : il est sans doute en Lambert-93 (EPSG:2154). Exportez-le en indiquant son système "
            "(GeoPackage, ou Shapefile avec son .prj)."
        )
    elif not crs.equals(CRS.from_user_input(settings.WGS84)) and not crs.is_geographic:
        messages.append(f"Fichier en {crs.name} : reprojeté en Lambert-93 (EPSG:2154) pour les calculs.")
    frame = frame.to_crs(settings.LAMBERT93)

    kept_geometries, kept_names, ignored = [], [], 0
    for name, geometry in zip(frame["nom"], frame.geometry, strict=True):
        if geometry.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
            ignored += 1
            continue
        if not geometry.is_valid:
            before_ha = geometry.area / 10_000
            reason = invalidity_french(explain_validity(geometry))
            geometry = _polygonal(make_valid(geometry))
            after_ha = geometry.area / 10_000 if geometry is not None else 0.0
            change = round(after_ha - before_ha, 2)
            messages.append(
                f"Polygone « {name} » invalide ({reason}) : réparé automatiquement ; surface "
                f"{fmt_ha(before_ha)} avant réparation, {fmt_ha(after_ha)} après "
                f"(écart {'+' if change >= 0 else '−'}{fmt_ha(abs(change))})."
            )
        else:
            geometry = _polygonal(geometry)
        if geometry is None or geometry.area == 0:
            ignored += 1
            continue
        kept_geometries.append(geometry)
        kept_names.append(name)
    if not kept_geometries:
        raise ProposalError(
            "Le fichier ne contient aucun polygone (seulement des points ou des lignes) : un périmètre doit être "
            "une surface fermée."
        )
    if ignored:
        messages.append(
            f"{accord(ignored, 'objet non surfacique', 'objets non surfaciques')} (points, lignes) "
            f"{'ignoré' if ignored == 1 else 'ignorés'}."
        )
    if len(kept_geometries) > max_polygons:
        raise ProposalError(
            f"Trop de polygones : {len(kept_geometries)} pour une limite de {max_polygons} par proposition."
        )
    for name, geometry in zip(kept_names, kept_geometries, strict=True):
        area_km2 = geometry.area / 1_000_000
        if area_km2 > MAX_AREA_KM2:
            raise ProposalError(
                f"Polygone « {name} » trop grand : {fmt_number(round(area_km2))} km² pour une limite de "
                f"{fmt_number(MAX_AREA_KM2)} km² "
                "(un périmètre de quartier fait quelques dizaines d'hectares)."
            )
        vertices = shapely.get_num_coordinates(geometry)
        if vertices > MAX_VERTICES:
            raise ProposalError(
                f"Polygone « {name} » trop détaillé : {vertices:,} sommets pour une limite de {MAX_VERTICES:,}.".replace(
                    ",", " "
                )
                + " Simplifiez-le dans votre SIG."
            )
    result = gpd.GeoDataFrame({"nom": kept_names}, geometry=kept_geometries, crs=settings.LAMBERT93)
    return Proposal(result, tuple(messages))
