"""The list of quartiers the app knows: perimeters and portraits joined, for search, tables and links."""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd

from quartiers import settings
from quartiers.portraits import Portrait

_CODE = re.compile(r"^QN\d{5}[A-Z]$")


@dataclass(frozen=True)
class Quartier:
    """One quartier as listed by the app: its identity, where it is, and whether a portrait exists."""

    id: str  # official code for a QPV, readable id for a QIC (e.g. "catorive")
    nom: str
    statut: str  # QPV, QIC or "QPV voisin"
    communes: tuple[str, ...]
    epci: tuple[str, ...]
    code_qp: str | None
    nom_officiel: str | None
    surface_ha: float | None  # of the 2024 perimeter, computed in Lambert-93
    has_perimeter: bool
    portrait: Portrait | None
    voisin: bool = False
    insee: tuple[str, ...] = ()  # INSEE codes of the communes, same order as `communes` (ANCT layer)

    @property
    def label(self) -> str:
        code = f" ({self.code_qp})" if self.code_qp else ""
        return f"{self.nom}{code} — {', '.join(self.communes)}"


def build_catalogue(
    qpv: gpd.GeoDataFrame | None, qic: gpd.GeoDataFrame | None, portraits: dict[str, Portrait]
) -> dict[str, Quartier]:
    """Every QPV of the perimeters (neighbours included) and every portrait, keyed by id."""
    catalogue: dict[str, Quartier] = {}
    if qpv is not None:
        areas = qpv.to_crs(settings.LAMBERT93).area / 10_000
        for (_, row), area in zip(qpv.iterrows(), areas, strict=True):
            portrait = portraits.get(row["code_qp"])
            catalogue[row["code_qp"]] = Quartier(
                id=row["code_qp"],
                nom=portrait.nom if portrait else row["lib_qp"],
                statut="QPV voisin" if row["voisin"] else "QPV",
                communes=tuple(row["communes"]),
                epci=tuple(portrait.epci) if portrait else tuple(row["epci"]),
                code_qp=row["code_qp"],
                nom_officiel=row["lib_qp"],
                surface_ha=round(float(area), 1),
                has_perimeter=True,
                portrait=portrait,
                voisin=bool(row["voisin"]),
                insee=tuple(row["insee"]) if "insee" in row else (),
            )
    qic_ids = set(qic["id"]) if qic is not None else set()
    for portrait in portraits.values():
        if portrait.id in catalogue:
            continue
        catalogue[portrait.id] = Quartier(
            id=portrait.id,
            nom=portrait.nom,
            statut=portrait.statut,
            communes=portrait.communes,
            epci=portrait.epci,
            code_qp=portrait.code_qp,
            nom_officiel=portrait.nom_officiel,
            surface_ha=None,
            has_perimeter=portrait.id in qic_ids,
            portrait=portrait,
        )
    return catalogue


def normalise_id(value: str) -> str:
    """URL values are forgiving on case: "qn06208m" finds QN06208M, "Catorive" finds catorive."""
    value = value.strip()
    return value.upper() if _CODE.match(value.upper()) else value.lower()


def qpv_label(nom: str, nom_officiel: str, code_qp: str | None = None) -> str:
    """The name a reader of the app knows, then in parentheses the ANCT name when it differs, and the code.

    « 3 Îlots (Quartier 3 ilôts, QN06209M) », « Quartier Du Mont Liébaut (QN06208M) » when no portrait renames it.
    """
    nom = nom or nom_officiel
    details = [n for n in (nom_officiel if nom_officiel and nom_officiel != nom else None, code_qp) if n]
    return f"{nom} ({', '.join(details)})" if details else nom
