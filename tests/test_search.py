"""Search as people type it: no accents, any case, curly apostrophes, every name and code, and the communes."""

import pytest

from quartiers.catalogue import build_catalogue
from quartiers.couches_officielles import load_layers
from quartiers.portraits import load_portraits
from quartiers.search import EXACT, INSIDE, PREFIX, WORD, SearchIndex, fold, match_score, quartier_label


@pytest.fixture(scope="module")
def catalogue():
    layers = load_layers()
    portraits, _ = load_portraits()
    return build_catalogue(layers.qpv, layers.qic, portraits)


@pytest.fixture(scope="module")
def index(catalogue) -> SearchIndex:
    return SearchIndex(catalogue, list(load_layers().communes["nom"]))


def first(index: SearchIndex, query: str):
    results = index.search(query)
    assert results, f"nothing found for {query!r}"
    return results[0]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nœux-les-Mines", "noeux les mines"),
        ("Le Haut D’Houdain", "le haut dhoudain"),
        ("Le Haut D'Houdain", "le haut dhoudain"),
        ("3 Îlots", "3 ilots"),
        ("LIÉVIN", "lievin"),
        ("  QP 06 20 57 ", "qp 06 20 57"),
    ],
)
def test_fold_removes_accents_case_ligatures_and_apostrophes(text, folded):
    assert fold(text) == folded


def test_match_scores_rank_whole_then_start_then_word_then_inside():
    assert match_score("mont liebaut", "mont liebaut") == EXACT
    assert match_score("qp062057", "qp 06 20 57") == EXACT  # spaces do not matter in a code
    assert match_score("mont", "mont liebaut") == PREFIX
    assert match_score("liebaut", "quartier du mont liebaut") == WORD
    assert match_score("ebau", "mont liebaut") == INSIDE
    assert match_score("zzz", "mont liebaut") == 0


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("liebaut", "QN06208M"),
        ("LIEBAUT", "QN06208M"),
        ("Liébaut", "QN06208M"),
        ("ilots", "QN06209M"),
        ("d’houdain", "QN06217M"),  # curly apostrophe, as phones type it
        ("d'houdain", "QN06217M"),
        ("Rimbert", "QN06206M"),  # the ANCT name ("Quartier Rimbert"); the convention writes "Rimbart"
        ("Quartier Du Mont Liébaut", "QN06208M"),
        ("qn06208m", "QN06208M"),
        ("QP 06 20 57", "QN06255M"),  # the code printed in the Lillers convention, not the official one
        ("QP062057", "QN06255M"),
        ("catorive", "catorive"),
    ],
)
def test_every_name_of_a_quartier_finds_it_first(index, query, code):
    result = first(index, query)
    assert (result.kind, result.key) == ("quartier", code)


def test_a_qic_result_says_it_is_not_a_qpv(index, catalogue):
    catorive = index.search("catorive")[0]
    label = quartier_label(catalogue[catorive.key])
    assert label.endswith("— QIC (pas un QPV)"), label
    assert "pas un QPV" not in quartier_label(catalogue["QN06208M"])


@pytest.mark.parametrize(
    ("query", "commune"), [("lievin", "Liévin"), ("noeux", "Nœux-les-Mines"), ("BETHUNE", "Béthune")]
)
def test_a_commune_typed_without_accents_comes_first(index, query, commune):
    result = first(index, query)
    assert (result.kind, result.key) == ("commune", commune)


def test_a_commune_s_quartiers_follow_it_before_other_communes_with_a_similar_name(index):
    results = index.search("bethune")
    kinds = [(r.kind, r.key) for r in results]
    assert kinds[0] == ("commune", "Béthune")
    assert kinds.index(("quartier", "QN06208M")) < kinds.index(("commune", "Fouquières-lès-Béthune"))


def test_quartiers_of_a_commune_are_those_whose_perimeter_touches_it(index):
    codes = [q.id for q in index.quartiers_of("Liévin")]
    assert sorted(codes) == ["QN06228M", "QN06229M", "QN06230M"]
    assert "catorive" in [q.id for q in index.quartiers_of("béthune")]


def test_commune_spelling_is_recovered_from_any_typing(index):
    assert index.commune("noeux-les-mines") == "Nœux-les-Mines"
    assert index.commune("Paris") is None


def test_no_match_and_empty_query_give_nothing(index):
    assert index.search("zzzz") == []
    assert index.search("  ’ ") == []


@pytest.mark.parametrize(
    ("typed", "kind", "key"),
    [("liebeau", "quartier", "QN06208M"), ("catorve", "quartier", "catorive"), ("lievn", "commune", "Liévin")],
)
def test_a_typo_finds_nothing_but_suggests_the_name_meant(index, typed, kind, key):
    assert index.search(typed) == []
    first_suggestion = index.suggest(typed)[0]
    assert (first_suggestion.kind, first_suggestion.key) == (kind, key)


@pytest.mark.parametrize("typed", ["xyzzy", "lns", "paris"])
def test_no_suggestion_for_what_resembles_nothing(index, typed):
    assert index.suggest(typed) == []
