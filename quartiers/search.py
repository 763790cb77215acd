"""Search as people type: every name and code of a quartier, and the communes, without accents or case.

Pure Python (no Streamlit). Names come from the catalogue (convention name, ANCT name, official code, code
printed in the convention, communes) and from the commune layer (Etalab/IGN commune names).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from quartiers.catalogue import Quartier

# Letters NFKD does not decompose, and every apostrophe people or word processors type.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")

# Score of a match, best first: the whole name, the start of the name, the start of a word, anywhere.
EXACT, PREFIX, WORD, INSIDE = 4, 3, 2, 1
# A typo-tolerant suggestion needs this similarity (difflib's ratio, 0–1) between the query and some words of a
# name: "liebeau" → "liebaut" (0.86), "bethun" → "bethune" (0.92); "lens" and "liens" would match (0.89).
SUGGESTION_MIN_RATIO = 0.8
# A quartier found through one of its communes ranks below the commune itself and below its own names
# matched as well; only whole or starting commune names count ("lens" lists the quartiers of Lens).
COMMUNE_OF_QUARTIER_PENALTY = 15


def fold(text: str) -> str:
    """Lower case, accents and ligatures removed, apostrophes dropped, other punctuation as single spaces.

    "Nœux-les-Mines" → "noeux les mines"; "Le Haut D’Houdain" → "le haut dhoudain"; "3 Îlots" → "3 ilots".
    """
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().translate(_LIGATURES)
    text = _APOSTROPHES.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def _compact(folded: str) -> str:
    return folded.replace(" ", "")


def match_score(query: str, name: str) -> int:
    """How well a folded query matches a folded name: EXACT, PREFIX, WORD, INSIDE or 0.

    Spaces do not matter for the whole-name tests ("qp062057" finds "qp 06 20 57"); every word of a
    multi-word query must appear ("cite 12" finds "cite 12 14").
    """
    if not query or not name:
        return 0
    q, n = _compact(query), _compact(name)
    if q == n:
        return EXACT
    if n.startswith(q):
        return PREFIX
    words = query.split()
    name_words = name.split()
    if all(any(w.startswith(word) for w in name_words) for word in words):
        return WORD
    if q in n or all(word in name for word in words):
        return INSIDE
    return 0


@dataclass(frozen=True)
class Result:
    """One search result: a quartier (key = its id) or a commune (key = its name as in the commune layer)."""

    kind: str  # "quartier" or "commune"
    key: str
    label: str
    score: int
    matched: str  # the name or code that matched, as written in the source


@dataclass(frozen=True)
class _Entry:
    kind: str
    key: str
    label: str
    names: tuple[tuple[str, str, int], ...]  # (original, folded, penalty)
    order: int  # tie-break: own quartiers before neighbours, then alphabetical


def quartier_names(quartier: Quartier) -> list[str]:
    """Every name a quartier goes by: convention name, ANCT name, official code, code cited in the convention."""
    names = [quartier.nom]
    if quartier.nom_officiel:
        names.append(quartier.nom_officiel)
    if quartier.code_qp:
        names.append(quartier.code_qp)
    if quartier.portrait and quartier.portrait.code_cite:
        names.append(quartier.portrait.code_cite)
    if quartier.statut == "QIC" and quartier.id != fold(quartier.nom):
        names.append(quartier.id)
    return names


MAX_QUERY_CHARS = 100  # a quartier or commune name is far shorter; longer text is not searched at all


def too_long(query: str) -> bool:
    """A query over MAX_QUERY_CHARS: refused before any matching (each character costs on every name)."""
    return len(query) > MAX_QUERY_CHARS


TOO_LONG_TEXT = (
    f"Recherche trop longue : {MAX_QUERY_CHARS} caractères au plus. Tapez une partie du nom (« liebaut »), "
    "un code (QN06208M) ou une commune."
)


class SearchIndex:
    """The quartiers of a catalogue and a list of commune names, folded once, searched many times."""

    def __init__(self, catalogue: dict[str, Quartier], communes: list[str] | tuple[str, ...] = ()):
        entries = []
        ordered = sorted(catalogue.values(), key=lambda q: (q.voisin, fold(q.nom)))
        for order, quartier in enumerate(ordered):
            names = [(name, fold(name), 0) for name in quartier_names(quartier)]
            names += [(c, fold(c), COMMUNE_OF_QUARTIER_PENALTY) for c in quartier.communes]
            entries.append(_Entry("quartier", quartier.id, quartier_label(quartier), tuple(names), order))
        for order, nom in enumerate(sorted(set(communes), key=fold)):
            entries.append(_Entry("commune", nom, f"Commune : {nom}", ((nom, fold(nom), 0),), order))
        self._entries = entries
        self._communes = {fold(nom): nom for nom in communes}
        self._catalogue = catalogue

    def search(self, query: str, limit: int | None = None) -> list[Result]:
        """Results best first; a commune before the quartiers found only through that commune (none if too long)."""
        if too_long(query):
            return []
        folded = fold(query)
        if not folded:
            return []
        found = []
        for entry in self._entries:
            best, matched = 0, ""
            for original, name, penalty in entry.names:
                base = match_score(folded, name)
                if penalty and base < PREFIX:
                    continue
                score = base * 10 - penalty
                if score > best:
                    best, matched = score, original
            if best > 0:
                found.append((entry, best, matched))
        found.sort(key=lambda f: (-f[1], f[0].kind == "quartier", f[0].order))
        results = [Result(e.kind, e.key, e.label, score, matched) for e, score, matched in found]
        return results[:limit] if limit else results

    def suggest(self, query: str, limit: int = 3) -> list[Result]:
        """When `search` finds nothing: the names closest to the query despite a typo, best first.

        Each name is compared, word group by word group of the query's length, with difflib's similarity
        ratio (standard library); only groups at SUGGESTION_MIN_RATIO or above count. Score = ratio × 100.
        """
        if too_long(query):
            return []
        folded = fold(query)
        size = len(folded.split())
        if len(_compact(folded)) < 4:  # "lns" is too short to guess from
            return []
        found = []
        for entry in self._entries:
            best, matched = 0.0, ""
            for original, name, penalty in entry.names:
                if penalty:  # a quartier's commune: the commune itself is suggested instead
                    continue
                words = name.split()
                for start in range(max(1, len(words) - size + 1)):
                    group = " ".join(words[start : start + size])
                    ratio = difflib.SequenceMatcher(None, folded, group).ratio()
                    if ratio > best:
                        best, matched = ratio, original
            if best >= SUGGESTION_MIN_RATIO:
                found.append((entry, best, matched))
        found.sort(key=lambda f: (-f[1], f[0].kind == "quartier", f[0].order))
        return [Result(e.kind, e.key, e.label, round(r * 100), matched) for e, r, matched in found[:limit]]

    def commune(self, name: str) -> str | None:
        """The commune layer's spelling of a commune typed or linked any way ("bethune" → "Béthune")."""
        return self._communes.get(fold(name))

    def quartiers_of(self, commune: str) -> list[Quartier]:
        """The quartiers that lie (at least partly) in a commune, own quartiers first, then by name."""
        key = fold(commune)
        found = [q for q in self._catalogue.values() if any(fold(c) == key for c in q.communes)]
        return sorted(found, key=lambda q: (q.voisin, fold(q.nom)))


def quartier_label(quartier: Quartier) -> str:
    """ "Mont Liébaut (QN06208M) — Béthune", with " — QPV voisin" or " — QIC (pas un QPV)" when it is one."""
    suffix = " — QPV voisin" if quartier.voisin else (" — QIC (pas un QPV)" if quartier.statut == "QIC" else "")
    return f"{quartier.label}{suffix}"
