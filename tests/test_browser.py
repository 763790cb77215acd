"""The app in a real headless browser (Debian chromium driven by Playwright), network closed.

The server is started once for the module, exactly as `make run` does, on a free port. Every wait in the
page goes through Playwright's auto-waiting locators and `expect`: no sleeps, no retries, no XPath.
Screenshots go to tests/screenshots/ (git-ignored), including failure-<test>.png when a test fails.
"""

from __future__ import annotations

import contextlib
import csv
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from scripts.appserver import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    QPV_PATHS,
    free_port,
    start_app,
    stop_app,
    wait_healthy,
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
STARTUP_SECONDS = 90
FIRST_LOAD_MS = 90_000  # the first page load computes the display layers
EXPECT_MS = 30_000

MONT_LIEBAUT = (50.518, 2.629)  # a point well inside the QPV Mont Liébaut (QN06208M, Béthune)
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TILE_HOST = re.compile(r"^([a-z]\.)?tile\.openstreetmap\.org$")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The app, started like `make run`, on a free port; stopped at the end of the module."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log_path, "wb") as log:
        process = start_app(port, log)
    try:
        try:
            wait_healthy(process, base, STARTUP_SECONDS, lambda: log_path.read_text()[-3000:])
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield base
    finally:
        stop_app(process)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No chromium at {CHROMIUM}: run `make browser` (Debian package chromium).")
    expect.set_options(timeout=EXPECT_MS)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """A fresh browser context and page, with every request URL the page and its frames made."""

    def __init__(self, browser, base_url: str, viewport: dict, tmp_path: Path):
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport, locale="fr-FR", accept_downloads=True)
        self.context.set_default_timeout(EXPECT_MS)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.tmp_path = tmp_path

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def map_frame(self):
        return self.page.frame_locator(MAP_IFRAME)

    def wait_for_map(self):
        """The map iframe (found by the title the app gives it) with its QPV polygons drawn."""
        frame = self.map_frame()
        expect(frame.locator(QPV_PATHS).filter(visible=True).first).to_be_visible(timeout=FIRST_LOAD_MS)
        return frame

    def click_map_at(self, lat: float, lon: float) -> None:
        """A real mouse click on the map where Leaflet draws (lat, lon)."""
        container = self.map_frame().locator("#map_div")
        point = container.evaluate(
            "(el, [lat, lon]) => { const p = el.ownerDocument.defaultView.map.latLngToContainerPoint([lat, lon]);"
            " return {x: p.x, y: p.y}; }",
            [lat, lon],
        )
        container.click(position=point)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / name)

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the app itself and OpenStreetMap tiles."""
        foreign = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname in LOCAL_HOSTS or TILE_HOST.match(parsed.hostname or ""):
                continue
            foreign.append(url)
        return foreign


@pytest.fixture
def session(request, browser, base_url, tmp_path):
    """A desktop session (a viewport can be given by indirect parametrization). A failure leaves a screenshot."""
    viewport = getattr(request, "param", DESKTOP)
    current = Session(browser, base_url, viewport, tmp_path)
    failed_before = request.session.testsfailed
    yield current
    if request.session.testsfailed > failed_before:
        with contextlib.suppress(Exception):
            current.screenshot(f"failure-{request.node.name}.png")
    current.context.close()


def test_first_request_to_a_fresh_server_can_be_a_deep_link_to_a_page(session):
    """Runs first: a shared link to a page other than the map must get the app's navigation and sidebar.

    (A pages/ folder would otherwise make Streamlit run pages/situer.py alone, in its legacy mode.)
    """
    session.open("/situer?lat=50.518&lon=2.629")
    expect(session.page.get_by_text("Ce point est dans le QPV").first).to_be_visible(timeout=FIRST_LOAD_MS)
    navigation = session.page.get_by_test_id("stSidebarNav")
    expect(navigation).to_contain_text("Ce lieu est-il en QPV ?")
    expect(navigation).not_to_contain_text("app")
    expect(session.page.get_by_text("Mode présentation (grands caractères)")).to_be_visible()


def test_map_loads_offline_with_legend_and_qpv(session):
    session.open("/")
    frame = session.wait_for_map()
    expect(session.page.locator(MAP_IFRAME)).to_have_attribute("src", re.compile("streamlit_folium"))
    assert frame.locator(QPV_PATHS).count() >= 30  # 37 QPV, some multi-part
    legend = frame.locator("details.legende-carte")
    expect(legend.get_by_text("Légende", exact=True)).to_be_visible()
    # On a desktop the legend is open: its entries are readable without a click.
    expect(legend.get_by_text("QPV 2024 (contrats CABBALR / CALL)")).to_be_visible()
    expect(frame.locator(".leaflet-control-scale-line").first).to_have_text(re.compile(r"\d+ k?m$"))
    leaflet = [url for url in session.requests if url.endswith("/leaflet.js")]
    assert leaflet and all(url.startswith(session.base_url + "/app/static/") for url in leaflet), leaflet
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
    assert [row["statut"] for row in rows] == ["dans", "invalide", "hors_territoire"]
    assert rows[0]["code_qp"] == "QN06208M"
    session.screenshot("situer-csv.png")
