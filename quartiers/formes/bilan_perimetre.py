"""What a proposed perimeter covers, keeps, adds and leaves out: pure geometry in Lambert-93 (EPSG:2154).

Compared with the official QPV 2024 (both contracts and neighbours, ANCT, unsimplified) and the communes of the
Pas-de-Calais (Etalab 2024, generalised at 100 m). Areas in hectares rounded to 0.01 ha, shares to 0.1 %.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from quartiers import settings
from quartiers.catalogue import qpv_label
from quartiers.couches_officielles import COMMUNE_COLUMNS, load_qpv, read_layer, repair_geometries
from quartiers.formes.lecture import Proposal, proposal_from_features, read_proposal
from quartiers.portraits import load_portraits
from quartiers.zones import band, require_metric_crs

EXPORT_DECIMALS = 7  # GeoJSON export in EPSG:4326: 1e-7 degree is about 1 cm, below any drawing's precision
MIN_OVERLAP_M2 = 50.0  # below 0.005 ha an overlap rounds to 0.00 ha: a shared edge, not a shared area
ENSEMBLE = "Ensemble des polygones proposés"
NON_CALCULABLE = (
    "La population et les revenus des habitants du périmètre proposé ne peuvent pas être calculés ici : il "
    "faudrait les données carroyées de l'Insee (Filosofi, par carreaux de 200 m), que l'application ne contient "
    "pas. Les chiffres par commune de l'application portent sur toute la commune, pas sur le périmètre."
)
COMMUNES_NOTE = (
    "Surfaces par commune calculées sur les contours communaux Etalab 2024 généralisés à 100 m : "
    "à la limite d'une commune, l'écart peut atteindre quelques hectares."
)
SOURCES = (
    "QPV 2024 : ANCT (SIG Ville), décret n° 2023-1314 du 28/12/2023, tracé officiel non simplifié, "
    "Licence Ouverte 2.0.",
    "Communes : Etalab « contours administratifs » 2024 (IGN ADMIN EXPRESS COG 2024), généralisés à 100 m, "
    "Licence Ouverte 2.0.",
    "Bande des 300 m : indicative (CGI art. 278 sexies), anneau de 0 à 300 m autour de la limite, calculé en "
    "Lambert-93 (EPSG:2154).",
)


@dataclass(frozen=True)
class Reference:
    """The official layers compared with, in Lambert-93: QPV (code_qp, lib_qp, voisin) and communes
    (code, nom, territoire = member of CABBALR or CALL); `noms`: code_qp → the app's quartier name (portraits)."""

    qpv: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    noms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        require_metric_crs(self.qpv)
        require_metric_crs(self.communes)


def load_reference() -> Reference:
    """The committed QPV 2024 (neighbours included) and all communes of the Pas-de-Calais; raises LayerError."""
    qpv, _ = load_qpv()
    communes = read_layer(settings.COMMUNES_FILE, COMMUNE_COLUMNS)
    communes, _ = repair_geometries(communes, "nom")
    communes["territoire"] = communes["siren_epci_2026"].fillna("").astype(str).isin(settings.EPCI)
    portraits, _ = load_portraits(known_codes=frozenset(qpv["code_qp"]))
    return Reference(
        qpv=qpv[["code_qp", "lib_qp", "voisin", "geometry"]].to_crs(settings.LAMBERT93).reset_index(drop=True),
        communes=communes[["code", "nom", "territoire", "geometry"]].to_crs(settings.LAMBERT93).reset_index(drop=True),
        noms={p.code_qp: p.nom for p in portraits.values() if p.code_qp},
    )


@dataclass(frozen=True)
class CommuneShare:
    code: str
    nom: str
    surface_ha: float


@dataclass(frozen=True)
class QpvShare:
    code_qp: str
    nom_qp: str  # the official ANCT name (lib_qp), as in the CLI's JSON
    surface_en_commun_ha: float
    part_du_qpv_pct: float  # share of that QPV's area inside the proposal
    surface_qpv_hors_proposition_ha: float
    voisin: bool = False
    nom: str = ""  # the app's name of the quartier (its portrait's), the ANCT name when it has none

    @property
    def libelle(self) -> str:
        """« 3 Îlots (Quartier 3 ilôts, QN06209M) »: for pages, sheets and maps."""
        return qpv_label(self.nom, self.nom_qp, self.code_qp)


@dataclass(frozen=True)
class Bilan:
    """The figures of one proposed polygon (or of the set); geometries in Lambert-93 (EPSG:2154)."""

    nom: str
    surface_ha: float
    surface_bande_300m_ha: float
    surface_hors_qpv_ha: float
    hors_territoire: bool
    communes: tuple[CommuneShare, ...]
    qpv: tuple[QpvShare, ...]
    bande_qpv: tuple[str, ...]  # qpv_label of the official QPV the proposal's band reaches
    bande_communes: tuple[str, ...]
    geometrie: shapely.Geometry
    bande: shapely.Geometry
    ajout: shapely.Geometry  # the proposal outside every QPV
    laisse_hors: shapely.Geometry  # the parts of the overlapped QPV outside the proposal

    @property
    def commune_principale(self) -> str | None:
        return self.communes[0].nom if self.communes else None

    @property
    def surface_laissee_hors_ha(self) -> float:
        return round(sum(q.surface_qpv_hors_proposition_ha for q in self.qpv), 2)

    def as_json(self) -> dict:
        """The structure of `python -m quartiers perimetre --json`, one item of "propositions"."""
        return {
            "nom": self.nom,
            "surface_ha": self.surface_ha,
            "surface_bande_300m_ha": self.surface_bande_300m_ha,
            "surface_hors_qpv_ha": self.surface_hors_qpv_ha,
            "hors_territoire": self.hors_territoire,
            "communes": [{"code": c.code, "nom": c.nom, "surface_ha": c.surface_ha} for c in self.communes],
            "qpv": [
                {
                    "code_qp": q.code_qp,
                    "nom_qp": q.nom_qp,
                    "surface_en_commun_ha": q.surface_en_commun_ha,
                    "part_du_qpv_pct": q.part_du_qpv_pct,
                    "surface_qpv_hors_proposition_ha": q.surface_qpv_hors_proposition_ha,
                }
                for q in self.qpv
            ],
        }


def _ha(area_m2: float) -> float:
    return round(max(area_m2, 0.0) / 10_000, 2) + 0.0  # + 0.0: never print -0.0


def _band(geometry: shapely.Geometry) -> shapely.Geometry:
    """The proposal's own 300 m ring, computed by zones.band (the same rule as for the QPV)."""
    ring = band(gpd.GeoDataFrame(geometry=[geometry], crs=settings.LAMBERT93))
    return ring.to_crs(settings.LAMBERT93).geometry.iloc[0]


def _reached(layer: gpd.GeoDataFrame, geometry: shapely.Geometry) -> gpd.GeoDataFrame:
    """Rows of `layer` sharing more than MIN_OVERLAP_M2 with `geometry`, with that area in column `commun_m2`."""
    candidates = layer.iloc[layer.sindex.query(geometry, predicate="intersects")].copy()
    candidates["commun_m2"] = candidates.geometry.intersection(geometry).area
    return candidates[candidates["commun_m2"] > MIN_OVERLAP_M2]


def assess_geometry(nom: str, geometry: shapely.Geometry, reference: Reference) -> Bilan:
    """The figures of one proposed (multi)polygon given in Lambert-93."""
    communes = _reached(reference.communes, geometry).sort_values("commun_m2", ascending=False)
    qpv = _reached(reference.qpv, geometry).sort_values("commun_m2", ascending=False)
    ring = _band(geometry)
    near_qpv = reference.qpv.iloc[reference.qpv.sindex.query(geometry, predicate="intersects")]
    all_qpv = shapely.union_all(near_qpv.geometry.values) if len(near_qpv) else shapely.Polygon()
    ajout = geometry.difference(all_qpv)
    laisse_hors = shapely.union_all([g.difference(geometry) for g in qpv.geometry]) if len(qpv) else shapely.Polygon()
    shares = tuple(
        QpvShare(
            code_qp=str(row.code_qp),
            nom_qp=str(row.lib_qp),
            surface_en_commun_ha=_ha(row.commun_m2),
            part_du_qpv_pct=round(100 * row.commun_m2 / row.geometry.area, 1),
            surface_qpv_hors_proposition_ha=_ha(row.geometry.area - row.commun_m2),
            voisin=bool(row.voisin),
            nom=reference.noms.get(str(row.code_qp), str(row.lib_qp)),
        )
        for row in qpv.itertuples()
    )
    return Bilan(
        nom=nom,
        surface_ha=_ha(geometry.area),
        surface_bande_300m_ha=_ha(ring.area),
        surface_hors_qpv_ha=_ha(ajout.area),
        hors_territoire=not bool(communes["territoire"].any()),
        communes=tuple(CommuneShare(str(row.code), str(row.nom), _ha(row.commun_m2)) for row in communes.itertuples()),
        qpv=shares,
        bande_qpv=tuple(
            qpv_label(reference.noms.get(str(row.code_qp), str(row.lib_qp)), str(row.lib_qp), str(row.code_qp))
            for row in _reached(reference.qpv, ring).itertuples()
        ),
        bande_communes=tuple(str(n) for n in _reached(reference.communes, ring)["nom"]),
        geometrie=geometry,
        bande=ring,
        ajout=ajout,
        laisse_hors=laisse_hors,
    )


def assess(proposal: Proposal, reference: Reference) -> list[Bilan]:
    """One Bilan per proposed polygon, in the order of the file."""
    return [
        assess_geometry(nom, geometry, reference)
        for nom, geometry in zip(proposal.frame["nom"], proposal.frame.geometry, strict=True)
    ]


def assess_set(proposal: Proposal, reference: Reference) -> Bilan:
    """The figures of all proposed polygons together (their union: overlaps counted once)."""
    return assess_geometry(ENSEMBLE, shapely.union_all(proposal.frame.geometry.values), reference)


def result_json(bilans: list[Bilan]) -> dict:
    """`{"propositions": [...]}`, the structure printed by `python -m quartiers perimetre --json`."""
    return {"propositions": [b.as_json() for b in bilans]}


def _to_wgs84(geometry: shapely.Geometry) -> dict:
    """GeoJSON geometry in EPSG:4326, coordinates rounded to EXPORT_DECIMALS (about 1 cm)."""
    series = gpd.GeoSeries([geometry], crs=settings.LAMBERT93).to_crs(settings.WGS84)
    return mapping(shapely.transform(series.iloc[0], lambda coords: np.round(coords, EXPORT_DECIMALS)))


def result_geojson(bilans: list[Bilan]) -> str:
    """Proposal, its band, added and left-out parts as a GeoJSON FeatureCollection (EPSG:4326), with figures.

    Coordinates are rounded to EXPORT_DECIMALS decimals of a degree (about 1 cm); figures are computed before,
    in Lambert-93, on the unrounded geometries.
    """
    features = []
    for bilan in bilans:
        figures = bilan.as_json()
        parts = (
            ("proposition", bilan.geometrie, figures),
            (
                "bande_300m",
                bilan.bande,
                {
                    "surface_bande_300m_ha": bilan.surface_bande_300m_ha,
                    "qpv_atteints": list(bilan.bande_qpv),
                    "communes_atteintes": list(bilan.bande_communes),
                },
            ),
            ("ajout_hors_qpv", bilan.ajout, {"surface_hors_qpv_ha": bilan.surface_hors_qpv_ha}),
            (
                "qpv_laisse_hors",
                bilan.laisse_hors,
                {
                    "surface_laissee_hors_ha": bilan.surface_laissee_hors_ha,
                    "qpv": [
                        {"code_qp": q.code_qp, "surface_qpv_hors_proposition_ha": q.surface_qpv_hors_proposition_ha}
                        for q in bilan.qpv
                    ],
                },
            ),
        )
        for partie, geometry, properties in parts:
            if geometry is None or geometry.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {"partie": partie, "proposition": bilan.nom} | properties,
                    "geometry": _to_wgs84(geometry),
                }
            )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


@dataclass(frozen=True)
class Evaluation:
    """A read proposal and its figures: one Bilan per polygon, the set's when there are several."""

    proposal: Proposal
    bilans: list[Bilan]
    ensemble: Bilan | None


def evaluate(proposal: Proposal, reference: Reference) -> Evaluation:
    """The figures of every polygon of `proposal`, and of their set when there are several."""
    bilans = assess(proposal, reference)
    return Evaluation(proposal, bilans, assess_set(proposal, reference) if len(bilans) > 1 else None)


def evaluate_file(data: bytes, filename: str, layer: str | None = None, max_mb: int | None = None) -> Evaluation:
    """Read a proposal file and assess it against the official layers (run by the page in `quartiers.garde`)."""
    return evaluate(read_proposal(data, filename, layer, max_mb), load_reference())


def evaluate_drawing(features: list[dict]) -> Evaluation:
    """Assess polygons drawn on the map, checked as a file would be (run by the page in `quartiers.garde`)."""
    return evaluate(proposal_from_features(features), load_reference())
