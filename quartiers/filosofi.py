"""Insee Filosofi 2021 per commune (geodata/filosofi2021_communes_62.csv): parsed once, at the edge.

The file is Insee's communal file for the 62, unchanged: `;`-separated, decimal comma, UTF-8; a cell
`s` is statistical secrecy. Only two fields are used: MED21 (median disposable income per consumption
unit, euros per year) and TP6021 (poverty rate at 60 % of the median, %). These are the commune's
figures, never the quartier's. Communes are matched on their exact INSEE code (CODGEO), never on names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from quartiers import settings

COLUMNS = ("CODGEO", "MED21", "TP6021")
SECRET = "s"


class FilosofiError(ValueError):
    """The Filosofi file cannot be used; the French message names the file."""


@dataclass(frozen=True)
class Valeur:
    """One published figure, or Insee's statistical secrecy (valeur None, secret True)."""

    valeur: float | None
    secret: bool = False


@dataclass(frozen=True)
class CommuneFilosofi:
    """Filosofi 2021 for one commune: median income (€/year per consumption unit) and poverty rate (%)."""

    code: str
    mediane: Valeur
    taux_pauvrete: Valeur


def _value(raw: str, fichier: str, code: str, column: str) -> Valeur:
    raw = raw.strip()
    if raw == SECRET:
        return Valeur(None, secret=True)
    try:
        return Valeur(float(raw.replace(",", ".")))
    except ValueError:
        raise FilosofiError(
            f"{fichier} — commune {code}, colonne {column} : valeur illisible « {raw[:20]} » (nombre ou « s » attendu)"
        ) from None


def load_filosofi(path: Path | None = None) -> tuple[dict[str, CommuneFilosofi], list[str]]:
    """Communes keyed by INSEE code, and French messages for the rows set aside.

    Raises FilosofiError (French, naming the file) when the file is missing, unreadable or lacks a column.
    """
    path = path or settings.FILOSOFI_FILE
    fichier = f"geodata/{path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FilosofiError(
            f"Fichier {fichier} introuvable : les chiffres Insee des communes ne sont pas affichés."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FilosofiError(
            f"Fichier {fichier} illisible ({exc.__class__.__name__}) : chiffres Insee non affichés."
        ) from None
    reader = csv.DictReader(text.splitlines(), delimiter=";")
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise FilosofiError(
            f"Fichier {fichier} : colonne(s) {', '.join(missing)} absente(s) ; les chiffres Insee des communes ne sont pas affichés."
        )
    communes: dict[str, CommuneFilosofi] = {}
    problems: list[str] = []
    for row in reader:
        code = (row.get("CODGEO") or "").strip()
        try:
            communes[code] = CommuneFilosofi(
                code=code,
                mediane=_value(row.get("MED21") or "", fichier, code, "MED21"),
                taux_pauvrete=_value(row.get("TP6021") or "", fichier, code, "TP6021"),
            )
        except FilosofiError as exc:
            problems.append(str(exc))
    return communes, problems


@dataclass(frozen=True)
class ReferenceCommune:
    """The Filosofi figures of one commune of a quartier, or why they are missing (`probleme`)."""

    code: str
    nom: str
    donnees: CommuneFilosofi | None
    probleme: str | None = None


def commune_references(
    codes: tuple[str, ...], noms: tuple[str, ...], communes: dict[str, CommuneFilosofi], fichier: str
) -> list[ReferenceCommune]:
    """One reference per commune of a quartier, matched on the exact INSEE code.

    `noms` are the commune names in the same order as `codes` (ANCT layer); a code absent from the
    file gives a reference with a French `probleme` naming the file.
    """
    references = []
    for index, code in enumerate(codes):
        nom = noms[index] if index < len(noms) else code
        donnees = communes.get(code)
        probleme = (
            None
            if donnees
            else f"commune {nom} ({code}) absente du fichier {fichier} : pas de chiffre Insee pour elle."
        )
        references.append(ReferenceCommune(code=code, nom=nom, donnees=donnees, probleme=probleme))
    return references
