"""Locating a whole CSV file of points: reading CSV files as people export them, adding the QPV columns.

Accepted: UTF-8 with or without BOM, UTF-16 ("Texte Unicode" of Excel), Windows-1252 / Latin-1; separator
`;`, `,` or tab (from Excel's `sep=` first line, else from the header line); decimal comma or point;
trailing separators. Coordinates are WGS84 degrees (latitude / longitude) or Lambert-93 metres (x / y,
EPSG:2154). A row that cannot be read is `invalide` with a French reason in the `motif` column; the other
rows go on. Every CSV written back is neutralised against formula injection (OWASP).

Nothing is altered or lost without a word (each case is a hint of the result, so never a plain success):
- a file mostly UTF-8 with some lines that are not is read line by line, those lines as Windows-1252, and
  their numbers are given;
- a column without a name is named « colonne N » (N its position); columns of the same name are kept as they
  are (only the page's preview numbers them);
- the user's columns are all kept: an added column whose name is already in the file (ignoring case) takes the
  suffix `_2` (or `_3`, the first free): `statut_2`, `motif_2`...;
- a quote that swallows the following lines, and a cell over MAX_CELL_CHARS characters, make their row
  `invalide` with the line number.
Bounds: MAX_BYTES, MAX_ROWS, MAX_COLUMNS and MAX_CELLS (rows × columns) are refused in French before the work.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from quartiers.answers import count_text, nearest_remark
from quartiers.npnru import remarque_regle_b
from quartiers.zones import Location, Locator, wgs84_to_lambert93

MAX_MEGABYTES = 20  # also server.maxUploadSize in .streamlit/config.toml: refused before the upload is read
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_CELLS = 3_000_000  # rows × columns: 200 000 rows of 15 columns, about 6 s and 500 MB in the worker process
MAX_CELL_CHARS = 131_072  # the csv module's field_size_limit, which reports a longer cell
LISTED_LINES = 10  # line numbers named in a hint, then « … »
LAT_NAMES = ("latitude", "lat", "y_wgs84")
LON_NAMES = ("longitude", "lon", "lng", "long", "x_wgs84")
X_NAMES = ("x_lambert93", "x_l93", "x_2154", "x")
Y_NAMES = ("y_lambert93", "y_l93", "y_2154", "y")
OUTPUT_COLUMNS = (
    "code_qp",
    "nom_qp",
    "dans_qpv",
    "dans_bande_300m",
    "distance_limite_m",
    "statut",
    "remarque",
    "motif",
    "remarque_npnru",  # last: the columns before it keep their place
)
STATUTS = ("dans", "bande", "limite", "hors", "invalide")
SEPARATORS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
# Metropolitan France, generous (degrees) and the Lambert-93 domain (metres).
FRANCE_LAT, FRANCE_LON = (41.0, 51.6), (-5.6, 10.0)
L93_X, L93_Y = (-400_000.0, 1_800_000.0), (5_900_000.0, 7_300_000.0)

# A cell a spreadsheet may read as a formula: = + - @ (or their full-width forms, which some applications fold
# to them), possibly after spaces or line breaks, or a cell starting with a tab, CR or LF (OWASP CSV injection).
_FORMULA_START = re.compile(r"^(?:[\s\u00a0\u202f\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_LINE_END = re.compile(r"\r\n|\r|\n")  # as the csv module counts lines


class BatchError(ValueError):
    """A file that cannot be processed at all; the message is French."""


@dataclass(frozen=True)
class CsvTable:
    """A decoded CSV table (every cell text), with how it was read and the rows that could not be."""

    frame: pd.DataFrame
    separator: str
    encoding: str
    row_problems: dict[int, str] = field(default_factory=dict)  # frame position -> French reason
    notes: tuple[str, ...] = ()  # French remarks on the whole file (encoding, column names, quotes...)

    @property
    def separator_name(self) -> str:
        return SEPARATORS.get(self.separator, self.separator)


@dataclass(frozen=True)
class BatchResult:
    """The located table and what a person should be told about it."""

    frame: pd.DataFrame
    counts: dict[str, int]  # rows per statut, every statut present (0 when none)
    hints: tuple[str, ...]  # French remarks about the whole file (swapped columns...)

    @property
    def located(self) -> int:
        return sum(n for statut, n in self.counts.items() if statut != "invalide")

    @property
    def level(self) -> str:
        """error: nothing located; warning: invalid rows or hints; success otherwise."""
        if self.located == 0:
            return "error"
        if self.counts.get("invalide") or self.hints:
            return "warning"
        return "success"

    def summary(self) -> str:
        """French summary counting each status, saying how many rows were invalid."""
        total = len(self.frame)
        parts = ", ".join(f"{statut} : {_count(self.counts.get(statut, 0))}" for statut in STATUTS)
        text = f"{count_text(total, 'ligne traitée', 'lignes traitées')} — {parts}."
        invalid = self.counts.get("invalide", 0)
        if self.located == 0:
            text += " Aucun point n'a pu être situé : voir la colonne « motif »."
        elif invalid:
            lines = count_text(invalid, "ligne invalide", "lignes invalides")
            text += f" {lines} : la raison est dans la colonne « motif »."
        return " ".join((text, *self.hints))


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """The text of an upload, its encoding label and the lines (1-based) not in the encoding of the rest."""

    text: str
    encoding: str
    legacy_lines: tuple[int, ...] = ()  # lines read as Windows-1252 in a file otherwise UTF-8


def decode(content: bytes, name: str = "fichier") -> Decoded:
    """Decode a CSV upload: UTF-16 (BOM or NUL pattern), UTF-8 (± BOM), else CP1252/Latin-1.

    A file in UTF-8 except some lines (two exports pasted together) is decoded line by line: UTF-8 lines as
    UTF-8, the others as Windows-1252, and those lines are named (`legacy_lines`).
    """
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(content.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError as exc:
            raise BatchError(f"Le fichier {name} annonce de l'UTF-16 mais ne peut pas être décodé.") from exc
    head = content[:4096]
    if head and head.count(b"\x00") >= len(head) // 3:
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return Decoded(content.decode(codec), "UTF-16")
        except UnicodeDecodeError as exc:
            raise BatchError(
                f"Le fichier {name} n'est pas un fichier texte CSV (fichier binaire ou tableur ?)."
            ) from exc
    try:
        return Decoded(content.decode("utf-8-sig"), "UTF-8")
    except UnicodeDecodeError:
        pass
    if content.decode("utf-8", errors="ignore").isascii():  # no UTF-8 accent at all: one legacy encoding
        try:
            return Decoded(content.decode("cp1252"), "Windows-1252")
        except UnicodeDecodeError:
            return Decoded(content.decode("latin-1"), "Latin-1")
    lines = content.count(b"\n") + content.count(b"\r") - content.count(b"\r\n")
    if lines > 2 * MAX_ROWS:  # bounds the line-by-line work (blank lines allowed)
        raise BatchError(
            f"Le fichier {name} mélange deux encodages (UTF-8 et Windows-1252) et a trop de lignes pour être lu ligne "
            "par ligne : enregistrez-le en UTF-8 (CSV UTF-8 dans le tableur) puis renvoyez-le."
        )
    parts = re.split(rb"(\r\n|\r|\n)", content)  # lines, each followed by its end, as the csv module counts
    texts: list[str] = []
    legacy: list[int] = []
    for index, line in enumerate(parts):
        if index % 2:
            texts.append(line.decode("ascii"))
            continue
        try:
            texts.append(line.decode("utf-8-sig" if index == 0 else "utf-8"))
        except UnicodeDecodeError:
            texts.append(_legacy(line))
            legacy.append(index // 2 + 1)
    return Decoded("".join(texts), "UTF-8 et Windows-1252", tuple(legacy))


def _legacy(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _lines_phrase(numbers: list[int] | tuple[int, ...]) -> str:
    """« la ligne 3 », « les lignes 3, 5 et 8 »."""
    return ("la ligne " if len(numbers) == 1 else "les lignes ") + _lines_text(numbers)


def _lines_text(numbers: list[int] | tuple[int, ...]) -> str:
    """« 3, 5 et 8 », at most LISTED_LINES numbers then « … (N en tout) »."""
    shown = [str(n) for n in numbers[:LISTED_LINES]]
    if len(numbers) > LISTED_LINES:
        return ", ".join(shown) + f"… ({_count(len(numbers))} en tout)"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " et " + shown[-1]


def _first_line(text: str) -> tuple[str, str]:
    """The first line and the text after it; lines end with CRLF, LF or CR alone (old Mac exports)."""
    end = _LINE_END.search(text)
    return (text, "") if end is None else (text[: end.start()], text[end.end() :])


def _header_separator(line: str) -> str:
    """The separator of a header line: the most frequent of `;`, tab, `,` (ties: `;` then tab then `,`)."""
    counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def read_csv(content: bytes, name: str = "fichier") -> CsvTable:
    """Decode and split a CSV upload into a table of text cells; raise BatchError (French) when impossible.

    Ragged rows never shift columns: trailing empty fields are dropped, a row with more non-empty fields than
    the header is kept and reported in `row_problems` (it becomes `invalide`), a short row is padded. A row whose
    quote swallows the following lines, or with a cell over MAX_CELL_CHARS, is `invalide` too, with its line.
    """
    if len(content) > MAX_BYTES:
        raise BatchError(f"Le fichier {name} dépasse la taille maximale de {MAX_MEGABYTES} Mo.")
    if not content.strip():
        raise BatchError(f"Le fichier {name} est vide.")
    decoded = decode(content, name)
    text = decoded.text
    nul = text.find("\x00")
    if nul >= 0:
        raise BatchError(
            f"Le fichier {name} contient un caractère nul (ligne {text.count(chr(10), 0, nul) + 1}) : ce n'est pas "
            "un fichier texte CSV (fichier binaire ou tableur ?)."
        )
    text = text.lstrip("\ufeff")
    first_line, rest = _first_line(text)
    match = re.fullmatch(r'"?sep=(.)"?[;,\t]*', first_line.strip(" "), flags=re.IGNORECASE)
    skipped = 0  # lines before the header, for line numbers as in the file
    if match:  # Excel's "sep=;" line names the separator
        separator = match.group(1)
        text = rest
        skipped = 1
    else:
        separator = _header_separator(first_line)
    header_line, _ = _first_line(text)
    if header_line.rstrip(separator + " ").count(separator) >= MAX_COLUMNS:  # refused before splitting it
        raise BatchError(_too_many_columns(name, header_line.rstrip(separator + " ").count(separator) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise BatchError(f"L'en-tête du fichier {name} est illisible : {_csv_error(exc)}.") from exc
    header = [column.strip().lstrip("\ufeff") for column in header]
    # Trailing separators on the header line: columns without a name, kept only if a row fills them.
    header_width = min(len(header), MAX_COLUMNS)
    while header and not header[-1]:
        header.pop()
    if not header:
        raise BatchError(f"Le fichier {name} n'a pas de ligne d'en-tête (noms de colonnes).")
    width = len(header)
    if width > MAX_COLUMNS:
        raise BatchError(_too_many_columns(name, width))
    used = width  # columns filled by some row: the named ones, and trailing unnamed ones holding data
    rows: list[list[str]] = []
    problems: dict[int, str] = {}
    swallowing: list[int] = []
    oversized: list[int] = []
    max_rows = min(MAX_ROWS, MAX_CELLS // width)
    last_start = 0
    while True:
        start = reader.line_num + 1 + skipped
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger" in str(exc):
                oversized.append(start)
                problems[len(rows)] = (
                    f"ligne {start} : une cellule dépasse la limite de {_count(MAX_CELL_CHARS)} caractères "
                    "(ou un guillemet n'est pas refermé) — ligne non lue"
                )
            else:
                problems[len(rows)] = f"ligne {start} illisible ({_csv_error(exc)}) — ligne non lue"
            rows.append([""] * width)
            continue
        end = reader.line_num + skipped
        if not fields or not any(cell.strip() for cell in fields):
            continue  # blank line
        quote_line = _swallowing_quote(fields, separator, width, start) if end > start else None
        if quote_line is not None:
            swallowing.append(quote_line)
            problems[len(rows)] = (
                f"ligne {quote_line} : guillemet ouvert et non refermé avant la ligne {end} — les lignes "
                f"{start} à {end} sont lues comme une seule, ligne non lue"
            )
        elif len(fields) > header_width and any(cell.strip() for cell in fields[header_width:]):
            problems[len(rows)] = (
                f"ligne {start} : {len(fields)} champs pour {width} colonnes — colonnes décalées, ligne non lue"
            )
        if len(fields) > header_width:
            fields = fields[:header_width]
        if len(fields) > width:
            while len(fields) > width and not fields[-1].strip():
                fields.pop()
            used = max(used, len(fields))
        rows.append(fields)
        last_start = start
        if len(rows) > max_rows:
            if max_rows < MAX_ROWS:
                raise BatchError(_too_many_cells(name, width))
            raise BatchError(f"Le fichier {name} dépasse {_count(MAX_ROWS)} lignes.")
    if not rows:
        raise BatchError(f"Le fichier {name} ne contient aucune ligne de données.")
    last = len(rows) - 1
    if (
        last not in problems
        and last_start < reader.line_num + skipped
        and _unclosed_quote(text, last_start - skipped, separator)
    ):
        swallowing.append(last_start)
        problems[last] = (
            f"ligne {last_start} : guillemet ouvert et jamais refermé — les lignes {last_start} à la fin du fichier "
            "sont lues comme une seule, ligne non lue"
        )
    if len(rows) * used > MAX_CELLS:
        raise BatchError(_too_many_cells(name, used))
    for fields in rows:
        if len(fields) < used:
            fields.extend([""] * (used - len(fields)))
    header, notes = _named_columns(header + [""] * (used - width))
    if decoded.legacy_lines:
        lines = decoded.legacy_lines
        notes.append(
            f"Encodage mélangé : le fichier est en UTF-8 sauf {_lines_phrase(lines)}, "
            + (
                "lue en Windows-1252 : vérifiez ses accents"
                if len(lines) == 1
                else "lues en Windows-1252 : vérifiez leurs accents"
            )
            + " dans le résultat."
        )
    if swallowing:
        notes.append(
            f"Guillemet non refermé, ouvert à {_lines_phrase(swallowing)} : les lignes qui suivent sont lues comme "
            "une seule cellule, ligne marquée invalide ; corrigez les guillemets et renvoyez le fichier."
        )
    if oversized:
        notes.append(
            f"Cellule de plus de {_count(MAX_CELL_CHARS)} caractères (limite) à {_lines_phrase(oversized)} : "
            f"{'ligne non lue, marquée' if len(oversized) == 1 else 'lignes non lues, marquées'} invalide"
            f"{'' if len(oversized) == 1 else 's'}."
        )
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return CsvTable(
        frame=frame,
        separator=separator,
        encoding=decoded.encoding,
        row_problems=problems,
        notes=tuple(notes),
    )


def _too_many_cells(name: str, width: int) -> str:
    return (
        f"Le fichier {name} dépasse {_count(MAX_CELLS)} cellules (lignes × colonnes) : avec {_count(width)} "
        f"colonnes, au plus {_count(MAX_CELLS // width)} lignes. Retirez les colonnes inutiles ou découpez le fichier."
    )


def _too_many_columns(name: str, width: int) -> str:
    return (
        f"Le fichier {name} a {_count(width)} colonnes : au plus {_count(MAX_COLUMNS)}. "
        "Retirez les colonnes inutiles (ou vérifiez le séparateur)."
    )


def _csv_error(exc: csv.Error) -> str:
    """A French reason for the csv module's error (its own text is English)."""
    if "field larger" in str(exc):
        return f"cellule de plus de {_count(MAX_CELL_CHARS)} caractères"
    return "guillemets ou séparateurs mal placés"


def _named_columns(header: list[str]) -> tuple[list[str], list[str]]:
    """Header with each blank name replaced by « colonne N » (N its 1-based position), and the French note."""
    blanks = [position for position, column in enumerate(header, start=1) if not column]
    if not blanks:
        return header, []
    taken = {column.casefold() for column in header}
    named = list(header)
    for position in blanks:
        candidate, suffix = f"colonne {position}", 2
        while candidate.casefold() in taken:
            candidate, suffix = f"colonne {position}_{suffix}", suffix + 1
        taken.add(candidate.casefold())
        named[position - 1] = candidate
    shown = ", ".join(f"« {named[position - 1]} »" for position in blanks[:LISTED_LINES])
    note = (
        f"{count_text(len(blanks), 'colonne sans nom', 'colonnes sans nom')} dans l'en-tête, "
        f"{'nommée' if len(blanks) == 1 else 'nommées'} {shown}{'…' if len(blanks) > LISTED_LINES else ''} "
        "dans le résultat."
    )
    return named, [note]


def _unclosed_quote(text: str, line: int, separator: str) -> bool:
    """The record starting at `line` (1-based, as the csv module counts lines) ends the text inside a quote."""
    offset = 0
    if line > 1:
        for number, match in enumerate(_LINE_END.finditer(text), start=2):
            if number == line:
                offset = match.end()
                break
    tail = text[offset:]
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=separator, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _swallowing_quote(fields: list[str], separator: str, width: int, start: int) -> int | None:
    """The line where a quote opens and swallows whole rows of the following lines, or None.

    A quoted cell may hold line breaks (an address on two lines); it swallows rows when one of its later lines
    holds as many separators as a row (width - 1, at least one).
    """
    line = start
    for cell in fields:
        parts = cell.split("\n")
        if any(part.count(separator) >= max(1, width - 1) for part in parts[1:]):
            return line
        line += len(parts) - 1
    return None


# --- coordinates --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoordinateColumns:
    """Which columns hold the coordinates: (lat, lon) in degrees or (x, y) in Lambert-93 metres."""

    first: str
    second: str
    lambert93: bool = False


def _find(lowered: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for candidate in names:
        columns = lowered.get(candidate)
        if columns:
            if len(columns) > 1:
                raise BatchError(
                    f"La colonne « {columns[0]} » apparaît {len(columns)} fois dans l'en-tête : impossible de savoir "
                    "laquelle contient les coordonnées. Gardez une seule colonne de ce nom."
                )
            return columns[0]
    return None


def find_coordinate_columns(frame: pd.DataFrame) -> CoordinateColumns:
    """latitude/longitude (degrees WGS84) or x/y (Lambert-93 metres), matched case-insensitively."""
    lowered: dict[str, list[str]] = {}
    for column in frame.columns:
        lowered.setdefault(str(column).strip().lower(), []).append(str(column))
    lat, lon = _find(lowered, LAT_NAMES), _find(lowered, LON_NAMES)
    if lat is not None and lon is not None:
        return CoordinateColumns(lat, lon)
    x, y = _find(lowered, X_NAMES), _find(lowered, Y_NAMES)
    if x is not None and y is not None:
        return CoordinateColumns(y, x, lambert93=True)
    raise BatchError(
        "Colonnes de coordonnées introuvables : le fichier doit avoir une colonne « latitude » et une colonne "
        "« longitude » (degrés), ou « x » et « y » en Lambert-93 (mètres, EPSG:2154). "
        f"Colonnes lues : {' | '.join(map(str, frame.columns))}."
    )


def parse_numbers(values: pd.Series) -> np.ndarray:
    """Numbers with a decimal point or comma, spaces allowed as thousands separators; anything else is NaN."""
    cleaned = values.astype(str).str.replace(_SPACES, "", regex=True).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    return np.array(numbers, dtype=float, copy=True)


def parse_degrees(values: pd.Series, low: float, high: float) -> np.ndarray:
    """Degrees within [low, high]; missing, non-numeric, infinite or out-of-range values become NaN."""
    numbers = parse_numbers(values)
    numbers[~np.isfinite(numbers) | (numbers < low) | (numbers > high)] = np.nan
    return numbers


def _motifs(raw: pd.Series, numbers: np.ndarray, label: str, bounds: str) -> np.ndarray:
    """A French reason per row for one coordinate column ("" where the value is usable)."""
    text = raw.astype(str).str.strip().to_numpy(dtype=object)
    reasons = np.full(len(raw), "", dtype=object)
    for i in np.flatnonzero(~np.isfinite(numbers)):
        value = text[i]
        shown = value if len(value) <= 30 else value[:30] + "…"
        reasons[i] = f"{label} absente" if not value else f"{label} invalide (« {shown} », attendu {bounds})"
    return reasons


def locate_table(table: CsvTable, locator: Locator) -> BatchResult:
    """Locate every row of `table`: the QPV columns appended, per-row reasons, counts and hints."""
    frame = table.frame
    columns = find_coordinate_columns(frame)
    first, second = frame[columns.first], frame[columns.second]
    if columns.lambert93:
        y, x = parse_numbers(first), parse_numbers(second)
        outside = ~((x >= L93_X[0]) & (x <= L93_X[1]) & (y >= L93_Y[0]) & (y <= L93_Y[1]))
        x[outside], y[outside] = np.nan, np.nan
        reasons_1 = _motifs(first, y, "y", "des mètres en Lambert-93")
        reasons_2 = _motifs(second, x, "x", "des mètres en Lambert-93")
        lat = lon = None
    else:
        lat, lon = parse_degrees(first, -90, 90), parse_degrees(second, -180, 180)
        reasons_1 = _motifs(first, lat, "latitude", "un nombre entre -90 et 90")
        reasons_2 = _motifs(second, lon, "longitude", "un nombre entre -180 et 180")
        x, y = wgs84_to_lambert93(lon, lat)
    motifs: list[str | None] = [
        "; ".join(part for part in (r1, r2) if part) or None for r1, r2 in zip(reasons_1, reasons_2, strict=True)
    ]
    for position, reason in table.row_problems.items():
        x[position], y[position] = np.nan, np.nan
        motifs[position] = reason
    locations = locator.locate_many(x, y, motifs)
    swapped = _in_france(lon, lat) & ~_in_france(lat, lon) if lat is not None else None
    result = _with_answers(frame, locations, swapped)
    counts = Counter(loc.statut for loc in locations)
    names = added_names(frame.columns)
    renamed = [f"« {names[c]} »" for c in OUTPUT_COLUMNS if names[c] != c]
    hints = list(table.notes)
    if renamed:
        hints.append(
            "Le fichier a déjà des colonnes nommées comme celles ajoutées : elles sont gardées, et les colonnes "
            f"ajoutées s'appellent {', '.join(renamed)}."
        )
    if lat is not None:
        hints.extend(_hints(lat, lon))
    return BatchResult(frame=result, counts={s: counts.get(s, 0) for s in STATUTS}, hints=tuple(hints))


def locate_frame(frame: pd.DataFrame, locator: Locator) -> pd.DataFrame:
    """A copy of `frame` (text cells) with the QPV columns added, one answer per row."""
    return locate_table(CsvTable(frame=frame, separator=";", encoding="UTF-8"), locator).frame


def _with_answers(frame: pd.DataFrame, locations: list[Location], swapped: np.ndarray | None = None) -> pd.DataFrame:
    """The input columns, all kept, then the answer: the same fields, with the same meaning, as the page and the CLI.

    An added column whose name is already in the file takes the suffix `_2` (`added_names`).

    code_qp / nom_qp: the QPV the point is in, or whose band or limit it is at; empty for "hors" and
    "invalide" rows, so that filtering on code_qp counts only the points concerned by that quartier.
    distance_limite_m: the distance to the nearest QPV limit (for "hors", the nearest QPV is named in
    `remarque`: "QPV le plus proche : NOM (CODE), à 2,5 km"). remarque: that, then the territory remark,
    then SWAPPED_ROW for a row whose point is outside France but would be inside with lat and lon exchanged
    (`swapped`, one flag per row).
    """
    concerned = [is_concerned(loc) for loc in locations]
    answers = pd.DataFrame(
        {
            "code_qp": [(loc.code_qp or "") if ok else "" for loc, ok in zip(locations, concerned, strict=True)],
            "nom_qp": [(loc.nom_qp or "") if ok else "" for loc, ok in zip(locations, concerned, strict=True)],
            "dans_qpv": [_yes_no(loc.dans_qpv, loc) for loc in locations],
            "dans_bande_300m": [_yes_no(loc.dans_bande_300m, loc) for loc in locations],
            "distance_limite_m": [
                "" if loc.distance_limite_m is None else str(loc.distance_limite_m) for loc in locations
            ],
            "statut": [loc.statut for loc in locations],
            "remarque": [
                " ; ".join(part for part in (row_remark(loc), SWAPPED_ROW if flag else "") if part)
                for loc, flag in zip(
                    locations, swapped if swapped is not None else [False] * len(locations), strict=True
                )
            ],
            "motif": [loc.motif or "" for loc in locations],
            "remarque_npnru": [remarque_regle_b(loc.npnru_proche, loc.distance_npnru_m) for loc in locations],
        },
        index=frame.index,
    )
    answers.columns = [added_names(frame.columns)[c] for c in answers.columns]
    return pd.concat([frame, answers], axis=1)


def added_names(columns) -> dict[str, str]:
    """The name of each added column (OUTPUT_COLUMNS) beside the file's `columns`, which are all kept.

    A name already in the file (ignoring case) takes the suffix `_2`, or `_3`... the first free: `statut_2`.
    """
    taken = {str(column).casefold() for column in columns}
    names = {}
    for name in OUTPUT_COLUMNS:
        candidate, suffix = name, 2
        while candidate.casefold() in taken:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        taken.add(candidate.casefold())
        names[name] = candidate
    return names


def is_concerned(loc: Location) -> bool:
    """The point is in a QPV, in its 300 m band or at one of their limits: only then does it carry a code_qp."""
    return loc.statut in ("dans", "bande", "limite")


def point_record(loc: Location) -> dict:
    """One point's answer as a JSON object (the CLI's `situer --lat --lon`), with the CSV row's meaning.

    The fields of `zones.Location`, except that code_qp, nom_qp, communes and contrat are null unless the
    point is concerned (`is_concerned`); for "hors", the nearest QPV is under `qpv_le_plus_proche`
    ({"code_qp", "nom_qp", "distance_m"}, metres in Lambert-93), as `remarque` says in words.
    """
    record = asdict(loc)
    record["qpv_le_plus_proche"] = None
    if not is_concerned(loc):
        if loc.statut == "hors" and loc.code_qp is not None:
            record["qpv_le_plus_proche"] = {
                "code_qp": loc.code_qp,
                "nom_qp": loc.nom_qp,
                "distance_m": loc.distance_limite_m,
            }
        record.update(code_qp=None, nom_qp=None, communes=None, contrat=None, voisin=False)
    return record | {
        "remarque": row_remark(loc),
        "remarque_npnru": remarque_regle_b(loc.npnru_proche, loc.distance_npnru_m),
    }


def row_remark(loc: Location) -> str:
    """The `remarque` of a result row: the nearest QPV for a "hors" point, then the territory remark ("; ")."""
    return " ; ".join(part for part in (nearest_remark(loc), loc.remarque) if part)


def _yes_no(flag: bool, loc: Location) -> str:
    if loc.statut == "invalide":
        return ""
    return "oui" if flag else "non"


SWAPPED_ROW = "latitude et longitude inversées ? échangées, ce point serait en France"


def _hints(lat: np.ndarray, lon: np.ndarray) -> tuple[str, ...]:
    """A hint when every readable point falls outside metropolitan France."""
    valid = np.isfinite(lat) & np.isfinite(lon)
    if not valid.any():
        return ()
    in_france = _in_france(lat[valid], lon[valid])
    if in_france.any():
        return ()
    hint = (
        "Aucun point du fichier n'est en France métropolitaine : la latitude et la longitude sont peut-être "
        "inversées (latitude vers 50,5 et longitude vers 2,6 dans le Pas-de-Calais)."
    )
    if _in_france(lon[valid], lat[valid]).all():
        hint += " En les échangeant, tous les points tomberaient en France."
    return (hint,)


def swapped_point(lat: float, lon: float) -> tuple[float, float] | None:
    """(lon, lat) when the point (degrees) is outside metropolitan France and the swapped point inside, else None.

    The same rule as the hint for a whole file: latitude and longitude typed in each other's field.
    """
    point, swapped = np.array([lat]), np.array([lon])
    if _in_france(point, swapped)[0] or not _in_france(swapped, point)[0]:
        return None
    return lon, lat


def _in_france(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (lat >= FRANCE_LAT[0]) & (lat <= FRANCE_LAT[1]) & (lon >= FRANCE_LON[0]) & (lon <= FRANCE_LON[1])


# --- writing ------------------------------------------------------------------------------------------------


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells that could start a formula (`_FORMULA_START`: = + - @ or their full-width forms, after spaces or line
    breaks too; a leading tab, CR or LF) get a leading apostrophe (OWASP CSV injection), plain numbers aside."""
    safe = frame.copy()
    for position in range(safe.shape[1]):
        values = safe.iloc[:, position]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue  # numbers cannot start a formula
        text = values.astype(str)
        risky = text.str.match(_FORMULA_START) & ~text.str.strip().str.fullmatch(_PLAIN_NUMBER) & values.notna()
        if risky.any():
            safe.iloc[:, position] = values.where(~risky, "'" + text)
    safe.columns = ["'" + c if _FORMULA_START.match(c) else c for c in map(str, safe.columns)]
    return safe


def to_csv_bytes(frame: pd.DataFrame, separator: str) -> bytes:
    """CSV bytes in UTF-8 with BOM (spreadsheets open accents correctly), formula cells neutralised.

    Lines end with CRLF, so that a cell holding a lone CR or LF is quoted (the csv module quotes the characters
    of the line terminator) and cannot split a row.
    """
    return neutralise(frame).to_csv(index=False, sep=separator, lineterminator="\r\n").encode("utf-8-sig")


# --- whole uploads, possibly in a worker process ------------------------------------------------------------

PREVIEW_ROWS = 50


@dataclass(frozen=True)
class ProcessedFile:
    """What the page shows for one processed upload: the CSV to download, a summary and a preview."""

    name: str  # the result's file name
    csv: bytes
    summary: str
    level: str  # success | warning | error
    preview: pd.DataFrame
    encoding: str = ""
    separator_name: str = ""
    error: str | None = None  # the whole file was refused (French); csv is then empty
    preview_note: str = ""  # French: how the preview's column names differ from the file's

    @classmethod
    def refused(cls, name: str, error: str) -> ProcessedFile:
        """A file refused as a whole, with its French reason."""
        return cls(name, b"", "", "error", pd.DataFrame(), error=error)


def process_upload(content: bytes, name: str, locator: Locator) -> ProcessedFile:
    """Read, locate and write back one uploaded CSV; a refused file gives `error`, never an exception."""
    stem = name.rsplit(".", 1)[0] + "_qpv.csv"
    try:
        table = read_csv(content, name)
        result = locate_table(table, locator)
    except BatchError as exc:
        return ProcessedFile.refused(stem, str(exc))
    preview, note = preview_frame(result.frame)
    return ProcessedFile(
        name=stem,
        csv=to_csv_bytes(result.frame, table.separator),
        summary=result.summary(),
        level=result.level,
        preview=preview,
        encoding=table.encoding,
        separator_name=table.separator_name,
        preview_note=note,
    )


def preview_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The first PREVIEW_ROWS rows, columns of the same name numbered « (2) », « (3) » (a table shown on the page
    needs distinct names), and a French note when they are."""
    preview = frame.head(PREVIEW_ROWS).copy()
    seen: Counter[str] = Counter()
    taken = set(map(str, preview.columns))
    names = []
    for column in map(str, preview.columns):
        seen[column] += 1
        name, number = column, seen[column]
        while number > 1 and (name := f"{column} ({number})") in taken:
            number += 1
        taken.add(name)
        names.append(name)
    if names == list(preview.columns):
        return preview, ""
    preview.columns = names
    doubled = ", ".join(f"« {column} »" for column, n in seen.items() if n > 1)
    return preview, (
        f"Colonnes de même nom ({doubled}) : numérotées « (2) », « (3) »… dans cet aperçu seulement, "
        "gardées telles quelles dans le fichier résultat."
    )


def process_upload_job(content: bytes, name: str, qpv, territory) -> ProcessedFile:
    """`process_upload` with the Locator built from the layers (QPV and territory GeoDataFrames), for the page's
    guarded child process (quartiers.garde): a large file never holds the app's process."""
    return process_upload(content, name, Locator(qpv, territory))
