"""The QPV with a renewal project (NPNRU, ANRU) of CABBALR and CALL: geodata/npnru_cabbalr_call.csv.

Pure reading of the committed list (five quartiers, 2024 codes, the site's name, its level and its source).
These are the sites chosen for the programme, not the signed conventions: every answer built on them is
indicative and says so (LIMITES).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from quartiers import settings

COLUMNS = ("code_qp", "lib_qp", "code_qp_2015", "site_npnru", "interet", "source", "date_source")
LIMITES = (
    "Liste des quartiers en renouvellement urbain (NPNRU) : les sites retenus pour le programme (liste nationale "
    "de l'ANRU du 15 décembre 2014, liste régionale annexée au CPER Nord-Pas-de-Calais du 10 juillet 2015, "
    "rapport de la CABBALR de 2024), pas le texte des conventions signées, que l'application ne contient pas : "
    "le périmètre d'une convention peut différer du QPV 2024."
)


class NpnruError(ValueError):
    """The NPNRU list cannot be read; the message is French and names the file."""


@dataclass(frozen=True)
class SiteNpnru:
    """One quartier in renewal: its 2024 code, the site as its source names it, its level and source."""

    code_qp: str
    lib_qp: str
    code_qp_2015: str
    site: str
    interet: str  # "national" or "régional"
    source: str
    date_source: str

    @property
    def libelle(self) -> str:
        """« Le Mont-Liébaut à Béthune, intérêt régional »."""
        return f"{self.site}, intérêt {self.interet}"


def read_npnru(path: Path | None = None) -> dict[str, SiteNpnru]:
    """code_qp (2024) → its NPNRU site, in the order of the file; raises NpnruError."""
    path = path or settings.NPNRU_FILE
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise NpnruError(f"Liste NPNRU illisible : {path.name}") from exc
    if not rows or any(column not in rows[0] for column in COLUMNS):
        raise NpnruError(f"Colonnes manquantes dans {path.name} : {', '.join(COLUMNS)} attendues")
    sites = {}
    for row in rows:
        site = SiteNpnru(
            code_qp=row["code_qp"].strip(),
            lib_qp=row["lib_qp"].strip(),
            code_qp_2015=row["code_qp_2015"].strip(),
            site=row["site_npnru"].strip(),
            interet=row["interet"].strip(),
            source=row["source"].strip(),
            date_source=row["date_source"].strip(),
        )
        sites[site.code_qp] = site
    return sites


@cache
def npnru_sites() -> dict[str, SiteNpnru]:
    """The committed list, read once per process (empty when it cannot be read: no NPNRU answer then)."""
    try:
        return read_npnru()
    except NpnruError:
        return {}


def npnru_fact(code_qp: str | None) -> str | None:
    """« Le Mont-Liébaut à Béthune, intérêt régional — source : … » for a portrait header; None if not NPNRU."""
    site = npnru_sites().get(code_qp or "")
    if site is None:
        return None
    return f"{site.libelle} — source : {site.source}"


def remarque_regle_b(code_qp: str | None, distance_m: int | None) -> str:
    """What rule (b) could mean for an ensemble around a point 300 to 500 m from an NPNRU quartier ("" if none)."""
    site = npnru_sites().get(code_qp or "")
    if site is None or distance_m is None:
        return ""
    return (
        f"À {distance_m} m de {site.lib_qp} ({site.code_qp}), quartier en renouvellement urbain (NPNRU, "
        f"« {site.site} ») : un ensemble immobilier situé en partie à moins de 300 m et entièrement à moins de "
        "500 m de ce quartier peut relever du taux réduit de TVA (CGI art. 278 sexies) ; testez le programme "
        "entier dans « Tester un programme ». Réponse indicative."
    )
