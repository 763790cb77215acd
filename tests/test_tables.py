"""The Quartiers table's short titles, source keys and qualified cells, on the real portraits (pure pandas)."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from quartiers import couches_officielles, settings, tables
from quartiers.catalogue import build_catalogue
from quartiers.portraits import MILLESIME_INCONNU, load_portraits


@pytest.fixture(scope="module")
def catalogue():
    layers = couches_officielles.load_layers()
    portraits, errors = load_portraits()
    assert errors == []
    return build_catalogue(layers.qpv, layers.qic, portraits)


@pytest.fixture(scope="module")
def frame(catalogue):
    return tables.quartiers_table(catalogue)


def raw_triples() -> set[tuple[str, str, str]]:
    """Distinct (source, vintage, perimeter) of the table's indicators, read straight from the TOML files."""
    found = set()
    for path in settings.PORTRAITS_DIR.glob("*.toml"):
        if path.name == "documents.toml":
            continue
        for block in tomllib.loads(path.read_text(encoding="utf-8")).get("indicateurs", []):
            if block.get("cle") in tables.TABLE_INDICATORS:
                source = block.get("source_donnees") or f"document {block['source']['document']}"
                # a figure without a vintage says so (MILLESIME_INCONNU) rather than borrow one
                found.add((source, block.get("millesime") or MILLESIME_INCONNU, block.get("perimetre")))
    return found


def cell(frame, catalogue, quartier_id: str, column: str) -> str:
    row = list(frame["Quartier"]).index(catalogue[quartier_id].nom)
    return frame.attrs["affichage"].get((row, column))


def column_of(frame, label: str, in_key: str) -> str:
    """The column of an indicator label whose key's (source ; vintage ; perimeter) contains `in_key`."""
    (found,) = [c for c, k in frame.attrs["cle_colonne"].items() if c.startswith(label + " [") and in_key in k.label]
    return found


def test_every_figure_column_title_is_short_and_keyed(frame):
    keyed = frame.attrs["cle_colonne"]
    assert set(keyed) == set(frame.attrs["mesures"])
    for column, key in keyed.items():
        assert column.endswith(f" [{key.cle}]")
        assert len(column) <= 45, column  # « Population « Quartiers 2030 » (hab.) [D] » is the longest kind
        assert key.perimetre not in column and " — " not in column and ";" not in column


def test_the_keys_are_exactly_the_source_vintage_perimeter_triples_of_the_files(frame):
    keys = frame.attrs["cles"]
    triples = [(k.source, k.millesime, k.perimetre) for k in keys]
    assert len(set(triples)) == len(triples)  # one key per triple
    assert len({k.cle for k in keys}) == len(keys)
    surface = tables.SURFACE_2024
    assert set(triples) == raw_triples() | {(surface.source, surface.millesime, surface.perimetre)}


def test_environ_reads_approximately_and_keeps_its_number(frame, catalogue):
    population = column_of(frame, "Population (hab.)", "sigville")
    assert cell(frame, catalogue, "QN06209M", population) == "≈ 3 300"  # « environ 3 300 habitants »
    row = list(frame["Quartier"]).index("3 Îlots")
    assert frame.at[row, population] == 3300  # the number stays a number, for sorting
    assert "environ" in tables.QUALIFIER_NOTES[tables.ENVIRON]


def test_mini_and_maxi_follow_the_number_as_the_source_says(frame, catalogue):
    poverty = column_of(frame, "Taux de pauvreté (%)", "Taux de pauvreté à 60% revenu déclaré 2019")
    assert cell(frame, catalogue, "QN06225M", poverty) == "70,5 (maxi)"  # Grande Résidence, document 004
    assert cell(frame, catalogue, "QN06216M", poverty) == "53,9 (mini)"  # Saint-Elie - Fosse 13


def test_one_quartier_with_both_a_mini_and_a_maxi_reads_as_a_range(catalogue):
    # Document 004 gives the mini to one quartier and the maxi to another: put both on one to check the range.
    mini = next(i for i in catalogue["QN06216M"].portrait.indicateurs if i.cle == "taux_pauvrete")
    maxi = next(i for i in catalogue["QN06225M"].portrait.indicateurs if i.cle == "taux_pauvrete")
    assert tables.cell_text([maxi, mini]) == "53,9 – 70,5 (mini – maxi)"
    assert tables.cell_text([dataclasses.replace(mini, texte="Taux : 53,9%")]) is None  # a bare number
    assert tables.cell_text([]) is None


@pytest.mark.parametrize(
    ("raw", "ids", "unknown"),
    [
        (None, [], []),
        ("", [], []),
        ("QN06208M,qn06226m", ["QN06208M", "QN06226M"], []),
        ("QN06226M, QN06226M ,Catorive", ["QN06226M", "catorive"], []),
        ("QN99999M,<b>x</b>,QN06208M", ["QN06208M"], ["QN99999M", "<b>x</b>"]),
    ],
)
def test_the_compared_ids_of_a_link(catalogue, raw, ids, unknown):
    assert tables.parse_ids(raw, catalogue) == (ids, unknown)
