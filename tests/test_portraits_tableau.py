"""Figures quoted from a table row (`tableau`): checked at load and against the document, shown as a labelled row.

The 19 CALL QPV of document 004 (section « Evolution de la géographie prioritaire ») quote a row of its population
table, « Camus ANGRES 1 500 1 500 »: verbatim, but meaningless without the column headers. These tests read the
document's tab-separated tables themselves to find every such quote, independently of the portrait files.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from html import unescape

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import couches_officielles, settings
from quartiers import portrait_html as ph
from quartiers.catalogue import build_catalogue
from quartiers.fiche import fiche_html
from quartiers.portraits import PortraitError, load_cadres, load_documents, load_portraits
from quartiers.verbatim import cadre_texts, is_verbatim, load_sources, unfaithful_texts
from tests.apptest_text import shown_text

COLONNES = '["Libellé QP", "Commune", "Population 2014", "Population « Quartiers 2030 »"]'
SECTION = "Evolution de la géographie prioritaire"


def _camus(cellules='["Camus", "ANGRES", "1 500", "1 500"]', texte="Camus ANGRES 1 500 1 500", extra="", **fields):
    """A CALL QPV file with one figure quoted from the population table of 004; fields override the figure's."""
    figure = {"libelle": '"Population 2014"', "valeur": "1500", "colonnes": COLONNES, **fields}
    tableau = f"colonnes = {figure['colonnes']}, cellules = {cellules}{extra}"
    return (
        'id = "QN06202M"\nnom = "Camus"\nstatut = "QPV"\ncode_qp = "QN06202M"\ncommunes = ["Angres"]\nepci = ["CALL"]\n'
        f'[source]\ndocument = "004"\nsection = "{SECTION}"\n'
        f'[[indicateurs]]\ncle = "population_2014"\nlibelle = {figure["libelle"]}\nvaleur = {figure["valeur"]}\n'
        f'unite = "habitants"\ntexte = "{texte}"\ntableau = {{ {tableau} }}\n'
        f'source = {{ document = "004", section = "{SECTION}" }}\n'
    )


def _load(tmp_path, content):
    (tmp_path / "QN06202M.toml").write_text(content, encoding="utf-8")
    return load_portraits(tmp_path)


@pytest.fixture(scope="module")
def sources():
    return load_sources()


@pytest.fixture(scope="module")
def real():
    portraits, errors = load_portraits()
    assert errors == []
    return portraits


@cache
def _source_rows() -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """Each document's tables read from its text: (header row, row) for every row of every tab-separated block.

    A block is a run of lines holding a tab; its first line is the header. Cells lose the PDF conversion's tags.
    """
    rows = {}
    for code, document in load_documents().items():
        found, block = [], []
        lines = (settings.SOURCES_DIR / document.fichier).read_text(encoding="utf-8").splitlines() + [""]
        for line in lines:
            if "\t" in line:
                block.append(tuple(re.sub(r"<[^>]+>", "", c).strip() for c in line.split("\t")))
                continue
            found += [(block[0], row) for row in block[1:]]
            block = []
        rows[code] = found
    return rows


def _figures(real):
    cadres = load_cadres()
    return [(p.fichier, i) for p in real.values() for i in p.indicateurs] + [
        (f"cadres/{c.epci}", i) for c in cadres.values() for i in c.references
    ]


# ---------------------------------------------------------------------------------------------- the loader


def test_a_table_row_quote_loads_with_its_headers_and_cells(tmp_path):
    portraits, errors = _load(tmp_path, _camus())
    assert errors == []
    figure = portraits["QN06202M"].indicateurs[0]
    assert figure.tableau.colonnes == ("Libellé QP", "Commune", "Population 2014", "Population « Quartiers 2030 »")
    assert figure.tableau.cellules == ("Camus", "ANGRES", "1 500", "1 500")
    assert figure.tableau.colonne == "Population 2014"  # by default, the column named like the figure
    assert figure.tableau.ligne == "Camus"
    assert figure.texte == "Camus ANGRES 1 500 1 500"  # the verbatim text is kept as it is


def test_an_empty_cell_is_kept_empty(tmp_path):
    content = _camus(cellules='["TOTAL", "", "1 500", "55 000"]', texte="TOTAL 1 500 55 000")
    portraits, errors = _load(tmp_path, content)
    assert errors == [] and portraits["QN06202M"].indicateurs[0].tableau.cellules[1] == ""


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        (
            _camus(cellules='["Camus", "ANGRES", "1 500"]', texte="Camus ANGRES 1 500"),
            "cellules",
            "3 cellule(s) pour 4",
        ),
        (_camus(colonnes='["Libellé QP", "Commune"]'), "cellules", "4 cellule(s) pour 2 colonne(s)"),
        (
            _camus(cellules='["<b>Camus</b>", "ANGRES", "1 500", "1 500"]', texte="Camus ANGRES 1 500 1 500"),
            "cellules",
            "HTML",
        ),
        (_camus(colonnes='["Libellé QP", "<i>Commune</i>", "Population 2014", "x"]'), "colonnes", "HTML"),
        (_camus(valeur="1600"), "cellules", "ne porte pas la valeur 1600"),
        (_camus(libelle='"Habitants en 2014"'), "colonne", "n'est pas l'une des colonnes"),
        (_camus(texte="Camus ANGRES 1 500"), "cellules", "redonner le texte"),
        (_camus(extra=', ligne = "Camus"'), "ligne", "champ inconnu"),
        (_camus(cellules="[]"), "cellules", "obligatoire"),
    ],
    ids=[
        "une-cellule-de-moins",
        "deux-colonnes-pour-quatre-cellules",
        "html-dans-une-cellule",
        "html-dans-un-en-tete",
        "valeur-absente-de-sa-colonne",
        "colonne-du-chiffre-introuvable",
        "cellules-autres-que-le-texte",
        "champ-inconnu",
        "aucune-cellule",
    ],
)
def test_a_bad_table_row_is_refused_in_french_naming_file_and_field(tmp_path, content, field, words):
    portraits, errors = _load(tmp_path, content)
    assert portraits == {} and len(errors) == 1
    error = errors[0]
    assert isinstance(error, PortraitError)
    assert error.fichier == "QN06202M.toml" and error.champ == f"indicateurs[1].tableau.{field}"
    assert words in str(error) and "QN06202M.toml" in str(error)


def test_a_tableau_that_is_not_a_block_is_refused(tmp_path):
    content = _camus().replace("tableau = { ", 'tableau = "Camus ANGRES" # { ')
    _, errors = _load(tmp_path, content)
    assert errors[0].champ == "indicateurs[1].tableau" and "bloc" in str(errors[0])


def test_the_explicit_column_of_the_figure(tmp_path):
    content = _camus(libelle='"Habitants"', valeur="1500", extra=', colonne = "Population « Quartiers 2030 »"')
    portraits, errors = _load(tmp_path, content)
    assert errors == [] and portraits["QN06202M"].indicateurs[0].tableau.colonne == "Population « Quartiers 2030 »"


def test_cells_not_printed_in_the_document_are_caught(tmp_path, sources):
    """Cells that agree with `texte` but that document 004 never prints: both are reported, not loaded silently."""
    portraits, errors = _load(
        tmp_path, _camus(cellules='["Camus", "ANGRES", "1 500", "1 600"]', texte="Camus ANGRES 1 500 1 600")
    )
    assert errors == []
    messages = unfaithful_texts(portraits["QN06202M"], sources)
    assert any("indicateurs.tableau.cellules" in m and "document 004" in m for m in messages), messages


def test_headers_not_printed_in_the_document_are_caught(tmp_path, sources):
    content = _camus(colonnes='["Quartier", "Commune", "Population 2014", "Population « Quartiers 2030 »"]')
    portraits, errors = _load(tmp_path, content)
    assert errors == []
    messages = unfaithful_texts(portraits["QN06202M"], sources)
    assert len(messages) == 1 and "indicateurs.tableau.colonnes" in messages[0], messages


# ------------------------------------------------------------------------------------------ the real files


def test_every_figure_quoted_from_a_table_row_carries_that_row(real):
    """Every `texte` that is a whole row of a table of its document has the row's headers and cells, as printed."""
    quoted = 0
    for fichier, figure in _figures(real):
        rows = _source_rows().get(figure.source.document, [])
        match = [(head, row) for head, row in rows if " ".join(row).split() == figure.texte.split()]
        if not match:
            assert figure.tableau is None, (fichier, figure.texte)
            continue
        quoted += 1
        assert figure.tableau is not None, (fichier, figure.libelle, figure.texte)
        assert (figure.tableau.colonnes, figure.tableau.cellules) == match[0], fichier
    assert quoted == 40  # 19 QPV x (2014, « Quartiers 2030 ») + the TOTAL row of the CALL frame, twice


def test_the_19_call_rows_name_their_quartier_and_commune(real):
    rows = {p.id: i.tableau for p in real.values() for i in p.indicateurs if i.tableau}
    assert len(rows) == 19 and all(p.startswith("QN062") for p in rows)
    assert rows["QN06202M"].cellules == ("Camus", "ANGRES", "1 500", "1 500")
    assert rows["QN06221M"].paires[1] == ("Commune", "BILLY-MONTIGNY, FOUQUIERES-LES-LENS")
    assert rows["QN06216M"].paires[1] == ("Commune", "DOUVVIN, HULLUCH, HAINES")  # as printed (Douvrin)


def test_the_frame_quotes_are_verbatim_too(sources):
    cadre = load_cadres()["CALL"]
    texts = cadre_texts(cadre)
    assert sum(1 for field, _, _ in texts if field.startswith("references.tableau")) == 4
    assert [t for t in texts if not is_verbatim(t[1], sources[t[2]])] == []


# --------------------------------------------------------------------------------------------- rendering


def _pairs(html: str) -> list[tuple[str, str]]:
    """(row header, cell) of every row of the HTML tables, as a reader reads them."""
    rows = re.findall(r"<tr><th scope='row'>(.*?)</th><td>(.*?)</td></tr>", html)
    return [(unescape(h), unescape(c)) for h, c in rows]


def test_camus_shows_the_row_under_its_headers_not_the_bare_row(real):
    html = ph.indicators_list(real["QN06202M"].indicateurs, load_documents())
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "Camus ANGRES 1 500 1 500" not in " ".join(text.split())
    assert html.count("<table") == 1  # both figures come from one row: it is shown once
    assert _pairs(html) == [
        ("Libellé QP", "Camus"),
        ("Commune", "ANGRES"),
        ("Population 2014", "1 500"),
        ("Population « Quartiers 2030 »", "1 500"),
    ]
    caption = unescape(re.search(r"<caption>(.*?)</caption>", html).group(1))
    assert caption.startswith(f"Ligne « Camus » du tableau de la section « {SECTION} » — document 004")
    assert "Lens-Liévin" in caption
    assert "<th scope='col'>Colonne du tableau</th>" in html
    assert "Même ligne du tableau, ci-dessus : colonne Population « Quartiers 2030 »" in unescape(html)


def test_a_row_from_a_file_is_escaped(real):
    figure = real["QN06202M"].indicateurs[0]
    tampered = dataclasses.replace(
        figure, tableau=dataclasses.replace(figure.tableau, cellules=("<script>x</script>", "A&B", "1 500", "1 500"))
    )
    html = ph.row_table(tampered, load_documents()) + ph.quote_text(tampered)
    assert "<script>" not in ph.row_table(tampered, load_documents())
    assert "&lt;script&gt;" in html and "A&amp;B" in html


def test_the_total_row_of_the_frame_reads_cell_by_cell(real):
    html = unescape(ph.cadre_html(load_cadres()["CALL"], load_documents()))
    assert "« TOTAL 47 800 55 000 »" not in html
    assert (
        f"ligne « TOTAL » du tableau de la section « {SECTION} » (document 004) — Libellé QP : TOTAL ; "
        "Commune : (case vide) ; Population 2014 : 47 800 ; Population « Quartiers 2030 » : 55 000"
    ) in html


def test_the_fiche_of_a_call_qpv_gives_each_cell_its_header(real):
    layers = couches_officielles.load_layers()
    catalogue = build_catalogue(layers.qpv, layers.qic, real)
    html = unescape(fiche_html(catalogue["QN06221M"], layers, load_documents()))
    assert "Cité Du Transvaal – Centre BILLY-MONTIGNY, FOUQUIERES-LES-LENS 1 600 1 700" not in html
    assert "Commune : BILLY-MONTIGNY, FOUQUIERES-LES-LENS ; Population 2014 : 1 600" in html
    assert "Phrase ou ligne de tableau de la source" in html
    # a sentence quote is still shown as the sentence
    assert "« Maxi : 34% pour la Cité Du Transvaal - Centre »" in html


# ----------------------------------------------------------------------------------------------- AppTest


@pytest.mark.usefixtures("fresh_caches")
def test_the_portrait_of_camus_in_the_app():
    at = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=120)
    at.query_params["quartier"] = "QN06202M"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "Camus"
    text = " ".join(shown_text(at).replace("**", "").split())
    assert "Camus ANGRES 1 500 1 500" not in text
    assert (
        "Population : 1 500 hab. — colonne Population « Quartiers 2030 », ligne « Camus » du tableau de la section "
        f"« {SECTION} » (document 004) ; périmètre : quartier, géographie prioritaire 2024 (« Quartiers 2030 »)"
    ) in text
    tables = [h.proto.body for h in at.get("html") if "class='qp-table qp-ligne'" in h.proto.body]
    assert len(tables) == 1
    assert ("Commune", "ANGRES") in _pairs(tables[0]) and ("Population 2014", "1 500") in _pairs(tables[0])
