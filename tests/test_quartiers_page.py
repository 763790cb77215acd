"""The Quartiers page through AppTest: the table sorts numbers as numbers, empty cells last, read « — »; its
legend keys every column to its source, vintage and perimeter; quartiers are compared one added at a time."""

from __future__ import annotations

import re
from html import unescape

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from quartiers.portraits import load_documents, load_portraits

APP = str(settings.ROOT / "app.py")
HAUT_DHOUDAIN = "QN06217M"  # « Le Haut D'Houdain », with a straight apostrophe in the ANCT layer


pytestmark = pytest.mark.usefixtures("fresh_caches")


def table_html(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if "Tableau des quartiers" in h.proto.body)


def table_rows(at: AppTest) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr><th scope='row'>(.*?)</tr>", table_html(at)):
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)) for c in re.split(r"</t[hd]><t[hd][^>]*>", row)])
    return rows


def legend(at: AppTest) -> dict[str, str]:
    """The legend's keys and what each says (« source : … ; millésime : … ; périmètre : … — colonnes : … »)."""
    body = table_html(at)
    return {
        unescape(k): unescape(re.sub(r"<[^>]+>", "", v))
        for k, v in re.findall(r"<dt>\[(\w+)\]</dt><dd>(.*?)</dd>", body)
    }


def open_quartiers(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/quartiers.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def compared(at: AppTest) -> list[str]:
    return [b.key.removeprefix("comparer_retirer_") for b in at.button if (b.key or "").startswith("comparer_retirer_")]


def add(at: AppTest, typed: str) -> AppTest:
    """Type in the « Ajouter » field and press Enter (the form's submit button)."""
    at.text_input(key="comparer_saisie").input(typed)
    return at.button(key="comparer_ajouter").click().run()


def announced(at: AppTest) -> str:
    return " ".join(unescape(h.proto.body) for h in at.get("html") if 'role="status"' in h.proto.body)


def test_sorting_by_the_sigville_poverty_rate_puts_the_highest_first_and_the_empty_last():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/quartiers.py").run()
    options = at.selectbox(key="tri_quartiers").options
    keys = legend(at)
    column = next(
        o for o in options if o.startswith("Taux de pauvreté (%) [") and keys[o[-2]].startswith("source : sigville ;")
    )
    at.selectbox(key="tri_quartiers").set_value(column).run()
    at.toggle(key="tri_decroissant").set_value(True).run()
    assert not at.exception
    rows = table_rows(at)
    index = options.index(column)
    # expected order read from the portrait files: every sigville 2022 poverty rate, highest first
    portraits, _ = load_portraits()
    rates = sorted(
        (
            (i.valeur, p.nom)
            for p in portraits.values()
            for i in p.indicateurs
            if i.cle == "taux_pauvrete" and i.source_donnees == "sigville"
        ),
        reverse=True,
    )
    assert [r[0] for r in rows[: len(rates)]] == [nom for _, nom in rates]
    assert rows[0][index] == "46,1"
    assert all(r[index] == "—" for r in rows[len(rates) :])  # empty cells last, shown « — »
    assert len(rows) == 42


def test_the_legend_gives_every_column_key_its_whole_tuple_as_in_the_portrait_files():
    at = open_quartiers()
    keys = legend(at)
    options = at.selectbox(key="tri_quartiers").options
    figure_columns = [o for o in options if re.search(r" \[\w+\]$", o)]
    assert len(figure_columns) >= 15
    for column in figure_columns:
        key = column.rsplit("[", 1)[1].rstrip("]")
        assert key in keys, column
        assert column.rsplit(" [", 1)[0] in keys[key].split("colonnes : ")[1], column
    # each (source, vintage, perimeter) found in the portrait files is one key, stated whole
    portraits, _ = load_portraits()
    documents = load_documents()
    stated = {v.split(" — colonnes")[0] for v in keys.values()}
    for p in portraits.values():
        for i in p.indicateurs:
            if i.cle in ("population", "taux_pauvrete", "ips"):
                m = i.mesure
                # « document 004 » is named with its title, so that a reader knows which document it is
                source = (
                    f"{m.source} ({documents[m.source[-3:]].titre})" if m.source.startswith("document ") else m.source
                )
                assert f"source : {source} ; millésime : {m.millesime} ; périmètre : {m.perimetre}" in stated
    body = table_html(at)
    assert "« environ » dans la source" in body and "maxi" in body
    # the header keeps the tuple for screen readers (abbr title and hidden text), the table points at the legend
    assert "aria-describedby='legende-tableau-quartiers'" in body and "id='legende-tableau-quartiers'" in body
    assert "<abbr title='sigville ; données sigville 2022 basées sur l&#x27;ancien périmètre ; ancien" in body


def test_qualified_figures_read_the_same_way_and_sort_as_numbers():
    at = open_quartiers()
    options = at.selectbox(key="tri_quartiers").options
    keys = legend(at)
    population = next(
        o for o in options if o.startswith("Population (hab.) [") and keys[o[-2]].startswith("source : sigville ;")
    )
    at.selectbox(key="tri_quartiers").set_value(population).run()
    at.toggle(key="tri_decroissant").set_value(True).run()
    rows = table_rows(at)
    index = options.index(population)
    cells = [r[index] for r in rows if r[index] != "—"]
    # every sigville population is « environ N » in the conventions but one: read « ≈ N » or a bare number
    assert all(re.fullmatch(r"(≈ )?[\d  ]+", c) for c in cells), cells
    assert not any("environ" in c or "hab." in c for c in cells)
    values = [int(re.sub(r"\D", "", c)) for c in cells]
    assert values == sorted(values, reverse=True) and values[0] == 3300
    assert {r[0]: r[index] for r in rows}["3 Îlots"] == "≈ 3 300"
    poverty = next(
        o for o in options if o.startswith("Taux de pauvreté (%) [") and "revenu déclaré 2019" in keys[o[-2]]
    )
    by_name = {r[0]: r[options.index(poverty)] for r in rows}
    assert by_name["Grande Résidence"] == "70,5 (maxi)"
    assert any(v == "53,9 (mini)" for v in by_name.values())


def test_typing_cite_2_without_accent_then_enter_adds_cite_2_only():
    at = open_quartiers()
    assert compared(at) == ["QN06208M", "QN06209M"]  # the default pair
    add(at, "cite 2")
    assert not at.exception
    assert compared(at) == ["QN06208M", "QN06209M", "QN06226M"]
    assert at.query_params["comparer"] == "QN06208M,QN06209M,QN06226M"
    assert "Cité 2 ajouté à la comparaison." in announced(at)
    comparison = next(h.proto.body for h in at.get("html") if "Chiffres" in h.proto.body and "Cité 2" in h.proto.body)
    assert "<th scope='col'>Cité 2</th>" in comparison
    assert at.text_input(key="comparer_saisie").value == ""  # the field is emptied for the next one
    # a word shared by many quartiers adds none: they are listed, one button each, and one is added at a time
    add(at, "CITE")
    assert compared(at) == ["QN06208M", "QN06209M", "QN06226M"]
    choices = [b for b in at.button if (b.key or "").startswith("comparer_ajouter_")]
    assert 2 <= len(choices) <= 8 and all(b.label.startswith("Ajouter Cit") for b in choices)
    assert "quartiers correspondent à « CITE »" in announced(at)
    choices[0].click().run()
    assert len(compared(at)) == 4
    assert not [b for b in at.button if (b.key or "").startswith("comparer_ajouter_")]


def test_apostrophes_and_codes_find_the_same_quartiers_as_the_map_search():
    at = open_quartiers(comparer="")
    assert compared(at) == []
    assert not any("Chiffres comparables" in h.proto.body for h in at.get("html"))
    add(at, "qn06226m")
    add(at, "le haut d’houdain")  # a typographic apostrophe, typed as a word processor does
    add(at, "MONT LIEBAUT")
    assert compared(at) == ["QN06226M", HAUT_DHOUDAIN, "QN06208M"]
    add(at, "mont liébaut")
    assert "déjà dans la comparaison" in announced(at) and len(compared(at)) == 3
    add(at, "zzzz")
    assert "Aucun quartier à comparer ne correspond à « zzzz »" in announced(at)


def test_each_compared_quartier_is_removed_by_its_own_button():
    at = open_quartiers(comparer="QN06208M,QN06209M,QN06226M")
    at.button(key="comparer_retirer_QN06209M").click().run()
    assert compared(at) == ["QN06208M", "QN06226M"]
    assert at.query_params["comparer"] == "QN06208M,QN06226M"
    assert "3 Îlots retiré de la comparaison." in announced(at)


def test_an_unknown_code_in_the_link_gets_a_french_message_and_the_others_still_compare():
    at = open_quartiers(comparer="QN06226M,QN99999M,<script>x</script>")
    assert compared(at) == ["QN06226M"]
    (warning,) = [w.value for w in at.warning]
    assert "Quartier inconnu dans le lien, ignoré" in warning and "QN99999M" in warning
    assert "<script>" not in warning


def test_what_was_typed_already_compared_adds_no_other_quartier():
    """« cite 2 » when Cité 2 is compared: said so, and Cité 12 – 14 (the next match) is not added instead."""
    at = open_quartiers(comparer="QN06226M")
    add(at, "cite 2")
    assert compared(at) == ["QN06226M"]
    assert "Cité 2 : quartier déjà dans la comparaison." in announced(at)


def test_a_typo_offers_the_quartier_meant_and_adds_it_only_when_chosen():
    at = open_quartiers(comparer="QN06226M")
    add(at, "liebeau")
    assert compared(at) == ["QN06226M"]  # a guess is never added on its own
    assert "Vouliez-vous dire" in announced(at)
    at.button(key="comparer_ajouter_QN06208M").click().run()
    assert compared(at) == ["QN06226M", "QN06208M"]


def test_only_the_surface_shared_is_said_without_contradicting_the_table():
    at = open_quartiers(comparer="QN06208M,QN06232M")  # Mont Liébaut (sigville 2022) and Cité 10 (CALL contract)
    (warning,) = [w.value for w in at.warning]
    assert "seule la surface 2024, calculée sur les tracés officiels, l'est" in warning
    comparison = next(h.proto.body for h in at.get("html") if "Chiffres comparables" in h.proto.body)
    assert "Surface du périmètre 2024" in comparison
