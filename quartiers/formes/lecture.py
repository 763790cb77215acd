"""Shapes a person brings (a proposed perimeter, building footprints): read and validated once, at the edge.

A visitor's file is hostile until proven otherwise. It is read only as the format its extension names and its
content confirms: GeoJSON (.geojson, .json) is parsed here without GDAL (`formes.geojson`); a GeoPackage must
carry SQLite's and GeoPackage's signatures; a zipped Shapefile is unpacked here (its .shp, .shx, .dbf, .prj and
.cpg only, size-bounded, under fixed names) and must carry the Shapefile signature; a KML must be KML and declare
no DTD or entity. GDAL then opens it with every other driver deregistered (`quartiers.gdal_config`), so no file can
make the server read another file or reach the network. Objects, polygon parts and vertices are counted before
any geometry work (`MAX_OBJECTS`, `MAX_PARTS`, `MAX_VERTICES`, per file).

`read_proposal` and `proposal_from_features` return a `Proposal` whose frame is in Lambert-93 (EPSG:2154),
with one row per polygon and its `nom`; anything unusable raises `ProposalError` with a French message.
Nothing is kept on disk: files are read from bytes in a temporary folder deleted at once.
"""

from __future__ import annotations

import io
import json
import struct
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
from pyproj.exceptions import CRSError
from shapely.validation import explain_validity, make_valid

from quartiers import gdal_config, settings
from quartiers.formats import fmt_ha, fmt_number
from quartiers.formes import geojson

MAX_AREA_KM2 = 100.0  # per polygon
MAX_VERTICES = 100_000  # per file, all geometries
MAX_PARTS = 1_000  # polygon parts per file (a MultiPolygon of 5 parts counts 5)
MAX_OBJECTS = 1_000  # objects (features) per file
MAX_POLYGONS = 50  # polygons kept in one proposed perimeter
MAX_NAME_CHARS = 120
MAX_UNPACKED_MB = 100  # a zipped Shapefile's members, once unpacked
EXTENSIONS = ("geojson", "json", "gpkg", "zip", "kml")
FORMATS_TEXT = "GeoJSON (.geojson, .json), GeoPackage (.gpkg), Shapefile zippé (.zip) ou KML (.kml)"
SHAPEFILE_MEMBERS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SQLITE_SIGNATURE = b"SQLite format 3\x00"
GEOPACKAGE_IDS = (b"GPKG", b"GP10", b"GP11")
SHAPEFILE_SIGNATURE = struct.pack(">i", 9994)
# In a .prj or a GeoPackage's spatial reference: what makes PROJ open a file (a grid) or another definition.
CRS_FILE_REFERENCES = ("EXTENSION[", "NADGRIDS", "GEOIDGRIDS", "+INIT", "PROJ4", "@", "FILE:")
CRS_REFUSED = (
    "Le système de coordonnées du fichier fait appel à une grille ou à un fichier extérieur : pour la sécurité du "
    "serveur, il n'est pas lu. Exportez le fichier en Lambert-93 (EPSG:2154) ou en WGS84 (EPSG:4326)."
)
EXPECTED_DRIVERS = {"gpkg": ("GPKG",), "zip": ("ESRI Shapefile",), "kml": ("KML", "LIBKML")}


def limits_text() -> str:
    """The per-file limits as the page and the command line state them (French)."""

    def n(value: float) -> str:
        return fmt_number(value).replace(" ", "\u00a0")

    return (
        f"{n(MAX_OBJECTS)}\u00a0objets, {n(MAX_PARTS)}\u00a0parties de polygones et {n(MAX_VERTICES)}\u00a0sommets "
        f"par fichier, {n(MAX_AREA_KM2)}\u00a0km² par polygone"
    )


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

    def __reduce__(self):  # crosses the guarded child process (quartiers.garde) with its layers
        return (LayerChoiceNeeded, (self.layers,))


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
        shown = suffix[:20] or "sans extension"
        raise ProposalError(f"Format non reconnu (« .{shown} ») : déposez un fichier {FORMATS_TEXT}.")
    return suffix


def _not_the_format(what: str) -> ProposalError:
    return ProposalError(
        f"Ce fichier n'est pas {what} : son contenu ne correspond pas à son extension. "
        f"Exportez-le de nouveau depuis votre SIG ({FORMATS_TEXT})."
    )


def _check_geopackage(data: bytes) -> None:
    if not data.startswith(SQLITE_SIGNATURE) or data[68:72] not in GEOPACKAGE_IDS:
        raise _not_the_format("un GeoPackage")


def _check_kml(data: bytes) -> None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not (head.startswith(b"<?xml") or head.startswith(b"<kml")) or b"<kml" not in head:
        raise _not_the_format("un KML")
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise ProposalError(
            "Ce KML déclare une DTD ou des entités XML : pour la sécurité du serveur, ces fichiers ne sont pas lus. "
            "Exportez-le de nouveau depuis votre SIG."
        )


def _unpack_shapefile(data: bytes, folder: Path) -> Path:
    """The Shapefile of a zip written under fixed names in `folder` (no path from the archive is used)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ProposalError("Le fichier .zip est illisible (archive endommagée).") from exc
    shp = [e for e in entries if e.filename.lower().endswith(".shp")]
    if not shp:
        raise ProposalError(
            "L'archive .zip ne contient pas de fichier .shp : zippez ensemble les fichiers .shp, .shx, .dbf et .prj "
            "du Shapefile."
        )
    if len(shp) > 1:
        names = ", ".join(e.filename[-60:] for e in shp[:5])
        raise ProposalError(f"L'archive .zip contient plusieurs Shapefiles ({names}) : n'en mettez qu'un.")
    stem = shp[0].filename[: -len(".shp")].lower()
    members = {}
    for entry in entries:
        name = entry.filename.lower()
        for suffix in SHAPEFILE_MEMBERS:
            if name == stem + suffix:
                members[suffix] = entry
    if ".prj" not in members:
        raise ProposalError(
            "L'archive .zip ne contient pas de fichier .prj : sans lui, le système de coordonnées est inconnu. "
            "Ajoutez le .prj exporté avec le Shapefile (Lambert-93, EPSG:2154, de préférence)."
        )
    if sum(e.file_size for e in members.values()) > MAX_UNPACKED_MB * 1024 * 1024:
        raise ProposalError(
            f"Le Shapefile dépasse {fmt_number(MAX_UNPACKED_MB)}\u00a0Mo une fois décompressé : simplifiez-le."
        )
    budget = MAX_UNPACKED_MB * 1024 * 1024
    for suffix, entry in members.items():
        with archive.open(entry) as source:  # read at most the budget: a member's declared size may lie
            content = source.read(budget + 1)
        budget -= len(content)
        if budget < 0:
            raise ProposalError(
                f"Le Shapefile dépasse {fmt_number(MAX_UNPACKED_MB)}\u00a0Mo une fois décompressé : simplifiez-le."
            )
        (folder / f"proposition{suffix}").write_bytes(content)
    if not (folder / "proposition.shp").read_bytes()[:4] == SHAPEFILE_SIGNATURE:
        raise _not_the_format("un Shapefile")
    _check_crs_text((folder / "proposition.prj").read_bytes().decode("latin-1"))
    return folder / "proposition.shp"


def _check_crs_text(definition: str) -> None:
    """Refuse a CRS definition (WKT of a .prj, a GeoPackage's srs) that names a grid or a file PROJ would open."""
    upper = definition.upper()
    if any(token in upper for token in CRS_FILE_REFERENCES):
        raise ProposalError(CRS_REFUSED)


def _check_geopackage_crs(path: Path) -> None:
    """Every spatial reference of the GeoPackage, read with SQLite alone (read-only) before GDAL opens the file."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as connection:
            rows = connection.execute("SELECT definition FROM gpkg_spatial_ref_sys").fetchall()
    except sqlite3.Error as exc:
        raise _not_the_format("un GeoPackage") from exc
    for (definition,) in rows:
        _check_crs_text(str(definition or ""))


@contextmanager
def _on_disk(data: bytes, extension: str) -> Iterator[Path]:
    """The checked file written to a temporary folder for GDAL, deleted on exit (nothing kept on the server)."""
    with tempfile.TemporaryDirectory(prefix="proposition_") as name:
        folder = Path(name)
        if extension == "zip":
            yield _unpack_shapefile(data, folder)
            return
        if extension == "gpkg":
            _check_geopackage(data)
        else:
            _check_kml(data)
        path = folder / f"proposition.{extension}"
        path.write_bytes(data)
        if extension == "gpkg":
            _check_geopackage_crs(path)
        yield path


def _layers_at(path: Path) -> list[str]:
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, RuntimeError) as exc:
        raise ProposalError(f"Fichier illisible : ce n'est pas un fichier {FORMATS_TEXT} valide.") from exc


def _read_with_gdal(data: bytes, extension: str, layer: str | None) -> tuple[gpd.GeoDataFrame, list[str]]:
    gdal_config.check_loaded()
    with _on_disk(data, extension) as path:
        layers = _layers_at(path)
        if not layers:
            raise ProposalError("Le fichier ne contient aucune couche.")
        if layer is not None and layer not in layers:
            raise ProposalError(f"Couche « {layer} » absente du fichier. Couches : {', '.join(layers)}.")
        if layer is None and len(layers) > 1:
            raise LayerChoiceNeeded(layers)
        chosen = layer or layers[0]
        try:
            info = pyogrio.read_info(path, layer=chosen)
            if info.get("driver") not in EXPECTED_DRIVERS[extension]:
                raise _not_the_format({"gpkg": "un GeoPackage", "zip": "un Shapefile", "kml": "un KML"}[extension])
            if info.get("geometry_type") in (None, "None"):
                raise ProposalError(
                    f"La couche « {chosen} » n'a pas de géométrie (c'est une table attributaire) : "
                    "choisissez une couche de polygones."
                )
            if int(info.get("features") or 0) > MAX_OBJECTS:
                raise ProposalError(
                    f"Trop d'objets : {fmt_number(int(info['features']))} pour une limite de "
                    f"{fmt_number(MAX_OBJECTS)} par fichier."
                )
            frame = pyogrio.read_dataframe(path, layer=chosen)
        except ProposalError:
            raise
        except (
            pyogrio.errors.DataSourceError,
            pyogrio.errors.DataLayerError,
            ValueError,
            OSError,
            RuntimeError,
        ) as exc:
            raise ProposalError(f"Fichier illisible : ce n'est pas un fichier {FORMATS_TEXT} valide.") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise ProposalError(f"La couche « {chosen} » n'a pas de géométrie : choisissez une couche de polygones.")
    _check_counts(frame.geometry)
    return frame, []


def _check_counts(geometries: gpd.GeoSeries) -> None:
    """Objects, polygon parts and vertices of a file against the per-file limits (before any geometry work)."""
    if len(geometries) > MAX_OBJECTS:
        raise ProposalError(
            f"Trop d'objets : {fmt_number(len(geometries))} pour une limite de {fmt_number(MAX_OBJECTS)} par fichier."
        )
    values = geometries.values
    vertices = int(shapely.get_num_coordinates(values).sum())
    if vertices > MAX_VERTICES:
        raise ProposalError(
            f"Fichier trop détaillé : {fmt_number(vertices)} sommets pour une limite de {fmt_number(MAX_VERTICES)} "
            "par fichier. Simplifiez les contours dans votre SIG (une précision d'un mètre suffit)."
        )
    polygonal = shapely.get_type_id(values) >= 3
    parts = int(shapely.get_num_geometries(values)[polygonal].sum())
    if parts > MAX_PARTS:
        raise ProposalError(
            f"Fichier trop morcelé : {fmt_number(parts)} parties de polygones pour une limite de "
            f"{fmt_number(MAX_PARTS)} par fichier. Regroupez ou simplifiez les polygones dans votre SIG."
        )


def _geojson_limits() -> geojson.Limits:
    return geojson.Limits(vertices=MAX_VERTICES, parts=MAX_PARTS, objects=MAX_OBJECTS)


def _frame_from_geojson(content: geojson.GeoJsonContent) -> gpd.GeoDataFrame:
    properties = [p for p, _ in content.features]
    geometries = [g for _, g in content.features]
    names = []
    for record in properties:
        lowered = {str(k).lower(): v for k, v in record.items()}
        value = lowered.get("nom", lowered.get("name"))
        names.append(None if isinstance(value, dict | list) else value)
    crs = CRS.from_user_input(settings.WGS84)  # RFC 7946: a GeoJSON without `crs` is in degrees
    if content.crs is not None:
        try:
            crs = CRS.from_user_input(content.crs)
        except CRSError as exc:
            raise ProposalError(
                f"Système de coordonnées inconnu ({content.crs}) : ce code EPSG n'existe pas. Indiquez le bon "
                "(EPSG:2154 pour le Lambert-93, EPSG:4326 pour des degrés)."
            ) from exc
    return gpd.GeoDataFrame({"nom": names}, geometry=geometries, crs=crs)


def read_proposal(
    data: bytes, filename: str, layer: str | None = None, max_mb: int | None = None, max_polygons: int = MAX_POLYGONS
) -> Proposal:
    """Read and validate a proposal file given as bytes, as the format its extension names; in Lambert-93.

    Raises ProposalError (LayerChoiceNeeded for a GeoPackage or KML with several layers and no `layer`).
    """
    max_mb = upload_limit_mb() if max_mb is None else max_mb
    if len(data) > max_mb * 1024 * 1024:
        raise ProposalError(
            f"Fichier trop volumineux : {len(data) / 1024 / 1024:.1f} Mo pour une limite de {max_mb} Mo.".replace(
                ".", ",", 1
            )
        )
    extension = _extension(filename)
    if not data.strip():
        raise ProposalError("Le fichier est vide : il ne contient aucun objet.")
    if extension in ("geojson", "json"):
        try:
            content = geojson.parse(data, _geojson_limits())
        except geojson.GeoJsonError as exc:
            raise ProposalError(str(exc)) from exc
        return _validate(_frame_from_geojson(content), list(content.messages), max_polygons)
    frame, messages = _read_with_gdal(data, extension, layer)
    return _validate(frame, messages, max_polygons)


def proposal_from_features(features: list[dict], max_polygons: int = MAX_POLYGONS) -> Proposal:
    """Proposal from GeoJSON features drawn on the map (EPSG:4326, as Leaflet.draw returns them).

    The value comes from the visitor's browser, so it is checked like a file: same parser, same limits.
    """
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise ProposalError("Dessin illisible : recommencez le dessin.")
    drawn = [f for f in features if f.get("geometry")]
    if not drawn:
        raise ProposalError("Aucun polygone dessiné.")
    collection = {"type": "FeatureCollection", "features": [{**f, "type": "Feature"} for f in drawn]}
    try:
        content = geojson.parse(json.dumps(collection, allow_nan=True).encode(), _geojson_limits())
    except (geojson.GeoJsonError, TypeError, ValueError) as exc:
        raise ProposalError(
            f"Dessin illisible : {exc}" if isinstance(exc, geojson.GeoJsonError) else "Dessin illisible."
        ) from exc
    frame = _frame_from_geojson(content)
    frame = frame.set_crs(settings.WGS84, allow_override=True)
    return _validate(frame, list(content.messages), max_polygons)


def _names(frame: gpd.GeoDataFrame) -> list[str]:
    lowered = {str(c).lower(): c for c in frame.columns if c != frame.geometry.name}
    column = lowered.get("nom") or lowered.get("name")
    names = []
    for number, value in enumerate(frame[column] if column else [None] * len(frame), start=1):
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
        names.append(text[:MAX_NAME_CHARS] or f"Proposition {number}")
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


def _identified(crs: CRS) -> CRS:
    """The registered CRS (EPSG, OGC:CRS84) that `crs` is: the file's definition is then dropped, PROJ only ever
    uses its own database's. ProposalError when none matches."""
    authority = crs.to_authority(min_confidence=70)
    if authority is None:
        raise ProposalError(
            f"Système de coordonnées non reconnu ({crs.name[:80]}) : exportez le fichier en Lambert-93 (EPSG:2154) "
            "ou en WGS84 (EPSG:4326)."
        )
    return CRS.from_authority(*authority)


def _check_area_of_use(frame: gpd.GeoDataFrame, crs: CRS) -> None:
    """Refuse coordinates that fall outside the area where the declared projected CRS is defined."""
    area = crs.area_of_use
    if area is None:
        return
    west, south, east, north = frame.to_crs(settings.WGS84).total_bounds
    margin = 1.0  # degrees
    inside = (
        all(map(lambda v: v == v and abs(v) != float("inf"), (west, south, east, north)))
        and west >= area.west - margin
        and east <= area.east + margin
        and south >= area.south - margin
        and north <= area.north + margin
    )
    if not inside:
        raise ProposalError(
            f"Les coordonnées ne correspondent pas au système annoncé par le fichier ({crs.name}) : elles tombent "
            f"hors de sa zone de validité ({area.name}). Si elles sont en degrés (longitude, latitude), le système "
            "indiqué est faux : exportez de nouveau le fichier en indiquant le bon système."
        )


def _validate(frame: gpd.GeoDataFrame, messages: list[str], max_polygons: int = MAX_POLYGONS) -> Proposal:
    if frame.empty or frame.geometry.isna().all() or frame.geometry.is_empty.all():
        raise ProposalError("Le fichier est vide : il ne contient aucun objet.")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty].copy()
    frame["nom"] = _names(frame)
    crs = _identified(CRS.from_user_input(frame.crs)) if frame.crs is not None else None
    if crs is not None:
        frame = frame.set_crs(crs, allow_override=True)  # the EPSG definition, never the file's own text
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
    elif not crs.is_geographic:
        _check_area_of_use(frame, crs)
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
    result = gpd.GeoDataFrame({"nom": kept_names}, geometry=kept_geometries, crs=settings.LAMBERT93)
    return Proposal(result, tuple(messages))
