"""Locating a whole CSV file of points: reading French spreadsheets' CSV, adding the QPV columns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quartiers.zones import Locator, wgs84_to_lambert93

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
LAT_NAMES = ("latitude", "lat", "y_wgs84")
LON_NAMES = ("longitude", "lon", "lng", "long", "x_wgs84")
OUTPUT_COLUMNS = ("code_qp", "nom_qp", "dans_qpv", "dans_bande_300m", "distance_limite_m", "statut")


class BatchError(ValueError):
    """A file that cannot be processed at all; the message is French."""


@dataclass(frozen=True)
class CsvTable:
    """A decoded CSV table, with how it was read."""

    frame: pd.DataFrame
    separator: str
    encoding: str


def read_csv(content: bytes, name: str = "fichier") -> CsvTable:
    """Decode a CSV upload: UTF-8 with or without BOM, else Windows-1252/Latin-1; `;` or `,`."""
    if not content.strip():
        raise BatchError(f"Le fichier {name} est vide.")
    if len(content) > MAX_BYTES:
        raise BatchError(f"Le fichier {name} dépasse la taille maximale de {_size_text(MAX_BYTES)}.")
    if b"\x00" in content[:4096]:
        raise BatchError(f"Le fichier {name} n'est pas un fichier texte CSV (fichier binaire ou tableur ?).")
    try:
        text, encoding = content.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        text, encoding = content.decode("cp1252", errors="replace"), "Latin-1 (Windows-1252)"
    first_line = text.splitlines()[0] if text.splitlines() else ""
    separator = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise BatchError(f"Le fichier {name} n'est pas un CSV lisible : {exc}") from exc
    if frame.empty:
        raise BatchError(f"Le fichier {name} ne contient aucune ligne de données.")
    if len(frame) > MAX_ROWS:
        rows = f"{MAX_ROWS:,}".replace(",", " ")
        raise BatchError(f"Le fichier {name} dépasse {rows} lignes.")
    return CsvTable(frame=frame, separator=separator, encoding=encoding)


def _size_text(size: int) -> str:
    """A byte count in French units: "20 Mo", "512 Ko", "100 octets"."""
    for unit, factor in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g}".replace(".", ",") + f" {unit}"
    return f"{size} octets"


def find_coordinate_columns(frame: pd.DataFrame) -> tuple[str, str]:
    """The latitude and longitude column names, matched case-insensitively."""
    lowered = {column.strip().lower(): column for column in frame.columns}
    lat = next((lowered[n] for n in LAT_NAMES if n in lowered), None)
    lon = next((lowered[n] for n in LON_NAMES if n in lowered), None)
    if lat is None or lon is None:
        raise BatchError(
            "Colonnes de coordonnées introuvables : le fichier doit avoir une colonne « latitude » et une "
            f"colonne « longitude » (colonnes lues : {', '.join(map(str, frame.columns))})."
        )
    return lat, lon


def parse_degrees(values: pd.Series, low: float, high: float) -> np.ndarray:
    """Numbers with a decimal point or comma; missing, non-numeric or out-of-range values become NaN."""
    numbers = pd.to_numeric(values.astype(str).str.strip().str.replace(",", ".", regex=False), errors="coerce")
    numbers = numbers.to_numpy(dtype=float, na_value=np.nan, copy=True)  # writable (pandas 3 copy-on-write)
    numbers[(numbers < low) | (numbers > high)] = np.nan
    return numbers


def locate_frame(frame: pd.DataFrame, locator: Locator) -> pd.DataFrame:
    """A copy of `frame` with the QPV columns added, one answer per row."""
    lat_column, lon_column = find_coordinate_columns(frame)
    lat = parse_degrees(frame[lat_column], -90, 90)
    lon = parse_degrees(frame[lon_column], -180, 180)
    x, y = wgs84_to_lambert93(lon, lat)
    locations = locator.locate_many(x, y)
    result = frame.copy()
    # Outside the territory the nearest QPV would read as the point's own: leave the columns empty.
    # Elsewhere code_qp is the QPV the point is in, or the nearest one (with the distance to its limit).
    answered = [loc.statut not in ("invalide", "hors_territoire") for loc in locations]
    result["code_qp"] = [loc.code_qp if ok else "" for loc, ok in zip(locations, answered, strict=True)]
    result["nom_qp"] = [loc.nom_qp if ok else "" for loc, ok in zip(locations, answered, strict=True)]
    result["dans_qpv"] = [_yes_no(loc.dans_qpv, loc) for loc in locations]
    result["dans_bande_300m"] = [_yes_no(loc.dans_bande_300m, loc) for loc in locations]
    result["distance_limite_m"] = [
        str(loc.distance_limite_m) if ok else "" for loc, ok in zip(locations, answered, strict=True)
    ]
    result["statut"] = [loc.statut for loc in locations]
    return result


def _yes_no(flag: bool, loc) -> str:
    if loc.statut == "invalide":
        return ""
    return "oui" if flag else "non"


def to_csv_bytes(frame: pd.DataFrame, separator: str) -> bytes:
    """CSV bytes in UTF-8 with BOM, so that spreadsheets open accents correctly."""
    return frame.to_csv(index=False, sep=separator).encode("utf-8-sig")
