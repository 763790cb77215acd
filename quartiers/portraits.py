"""Portrait records read from portraits/*.toml: parsing and validation, once, at the edge.

Every error names the file and the field, in French; a bad file is set aside and the others load.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from quartiers import settings

STATUTS = ("QPV", "QIC")
EPCIS = ("CABBALR", "CALL")
ANCT = "ANCT"  # the official ANCT list of QPV 2024 (geodata/), cited by records no document names
DOCUMENTS = ("000", "001", "002", "003", "004", ANCT)
_HTML = re.compile(r"<\s*[A-Za-z/!?]|&#?\w+;|javascript:", re.IGNORECASE)
_ID = re.compile(r"^(QN\d{5}[A-Z]|[a-z0-9-]+)$")


class PortraitError(ValueError):
    """A portrait file that cannot be used; the French message names the file and the field."""

    def __init__(self, fichier: str, champ: str, message: str):
        self.fichier, self.champ = fichier, champ
        super().__init__(f"{fichier} — champ « {champ} » : {message}")


@dataclass(frozen=True)
class Source:
    document: str
    section: str


@dataclass(frozen=True, order=True)
class Mesure:
    """What a figure measures: two values are comparable only if their four fields are equal.

    `indicateur` is the normalised key (or the label), `source` who produced the data as the document
    names it (or the citing document), `millesime` the document's own words about the data's date,
    `perimetre` the territory the figure covers (old perimeter, 2024 perimeter, agglomeration...).
    """

    indicateur: str
    source: str
    millesime: str
    perimetre: str

    @property
    def label(self) -> str:
        """« source ; millésime ; périmètre », for a column header or a table row."""
        return " ; ".join((self.source, self.millesime, self.perimetre))


@dataclass(frozen=True)
class Tableau:
    """A quote that is one row of a table of the source: its column headers and its cells, as printed.

    `colonne` is the header of the column that holds the figure; an empty cell of the source is "".
    """

    colonnes: tuple[str, ...]
    cellules: tuple[str, ...]
    colonne: str

    @property
    def ligne(self) -> str:
        """The row's name: its first non-empty cell (« Camus », « TOTAL »)."""
        return next((c for c in self.cellules if c), "")

    @property
    def paires(self) -> tuple[tuple[str, str], ...]:
        """(column header, cell) in the source's order."""
        return tuple(zip(self.colonnes, self.cellules, strict=True))


MILLESIME_INCONNU = "millésime non indiqué par la source"
PERIMETRE_INCONNU = "périmètre non précisé par la source"


@dataclass(frozen=True)
class Indicateur:
    libelle: str
    valeur: float
    unite: str
    texte: str
    source: Source
    cle: str | None = None
    reference: float | None = None
    reference_libelle: str | None = None
    evolution: str | None = None
    millesime: str | None = None
    perimetre: str | None = None  # territory of the figure, e.g. "ancien périmètre du quartier"
    source_donnees: str | None = None  # producer named by the document, e.g. "sigville"
    variation: bool = False  # the value is a change ("+56 %"), not a level
    tableau: Tableau | None = None  # set when `texte` is a table row rather than a sentence

    @property
    def is_rate(self) -> bool:
        return self.unite == "%" and not self.variation

    @property
    def mesure(self) -> Mesure:
        """The (indicator, source, vintage, perimeter) tuple of this figure."""
        return Mesure(
            indicateur=self.cle or self.libelle,
            source=self.source_donnees or f"document {self.source.document}",
            millesime=self.millesime or MILLESIME_INCONNU,
            perimetre=self.perimetre or PERIMETRE_INCONNU,
        )


@dataclass(frozen=True)
class Irritant:
    titre: str
    detail: tuple[str, ...]
    sources_citees: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Element:
    texte: str
    source: Source


@dataclass(frozen=True)
class Operationnel:
    texte: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Objectif:
    enjeu: str
    ambition: str
    objectif: str
    operationnels: tuple[Operationnel, ...]
    source: Source


@dataclass(frozen=True)
class Portrait:
    """What the sources say about one quartier (QPV or QIC)."""

    id: str
    nom: str
    statut: str
    communes: tuple[str, ...]
    epci: tuple[str, ...]
    source: Source
    fichier: str
    nom_officiel: str | None = None
    code_qp: str | None = None
    code_cite: str | None = None
    portrait_detaille: bool = False
    note: str | None = None
    indicateurs: tuple[Indicateur, ...] = ()
    irritants: tuple[Irritant, ...] = ()
    opportunites: tuple[Element, ...] = ()
    enjeux_prioritaires: tuple[Element, ...] = ()
    objectifs: tuple[Objectif, ...] = ()

    def indicateur(self, cle: str) -> Indicateur | None:
        """The indicator with this normalised key, if the sources give it."""
        return next((i for i in self.indicateurs if i.cle == cle), None)


@dataclass(frozen=True)
class Ambition:
    titre: str
    objectifs: tuple[str, ...]


@dataclass(frozen=True)
class Enjeu:
    titre: str
    ambitions: tuple[Ambition, ...]
    source: Source | None


@dataclass(frozen=True)
class Transversal:
    titre: str
    texte: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class Cadre:
    """The intercommunal frame of one contract: enjeux (or piliers), ambitions, transversal axes."""

    epci: str
    nom: str
    source: Source
    references: tuple[Indicateur, ...]
    enjeux: tuple[Enjeu, ...]
    transversaux: tuple[Transversal, ...]
    note: str | None = None
    fichier: str = ""  # "cadres/call.toml", for messages


@dataclass(frozen=True)
class Document:
    code: str
    titre: str
    fichier: str


class _Reader:
    """Typed access to one parsed TOML table; every failure raises PortraitError naming the field."""

    def __init__(self, fichier: str, data: dict, where: str = ""):
        self.fichier, self.data, self.where = fichier, data, where

    def _name(self, key: str) -> str:
        return f"{self.where}{key}"

    def fail(self, key: str, message: str) -> PortraitError:
        return PortraitError(self.fichier, self._name(key), message)

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, "champ obligatoire absent ou vide")
            return None
        if not isinstance(value, str):
            raise self.fail(key, "doit être un texte entre guillemets")
        if _HTML.search(value):
            raise self.fail(key, "le texte contient du HTML ou du script, refusé")
        return value.strip()

    def texts(self, key: str, required: bool = False, empty_items: bool = False) -> tuple[str, ...]:
        """A list of texts; with `empty_items`, "" is kept as an empty item (an empty table cell)."""
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, "doit être une liste de textes")
        if required and not value:
            raise self.fail(key, "liste obligatoire vide")
        return tuple(
            "" if empty_items and v == "" else _Reader(self.fichier, {key: v}, self.where).text(key) for v in value
        )

    def number(self, key: str, required: bool = True) -> float | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, "nombre obligatoire absent")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f'doit être un nombre (lu : {value!r}) ; écrire 46.1 et non "46,1 %"')
        return float(value)

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "doit valoir true ou false")
        return value

    def tables(self, key: str) -> list[_Reader]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "doit être une liste de blocs [[...]]")
        return [_Reader(self.fichier, v, f"{self.where}{key}[{i + 1}].") for i, v in enumerate(value)]

    def table(self, key: str) -> _Reader:
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, "bloc obligatoire absent")
        return _Reader(self.fichier, value, f"{self.where}{key}.")

    def source(self) -> Source:
        table = self.table("source")
        document = table.text("document")
        if document not in DOCUMENTS:
            raise table.fail("document", f"document inconnu « {document} » (attendu : {', '.join(DOCUMENTS)})")
        return Source(document=document, section=table.text("section"))


def _cell_number(cell: str) -> float | None:
    """« 1 500 » → 1500.0, « 46,1 » → 46.1; None when the cell is not a plain number."""
    try:
        return float(re.sub(r"[\s\u00a0\u202f]", "", cell).replace(",", "."))
    except ValueError:
        return None


def _tableau(reader: _Reader, indicateur: Indicateur) -> Tableau | None:
    """The optional `tableau = { colonnes = [...], cellules = [...] }` of a figure quoted from a table row.

    Checked here: one cell per column header, the column of the figure (`colonne`, by default the label) among
    the headers and holding the value, and the cells, end to end, giving back `texte`. That headers and cells
    are printed in the document is checked with the other texts (quartiers.verbatim).
    """
    if "tableau" not in reader.data:
        return None
    if not isinstance(reader.data["tableau"], dict):
        raise reader.fail("tableau", "doit être un bloc { colonnes = [...], cellules = [...] }")
    table = reader.table("tableau")
    unknown = sorted(set(table.data) - {"colonnes", "cellules", "colonne"})
    if unknown:
        raise table.fail(unknown[0], "champ inconnu (attendu : colonnes, cellules, colonne)")
    colonnes = table.texts("colonnes", required=True)
    cellules = table.texts("cellules", required=True, empty_items=True)
    if len(cellules) != len(colonnes):
        raise table.fail(
            "cellules",
            f"{len(cellules)} cellule(s) pour {len(colonnes)} colonne(s) : il faut une cellule par colonne, "
            "dans l'ordre de la source (une case vide s'écrit \"\")",
        )
    colonne = table.text("colonne", required=False) or indicateur.libelle
    if colonne not in colonnes:
        raise table.fail(
            "colonne",
            f"« {colonne} » n'est pas l'une des colonnes ; écrire colonne = \"…\" avec l'en-tête de la colonne du chiffre",
        )
    cell = cellules[colonnes.index(colonne)]
    if _cell_number(cell) != indicateur.valeur:
        raise table.fail(
            "cellules",
            f"la cellule de la colonne « {colonne} » (« {cell} ») ne porte pas la valeur {indicateur.valeur:g}",
        )
    if " ".join(cellules).split() != indicateur.texte.split():
        raise table.fail(
            "cellules", f"mises bout à bout, les cellules doivent redonner le texte « {indicateur.texte} »"
        )
    return Tableau(colonnes=colonnes, cellules=cellules, colonne=colonne)


def _indicateur(reader: _Reader) -> Indicateur:
    indicateur = Indicateur(
        cle=reader.text("cle", required=False),
        libelle=reader.text("libelle"),
        valeur=reader.number("valeur"),
        unite=reader.text("unite"),
        reference=reader.number("reference", required=False),
        reference_libelle=reader.text("reference_libelle", required=False),
        evolution=reader.text("evolution", required=False),
        texte=reader.text("texte"),
        millesime=reader.text("millesime", required=False),
        perimetre=reader.text("perimetre", required=False),
        source_donnees=reader.text("source_donnees", required=False),
        variation=reader.boolean("variation"),
        source=reader.source(),
    )
    if indicateur.is_rate:
        for key, value in (("valeur", indicateur.valeur), ("reference", indicateur.reference)):
            if value is not None and not 0 <= value <= 100:
                raise reader.fail(key, f"un taux doit être compris entre 0 et 100 % (lu : {value})")
    tableau = _tableau(reader, indicateur)
    return replace(indicateur, tableau=tableau) if tableau else indicateur


def _objectif(reader: _Reader) -> Objectif:
    operationnels = []
    for op in reader.tables("operationnels"):
        operationnels.append(Operationnel(texte=op.text("texte"), items=op.texts("items")))
    return Objectif(
        enjeu=reader.text("enjeu"),
        ambition=reader.text("ambition", required=False) or "",
        objectif=reader.text("objectif", required=False) or "",
        operationnels=tuple(operationnels),
        source=reader.source(),
    )


def parse_portrait(path: Path, known_codes: frozenset[str] | None) -> Portrait:
    """Parse and validate one portrait file; raise PortraitError naming the file and the field."""
    fichier = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PortraitError(fichier, "(syntaxe)", f"fichier mal formé : {exc}") from exc
    except UnicodeDecodeError as exc:
        raise PortraitError(fichier, "(encodage)", "le fichier doit être enregistré en UTF-8") from exc
    reader = _Reader(fichier, data)
    portrait_id = reader.text("id")
    if portrait_id != path.stem:
        raise reader.fail("id", f"« {portrait_id} » ne correspond pas au nom du fichier « {path.stem} »")
    if not _ID.match(portrait_id):
        raise reader.fail("id", "un code QN… ou un identifiant en minuscules sans espace est attendu")
    statut = reader.text("statut")
    if statut not in STATUTS:
        raise reader.fail("statut", f"« {statut} » inconnu (attendu : QPV ou QIC)")
    code_qp = reader.text("code_qp", required=(statut == "QPV"))
    if code_qp is not None and known_codes is not None and code_qp not in known_codes:
        raise reader.fail("code_qp", f"le code {code_qp} est absent des périmètres de geodata/")
    epci = reader.texts("epci", required=True)
    unknown = [e for e in epci if e not in EPCIS]
    if unknown:
        raise reader.fail("epci", f"intercommunalité inconnue : {', '.join(unknown)}")
    return Portrait(
        id=portrait_id,
        nom=reader.text("nom"),
        nom_officiel=reader.text("nom_officiel", required=False),
        statut=statut,
        code_qp=code_qp,
        code_cite=reader.text("code_cite", required=False),
        communes=reader.texts("communes", required=True),
        epci=epci,
        portrait_detaille=reader.boolean("portrait_detaille"),
        note=reader.text("note", required=False),
        source=reader.source(),
        fichier=fichier,
        indicateurs=tuple(_indicateur(r) for r in reader.tables("indicateurs")),
        irritants=tuple(
            Irritant(
                titre=r.text("titre"),
                detail=r.texts("detail"),
                sources_citees=r.texts("sources_citees"),
                source=r.source(),
            )
            for r in reader.tables("irritants")
        ),
        opportunites=tuple(Element(texte=r.text("texte"), source=r.source()) for r in reader.tables("opportunites")),
        enjeux_prioritaires=tuple(
            Element(texte=r.text("texte"), source=r.source()) for r in reader.tables("enjeux_prioritaires")
        ),
        objectifs=tuple(_objectif(r) for r in reader.tables("objectifs")),
    )


def parse_cadre(path: Path) -> Cadre:
    """Parse and validate one intercommunal frame file (portraits/cadres/*.toml)."""
    fichier = f"cadres/{path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PortraitError(fichier, "(syntaxe)", f"fichier mal formé : {exc}") from exc
    reader = _Reader(fichier, data)
    epci = reader.text("epci")
    if epci not in EPCIS:
        raise reader.fail("epci", f"intercommunalité inconnue : {epci}")
    enjeux = []
    for r in reader.tables("enjeux"):
        ambitions = tuple(
            Ambition(titre=a.text("titre"), objectifs=a.texts("objectifs")) for a in r.tables("ambitions")
        )
        enjeux.append(
            Enjeu(titre=r.text("titre"), ambitions=ambitions, source=r.source() if "source" in r.data else None)
        )
    return Cadre(
        epci=epci,
        fichier=fichier,
        nom=reader.text("nom"),
        source=reader.source(),
        references=tuple(_indicateur(r) for r in reader.tables("references")),
        enjeux=tuple(enjeux),
        transversaux=tuple(
            Transversal(titre=r.text("titre"), texte=r.texts("texte"), source=r.source())
            for r in reader.tables("transversaux")
        ),
        note=reader.text("note", required=False),
    )


def load_portraits(
    directory: Path | None = None, known_codes: frozenset[str] | None = None
) -> tuple[dict[str, Portrait], list[PortraitError]]:
    """Every valid portrait keyed by id, and the errors of the files set aside.

    `known_codes` defaults to the QPV codes of geodata/ (a code_qp must point at a real perimeter); when the
    perimeter file itself cannot be read, codes are not checked (one message about that file is enough).
    """
    directory = directory or settings.PORTRAITS_DIR
    if known_codes is None:
        from quartiers.couches_officielles import qpv_codes

        known_codes = qpv_codes()
    if not directory.is_dir():
        return {}, [PortraitError(f"{directory.name}/", "(dossier)", "dossier des portraits introuvable")]
    portraits: dict[str, Portrait] = {}
    errors: list[PortraitError] = []
    for path in sorted(directory.glob("*.toml")):
        if path.name == "documents.toml":
            continue
        try:
            portrait = parse_portrait(path, known_codes)
        except PortraitError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(PortraitError(path.name, "(fichier)", f"fichier illisible ({exc.strerror})"))
            continue
        portraits[portrait.id] = portrait
    return portraits, errors


def load_cadres(directory: Path | None = None) -> dict[str, Cadre]:
    """The intercommunal frames keyed by EPCI; a bad frame file raises PortraitError."""
    cadres, errors = load_cadres_checked(directory)
    if errors:
        raise errors[0]
    return cadres


def load_cadres_checked(directory: Path | None = None) -> tuple[dict[str, Cadre], list[PortraitError]]:
    """The valid intercommunal frames keyed by EPCI, and the errors of the frame files set aside."""
    directory = directory or settings.PORTRAITS_DIR / "cadres"
    cadres: dict[str, Cadre] = {}
    errors: list[PortraitError] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            cadre = parse_cadre(path)
        except PortraitError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(PortraitError(f"cadres/{path.name}", "(fichier)", f"fichier illisible ({exc.strerror})"))
            continue
        cadres[cadre.epci] = cadre
    return cadres, errors


def load_documents(path: Path | None = None) -> dict[str, Document]:
    """The five source documents, keyed by their number ("000" to "004").

    Raises PortraitError (French, naming documents.toml and the field) when the file is missing, malformed,
    or an entry lacks `titre` or `fichier`.
    """
    path = path or settings.PORTRAITS_DIR / "documents.toml"
    fichier = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PortraitError(fichier, "(fichier)", "fichier introuvable") from exc
    except OSError as exc:
        raise PortraitError(fichier, "(fichier)", f"fichier illisible ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise PortraitError(fichier, "(encodage)", "le fichier doit être enregistré en UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PortraitError(fichier, "(syntaxe)", f"fichier mal formé : {exc}") from exc
    entries = data.get("documents")
    if not isinstance(entries, dict) or not entries:
        raise PortraitError(fichier, "documents", "bloc [documents.NNN] absent")
    documents = {}
    for code, entry in entries.items():
        reader = _Reader(fichier, entry if isinstance(entry, dict) else {}, f"documents.{code}.")
        documents[code] = Document(code=code, titre=reader.text("titre"), fichier=reader.text("fichier"))
    return documents
