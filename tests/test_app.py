"""The app through Streamlit's AppTest: every page, deep links, and bad input."""

import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from quartiers.ui.recherche import FIELD
from tests.apptest_text import shown_text

APP = str(settings.ROOT / "app.py")


def run(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


texts = shown_text


pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_map_page_without_selection_invites_to_choose():
    at = run()
    shown = texts(at)
    assert "Carte des quartiers prioritaires" in shown
    assert "37 quartiers prioritaires" in shown
    assert "Bande des 300 m (indicative)" in shown  # the text legend (RGAA)
    assert "Périmètres des QIC non publiés" in shown or "périmètres non publiés" in shown


def test_deep_link_to_a_full_portrait_shows_figures_and_irritants():
    at = run(quartier="QN06208M")
    assert at.header[0].value == "Mont Liébaut"
    shown = texts(at)
    assert "QP 06 20 08" in shown and "QN06208M" in shown
    assert "Taux de pauvreté : 46,1% (18,8% sur l'ensemble de l'agglomération)." in shown  # the source's sentence
    assert "données sigville 2022 basées sur l'ancien périmètre" in shown
    assert "Problématiques sécuritaires" in shown
    assert "Les « irritants » : principales problématiques (4)" in shown
    assert "Objectifs opérationnels" in shown


def test_lillers_portrait_keeps_the_cited_code_and_the_official_one():
    at = run(quartier="QN06255M")
    shown = texts(at)
    assert "QP 06 20 57" in shown and "QN06255M" in shown
    assert "Un CCAS très actif" in shown


def test_qpv_without_convention_says_so():
    at = run(quartier="QN06220M")
    assert any("Portrait détaillé non disponible" in i.value for i in at.info)
    assert "QN06220M" in texts(at)


def test_call_quartier_shows_the_diagnostic_figure():
    at = run(quartier="QN06225M")
    assert "maxi : 70,5 %" in texts(at)


def test_qic_catorive_is_reachable_without_a_perimeter():
    at = run(quartier="catorive")
    assert at.header[0].value == "Catorive"
    shown = texts(at)
    assert "Quartier d'intérêt communautaire (QIC)" in shown
    assert "non publié" in shown
    assert "maison d'arrêt" in shown
    # A resident is told plainly that a QIC is not a QPV; a QPV's portrait does not say it.
    assert "Ce n'est pas un quartier prioritaire (QPV)" in shown
    assert "Ce n'est pas un quartier prioritaire" not in texts(run(quartier="QN06208M"))


def test_url_value_is_forgiving_on_case():
    assert run(quartier="qn06208m").header[0].value == "Mont Liébaut"


@pytest.mark.parametrize("value", ["QN99999X", "<script>alert(1)</script>", "x" * 300, "catorive' OR 1=1"])
def test_unknown_quartier_in_url_gives_a_french_message_and_the_plain_map(value):
    at = run(quartier=value)
    assert len(at.error) == 1 and "Quartier inconnu" in at.error[0].value
    assert "<script>" not in at.error[0].value  # escaped, shown as text
    assert [h.value for h in at.header] == ["Choisissez un quartier"]  # the welcome, no portrait
    assert "Carte des quartiers prioritaires" in at.title[0].value


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key=FIELD).input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_html(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.get("html"))


def test_search_without_accents_selects_a_quartier_and_puts_it_in_the_url():
    at = search(run(), "liebaut")
    at.button(key="resultat_0_quartier_QN06208M").click().run()
    assert at.query_params["quartier"] in ("QN06208M", ["QN06208M"])
    assert at.header[0].value == "Mont Liébaut"
    assert at.text_input(key=FIELD).value == ""  # the field is emptied once a result is chosen


def test_a_selection_made_elsewhere_empties_the_search_field():
    at = search(run(), "lens")
    assert at.button  # the results are listed
    at.query_params["quartier"] = "QN06208M"  # as a click on the map or a link does
    at.run()
    assert at.text_input(key=FIELD).value == ""
    assert not [b for b in at.button if b.key and b.key.startswith("resultat_")]


def test_search_by_the_code_printed_in_the_convention():
    at = search(run(), "QP 06 20 57")
    at.button(key="resultat_0_quartier_QN06255M").click().run()
    assert at.header[0].value == "Ville Centre"


def test_search_for_a_commune_puts_it_in_the_url_and_lists_its_quartiers():
    at = search(run(), "lievin")
    at.button(key="resultat_0_commune_Liévin").click().run()
    assert at.query_params["commune"] in ("Liévin", ["Liévin"])
    assert "quartier" not in at.query_params
    html = shown_html(at)
    assert set(re.findall(r'href="\./\?quartier=(\w+)"', html)) == {"QN06228M", "QN06229M", "QN06230M"}
    assert "Quartiers de Liévin</strong> (3 quartiers)" in html


@pytest.mark.parametrize("value", ["Paris", "<script>alert(1)</script>"])
def test_unknown_commune_in_url_gives_a_french_message(value):
    at = run(commune=value)
    assert len(at.error) == 1 and "Commune inconnue" in at.error[0].value
    assert "<script>" not in at.error[0].value


def test_commune_in_url_is_found_whatever_the_spelling():
    html = shown_html(run(commune="noeux-les-mines"))
    assert "Quartiers de Nœux-les-Mines</strong> (1 quartier)" in html and "quartier=QN06218M" in html


def test_search_without_match_says_so_in_french():
    at = search(run(), "zzzz")
    assert "Aucun quartier ni aucune commune ne correspond" in shown_html(at)
    assert not at.get("button")


def test_a_typo_offers_the_name_meant_and_one_tap_opens_it():
    at = search(run(), "liebeau")
    assert "Vouliez-vous dire" in shown_html(at)
    at.button(key="resultat_0_quartier_QN06208M").click().run()
    assert at.header[0].value == "Mont Liébaut"


def test_quartiers_page_lists_every_quartier_with_links():
    at = run("pages/quartiers.py")
    bodies = [h.proto.body for h in at.get("html")]
    table = next(b for b in bodies if "Tableau des quartiers" in b)
    assert table.count("<tr><th scope='row'>") == 42  # 37 QPV, 4 neighbours, the QIC Catorive
    assert "href='/?quartier=catorive'" in table and "None" not in table
    row = next(r for r in table.split("<tr>") if "href='/?quartier=QN06208M'" in r)
    assert "<td class='qp-n'>46,1</td>" in row  # the sigville 2022 poverty rate, in its own column
    assert any("href='/?quartier=QN06208M'" in b for b in bodies if "Portraits des quartiers" in b)  # the link list
    comparison = next(b for b in bodies if "Chiffres comparables" in b)
    assert "<th scope='col'>Mont Liébaut</th>" in comparison and "<th scope='col'>3 Îlots</th>" in comparison


def test_sources_page_cites_documents_licences_and_the_band_rule():
    at = run("pages/sources.py")
    shown = texts(at)
    assert "Licence Ouverte" in shown and "278 sexies" in shown and "EPSG:2154" in shown
    assert "https://sig.ville.gouv.fr/territoire/QN06208M" in shown
    assert "généralisée à 100 m" in shown


def test_situer_page_answers_for_a_point_in_the_url():
    at = run("pages/situer.py")
    at.query_params["lat"] = "50.518"
    at.query_params["lon"] = "2.629"
    at.run()
    shown = texts(at)
    assert "Ce point est dans le QPV Mont Liébaut (Quartier Du Mont Liébaut ; QN06208M, Béthune)" in shown
    assert "décret n° 2023-1314" in shown


def test_situer_coordinates_form():
    at = run("pages/situer.py")
    at.text_input[0].set_value("50,2910")
    at.text_input[1].set_value("2,7775")
    at.button[0].click().run()
    shown = texts(at)
    assert "Hors QPV et hors bande" in shown and "hors des agglomérations CABBALR et CALL" in shown


def test_situer_with_bad_coordinates_in_url():
    at = run("pages/situer.py")
    at.query_params["lat"] = "abc"
    at.query_params["lon"] = "2.6"
    at.run()
    assert any("Coordonnées invalides" in e.value for e in at.error)


def test_address_without_network_says_so_and_the_page_keeps_working():
    at = run("pages/situer.py")
    at.text_input[2].set_value("12 rue de la Gare, Béthune")
    at.button[1].click().run()
    assert not at.exception
    assert any("injoignable" in w.value for w in at.warning) or "Adresse trouvée" in texts(at)


def test_missing_layer_is_reported_and_the_rest_works(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "COMMUNES_FILE", tmp_path / "communes_absentes.geojson")
    at = run(quartier="QN06208M")
    assert any("communes_absentes.geojson" in w.value.replace("\\", "") for w in at.warning)
    assert at.header[0].value == "Mont Liébaut"


def test_malformed_portrait_is_set_aside_and_others_still_show(monkeypatch, tmp_path):
    shutil.copytree(settings.PORTRAITS_DIR, tmp_path / "portraits")
    (tmp_path / "portraits" / "QN06209M.toml").write_text('id = "QN06209M"\nnom = "3 Îlots', encoding="utf-8")
    monkeypatch.setattr(settings, "PORTRAITS_DIR", tmp_path / "portraits")
    at = run(quartier="QN06208M")
    assert any("QN06209M.toml" in w.value and "mal formé" in w.value.replace("\\", "") for w in at.warning)
    assert at.header[0].value == "Mont Liébaut"
    at = run(quartier="QN06209M")
    assert any("Aucune fiche" in i.value for i in at.info)


def test_presentation_mode_is_kept_in_the_url():
    at = run()
    at.toggle(key="presentation_toggle").set_value(True).run()
    assert at.query_params["presentation"] in ("1", ["1"])
    links = [link.proto for link in at.get("page_link")]
    assert links and all("presentation=1" in link.query_string for link in links)
    at.toggle(key="presentation_toggle").set_value(False).run()
    assert "presentation" not in at.query_params


@pytest.mark.parametrize("typed", ["yes", "oui", "TRUE", "on"])
def test_presentation_mode_from_a_link_typed_in_words(typed):
    at = run(presentation=typed)
    assert at.toggle(key="presentation_toggle").value is True
    assert at.query_params["presentation"] in ("1", ["1"])  # the URL then says it the one way


@pytest.mark.parametrize("typed", ["0", "non", "<b>1</b>"])
def test_presentation_mode_stays_off_for_other_values(typed):
    assert run(presentation=typed).toggle(key="presentation_toggle").value is False


def test_presentation_mode_from_a_shared_link_shows_the_toggle_on():
    at = run(presentation="1")
    assert at.toggle(key="presentation_toggle").value is True
