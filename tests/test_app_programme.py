"""« Tester un programme » through AppTest: the page opens, a drawn building gets its verdicts and conditions."""

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from quartiers import settings
from quartiers.ui.programme import MAP_KEY
from tests.apptest_text import shown_text

APP = str(settings.ROOT / "app.py")
pytestmark = pytest.mark.usefixtures("fresh_caches")


def _page(drawings=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/programme.py")
    if drawings is not None:
        at.session_state[MAP_KEY] = {"all_drawings": drawings}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _drawn_west_of_mont_liebaut(near, far):
    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    xy = shapely.get_coordinates(qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0])
    x0, y0 = xy[xy[:, 0].argmin()]
    box = gpd.GeoSeries([shapely.box(x0 - far, y0 - 10, x0 - near, y0 + 10)], crs=settings.LAMBERT93)
    return {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(box.to_crs(settings.WGS84)[0])}


def test_page_invites_to_upload_or_draw():
    shown = shown_text(_page())
    assert "Un programme de logements est-il dans la zone ?" in shown
    assert "un bâtiment par polygone" in shown


def test_drawn_building_straddling_the_300_m_line_gets_rule_b():
    shown = shown_text(_page([_drawn_west_of_mont_liebaut(250, 350)]))
    assert "Règle (a) : non" in shown and "Règle (b) : oui" in shown
    assert "Le Mont-Liébaut à Béthune" in shown
    assert "seule l'administration fiscale apprécie l'éligibilité" in shown
    assert "1er janvier 2024" in shown


def test_overlapping_buildings_get_a_french_message():
    drawn = _drawn_west_of_mont_liebaut(250, 350)
    shown = shown_text(_page([drawn, drawn]))
    assert "se recouvrent" in shown and "Règle (a)" not in shown


def test_portrait_of_an_npnru_quartier_says_so_with_its_source():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["quartier"] = "QN06208M"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = shown_text(at)
    assert "Renouvellement urbain (NPNRU)" in shown
    assert "Le Mont-Liébaut à Béthune, intérêt régional" in shown and "CPER Nord-Pas-de-Calais" in shown


def test_portrait_of_another_quartier_does_not():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["quartier"] = "QN06226M"
    at.run()
    assert "Renouvellement urbain (NPNRU)" not in shown_text(at)


def test_sources_page_lists_the_npnru_quartiers_and_the_method():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/sources.py")
    at.run()
    shown = shown_text(at)
    assert "Quartiers en renouvellement urbain (NPNRU) et règle des 500 m" in shown
    assert "Cité 12-14 (QN06224M)" in shown and "npnru_cabbalr_call.csv" in shown
