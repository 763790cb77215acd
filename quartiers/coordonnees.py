"""Coordinates typed or pasted by a person (degrees WGS84, EPSG:4326): read once, with a French reason when refused.

One number per box (« 50.518 », « 50,518 ») or a pair pasted in one box, as map sites copy it: « 50.518, 2.629 »,
« 50,518 2,629 », « 50.518;2.629 », « (50.518, 2.629) ». Pure functions: no Streamlit, no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

LAT_RANGE = (-90.0, 90.0)
LON_RANGE = (-180.0, 180.0)
NOT_NUMBERS = "Coordonnées invalides : saisissez deux nombres, par exemple 50.518 et 2.629."
PAIR_AND_OTHER = (
    "Coordonnées invalides : la case {case} contient déjà deux nombres (latitude et longitude) et l'autre case "
    "en contient un autre. Videz l'autre case, ou saisissez un seul nombre par case."
)
# One number in degrees: a decimal point or comma, an optional sign (the typographic minus too), no exponent.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})


MAX_ENTRY_CHARS = 60  # a pair of coordinates in degrees, with spaces, is far shorter
TOO_LONG = f"Coordonnées invalides : saisie trop longue ({MAX_ENTRY_CHARS} caractères au plus par case)."


class CoordinateError(ValueError):
    """Coordinates that cannot be used; the message is the French sentence shown to the person."""


@dataclass(frozen=True)
class Entry:
    """A point read from the form: latitude and longitude in degrees WGS84, `paire` when both came from one box."""

    lat: float
    lon: float
    paire: bool = False

    def lu(self) -> str:
        """« Coordonnées lues : latitude 50,518, longitude 2,629. » (decimal comma: read, not typed)."""
        return f"Coordonnées lues : latitude {_plain(self.lat)}, longitude {_plain(self.lon)}."


def _plain(value: float) -> str:
    """50,518 (French decimal comma, at most 6 decimals: about 10 cm)."""
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def _clean(text: str) -> str:
    return text.translate(_MINUS).replace("°", "").strip()


def number(text: str | None) -> float | None:
    """One finite number with a decimal point or comma (« 50.518 », « 50,518 », « −0,5 »); None otherwise."""
    if text is None:
        return None
    cleaned = _clean(str(text))
    if not _NUMBER.fullmatch(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def parse_degrees(raw: str | None, low: float, high: float) -> float | None:
    """A number in degrees within [low, high] (a link's lat or lon); None otherwise."""
    value = number(raw)
    return value if value is not None and low <= value <= high else None


def split_pair(text: str | None) -> tuple[str, str] | None:
    """The two numbers of a pasted pair, as typed (« 50.518, 2.629 » → ("50.518", "2.629")); None if not a pair.

    Separators: a semicolon, white space (with or without a comma before it), or a comma when the numbers use a
    decimal point (« 50.518,2.629 ») or when both use a decimal comma (« 50,518,2,629 »). Three numbers, one
    number, or text are not a pair.
    """
    if text is None:
        return None
    cleaned = _clean(str(text))
    if cleaned[:1] in "([" and cleaned[-1:] in ")]":
        cleaned = cleaned[1:-1].strip()
    if ";" in cleaned:
        parts = [part.strip() for part in cleaned.split(";")]
    elif len(cleaned.split()) > 1:
        parts = [part.strip(",") for part in cleaned.split() if part.strip(",")]
    elif cleaned.count(",") == 1 and "." in cleaned:
        parts = cleaned.split(",")
    elif cleaned.count(",") == 3 and "." not in cleaned:
        groups = cleaned.split(",")
        parts = [f"{groups[0]},{groups[1]}", f"{groups[2]},{groups[3]}"]
    else:
        return None
    if len(parts) != 2 or not all(number(part) is not None for part in parts):
        return None
    return parts[0], parts[1]


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 30 else text[:30] + "…"


def read_entry(lat_text: str | None, lon_text: str | None) -> Entry:
    """The point typed in the form's two boxes; raises CoordinateError with the French reason.

    A pair pasted in one box is split when the other box is empty or holds the same pair.
    Ranges: latitude in [-90, 90], longitude in [-180, 180] (degrees WGS84).
    """
    lat_raw, lon_raw = (str(text or "").strip() for text in (lat_text, lon_text))
    if len(lat_raw) > MAX_ENTRY_CHARS or len(lon_raw) > MAX_ENTRY_CHARS:  # a client may pass the field's max_chars
        raise CoordinateError(TOO_LONG)
    lat_pair, lon_pair = split_pair(lat_raw), split_pair(lon_raw)
    paire = lat_pair is not None or lon_pair is not None
    if lat_pair is not None:
        if lon_raw and lon_pair != lat_pair:
            raise CoordinateError(PAIR_AND_OTHER.format(case="Latitude"))
        lat_raw, lon_raw = lat_pair
    elif lon_pair is not None:
        if lat_raw:
            raise CoordinateError(PAIR_AND_OTHER.format(case="Longitude"))
        lat_raw, lon_raw = lon_pair
    lat, lon = number(lat_raw), number(lon_raw)
    if lat is None or lon is None:
        raise CoordinateError(NOT_NUMBERS)
    problems = []
    if not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        problems.append(f"latitude entre -90 et 90 attendue, « {_shown(lat_raw)} » saisi")
    if not LON_RANGE[0] <= lon <= LON_RANGE[1]:
        problems.append(f"longitude entre -180 et 180 attendue, « {_shown(lon_raw)} » saisi")
    if problems:
        raise CoordinateError(
            "Coordonnées invalides : " + " ; ".join(problems) + " (degrés WGS84, par exemple 50.518 et 2.629)."
        )
    return Entry(lat, lon, paire)
