"""Benchmark of the app (not a test): cold start, click to portrait, bytes of the first page load, CSV batch.

Starts the app as `make run` does, on a free port, and drives Debian's chromium with Playwright (network closed:
basemap tiles fail, which is expected). Run from the project folder: `make benchmark` or
`python scripts/benchmark.py`. Prints a compact table.
"""

from __future__ import annotations

import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from scripts.appserver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    QPV_PATHS,
    free_port,
    start_app,
    stop_app,
    wait_healthy,
)

CLICKS = 5
BATCH_POINTS = 10_000
SEED = 2030


def log_tail(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def interior_points() -> dict[str, tuple[str, float, float]]:
    """code → (name shown as the portrait heading, lat, lon of a point inside its official perimeter)."""
    import geopandas as gpd

    from quartiers import settings
    from quartiers.catalogue import build_catalogue
    from quartiers.perimeters import load_layers
    from quartiers.portraits import load_portraits

    layers = load_layers()
    catalogue = build_catalogue(layers.qpv, layers.qic, load_portraits()[0])
    metric = layers.qpv.to_crs(settings.LAMBERT93).set_index("code_qp")
    points = {}
    for code in ("QN06208M", "QN06209M"):  # Mont Liébaut and 3 Îlots, side by side in Béthune
        inside = gpd.GeoSeries([metric.geometry[code].representative_point()], crs=settings.LAMBERT93)
        inside = inside.to_crs(settings.WGS84).iloc[0]
        points[code] = (catalogue[code].nom, inside.y, inside.x)
    return points


class NetworkBytes:
    """HTTP bytes (CDP Network.loadingFinished) and websocket frames received, for one page and its frames."""

    def __init__(self, page):
        self.http_encoded = 0
        self.http_decoded = 0
        self.http_responses = 0
        self.ws_bytes = 0
        self.ws_frames = 0
        self.last_event = time.perf_counter()
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _data(self, event):
        self.http_decoded += event.get("dataLength", 0)
        self.last_event = time.perf_counter()

    def _finished(self, event):
        self.http_encoded += event.get("encodedDataLength", 0)
        self.http_responses += 1
        self.last_event = time.perf_counter()

    def _frame(self, event):
        response = event["response"]
        payload = response.get("payloadData", "")
        # Opcode 2 is a binary frame, given base64-encoded; Streamlit's protobuf messages are binary.
        self.ws_bytes += len(base64.b64decode(payload)) if response.get("opcode") == 2 else len(payload.encode())
        self.ws_frames += 1
        self.last_event = time.perf_counter()

    def wait_quiet(self, page, quiet_s: float = 1.5, limit_s: float = 20.0) -> None:
        """Until nothing arrived for `quiet_s` (the rerun that follows the map's first value included)."""
        deadline = time.perf_counter() + limit_s
        while time.perf_counter() - self.last_event < quiet_s and time.perf_counter() < deadline:
            page.wait_for_timeout(100)


def click_time(page, code: str, name: str, lat: float, lon: float, figure: str | None) -> float:
    """Seconds from the mouse click on the polygon to its portrait heading (and figure) drawn."""
    container = page.frame_locator(MAP_IFRAME).locator("#map_div")
    point = container.evaluate(
        "(el, [lat, lon]) => { const p = el.ownerDocument.defaultView.map.latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )
    start = time.perf_counter()
    container.click(position=point)
    page.wait_for_function(
        "([name, figure]) => { const h = [...document.querySelectorAll('h2')].some(e => e.innerText.trim() === name);"
        " return h && (!figure || document.body.innerText.includes(figure)); }",
        arg=[name, figure],
        polling="raf",
        timeout=60_000,
    )
    elapsed = time.perf_counter() - start
    if f"quartier={code}" not in page.url:
        raise RuntimeError(f"clicked {code} but the URL is {page.url}")
    return elapsed


def batch_benchmark() -> tuple[float, float, dict[str, int]]:
    import numpy as np
    import pandas as pd

    from quartiers.batch import locate_frame
    from quartiers.perimeters import load_layers
    from quartiers.zones import Locator

    start = time.perf_counter()
    layers = load_layers()
    locator = Locator(layers.qpv, layers.epci)
    build = time.perf_counter() - start
    west, south, east, north = layers.epci.total_bounds
    rng = np.random.default_rng(SEED)
    frame = pd.DataFrame(
        {
            "latitude": [f"{v:.6f}" for v in rng.uniform(south, north, BATCH_POINTS)],
            "longitude": [f"{v:.6f}" for v in rng.uniform(west, east, BATCH_POINTS)],
        }
    )
    start = time.perf_counter()
    result = locate_frame(frame, locator)
    elapsed = time.perf_counter() - start
    return build, elapsed, result["statut"].value_counts().to_dict()


def main() -> int:
    points = interior_points()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, str]] = []
    log = tempfile.TemporaryFile()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        network = NetworkBytes(page)
        launch = time.perf_counter()
        process = start_app(port, log)
        try:
            wait_healthy(process, base, 120, lambda: log_tail(log))
            health = time.perf_counter() - launch
            page.goto(base + "/")
            page.frame_locator(MAP_IFRAME).locator(QPV_PATHS).filter(visible=True).first.wait_for(timeout=120_000)
            drawn = time.perf_counter() - launch
            load_http, load_ws = network.http_encoded, network.ws_bytes
            network.wait_quiet(page)
            rows += [
                ("cold start: launch → /_stcore/health OK", f"{health:.2f} s"),
                ("cold start: launch → map drawn (first QPV path)", f"{drawn:.2f} s"),
                ("  of which first page load (goto → map drawn)", f"{drawn - health:.2f} s"),
            ]
            settled = (
                f"{network.http_encoded / 1024:.0f} KiB HTTP ({network.http_responses} responses, "
                f"{network.http_decoded / 1024:.0f} KiB decoded) + {network.ws_bytes / 1024:.0f} KiB websocket "
                f"({network.ws_frames} frames) = {(network.http_encoded + network.ws_bytes) / 1024:.0f} KiB"
            )
            rows += [
                ("bytes until map drawn: HTTP / websocket", f"{load_http / 1024:.0f} KiB / {load_ws / 1024:.0f} KiB"),
                ("bytes, first load settled (encodedDataLength)", settled),
            ]
            order = ["QN06208M", "QN06209M"] * CLICKS
            times = []
            for code in order[:CLICKS]:
                name, lat, lon = points[code]
                times.append(click_time(page, code, name, lat, lon, "46,1 %" if code == "QN06208M" else None))
            rows.append(
                (
                    f"click → portrait, {CLICKS} clicks Mont Liébaut / 3 Îlots",
                    f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})",
                )
            )
        finally:
            browser.close()
            stop_app(process)
    build, elapsed, counts = batch_benchmark()
    rows.append(("locate_frame: Locator built (layers loaded)", f"{build:.2f} s"))
    rows.append(
        (
            f"locate_frame: {BATCH_POINTS:,} random points (seed {SEED})".replace(",", " "),
            f"{elapsed:.2f} s ({BATCH_POINTS / elapsed:,.0f} points/s)".replace(",", " ")
            + " — "
            + ", ".join(f"{statut} {n}" for statut, n in sorted(counts.items())),
        )
    )
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
