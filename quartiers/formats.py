"""French formatting of numbers, quantities and source citations: pure functions."""

from __future__ import annotations

from quartiers.portraits import Document

_UNITS = {"%": " %", "habitants": " hab.", "ha": " ha", "€": " €", "indice": "", "": ""}


def fmt_number(value: float) -> str:
    """French number: 46,1 — 2 700 — 77,9."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",")


def fmt_quantity(value: float | None, unite: str) -> str:
    """46,1 % — 2 700 hab. — 85 (an index has no unit); empty when there is no value."""
    if value is None:
        return ""
    return fmt_number(value) + _UNITS.get(unite, f" {unite}")


def source_line(documents: dict[str, Document], document: str, section: str, millesime: str | None = None) -> str:
    """« Source : document 002 — <titre>, section « … » — <millésime> »."""
    known = documents.get(document)
    label = f"document {document} — {known.titre}" if known else f"document {document}"
    parts = [f"Source : {label}, section « {section} »"]
    if millesime:
        parts.append(millesime)
    return " — ".join(parts)
