"""Faithfulness to the sources: is a portrait's text found word for word in the document it cites?

The comparison allows only the clean-up of portraits/README.md: markdown emphasis, footnote calls,
bullets, table pipes and HTML tags left by the PDF conversion, superscripts, and line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from quartiers import settings
from quartiers.portraits import Cadre, Indicateur, Portrait, load_documents

_TAGS = re.compile(r"<[^>]+>")
_SUPERSCRIPT = re.compile(r"\^\{([^}]*)\}")
_BULLET_AT_LINE_START = re.compile(r"(?m)^\s*[-•▪]\s+")


def clean(text: str, tag_replacement: str = " ") -> str:
    """Text after the allowed clean-up, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _TAGS.sub(tag_replacement, text)
    text = _SUPERSCRIPT.sub(r"\1", text)
    text = _BULLET_AT_LINE_START.sub("", text)
    text = text.replace("**", "").replace("*", "")
    text = re.sub(r"[¹²³]", "", text)
    text = re.sub(r"[•▪|]", " ", text)
    return " ".join(text.split())


def load_sources(directory: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Each document's cleaned text, in two readings: HTML tags as spaces (table cells) or as nothing (inline)."""
    directory = directory or settings.SOURCES_DIR
    sources = {}
    for code, document in load_documents().items():
        raw = (directory / document.fichier).read_text(encoding="utf-8")
        sources[code] = (clean(raw, " "), clean(raw, ""))
    return sources


def is_verbatim(text: str, readings: tuple[str, ...]) -> bool:
    cleaned = clean(text)
    return any(cleaned in reading for reading in readings)


def indicator_texts(indicateurs: tuple[Indicateur, ...], field: str) -> list[tuple[str, str, str]]:
    """(field, text, document) for each figure's sentence and, for a quoted table row, its headers and cells.

    Headers and cells are each checked end to end, as a row of the document (an empty cell adds nothing).
    """
    items = []
    for i in indicateurs:
        items.append((f"{field}.texte", i.texte, i.source.document))
        if i.tableau is not None:
            items.append((f"{field}.tableau.colonnes", " ".join(i.tableau.colonnes), i.source.document))
            items.append((f"{field}.tableau.cellules", " ".join(i.tableau.cellules), i.source.document))
    return items


def cadre_texts(cadre: Cadre) -> list[tuple[str, str, str]]:
    """(field, text, document) for the reference figures of an intercommunal frame."""
    return indicator_texts(cadre.references, "references")


def portrait_texts(portrait: Portrait) -> list[tuple[str, str, str]]:
    """(field, text, document) for every text that must be verbatim.

    Objective and ambition labels are left out: some are table cells cut by a page break and
    reassembled (each such case is stated in the file's note).
    """
    items = indicator_texts(portrait.indicateurs, "indicateurs")
    for irritant in portrait.irritants:
        items.append(("irritants.titre", irritant.titre, irritant.source.document))
        items += [("irritants.detail", d, irritant.source.document) for d in irritant.detail]
    items += [("opportunites.texte", e.texte, e.source.document) for e in portrait.opportunites]
    items += [("enjeux_prioritaires.texte", e.texte, e.source.document) for e in portrait.enjeux_prioritaires]
    for objectif in portrait.objectifs:
        for op in objectif.operationnels:
            items.append(("objectifs.operationnels.texte", op.texte, objectif.source.document))
            items += [("objectifs.operationnels.items", i, objectif.source.document) for i in op.items]
    return items


def _unfaithful(fichier: str, items: list[tuple[str, str, str]], sources: dict[str, tuple[str, ...]]) -> list[str]:
    return [
        f"{fichier} — champ « {field} » : texte introuvable mot pour mot dans le document {document} : "
        f"« {text[:80]}{'…' if len(text) > 80 else ''} »"
        for field, text, document in items
        if not is_verbatim(text, sources.get(document, ()))
    ]


def unfaithful_texts(portrait: Portrait, sources: dict[str, tuple[str, ...]]) -> list[str]:
    """French messages for each text of a portrait not found word for word in its document."""
    return _unfaithful(portrait.fichier, portrait_texts(portrait), sources)


def unfaithful_cadre_texts(cadre: Cadre, sources: dict[str, tuple[str, ...]]) -> list[str]:
    """French messages for each reference figure of a frame (portraits/cadres/) not found word for word."""
    return _unfaithful(cadre.fichier, cadre_texts(cadre), sources)
