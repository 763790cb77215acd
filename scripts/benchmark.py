"""Benchmark of the app (not a test): `make benchmark`. Prints one table; every figure is a median of runs.

Side by side in one run, on this machine, network closed (basemap tiles fail, as expected):
- time to the first drawn QPV polygons: the app, a bare st_folium map of the same 37 QPV (anchor
  scripts/anchors/bare_map.py, Leaflet served locally) and a static Leaflet page of the same GeoJSON
  (anchor scripts/anchors/leaflet_static.html, the floor);
- click → portrait heading shown on the app, click → name shown on the bare map (Debian chromium);
- server CPU seconds per click (utime + stime of the server process, /proc/<pid>/stat) and bytes per
  click (websocket frames received by the page, Chrome DevTools protocol);
- N simultaneous users (N = 1, 5, 20), each a websocket client speaking Streamlit's protocol as the
  browser does (first page, then clicks on the map): p50 / p95 / max, errors, server memory
  (VmRSS) before / peak / after; then 20 users on 2 processes behind nginx (`make serve-multi`);
- one programme test (« Tester un programme », `python -m quartiers programme`) of a 200-building file:
  reading, checks and verdicts, in this process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from scripts.appserver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    free_port,
    start_app,
    stop_app,
    wait_healthy,
)

RUNS = 5
USERS = (1, 5, 20)
CLICKS_PER_USER = 3
LOAD_TIMEOUT_S = 120  # a whole load step is abandoned (and counted as errors) after this
QPV_STROKE = "path.leaflet-interactive[stroke='#8e1b10']"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mib(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE / 2**20


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def quartiers() -> dict[str, tuple[str, float, float, dict]]:
    """code → (portrait heading, lat, lon inside the official perimeter, display feature) for two QPV."""
    import geopandas as gpd

    from quartiers import settings
    from quartiers.catalogue import build_catalogue
    from quartiers.couches_officielles import load_layers
    from quartiers.maps import display_layers, feature_for
    from quartiers.portraits import load_portraits

    layers = load_layers()
    display = display_layers(layers)
    catalogue = build_catalogue(layers.qpv, layers.qic, load_portraits()[0])
    metric = layers.qpv.to_crs(settings.LAMBERT93).set_index("code_qp")
    out = {}
    for code in ("QN06208M", "QN06209M"):  # Mont Liébaut and 3 Îlots, side by side in Béthune
        inside = gpd.GeoSeries([metric.geometry[code].representative_point()], crs=settings.LAMBERT93)
        inside = inside.to_crs(settings.WGS84).iloc[0]
        out[code] = (catalogue[code].nom, inside.y, inside.x, feature_for(display, code))
    return out


class Frames:
    """Websocket frames received by a page (CDP), to count bytes and see the end of a run."""

    def __init__(self, page):
        self.sizes: list[int] = []
        self.finished = 0
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _frame(self, event):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        response = event["response"]
        if response.get("opcode") != 2:
            return
        raw = base64.b64decode(response["payloadData"])
        self.sizes.append(len(raw))
        message = ForwardMsg()
        message.ParseFromString(raw)
        if message.WhichOneof("type") == "script_finished":
            self.finished += 1

    def wait_finished(self, page, count: int, limit_s: float = 60) -> None:
        deadline = time.perf_counter() + limit_s
        while self.finished < count and time.perf_counter() < deadline:
            page.wait_for_timeout(20)


def first_drawn(browser, url: str, frame_selector: str | None) -> float:
    """Seconds from navigation to the first visible QPV polygon, in a fresh browser context (cold cache)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    root = page.frame_locator(frame_selector) if frame_selector else page
    root.locator(QPV_STROKE).filter(visible=True).first.wait_for(timeout=120_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def map_point(page, frame_selector: str, lat: float, lon: float):
    container = page.frame_locator(frame_selector).locator("#map_div")
    return container, container.evaluate(
        "(el, [lat, lon]) => { const m = el.ownerDocument.defaultView.map; m.setView([lat, lon], 14, {animate: false});"
        " const p = m.latLngToContainerPoint([lat, lon]); return {x: p.x, y: p.y}; }",
        [lat, lon],
    )


def clicks(browser, url: str, frame_selector: str, targets, pid: int, heading_of) -> dict[str, list[float]]:
    """RUNS clicks alternating between targets: seconds to the heading, server CPU s and bytes per click."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    frames = Frames(page)
    page.goto(url)
    page.frame_locator(frame_selector).locator(QPV_STROKE).filter(visible=True).first.wait_for(timeout=120_000)
    frames.wait_finished(page, 1)
    page.wait_for_timeout(1500)  # the bare map reruns its script once on its first value (the app does not)
    result = {"seconds": [], "cpu": [], "bytes": []}
    for i in range(RUNS):
        code, (name, lat, lon, _) = targets[i % len(targets)]
        container, point = map_point(page, frame_selector, lat, lon)
        page.wait_for_timeout(300)
        finished, sent, cpu = frames.finished, len(frames.sizes), cpu_seconds(pid)
        start = time.perf_counter()
        container.click(position=point)
        page.wait_for_function(
            "(name) => [...document.querySelectorAll('h2, h3')].some(e => e.innerText.trim() === name)",
            arg=heading_of(name, code),
            polling="raf",
            timeout=60_000,
        )
        result["seconds"].append(time.perf_counter() - start)
        frames.wait_finished(page, finished + 1)
        result["cpu"].append(cpu_seconds(pid) - cpu)
        result["bytes"].append(sum(frames.sizes[sent:]))
    context.close()
    return result


# --- N simultaneous users over Streamlit's websocket -------------------------------------------------


async def one_user(base: str, user: int, targets, timings: dict, errors: list) -> None:
    """Open the Carte page, then click CLICKS_PER_USER quartiers, as the browser would over the websocket."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, additional_headers={"Cookie": f"carte_route=u{user}"}
        ) as ws:

            async def run(query: str, widgets=None, fragment: str = "", expect: str | None = None):
                back = BackMsg()
                back.rerun_script.query_string = query
                back.rerun_script.page_script_hash = state.get("page", "")
                if fragment:
                    back.rerun_script.fragment_id = fragment
                for widget in widgets or []:
                    back.rerun_script.widget_states.widgets.append(widget)
                start = time.perf_counter()
                await ws.send(back.SerializeToString())
                seen = None
                while True:
                    message = ForwardMsg()
                    message.ParseFromString(await asyncio.wait_for(ws.recv(), LOAD_TIMEOUT_S))
                    kind = message.WhichOneof("type")
                    if kind == "new_session":
                        state["page"] = message.new_session.page_script_hash
                    elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        if element.WhichOneof(
                            "type"
                        ) == "component_instance" and element.component_instance.component_name.endswith("st_folium"):
                            state["map"] = element.component_instance.id
                            state["fragment"] = message.delta.fragment_id
                        if expect and element.WhichOneof("type") == "heading" and element.heading.body == expect:
                            seen = time.perf_counter() - start
                    elif kind == "page_info_changed":
                        state["query"] = message.page_info_changed.query_string
                    elif kind == "script_finished":
                        if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue  # the first run of a fresh server reruns itself (see quartiers/ui/__init__.py)
                        return seen if expect else time.perf_counter() - start

            from streamlit.proto.WidgetStates_pb2 import WidgetState

            state: dict = {}
            timings["first"].append(await run(""))
            for n in range(CLICKS_PER_USER):
                code, (name, _, _, feature) = targets[(n + user) % len(targets)]
                widget = WidgetState(id=state["map"])
                widget.json_value = json.dumps({"last_active_drawing": feature, "last_object_clicked_count": n + 1})
                seen = await run(state.get("query", ""), [widget], state.get("fragment", ""), expect=name)
                if seen is None:
                    raise RuntimeError(f"no portrait heading for {code}")
                timings["click"].append(seen)
    except Exception as exc:  # noqa: BLE001 - every failure of a simulated user is an error to count
        errors.append(f"{type(exc).__name__}: {exc}"[:200])


def load(base: str, users: int, targets, pids: list[int]) -> dict:
    timings: dict = {"first": [], "click": []}
    errors: list[str] = []
    before = sum(rss_mib(pid) for pid in pids)
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], sum(rss_mib(pid) for pid in pids))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    async def everyone():
        await asyncio.wait_for(
            asyncio.gather(*(one_user(base, u, targets, timings, errors) for u in range(users))), LOAD_TIMEOUT_S * 2
        )

    try:
        asyncio.run(everyone())
    except TimeoutError:
        errors.append("load step timed out")
    stop.set()
    sampler.join()
    time.sleep(5)  # sessions closed: give the server time to drop them before reading its memory again
    after = sum(rss_mib(pid) for pid in pids)
    return {"timings": timings, "errors": errors, "memory": (before, peak[0], after)}


def load_rows(label: str, result: dict) -> list[tuple[str, str]]:
    first, click = result["timings"]["first"], result["timings"]["click"]
    before, peak, after = result["memory"]
    return [
        (
            f"{label}: first page p50 / p95 / max",
            f"{median(first):.2f} / {p95(first):.2f} / {max(first, default=float('nan')):.2f} s",
        ),
        (
            f"{label}: click → portrait p50 / p95 / max",
            f"{median(click):.2f} / {p95(click):.2f} / {max(click, default=float('nan')):.2f} s ({len(click)} clicks)",
        ),
        (
            f"{label}: errors; memory before / peak / after",
            f"{len(result['errors'])}{' (' + result['errors'][0] + ')' if result['errors'] else ''}; "
            f"{before:.0f} / {peak:.0f} / {after:.0f} MiB",
        ),
    ]


PROGRAMME_BUILDINGS = 200


def programme_seconds(runs: int = RUNS) -> list[float]:
    """Seconds of one programme test of a 200-building GeoJSON (read, checked, assessed), `runs` times.

    The buildings are 20 × 20 m, 60 m apart, on a 20 × 10 grid starting 150 m west of Mont Liébaut, so that
    they lie around its 300 m and 500 m lines; the official layers are loaded once, before timing.
    """
    import geopandas as gpd
    import shapely

    from quartiers import settings
    from quartiers.formes.bilan_perimetre import load_reference
    from quartiers.formes.programme import ProgrammeReference, assess_programme, read_programme

    reference = ProgrammeReference.build(load_reference())
    qpv = reference.reference.qpv
    xy = shapely.get_coordinates(qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0])
    x0, y0 = xy[xy[:, 0].argmin()]
    boxes = [
        shapely.box(x - 20, y, x, y + 20)
        for i in range(PROGRAMME_BUILDINGS)
        for x, y in [(x0 - 150 - 60 * (i % 20), y0 - 300 + 60 * (i // 20))]
    ]
    frame = gpd.GeoDataFrame(geometry=boxes, crs=settings.LAMBERT93).to_crs(settings.WGS84)
    data = frame.to_json().encode()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        programme = assess_programme(read_programme(data, "programme.geojson"), reference)
        seconds.append(time.perf_counter() - start)
        assert len(programme.batiments) == PROGRAMME_BUILDINGS
    return seconds


def main() -> int:
    targets = list(quartiers().items())
    rows: list[tuple[str, str]] = []
    log = tempfile.TemporaryFile()
    app_port, bare_port = free_port(), free_port()
    app_base, bare_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
    app = start_app(app_port, log)
    bare = start_app(bare_port, log, script="scripts/anchors/bare_map.py")
    try:
        wait_healthy(app, app_base, 120, lambda: "app")
        wait_healthy(bare, bare_base, 120, lambda: "bare map")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first_drawn(browser, app_base + "/", MAP_IFRAME)  # warm-up: layers computed and published
            first_drawn(browser, bare_base + "/", "iframe")
            from quartiers import maps

            qpv_file = next(p for p in maps.STATIC_LAYERS_DIR.glob("qpv-*.geojson"))
            anchors = ROOT / "static" / "anchors"
            anchors.mkdir(exist_ok=True)
            shutil.copy(ROOT / "scripts" / "anchors" / "leaflet_static.html", anchors / "leaflet_static.html")
            static_url = f"{app_base}/app/static/anchors/leaflet_static.html?" + urlencode(
                {"couche": f"{maps.STATIC_LAYERS_URL}/{qpv_file.name}"}
            )
            drawn = {"app": [], "bare": [], "static": []}
            for _ in range(RUNS):
                drawn["app"].append(first_drawn(browser, app_base + "/", MAP_IFRAME))
                drawn["bare"].append(first_drawn(browser, bare_base + "/", "iframe"))
                drawn["static"].append(first_drawn(browser, static_url, None))
            ratio = median(drawn["app"]) / median(drawn["bare"])
            rows.append(
                (
                    f"first drawn polygons, median of {RUNS}: app / bare st_folium / static Leaflet",
                    f"{median(drawn['app']):.2f} / {median(drawn['bare']):.2f} / {median(drawn['static']):.2f} s"
                    f" (app = {ratio:.2f} × bare; target ≤ 1.1)",
                )
            )
            app_clicks = clicks(browser, app_base + "/", MAP_IFRAME, targets, app.pid, lambda name, code: name)
            bare_clicks = clicks(
                browser, bare_base + "/", "iframe", targets, bare.pid, lambda name, code: _official_name(code)
            )
            browser.close()
        ratio = median(app_clicks["seconds"]) / median(bare_clicks["seconds"])
        rows += [
            (
                f"click → portrait (app) / click → name (bare), median of {RUNS}",
                f"{median(app_clicks['seconds']):.2f} / {median(bare_clicks['seconds']):.2f} s"
                f" (app = {ratio:.2f} × bare; target ≤ 0.5)",
            ),
            (
                "server CPU per click: app / bare",
                f"{median(app_clicks['cpu']) * 1000:.0f} / {median(bare_clicks['cpu']) * 1000:.0f} ms"
                " (target ≤ 50 ms; clock tick 10 ms)",
            ),
            (
                "websocket bytes per click: app / bare",
                f"{median(app_clicks['bytes']) / 1000:.1f} / {median(bare_clicks['bytes']) / 1000:.1f} kB"
                " (target ≤ 60 kB)",
            ),
        ]
        for users in USERS:
            rows += load_rows(f"{users} users, 1 process", load(app_base, users, targets, [app.pid]))
    finally:
        stop_app(app)
        stop_app(bare)
    rows += multi_process(targets, log)
    rows.append(
        (
            f"programme test of {PROGRAMME_BUILDINGS} buildings (read, checks, verdicts), median of {RUNS}",
            f"{median(programme_seconds()):.2f} s",
        )
    )
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 50}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(f"\n{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end (figures are noisy when >0).")
    return 0


def _official_name(code: str) -> str:
    from quartiers.couches_officielles import load_qpv

    layer, _ = load_qpv()
    return layer.set_index("code_qp").loc[code, "lib_qp"]


def multi_process(targets, log) -> list[tuple[str, str]]:
    """20 users on 2 processes behind nginx, against the 1-process figures above."""
    from scripts.serve_multi import NGINX, served

    if not Path(NGINX).exists():
        return [("20 users, 2 processes behind nginx", "skipped: nginx not installed (`make serve-multi` installs it)")]
    with served(free_port(), 2, free_port(), log) as (base, apps):
        load(base, 4, targets, [a.pid for a in apps])  # warm-up: each process loads and publishes its layers
        return load_rows("20 users, 2 processes + nginx", load(base, 20, targets, [a.pid for a in apps]))


if __name__ == "__main__":
    sys.exit(main())
