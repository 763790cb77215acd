"""Hostile uploads on the page (issue 15): a French message, nothing read, nothing fetched; uploads released.

A server of its own (`running_app`) with a short release window, so that the test can see the memory held by
the uploads of closed sessions go back to its level before them.
"""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from scripts.appserver import free_port, start_app, stop_app, wait_healthy
from tests.conftest import DESKTOP, EXPECT_MS, STARTUP_SECONDS, Session
from tests.test_securite import SECRETS, gdalg, vrt

pytestmark = pytest.mark.browser

RELEASE_SECONDS = 4
UPLOAD_MB = 15


def _resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _held_by_uploads_mb(base: str) -> float:
    """Bytes held by Streamlit's upload manager, from the server's own metrics (/_stcore/metrics, OpenMetrics)."""
    text = urllib.request.urlopen(f"{base}/_stcore/metrics?families=cache_memory_bytes", timeout=10).read().decode()
    lines = [line for line in text.splitlines() if 'cache_type="UploadedFileManager"' in line]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines) / 1024 / 1024


def _upload(session: Session, path: Path) -> None:
    session.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(path)


def test_hostile_uploads_get_a_french_message_and_read_nothing(browser, base_url, tmp_path):
    session = Session(browser, base_url, DESKTOP, tmp_path)
    try:
        session.open("/perimetre")
        session.wait_for_map()
        cases = [
            ("passwd.json", vrt("CSV:/etc/passwd"), "n'est pas un GeoJSON|JSON illisible"),
            ("pipeline.geojson", gdalg("/etc/passwd"), "n'est pas un GeoJSON"),
            ("passwd.kml", vrt("CSV:/etc/passwd"), "n'est pas un KML"),
            ("passwd.gpkg", vrt("/etc/passwd"), "n'est pas un GeoPackage"),
        ]
        for name, content, message in cases:
            path = tmp_path / name
            path.write_bytes(content)
            _upload(session, path)
            expect(
                session.page.get_by_test_id("stAlertContentError").filter(has_text=re.compile(message))
            ).to_be_visible()
            text = session.page.locator("main").inner_text()
            assert not any(secret in text for secret in SECRETS), name
            expect(session.page.get_by_test_id("stException")).to_have_count(0)
    finally:
        session.context.close()


def test_uploads_of_closed_sessions_are_released(browser, tmp_path, monkeypatch):
    """Three sessions each upload 15 MB, then close: the server's resident memory comes back near its level."""
    monkeypatch.setenv("CARTE_RELEASE_SECONDS", str(RELEASE_SECONDS))
    big = tmp_path / "gros.geojson"
    big.write_bytes(b" " * (UPLOAD_MB * 1024 * 1024 - 10) + b"{}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "wb") as log:
        server = start_app(port, log)
    try:
        wait_healthy(server, base, STARTUP_SECONDS, lambda: (tmp_path / "server.log").read_text()[-3000:])
        pid = server.pid
        warm = Session(browser, base, DESKTOP, tmp_path)
        warm.open("/perimetre")
        warm.wait_for_map()
        warm.context.close()
        time.sleep(RELEASE_SECONDS * 2.5)
        before, held_before = _resident_mb(pid), _held_by_uploads_mb(base)
        sessions = []
        for _ in range(3):
            session = Session(browser, base, DESKTOP, tmp_path)
            session.open("/perimetre")
            session.wait_for_map()
            _upload(session, big)
            expect(session.page.get_by_test_id("stAlertContentError")).to_be_visible(timeout=EXPECT_MS)
            sessions.append(session)
        during, held_during = _resident_mb(pid), _held_by_uploads_mb(base)
        for session in sessions:
            session.context.close()
        deadline = time.monotonic() + RELEASE_SECONDS * 6 + 30
        held_after = _held_by_uploads_mb(base)
        while held_after > held_before and time.monotonic() < deadline:
            time.sleep(1)
            time.sleep(5.5)  # the metrics endpoint caches this family for 5 s
            held_after = _held_by_uploads_mb(base)
        after = _resident_mb(pid)
    finally:
        stop_app(server)
    print(
        f"held by uploads: before {held_before:.1f} MB, with 3 uploads {held_during:.1f} MB, after {held_after:.1f} MB;"
        f" server resident memory: {before:.0f}, {during:.0f}, {after:.0f} MB"
    )
    assert held_during >= 3 * UPLOAD_MB * 0.99, held_during  # the uploads were held while their sessions lived
    assert held_after == held_before == 0, (held_before, held_during, held_after)  # and released after
