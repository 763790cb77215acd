"""French formatting of numbers, quantities and source citations: pure functions."""

from __future__ import annotations

from quartiers import settings
from quartiers.portraits import ANCT, Document, Indicateur

_UNITS = {"%": " %", "habitants": " hab.", "ha": " ha", "€": " €", "indice": "", "": ""}


AREA_DECIMALS = 2  # hectares to 0.01 ha (100 m²), as the perimeter figures are rounded
SHARE_DECIMALS = 1  # shares to 0.1 %


def fmt_number(value: float, decimals: int | None = None) -> str:
    """French number: 46,1 — 2 700 — 77,9; with `decimals`, exactly that many (62,00 — 1 286,44)."""
    if decimals is None:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def fmt_degrees(value: float) -> str:
    """A coordinate in degrees to 6 decimals (about 10 cm), French decimal comma: « 50,518000 »."""
    return f"{value:.6f}".replace(".", ",")


def fmt_ha(value: float) -> str:
    """An area in hectares, always to 0,01 ha, so that a column of areas reads alike: « 62,00 ha », « 286,44 ha »."""
    return f"{fmt_number(value, AREA_DECIMALS)} ha"


def fmt_share(value: float) -> str:
    """A share in per cent, always to 0,1 %: « 100,0 % », « 62,5 % »."""
    return f"{fmt_number(value, SHARE_DECIMALS)} %"


def fmt_quantity(value: float | None, unite: str) -> str:
    """46,1 % — 2 700 hab. — 85 (an index has no unit); empty when there is no value."""
    if value is None:
        return ""
    return fmt_number(value) + _UNITS.get(unite, f" {unite}")


QUALIFIERS = ("environ", "mini", "maxi")


def qualifier(indicateur: Indicateur) -> str | None:
    """The word the source puts just before the figure (« environ 2 600 », « maxi de 70,5 % »), if any."""
    text = " ".join(indicateur.texte.replace("\u00a0", " ").split())
    number = fmt_number(indicateur.valeur)
    position = text.find(number)
    if position < 0:
        position = text.replace(" ", "").find(number.replace(" ", ""))
        text = text.replace(" ", "")
    if position < 0:
        return None
    before = text[max(0, position - 16) : position].lower()
    return next((word for word in QUALIFIERS if word in before), None)


def fmt_value(indicateur: Indicateur) -> str:
    """The figure with what the source says of it: « environ 2 600 hab. », « maxi : 70,5 % », « +56 % »."""
    text = fmt_quantity(indicateur.valeur, indicateur.unite)
    if indicateur.variation and indicateur.valeur > 0:
        text = "+" + text
    word = qualifier(indicateur)
    if word == "environ":
        text = f"environ {text}"
    elif word:
        text = f"{word} : {text}"
    return text


def fmt_reference(indicateur: Indicateur) -> str:
    """« 18,8 % (ensemble de l'agglomération) », « +29 % (dans la CALL) »; empty without a reference."""
    if indicateur.reference is None:
        return ""
    text = fmt_quantity(indicateur.reference, indicateur.unite)
    if indicateur.variation and indicateur.reference > 0:
        text = "+" + text
    return text + (f" ({indicateur.reference_libelle})" if indicateur.reference_libelle else "")


def document_title(documents: dict[str, Document], document: str) -> str | None:
    """The title of a source document, the ANCT list included; None when unknown."""
    if document == ANCT:
        return settings.ANCT_LISTE_TITRE
    known = documents.get(document)
    return known.titre if known else None


def data_source(documents: dict[str, Document], source: str) -> str:
    """Who produced a figure, readable: « document 004 » (a figure the document gives without naming its
    producer) becomes « document 004 (<its title>) »; any other name is kept as written."""
    code = source.removeprefix("document ").strip()
    titre = document_title(documents, code) if source.startswith("document ") else None
    return f"{source} ({titre})" if titre else source


def source_line(documents: dict[str, Document], document: str, section: str, millesime: str | None = None) -> str:
    """« Source : document 002 — <titre>, section « … » — <millésime> »."""
    titre = document_title(documents, document)
    if document == ANCT:
        parts = [f"Source : {titre}, ligne « {section} »"]
    else:
        label = f"document {document} — {titre}" if titre else f"document {document}"
        parts = [f"Source : {label}, section « {section} »"]
    if millesime:
        parts.append(millesime)
    return " — ".join(parts)
