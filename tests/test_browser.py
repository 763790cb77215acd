"""The app in a real headless browser (Debian chromium driven by Playwright), network closed.

Fixtures (the server, the browser, `session`) are in conftest.py.
"""

from __future__ import annotations

import csv
import re
from urllib.parse import parse_qs, urlparse

import pytest

from scripts.appserver import MAP_IFRAME, QPV_PATHS
from tests.conftest import DESKTOP, FIRST_LOAD_MS, MONT_LIEBAUT, PHONE, Session, expect, running_app

pytestmark = pytest.mark.browser


def test_first_request_to_a_fresh_server_can_be_a_deep_link_to_a_page(browser, fresh_base_url, tmp_path):
    """A shared link to a page other than the map must get the app's navigation.

    (A pages/ folder would otherwise make Streamlit run pages/situer.py alone, in its legacy mode.)
    """
    session = Session(browser, fresh_base_url, DESKTOP, tmp_path)
    session.open("/situer?lat=50.518&lon=2.629")
    expect(session.page.get_by_text("Ce point est dans le QPV").first).to_be_visible(timeout=FIRST_LOAD_MS)
    navigation = session.page.locator(".st-key-navigation")
    expect(navigation).to_contain_text("Ce lieu est-il en QPV ?")
    expect(navigation).not_to_contain_text("app")
    expect(session.page.get_by_text("Mode présentation (grands caractères)")).to_be_visible()
    session.context.close()


def test_a_phone_that_loses_the_server_is_told_in_french_what_to_do(browser, tmp_path):
    """A conseil citoyen's phone at a meeting loses the connection: Streamlit's dialog, in French."""
    with running_app(tmp_path) as base:
        # Through "localhost", Streamlit's dialog puts part of the advice in a code block: the harder case.
        session = Session(browser, base.replace("127.0.0.1", "localhost"), PHONE, tmp_path)
        session.open("/?quartier=QN06208M")
        expect(session.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible(timeout=FIRST_LOAD_MS)
    # The server has stopped (as a phone that loses the network): the page says so and what to do.
    # Streamlit shows a notice at once, then a dialog: each in French.
    expect(session.page.get_by_text("Connexion perdue").first).to_be_visible(timeout=60_000)
    session.screenshot("connexion-perdue-phone.png")
    dialog = session.page.get_by_role("dialog")
    expect(dialog).to_contain_text("La page se reconnecte seule dès que le réseau revient", timeout=60_000)
    expect(dialog).to_contain_text("Le lien de la page garde le quartier choisi")
    # Every line of the advice is on the phone's screen, none cut at the edge.
    assert dialog.locator("pre").count() == 1
    for block in dialog.locator("pre, code").all():
        assert block.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1"), block.inner_text()
        box = block.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    text = session.page.locator("body").inner_text()
    for english in ("Connection", "Is Streamlit still running", "streamlit run", "Please wait", "Connecting"):
        assert english not in text, english
    expect(session.page.locator("[aria-label='Dismiss']")).to_have_count(0)
    session.screenshot("connexion-perdue-dialogue-phone.png")
    session.context.close()


def test_map_loads_offline_with_legend_and_qpv(session):
    session.open("/")
    frame = session.wait_for_map()
    expect(session.page.locator(MAP_IFRAME)).to_have_attribute("src", re.compile("streamlit_folium"))
    assert frame.locator(QPV_PATHS).count() >= 30  # 37 QPV, some multi-part
    legend = frame.locator("details.legende-carte")
    expect(legend.get_by_text("Légende", exact=True)).to_be_visible()
    # The legend starts folded where it would hide part of the territory (issue 16); one click opens it.
    if legend.get_attribute("open") is None:
        legend.get_by_text("Légende", exact=True).click()
    expect(legend.get_by_text("QPV 2024 (contrats CABBALR / CALL)")).to_be_visible()
    expect(frame.locator(".leaflet-control-scale-line").first).to_have_text(re.compile(r"\d+ k?m$"))
    # Leaflet comes from the app itself, inside the map's one script file (maps.map_scripts).
    scripts = [url for url in session.requests if re.search(r"/app/static/couches/carte-[0-9a-f]{12}\.js$", url)]
    assert len(scripts) == 1 and scripts[0].startswith(session.base_url + "/"), scripts
    assert "Leaflet 1." in session.page.request.get(scripts[0]).text()
    assert session.foreign_requests() == []
    # RGAA: the page language is French and the map frame has a title (the frame was found by it above).
    expect(session.page.locator("html")).to_have_attribute("lang", "fr")
    session.screenshot("carte-desktop.png")


def test_click_on_a_polygon_opens_its_portrait_without_reloading_the_map(session):
    session.open("/")
    frame = session.wait_for_map()
    expect(session.page.get_by_role("heading", name="Choisissez un quartier")).to_be_visible()
    body = frame.locator("body")
    body.evaluate("(el) => { el.ownerDocument.defaultView.__marker = 1; }")
    session.click_map_at(*MONT_LIEBAUT)
    expect(session.page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))
    expect(session.page.get_by_role("heading", name="Mont Liébaut")).to_be_visible()
    expect(session.page.get_by_text("46,1 %").first).to_be_visible()
    assert body.evaluate("(el) => el.ownerDocument.defaultView.__marker") == 1, "the map iframe was reloaded"
    session.screenshot("portrait-desktop.png")


@pytest.mark.parametrize("session", [PHONE], indirect=True, ids=["390x844"])
def test_portrait_on_a_phone(session):
    session.open("/?quartier=QN06208M")
    session.wait_for_map()
    heading = session.page.get_by_role("heading", name="Mont Liébaut")
    expect(heading).to_be_visible()
    expect(session.page.get_by_text("46,1 %").first).to_be_visible()
    heading.scroll_into_view_if_needed()
    expect(heading).to_be_in_viewport()
    session.screenshot("portrait-phone.png")


def test_situer_click_answers_and_puts_the_point_in_the_url(session):
    session.open("/situer")
    session.wait_for_map()
    expect(session.page.get_by_text("Aucun lieu choisi")).to_be_visible()
    session.click_map_at(*MONT_LIEBAUT)
    expect(session.page.get_by_text("Ce point est dans le QPV")).to_be_visible()
    expect(session.page).to_have_url(re.compile(r"[?&]lat=.*&lon=|[?&]lon=.*&lat="))
    query = parse_qs(urlparse(session.page.url).query)
    lat, lon = float(query["lat"][0]), float(query["lon"][0])
    assert abs(lat - MONT_LIEBAUT[0]) < 0.005 and abs(lon - MONT_LIEBAUT[1]) < 0.005, (lat, lon)
    session.screenshot("situer.png")


def test_csv_round_trip(session):
    upload = session.tmp_path / "points.csv"
    upload.write_text("latitude;longitude\n50.518;2.629\nabc;2.629\n50.29;2.78\n", encoding="utf-8")
    session.open("/situer")
    session.wait_for_map()
    session.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(upload)
    button = session.page.get_by_role("button", name="Télécharger le résultat (CSV)")
    expect(button).to_be_visible()
    with session.page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "points_qpv.csv"
    saved = session.tmp_path / "resultat.csv"
    download.save_as(saved)
    with open(saved, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row["statut"] for row in rows] == ["dans", "invalide", "hors"]
    assert rows[0]["code_qp"] == "QN06208M"
    session.screenshot("situer-csv.png")
