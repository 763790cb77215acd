"""The 300 m band and point look-ups: pure geometry, computed in Lambert-93 (EPSG:2154)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from quartiers import settings
from quartiers.npnru import npnru_sites


class CrsError(ValueError):
    """A distance or buffer was requested in a CRS that is not metric and conformal."""


def require_metric_crs(gdf: gpd.GeoSeries | gpd.GeoDataFrame) -> None:
    """Refuse degrees and Web Mercator: buffers and distances are only exact in a projected metric CRS."""
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    if crs is None:
        raise CrsError("Système de coordonnées inconnu : impossible de mesurer des distances.")
    if crs.is_geographic:
        raise CrsError(f"Calcul refusé en degrés ({crs.to_string()}) : reprojeter en Lambert-93 (EPSG:2154).")
    if crs.equals(CRS.from_user_input(settings.WEB_MERCATOR)):
        raise CrsError("Calcul refusé en Web Mercator (EPSG:3857), qui déforme les distances : utiliser le Lambert-93.")
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter"):
        raise CrsError(f"Unité du système de coordonnées non métrique : {unit}.")


def to_lambert93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to Lambert-93 (EPSG:2154)."""
    return gdf.to_crs(settings.LAMBERT93)


def band(qpv: gpd.GeoDataFrame, metres: float = settings.BAND_METRES) -> gpd.GeoDataFrame:
    """For each QPV, the ring 0 to `metres` outside its limit, itself excluded; returned in EPSG:4326.

    The buffer is computed in Lambert-93 whatever the input CRS; one feature per QPV, with its code_qp.
    """
    metric = to_lambert93(qpv)
    require_metric_crs(metric)
    rings = [_buffer_by_parts(geometry, metres).difference(geometry) for geometry in metric.geometry]
    columns = [c for c in ("code_qp", "lib_qp", "lib_com", "voisin", "contrat") if c in qpv.columns]
    result = gpd.GeoDataFrame(metric[columns].copy(), geometry=rings, crs=settings.LAMBERT93)
    return result.to_crs(settings.WGS84)


def _buffer_by_parts(geometry: shapely.Geometry, metres: float) -> shapely.Geometry:
    """The buffer of a (multi)polygon as the union of its parts' buffers: the same shape, but GEOS buffers a
    MultiPolygon of many parts in quadratic time (200 parts: 4 s) where the cascaded union stays near-linear."""
    parts = shapely.get_parts(geometry)
    if len(parts) <= 1:
        return shapely.buffer(geometry, metres, quad_segs=16)
    return shapely.union_all(shapely.buffer(parts, metres, quad_segs=16))


_PIECE_VERTICES = 16  # vertices per piece of limit in the nearest-limit index

HORS_AGGLOMERATIONS = "hors des agglomérations CABBALR et CALL"


@dataclass(frozen=True)
class Location:
    """Where a point stands with respect to the QPV: the answer to "ce lieu est-il en QPV ?".

    The status is decided by the perimeters and the 300 m band alone (Lambert-93 distances); being outside
    CABBALR and CALL never changes it and is only reported in `hors_agglomerations` (and `remarque`).
    Invariants: dans => dans_qpv; bande => dans_bande_300m; hors => neither; invalide => no QPV fields.
    """

    statut: str  # dans | bande | hors | limite | invalide
    code_qp: str | None = None
    nom_qp: str | None = None
    communes: str | None = None
    contrat: str | None = None
    voisin: bool = False
    distance_limite_m: int | None = None  # to the nearest QPV limit, rounded to the metre
    dans_qpv: bool = False
    dans_bande_300m: bool = False
    limite: str | None = None  # which line the point is close to, when statut == "limite"
    hors_agglomerations: bool = False  # outside CABBALR and CALL: a remark, never a status
    motif: str | None = None  # why a point is "invalide", in French
    # An NPNRU quartier between 300 and 500 m (CGI art. 278 sexies, rule (b) for an ensemble): a remark only.
    npnru_proche: str | None = None  # its code_qp
    distance_npnru_m: int | None = None

    @property
    def remarque(self) -> str:
        """The territory remark shown beside the status ("" inside CABBALR or CALL)."""
        return HORS_AGGLOMERATIONS if self.hors_agglomerations else ""


INVALID_COORDINATES = "coordonnées absentes, non numériques ou hors des bornes (latitude ±90, longitude ±180)"


class Locator:
    """Answers point look-ups against the QPV (neighbours included) with a spatial index, in Lambert-93."""

    def __init__(self, qpv: gpd.GeoDataFrame, territory: gpd.GeoDataFrame | None):
        metric = to_lambert93(qpv).reset_index(drop=True)
        require_metric_crs(metric)
        self._qpv = metric
        self._geoms = np.asarray(metric.geometry.values)
        self._tree = shapely.STRtree(self._geoms)
        self._boundaries = shapely.boundary(self._geoms)
        self._rows = [
            dict(
                code_qp=row["code_qp"],
                nom_qp=row["lib_qp"],
                communes=row["lib_com"],
                contrat=row.get("contrat"),
                voisin=bool(row.get("voisin", False)),
            )
            for _, row in metric.drop(columns=metric.geometry.name).iterrows()
        ]
        # The limits cut into short pieces: the nearest piece gives the nearest limit without measuring whole
        # polygons of thousands of vertices for every point (a 200,000-row file stays a matter of seconds).
        pieces, owners = [], []
        for owner, boundary in enumerate(self._boundaries):
            for line in shapely.get_parts(boundary):
                coords = shapely.get_coordinates(line)
                for start in range(0, len(coords) - 1, _PIECE_VERTICES):
                    pieces.append(shapely.linestrings(coords[start : start + _PIECE_VERTICES + 1]))
                    owners.append(owner)
        self._pieces = shapely.STRtree(pieces)
        self._piece_owner = np.asarray(owners)
        self._territory = None
        if territory is not None:
            self._territory = shapely.union_all(to_lambert93(territory).geometry.values)
            shapely.prepare(self._territory)
        shapely.prepare(self._geoms)
        codes = npnru_sites()
        self._npnru = [i for i, row in enumerate(self._rows) if row["code_qp"] in codes]

    def _npnru_between_300_and_500_m(self, points: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each point, the row of the nearest NPNRU quartier and the distance to it, when it is 300 to 500 m
        away (-1 and NaN otherwise)."""
        best = np.full(len(points), -1)
        best_distance = np.full(len(points), np.inf)
        if valid.any():
            for row in self._npnru:
                distance = np.full(len(points), np.inf)
                distance[valid] = shapely.distance(self._geoms[row], points[valid])
                closer = (distance > settings.BAND_METRES) & (distance <= settings.NPNRU_BAND_METRES)
                closer &= distance < best_distance
                best[closer], best_distance[closer] = row, distance[closer]
        return best, best_distance

    def locate_many(
        self, x_l93: np.ndarray, y_l93: np.ndarray, motifs: list[str | None] | None = None
    ) -> list[Location]:
        """Locate points given in Lambert-93 metres.

        NaN coordinates (unreadable input) give statut "invalide" with a French `motif` (taken from
        `motifs[i]` when given). Infinite ones (a real place the projection cannot reach, such as a pole)
        are far from every QPV: statut "hors", outside the agglomerations, with no nearest QPV.
        Nothing raises for one bad point.
        """
        x_l93 = np.asarray(x_l93, dtype=float)
        y_l93 = np.asarray(y_l93, dtype=float)
        valid = np.isfinite(x_l93) & np.isfinite(y_l93)
        points = np.full(len(x_l93), None, dtype=object)
        points[valid] = shapely.points(x_l93[valid], y_l93[valid])
        nearest = np.full(len(points), -1)
        inside = np.zeros(len(points), dtype=bool)
        to_limit = np.full(len(points), np.nan)
        in_territory = np.zeros(len(points), dtype=bool)
        if valid.any():
            positions = np.flatnonzero(valid)
            index, dist = self._pieces.query_nearest(points[valid], return_distance=True, all_matches=False)
            nearest[positions[index[0]]] = self._piece_owner[index[1]]
            to_limit[positions[index[0]]] = dist  # outside a QPV, its limit is its nearest point
            hits = self._tree.query(points[valid], predicate="intersects")  # (point, QPV) pairs, limit included
            _, first = np.unique(hits[0], return_index=True)
            containing, owner = positions[hits[0][first]], hits[1][first]
            inside[containing], nearest[containing] = True, owner
            to_limit[containing] = shapely.distance(self._boundaries[owner], points[containing])
            if self._territory is not None:
                in_territory[valid] = shapely.intersects(self._territory, points[valid])
            else:
                in_territory[valid] = True
        located = valid & (nearest >= 0)
        npnru_row, npnru_distance = self._npnru_between_300_and_500_m(points, valid)
        results = []
        for i in range(len(points)):
            if np.isnan(x_l93[i]) or np.isnan(y_l93[i]):
                motif = (motifs[i] if motifs is not None else None) or INVALID_COORDINATES
                results.append(Location(statut="invalide", motif=motif))
            elif not located[i] or not np.isfinite(to_limit[i]):
                results.append(Location(statut="hors", hors_agglomerations=True))
            else:
                results.append(
                    self._answer(int(nearest[i]), bool(inside[i]), float(to_limit[i]), bool(in_territory[i]))
                )
        for i in np.flatnonzero(npnru_row >= 0):
            results[i] = dataclasses.replace(
                results[i],
                npnru_proche=self._rows[npnru_row[i]]["code_qp"],
                distance_npnru_m=int(round(npnru_distance[i])),
            )
        return results

    def _answer(self, nearest: int, inside: bool, distance_to_limit: float, in_territory: bool) -> Location:
        in_band = (not inside) and distance_to_limit <= settings.BAND_METRES
        details = dict(
            self._rows[nearest],
            distance_limite_m=int(round(distance_to_limit)),
            dans_qpv=inside,
            dans_bande_300m=in_band,
            hors_agglomerations=not in_territory,
        )
        # Geometry alone decides: the territory is a remark (the legal band has no agglomeration condition).
        tolerance = settings.LIMIT_TOLERANCE_METRES
        if distance_to_limit <= tolerance:
            return Location(statut="limite", limite="qpv", **details)
        if inside:
            return Location(statut="dans", **details)
        if abs(distance_to_limit - settings.BAND_METRES) <= tolerance:
            return Location(statut="limite", limite="bande", **details)
        if in_band:
            return Location(statut="bande", **details)
        return Location(statut="hors", **details)

    def locate(self, lat: float, lon: float) -> Location:
        """Locate one point given in WGS84 degrees; any bad value gives statut "invalide", never an exception."""
        x, y = wgs84_to_lambert93(np.array([lon], dtype=float), np.array([lat], dtype=float))
        return self.locate_many(x, y)[0]


_TO_LAMBERT93 = Transformer.from_crs(settings.WGS84, settings.LAMBERT93, always_xy=True)


def wgs84_to_lambert93(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes/latitudes (degrees, WGS84) to Lambert-93 metres (EPSG:2154).

    Values outside ±90 / ±180 or not finite come back as NaN (invalid input); a real place that the
    projection cannot handle (e.g. the South Pole) comes back as inf. Never raises for bad values.
    """
    lon = np.array(lon, dtype=float, copy=True)
    lat = np.array(lat, dtype=float, copy=True)
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    lon[bad] = np.nan
    lat[bad] = np.nan
    with np.errstate(all="ignore"):
        x, y = _TO_LAMBERT93.transform(lon, lat, errcheck=False)
    x, y = np.array(x, dtype=float, ndmin=1), np.array(y, dtype=float, ndmin=1)
    failed = ~bad & ~(np.isfinite(x) & np.isfinite(y))
    x[failed], y[failed] = np.inf, np.inf  # a real place, too far from France for Lambert-93
    return x, y
