"""Is a housing programme in the zone? The 300 m / 500 m rule of CGI art. 278 sexies, per building and ensemble.

Pure geometry in Lambert-93 (EPSG:2154) against the official, unsimplified QPV 2024 (both contracts and their
neighbours, `bilan_perimetre.load_reference`) and the NPNRU list (`quartiers.npnru`):
- rule (a): a building wholly inside the QPV, or wholly within 300 m of their limit;
- rule (b): an ensemble partly within 300 m and wholly within 500 m of the limit of one NPNRU quartier.
Distances are measured from sample points of each footprint (its boundary densified every SAMPLE_STEP_M metres
plus an inner grid), so the farthest point is found to within a metre. Indicative answers: they say so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from quartiers import settings
from quartiers.catalogue import qpv_label
from quartiers.formats import fmt_ha, fmt_number
from quartiers.formes.bilan_perimetre import Reference, _to_wgs84, load_reference
from quartiers.formes.lecture import Proposal, ProposalError, proposal_from_features, read_proposal
from quartiers.npnru import LIMITES as NPNRU_LIMITES
from quartiers.npnru import SiteNpnru, npnru_sites
from quartiers.zones import HORS_AGGLOMERATIONS

A_METRES = settings.BAND_METRES
B_METRES = settings.NPNRU_BAND_METRES
TOLERANCE_METRES = settings.LIMIT_TOLERANCE_METRES
MAX_SURFACE_HA = 5.0  # a bigger footprint is a parcel or a perimeter, not a building
MAX_BATIMENTS = 500
OVERLAP_M2 = 1.0  # two footprints sharing more than this overlap (a shared wall is 0 m²)
SAMPLE_STEP_M = 1.0
GRID_CELLS = 15  # inner grid: about this many cells along the longer side (farthest point between two QPV)
SEARCH_METRES = B_METRES + 2 * TOLERANCE_METRES  # quartiers measured around a footprint
ENSEMBLE = "Ensemble immobilier"

CONDITIONS = (
    "Périmètres des QPV 2024 (décret n° 2023-1314 du 28 décembre 2023) : ils valent pour une demande de permis "
    "de construire déposée depuis le 1er janvier 2024 ; pour une demande plus ancienne, c'est la géographie de "
    "2015, que l'application ne contient pas.",
    "Règle (a) : le QPV doit faire l'objet d'un contrat de ville — le contrat de ville de la CABBALR ou celui de "
    "la CALL pour leurs quartiers, celui de leur agglomération pour les QPV voisins.",
    "Règle (b) : seulement autour d'un QPV qui a aussi une convention de renouvellement urbain (NPNRU). "
    + NPNRU_LIMITES,
    "Distances mesurées en Lambert-93 (EPSG:2154) depuis la limite officielle non simplifiée des QPV (ANCT), "
    "au mètre près ; « à la limite » quand un décalage de 10 m de l'emprise changerait la réponse : vérifiez "
    "alors sur un plan de géomètre.",
    "Réponse indicative : seule l'administration fiscale apprécie l'éligibilité.",
)


class ProgrammeError(ProposalError):
    """Building footprints that cannot be assessed; the message is French and says what to do."""


@dataclass(frozen=True)
class ProgrammeReference:
    """The official QPV (Reference, Lambert-93) with each quartier's 300 m and 500 m zones and the NPNRU list."""

    reference: Reference
    npnru: dict[str, SiteNpnru]
    zone_300m: gpd.GeoSeries  # each QPV buffered by 300 m (itself included), same index as reference.qpv
    zone_500m: gpd.GeoSeries

    @classmethod
    def build(cls, reference: Reference, npnru: dict[str, SiteNpnru] | None = None) -> ProgrammeReference:
        qpv = reference.qpv.geometry
        return cls(
            reference=reference,
            npnru=npnru_sites() if npnru is None else npnru,
            zone_300m=qpv.buffer(A_METRES, quad_segs=16),
            zone_500m=qpv.buffer(B_METRES, quad_segs=16),
        )

    def nom(self, code_qp: str) -> str:
        """« Mont Liébaut (Quartier Du Mont Liébaut, QN06208M) »: the app's name, then the ANCT name and code."""
        row = self.reference.qpv.loc[self.reference.qpv["code_qp"] == code_qp].iloc[0]
        return qpv_label(self.reference.noms.get(code_qp, str(row.lib_qp)), str(row.lib_qp), code_qp)


@dataclass(frozen=True)
class Mesure:
    """Distances in metres from one quartier's limit: of the nearest and of the farthest point of a footprint."""

    code_qp: str
    distance_min_m: float
    distance_max_m: float
    point_le_plus_loin: tuple[float, float]  # Lambert-93


@dataclass(frozen=True)
class Verdict:
    """The answer for one building or for the ensemble; geometries in Lambert-93 (EPSG:2154)."""

    nom: str
    geometrie: shapely.Geometry
    dans_qpv: bool
    regle_a: bool
    regle_b: bool | None
    code_qp: str | None
    npnru: bool
    distance_max_m: int
    distance_max_exacte_m: float
    part_300m_pct: float
    part_500m_pct: float
    a_la_limite: bool
    hors_territoire: bool
    point_le_plus_loin: tuple[float, float] | None
    quartier: str | None  # qpv_label of code_qp
    site: SiteNpnru | None  # the NPNRU site of code_qp
    code_qp_b: str | None = None  # the NPNRU quartier rule (b) was measured from

    def as_json(self, ensemble: bool = False) -> dict:
        """One item of "batiments" (or the "ensemble") of `python -m quartiers programme --json`."""
        data = {"nom": self.nom, "dans_qpv": self.dans_qpv} if not ensemble else {}
        data |= {"regle_a": self.regle_a, "regle_b": self.regle_b, "code_qp": self.code_qp, "npnru": self.npnru,
                 "distance_max_m": self.distance_max_m}  # fmt: skip
        if not ensemble:
            data |= {"part_300m_pct": self.part_300m_pct, "part_500m_pct": self.part_500m_pct}
        data |= {"a_la_limite": self.a_la_limite, "hors_territoire": self.hors_territoire}
        return data


@dataclass(frozen=True)
class Programme:
    """Every building's verdict in the order of the file, the ensemble's, and what was done to the input."""

    batiments: tuple[Verdict, ...]
    ensemble: Verdict
    messages: tuple[str, ...] = field(default=())
    quartiers_proches: tuple[str, ...] = field(default=())  # code_qp within 500 m of the ensemble, nearest first

    def as_json(self) -> dict:
        return {"batiments": [b.as_json() for b in self.batiments], "ensemble": self.ensemble.as_json(ensemble=True)}


# --- reading ---------------------------------------------------------------------------------------------------

_DEFAULT_NAME = re.compile(r"Proposition (\d+)")


def _as_buildings(proposal: Proposal) -> Proposal:
    """The programme's own checks after lecture's: names, size, count, overlaps."""
    frame = proposal.frame.copy()
    frame["nom"] = [
        f"Bâtiment {match.group(1)}" if (match := _DEFAULT_NAME.fullmatch(str(nom))) else str(nom)
        for nom in frame["nom"]
    ]
    if len(frame) > MAX_BATIMENTS:
        raise ProgrammeError(f"Trop de bâtiments : {len(frame)} pour une limite de {MAX_BATIMENTS} par programme.")
    for nom, geometry in zip(frame["nom"], frame.geometry, strict=True):
        surface_ha = geometry.area / 10_000
        if surface_ha > MAX_SURFACE_HA:
            raise ProgrammeError(
                f"L'emprise « {nom} » fait {fmt_ha(surface_ha)} : plus de {fmt_number(MAX_SURFACE_HA)} ha pour un "
                "bâtiment. C'est sans doute une parcelle ou un périmètre : déposez les emprises des bâtiments, ou "
                "utilisez la page « Tester un périmètre »."
            )
    pairs = frame.sindex.query(frame.geometry, predicate="intersects")
    for left, right in zip(*pairs, strict=True):
        if left < right:
            common = frame.geometry.iloc[left].intersection(frame.geometry.iloc[right]).area
            if common > OVERLAP_M2:
                raise ProgrammeError(
                    f"Les emprises « {frame['nom'].iloc[left]} » et « {frame['nom'].iloc[right]} » se recouvrent "
                    f"({fmt_number(round(common))} m²) : un bâtiment ne peut pas en chevaucher un autre. "
                    "Corrigez le dessin ou le fichier."
                )
    return Proposal(frame.reset_index(drop=True), proposal.messages)


def _polygons_expected(exc: ProposalError) -> ProgrammeError:
    if str(exc).startswith("Le fichier ne contient aucun polygone"):
        return ProgrammeError(
            "Le fichier ne contient que des points ou des lignes : il faut les emprises au sol des bâtiments, "
            "des surfaces fermées (polygones)."
        )
    return ProgrammeError(str(exc)) if not isinstance(exc, ProgrammeError) else exc


def read_programme(data: bytes, filename: str, layer: str | None = None, max_mb: int | None = None) -> Proposal:
    """The footprints of a file (lecture.read_proposal's formats and checks, then the programme's); Lambert-93."""
    try:
        proposal = read_proposal(data, filename, layer, max_mb, max_polygons=MAX_BATIMENTS)
    except ProposalError as exc:
        if type(exc) is not ProposalError:
            raise  # LayerChoiceNeeded: the page asks for a layer
        raise _polygons_expected(exc) from exc
    return _as_buildings(proposal)


def programme_from_features(features: list[dict]) -> Proposal:
    """The footprints drawn on the map (EPSG:4326 GeoJSON features), checked as a file's."""
    try:
        proposal = proposal_from_features(features, max_polygons=MAX_BATIMENTS)
    except ProposalError as exc:
        raise _polygons_expected(exc) from exc
    return _as_buildings(proposal)


# --- measuring -------------------------------------------------------------------------------------------------


def samples(geometry: shapely.Geometry) -> np.ndarray:
    """(n, 2) Lambert-93 points of a footprint: its boundary every SAMPLE_STEP_M metres and an inner grid."""
    boundary = shapely.get_coordinates(shapely.segmentize(geometry.boundary, SAMPLE_STEP_M))
    minx, miny, maxx, maxy = geometry.bounds
    step = max(2 * SAMPLE_STEP_M, max(maxx - minx, maxy - miny) / GRID_CELLS)
    xs, ys = np.meshgrid(np.arange(minx + step / 2, maxx, step), np.arange(miny + step / 2, maxy, step))
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.contains_xy(geometry, xs, ys)
    return np.vstack([boundary, np.column_stack([xs[inside], ys[inside]])])


def _measure(code_qp: str, quartier: shapely.Geometry, geometry: shapely.Geometry, points: np.ndarray):
    distances = shapely.distance(shapely.points(points), quartier)
    farthest = int(np.argmax(distances))
    mesure = Mesure(code_qp, float(shapely.distance(geometry, quartier)), float(distances[farthest]),
                    (float(points[farthest, 0]), float(points[farthest, 1])))  # fmt: skip
    return mesure, distances


def _share(geometry: shapely.Geometry, zones: list[shapely.Geometry]) -> float:
    if not zones:
        return 0.0
    return round(100 * geometry.intersection(shapely.union_all(zones)).area / geometry.area, 1) + 0.0


def verdict(nom: str, geometry: shapely.Geometry, points: np.ndarray, ref: ProgrammeReference) -> Verdict:
    """The verdict of one footprint (or of the union of an ensemble, with all its sample points)."""
    qpv = ref.reference.qpv
    near = qpv.sindex.query(geometry, predicate="dwithin", distance=SEARCH_METRES)
    if len(near) == 0:
        near = qpv.sindex.nearest(geometry, return_all=False)[1]
    mesures: dict[str, Mesure] = {}
    union_distances = np.full(len(points), np.inf)
    for position in near:
        code = str(qpv["code_qp"].iloc[position])
        mesure, distances = _measure(code, qpv.geometry.iloc[position], geometry, points)
        mesures[code] = mesure
        union_distances = np.minimum(union_distances, distances)
    farthest_from_all = float(union_distances.max())
    inside_qpv = geometry.difference(shapely.union_all(qpv.geometry.iloc[near].values)).area <= 0.01
    regle_a = inside_qpv or farthest_from_all <= A_METRES
    # The quartier of rule (a): the one the footprint is nearest to being wholly within 300 m of.
    code_a = min(mesures.values(), key=lambda m: (m.distance_max_m, m.distance_min_m)).code_qp
    npnru = [m for m in mesures.values() if m.code_qp in ref.npnru and m.distance_min_m < B_METRES]
    regle_b: bool | None = None
    mesure_b = None
    if npnru:
        holding = [m for m in npnru if m.distance_min_m < A_METRES and m.distance_max_m <= B_METRES]
        regle_b = bool(holding)
        mesure_b = min(holding or npnru, key=lambda m: (m.distance_max_m, m.distance_min_m))
    if regle_a:
        decides = mesures[code_a]
    elif regle_b:
        decides = mesure_b
    else:
        decides = mesures[code_a] if mesures[code_a].distance_min_m < B_METRES else None
    near_limit = abs(farthest_from_all - A_METRES) <= TOLERANCE_METRES
    for m in npnru:
        near_limit |= abs(m.distance_min_m - A_METRES) <= TOLERANCE_METRES
        near_limit |= abs(m.distance_max_m - B_METRES) <= TOLERANCE_METRES and m.distance_min_m < A_METRES
    zone_positions = [p for p in near if mesures[str(qpv["code_qp"].iloc[p])].distance_min_m < A_METRES]
    if mesure_b is not None:
        zones_500 = [ref.zone_500m.iloc[int(np.flatnonzero(qpv["code_qp"] == mesure_b.code_qp)[0])]]
    else:
        zones_500 = [ref.zone_500m.iloc[p] for p in near]
    communes = ref.reference.communes
    in_territory = communes.iloc[communes.sindex.query(geometry, predicate="intersects")]["territoire"].any()
    distance = 0.0 if inside_qpv else (decides or mesures[code_a]).distance_max_m
    code = decides.code_qp if decides else None
    return Verdict(
        nom=nom,
        geometrie=geometry,
        dans_qpv=bool(inside_qpv),
        regle_a=bool(regle_a),
        regle_b=regle_b,
        code_qp=code,
        npnru=code in ref.npnru,
        distance_max_m=int(round(distance)),
        distance_max_exacte_m=distance,
        part_300m_pct=_share(geometry, [ref.zone_300m.iloc[p] for p in zone_positions]),
        part_500m_pct=_share(geometry, zones_500),
        a_la_limite=bool(near_limit),
        hors_territoire=not bool(in_territory),
        point_le_plus_loin=None if inside_qpv else (decides or mesures[code_a]).point_le_plus_loin,
        quartier=ref.nom(code) if code else None,
        site=ref.npnru.get(code) if code else None,
        code_qp_b=mesure_b.code_qp if mesure_b else None,
    )


def assess_programme(proposal: Proposal, ref: ProgrammeReference) -> Programme:
    """Each building (order of the file) and the ensemble they form."""
    points = [samples(g) for g in proposal.frame.geometry]
    batiments = tuple(
        verdict(nom, geometry, pts, ref)
        for nom, geometry, pts in zip(proposal.frame["nom"], proposal.frame.geometry, points, strict=True)
    )
    union = shapely.union_all(proposal.frame.geometry.values)
    ensemble = verdict(ENSEMBLE, union, np.vstack(points), ref)
    qpv = ref.reference.qpv
    near = qpv.iloc[qpv.sindex.query(union, predicate="dwithin", distance=B_METRES)].copy()
    near["distance"] = near.geometry.distance(union)
    proches = tuple(near.sort_values("distance")["code_qp"].astype(str))
    return Programme(batiments, ensemble, proposal.messages, proches)


def evaluate_file(data: bytes, filename: str, layer: str | None = None, max_mb: int | None = None) -> Programme:
    """Read building footprints and assess them against the official layers (run by the page in `quartiers.garde`)."""
    return assess_programme(read_programme(data, filename, layer, max_mb), ProgrammeReference.build(load_reference()))


def evaluate_drawing(features: list[dict]) -> Programme:
    """Assess footprints drawn on the map, checked as a file's (run by the page in `quartiers.garde`)."""
    return assess_programme(programme_from_features(features), ProgrammeReference.build(load_reference()))


# --- saying it -------------------------------------------------------------------------------------------------


def _metres(value: float) -> str:
    return f"{fmt_number(int(round(value)))}\u00a0m"


def phrase_a(v: Verdict) -> str:
    """Rule (a) in one French sentence, with the quartier and the figure behind it."""
    if v.dans_qpv:
        return f"Règle (a) : oui — entièrement dans le QPV {v.quartier}."
    if v.regle_a:
        return (
            f"Règle (a) : oui — entièrement à moins de 300 m du QPV {v.quartier} "
            f"(point le plus éloigné à {_metres(v.distance_max_exacte_m)})."
        )
    if v.code_qp is None:
        return "Règle (a) : non — aucun QPV à moins de 500 m."
    return (
        f"Règle (a) : non — le point le plus éloigné est à {_metres(v.distance_max_exacte_m)} du QPV {v.quartier} "
        f"(plus de 300 m) ; {fmt_number(v.part_300m_pct)} % de l'emprise est à moins de 300 m."
    )


def phrase_b(v: Verdict, ref: ProgrammeReference) -> str:
    """Rule (b) in one French sentence: not applicable, yes or no, with the NPNRU quartier and its source."""
    if v.regle_b is None:
        return "Règle (b) : sans objet — aucun quartier en renouvellement urbain (NPNRU) à moins de 500 m."
    site = ref.npnru[v.code_qp_b]
    named = f"{ref.nom(v.code_qp_b)}, NPNRU « {site.site} », intérêt {site.interet}"
    if v.regle_b and v.regle_a:  # wholly within 300 m: (b) holds too, but (a) already answers
        return (
            f"Règle (b) : oui aussi — l'emprise est entièrement à moins de 300 m du quartier {named}, "
            "la règle (a) suffit."
        )
    if v.regle_b:
        return (
            f"Règle (b) : oui — en partie à moins de 300 m et entièrement à moins de 500 m du quartier {named} "
            f"({fmt_number(v.part_500m_pct)} % de l'emprise à moins de 500 m)."
        )
    return (
        f"Règle (b) : non — il faudrait être en partie à moins de 300 m et entièrement à moins de 500 m du quartier "
        f"{named} ({fmt_number(v.part_500m_pct)} % de l'emprise à moins de 500 m)."
    )


def phrases(v: Verdict, ref: ProgrammeReference) -> list[str]:
    """Everything said about one verdict, in order: rules (a) and (b), then the limit and territory remarks."""
    lines = [phrase_a(v), phrase_b(v, ref)]
    if v.a_la_limite:
        lines.append(
            "À la limite : un décalage de 10 m de l'emprise changerait la réponse. Vérifiez sur un plan de géomètre."
        )
    if v.hors_territoire:
        lines.append(f"Remarque : {HORS_AGGLOMERATIONS}.")
    return lines


def sources_npnru(programme: Programme, ref: ProgrammeReference) -> list[str]:
    """The source of each NPNRU quartier named by a verdict."""
    codes = dict.fromkeys(v.code_qp_b for v in (*programme.batiments, programme.ensemble) if v.code_qp_b)
    return [f"{ref.npnru[c].site} ({ref.nom(c)}) : {ref.npnru[c].source}." for c in codes]


# --- exports ---------------------------------------------------------------------------------------------------


def lignes(programme: Programme, ref: ProgrammeReference) -> list[tuple[str, str, shapely.Geometry]]:
    """(kind, code_qp, line) of the 300 m lines of the quartiers within 500 m, and the 500 m lines of the NPNRU ones."""
    qpv = ref.reference.qpv
    result = []
    for code in programme.quartiers_proches:
        position = int(np.flatnonzero(qpv["code_qp"] == code)[0])
        # The boundary: (Multi)LineString, valid GeoJSON (a LinearRing is not), whatever the quartier's parts.
        result.append(("ligne_300m", code, ref.zone_300m.iloc[position].boundary))
        if code in ref.npnru:
            result.append(("ligne_500m", code, ref.zone_500m.iloc[position].boundary))
    return result


def _point_wgs84(xy: tuple[float, float]) -> dict:
    return _to_wgs84(shapely.Point(xy))


def result_geojson(programme: Programme, ref: ProgrammeReference) -> str:
    """Footprints with their figures and verdicts, farthest points and the lines used (EPSG:4326, ~1 cm)."""
    features = []
    for v in programme.batiments:
        properties = {"partie": "batiment"} | v.as_json() | {"quartier": v.quartier, "verdict": phrases(v, ref)}
        features.append({"type": "Feature", "properties": properties, "geometry": _to_wgs84(v.geometrie)})
        if v.point_le_plus_loin is not None:
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "partie": "point_le_plus_loin",
                        "nom": v.nom,
                        "code_qp": v.code_qp,
                        "distance_m": v.distance_max_m,
                    },  # fmt: skip
                    "geometry": _point_wgs84(v.point_le_plus_loin),
                }
            )
    features.append(
        {
            "type": "Feature",
            "properties": {"partie": "ensemble"}
            | programme.ensemble.as_json(ensemble=True)
            | {
                "quartier": programme.ensemble.quartier,
                "verdict": phrases(programme.ensemble, ref),
                "conditions": list(CONDITIONS),
            },  # fmt: skip
            "geometry": None,
        }
    )
    for partie, code, line in lignes(programme, ref):
        features.append(
            {"type": "Feature", "properties": {"partie": partie, "code_qp": code}, "geometry": _to_wgs84(line)}
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def footprints_wgs84(programme: Programme) -> list[dict]:
    """GeoJSON geometries of the footprints in EPSG:4326 (unrounded), for maps."""
    series = gpd.GeoSeries([v.geometrie for v in programme.batiments], crs=settings.LAMBERT93).to_crs(settings.WGS84)
    return [mapping(g) for g in series]
