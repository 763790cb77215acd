"""Shared fixtures of the browser tests: one app server for the whole run, Debian chromium, a Session per test.

The server is started once, exactly as `make run` does, on a free port. Every wait in the page goes through
Playwright's auto-waiting locators and `expect`: no sleeps, no retries, no XPath. Screenshots go to
tests/screenshots/ (git-ignored), including failure-<test>.png when a test fails.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import streamlit as st
from playwright.sync_api import expect, sync_playwright

from scripts.appserver import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    PERIMETRE_IFRAME,
    QPV_PATHS,
    free_port,
    start_app,
    stop_app,
    wait_healthy,
)

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


@pytest.fixture
def fresh_caches():
    """AppTest modules: every test starts and ends with empty Streamlit caches (loaders read the data afresh)."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@contextlib.contextmanager
def running_app(log_dir: Path):
    """The app, started like `make run`, on a free port; yields its base URL, stops it on exit."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = log_dir / "server.log"
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


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    """One app server for every browser test of the run."""
    with running_app(tmp_path_factory.mktemp("streamlit")) as base:
        yield base


@pytest.fixture
def fresh_base_url(tmp_path):
    """A server of its own that has answered no request yet (for first-request behaviour)."""
    with running_app(tmp_path) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No chromium at {CHROMIUM}: run `make browser` (Debian package chromium).")
    expect.set_options(timeout=EXPECT_MS)
    with sync_playwright() as playwright:
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
        self.map_iframe = MAP_IFRAME

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        # Each map names its frame with its own title: the perimeter page's map is not the Carte's.
        self.map_iframe = PERIMETRE_IFRAME if path.startswith("/perimetre") else MAP_IFRAME

    def map_frame(self):
        return self.page.frame_locator(self.map_iframe)

    def wait_for_map(self):
        """The map iframe (found by the title the app gives it) with its QPV polygons drawn."""
        frame = self.map_frame()
        expect(frame.locator(QPV_PATHS).filter(visible=True).first).to_be_visible(timeout=FIRST_LOAD_MS)
        return frame

    def point_of(self, lat: float, lon: float) -> dict:
        """Where Leaflet draws (lat, lon) in the map's container: {x, y} in pixels."""
        return (
            self.map_frame()
            .locator("#map_div")
            .evaluate(
                "(el, [lat, lon]) => { const p = el.ownerDocument.defaultView.map.latLngToContainerPoint([lat, lon]);"
                " return {x: p.x, y: p.y}; }",
                [lat, lon],
            )
        )

    def click_map_at(self, lat: float, lon: float) -> None:
        """A real mouse click on the map where Leaflet draws (lat, lon)."""
        self.map_frame().locator("#map_div").click(position=self.point_of(lat, lon))

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
