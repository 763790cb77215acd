"""« Tester un programme » in headless chromium: upload, a building drawn with Leaflet.draw, phone, A4 sheet as PDF.

Fixtures (the server, the browser, `session`) are in conftest.py. Buildings are placed west of Mont Liébaut
(an NPNRU quartier), where no other QPV lies within 800 m (tests/test_formes_programme.py checks it).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from quartiers import settings
from quartiers.cli import main
from quartiers.formes.carte_programme import MAP_TITLE, STYLE_BATIMENT
from tests.conftest import FIRST_LOAD_MS, PHONE, SCREENSHOTS, expect
from tests.test_browser_perimetre import _pdf_pages

pytestmark = pytest.mark.browser

PROGRAMME_IFRAME = f'iframe[title="{MAP_TITLE}"]'
LAPTOP = {"width": 1366, "height": 768}
BUILDING_PATHS = f"path.leaflet-interactive[fill='{STYLE_BATIMENT['fillColor']}']"


@pytest.fixture(scope="module")
def west_point():
    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    xy = shapely.get_coordinates(qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0])
    return xy[xy[:, 0].argmin()]


def _programme_file(path, west_point):
    x0, y0 = west_point
    frame = gpd.GeoDataFrame(
        {"nom": ["<i>Les Tilleuls</i>", "Les Acacias"]},
        geometry=[shapely.box(x0 - 250, y0 - 10, x0 - 230, y0 + 10), shapely.box(x0 - 420, y0 - 8, x0 - 400, y0 + 8)],
        crs=settings.LAMBERT93,
    )
    frame.to_crs(settings.WGS84).to_file(path, driver="GeoJSON")
    return path


def _open(session):
    session.open("/programme")
    session.map_iframe = PROGRAMME_IFRAME
    return session.wait_for_map()


def _upload(session, path) -> None:
    session.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(path)


@pytest.mark.parametrize("session", [LAPTOP], indirect=True, ids=["1366x768"])
def test_upload_gives_the_clis_figures_map_and_a_one_page_sheet(session, west_point, capsys):
    path = _programme_file(session.tmp_path / "programme.geojson", west_point)
    assert main(["programme", str(path), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    frame = _open(session)
    _upload(session, path)
    page = session.page
    expect(page.get_by_text("2 bâtiments du fichier déposé.")).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Règle (b) : oui").first).to_be_visible()
    # The name from the file is shown as text, tags included.
    expect(page.get_by_text("<i>Les Tilleuls</i>", exact=True).first).to_be_visible()
    table = page.get_by_role("table", name="Chiffres du programme, bâtiment par bâtiment").inner_text()
    for batiment in (*cli["batiments"], cli["ensemble"]):
        assert f"{batiment['distance_max_m']} m" in table
    assert "seule l'administration fiscale apprécie l'éligibilité" in page.inner_text("body")
    expect(frame.locator(BUILDING_PATHS).first).to_be_visible()
    expect(frame.locator(".etiquette-difference", has_text="500 m").first).to_be_visible()
    expect(frame.locator("details.legende-carte").get_by_text("Ligne des 500 m", exact=False)).to_be_visible()
    assert session.foreign_requests() == []
    session.screenshot("programme-upload.png")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Fiche A4 imprimable (HTML)").click()
    sheet = session.tmp_path / "fiche.html"
    download_info.value.save_as(sheet)
    html = sheet.read_text(encoding="utf-8")
    assert "&lt;i&gt;Les Tilleuls&lt;/i&gt;" in html and "Réponse indicative" in html
    printed = session.context.new_page()
    printed.goto(sheet.as_uri())
    pdf = session.tmp_path / "fiche.pdf"
    printed.pdf(path=pdf, prefer_css_page_size=True)
    printed.set_viewport_size({"width": 794, "height": 1123})
    printed.emulate_media(media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    printed.screenshot(path=SCREENSHOTS / "programme-fiche-a4.png", full_page=True)
    assert _pdf_pages(pdf) == 1


@pytest.mark.parametrize("session", [LAPTOP, PHONE], indirect=True, ids=["1366x768", "390x844"])
def test_a_drawn_building_gets_its_verdicts(session, west_point):
    x0, y0 = west_point
    corners_l93 = [(x0 - 340, y0 + 30), (x0 - 260, y0 + 30), (x0 - 260, y0 - 30), (x0 - 340, y0 - 30)]
    lonlat = gpd.GeoSeries(gpd.points_from_xy(*zip(*corners_l93, strict=True)), crs=settings.LAMBERT93)
    lonlat = lonlat.to_crs(settings.WGS84)
    corners = [(p.y, p.x) for p in lonlat]
    frame = _open(session)
    container = frame.locator("#map_div")
    centre = (sum(c[0] for c in corners) / 4, sum(c[1] for c in corners) / 4)
    container.evaluate(
        "(el, c) => el.ownerDocument.defaultView.map.setView(c, 17, {animate: false})", [centre[0], centre[1]]
    )
    frame.locator("a.leaflet-draw-draw-polygon").click()
    frame_handle = container.element_handle().owner_frame()
    ready = (
        "() => { const d = Object.values(window).find(v => v instanceof L.Control.Draw);"
        " const h = d && d._toolbars.draw._modes.polygon.handler; return h && h.enabled() && !h._disableMarkers; }"
    )
    vertices = frame.locator(".leaflet-marker-icon.leaflet-editing-icon")
    for count, (lat, lon) in enumerate(corners, start=1):
        frame_handle.wait_for_function(ready)
        session.click_map_at(lat, lon)
        expect(vertices).to_have_count(count)
    frame_handle.wait_for_function(ready)
    session.click_map_at(*corners[0])
    expect(session.page.get_by_text("1 bâtiment dessiné.")).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(session.page.get_by_text("Règle (a) : non").first).to_be_visible()
    expect(session.page.get_by_text("Règle (b) : oui").first).to_be_visible()
    session.screenshot(f"programme-dessin-{session.page.viewport_size['width']}.png")


@pytest.mark.parametrize("session", [PHONE], indirect=True, ids=["390x844"])
def test_on_a_phone_a_bad_file_then_the_verdicts(session, west_point):
    big = session.tmp_path / "parcelle.geojson"
    x0, y0 = west_point
    gpd.GeoDataFrame(geometry=[shapely.box(x0 - 600, y0, x0 - 300, y0 + 300)], crs=settings.LAMBERT93).to_crs(
        settings.WGS84
    ).to_file(big)
    _open(session)
    _upload(session, big)
    expect(session.page.get_by_text("utilisez la page « Tester un périmètre »", exact=False)).to_be_visible()
    expect(session.page.get_by_test_id("stException")).to_have_count(0)
    _upload(session, _programme_file(session.tmp_path / "programme.geojson", west_point))
    verdict = session.page.get_by_text("Règle (b) : oui").first
    expect(verdict).to_be_visible(timeout=FIRST_LOAD_MS)
    verdict.scroll_into_view_if_needed()
    session.screenshot("programme-phone.png")
