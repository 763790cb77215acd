"""Benchmark of the app (not a test): `make benchmark` (about 10 minutes; `--quick` checks every row in 3).

Side by side in one run, on this machine, network closed (basemap tiles fail, as expected). A row that is
run several times prints min / median / max, and meets its target only when its worst run does:
- time to the first drawn QPV polygons: the app, a bare st_folium map of the same 37 QPV (anchor
  scripts/anchors/bare_map.py, Leaflet served locally) and a static Leaflet page of the same GeoJSON
  (anchor scripts/anchors/leaflet_static.html, the floor); then the same on a 390 × 844 phone at slow 4G
  (Chromium's network emulation), with the bytes received. Timed in the page itself (DRAWN_PROBE: the
  first QPV outline with a size on screen, within 10 ms, from the start of navigation);
- click → portrait heading shown on the app, click → name shown on the bare map (Debian chromium), and
  websocket bytes per click (Chrome DevTools protocol);
- server CPU (utime + stime of the server process, /proc/<pid>/stat: CPU time, not wall time, so other
  work on the machine changes it little) per page load and per click, in batches of fresh websocket tabs,
  against Streamlit's floor measured in the same run: an empty page (scripts/anchors/empty_page.py) and
  the bare map; per browser page load with a cold cache (the files too); the perimeter test's runs;
- N simultaneous users (N = 1, 5, 20), each a websocket client speaking Streamlit's protocol as the
  browser does (first page, then clicks on the map): p50 / p95 / max, errors, server memory
  (VmRSS) before / peak / after, each step three times; then 20 and 40 users on 2 processes behind nginx
  (`make serve-multi`, deploy/nginx.conf.template).
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
LOAD_RUNS = 3  # each load row is run this many times: min / median / max, a target is met by the worst run
CPU_BATCHES = 3
CPU_TABS = 10  # fresh tabs per CPU batch: the mean of 10 runs resolves below the 10 ms clock tick
PHONE_RUNS = 3
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
# Chrome DevTools' "Slow 4G" preset: 1.6 Mbit/s down, 750 kbit/s up (bytes per second here), 150 ms latency.
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
SLOW_4G_LABEL = "1.6 Mbit/s, 150 ms"
PHONE_TIMEOUT_MS = 180_000
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


# Run in every document of a page (the map frames included) before its own scripts: notes the moment a QPV
# outline first has a size on screen, by the page's clock. Playwright's own wait, which only tells that
# it happened, polls at growing intervals (up to 500 ms apart): figures taken from it moved by a few
# hundred milliseconds from run to run whatever the page did.
DRAWN_PROBE = (
    "(() => { const selector = "
    + json.dumps(QPV_STROKE)
    + ";"
    + """
    const timer = setInterval(() => {
        const outline = document.querySelector(selector);
        if (!outline) return;
        const box = outline.getBoundingClientRect();
        if (box.width > 0 || box.height > 0) {
            window.__premierTrace = performance.timeOrigin + performance.now();
            clearInterval(timer);
        }
    }, 10);
})();
"""
)


def drawn_seconds(page) -> float:
    """Seconds from the start of the page's navigation to its first drawn QPV outline (DRAWN_PROBE), at 10 ms."""
    origin = page.evaluate("performance.timeOrigin")
    for frame in page.frames:
        drawn = frame.evaluate("window.__premierTrace || null")
        if drawn:
            return (drawn - origin) / 1000
    raise RuntimeError("no QPV outline drawn")


def first_drawn(browser, url: str, frame_selector: str | None) -> float:
    """Seconds from navigation to the first visible QPV polygon, in a fresh browser context (cold cache)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(DRAWN_PROBE)
    page = context.new_page()
    page.goto(url)
    root = page.frame_locator(frame_selector) if frame_selector else page
    root.locator(QPV_STROKE).filter(visible=True).first.wait_for(timeout=120_000)
    elapsed = _wait_drawn(page)
    context.close()
    return elapsed


def _wait_drawn(page, limit_s: float = 5) -> float:
    """drawn_seconds, once the probe has noted what Playwright has seen (it ticks every 10 ms)."""
    deadline = time.perf_counter() + limit_s
    while True:
        try:
            return drawn_seconds(page)
        except RuntimeError:
            if time.perf_counter() > deadline:
                raise
            page.wait_for_timeout(20)


def browser_page_cpu(browser, url: str, pids: list[int], frame_selector: str | None) -> float:
    """Server CPU seconds of one page load by a browser with a cold cache (every file asked for), once quiet:
    the script run and everything the server sends (Streamlit's bundles, the component, Leaflet, layers)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    before = sum(cpu_seconds(pid) for pid in pids)
    page.goto(url)
    if frame_selector:
        page.frame_locator(frame_selector).locator(QPV_STROKE).filter(visible=True).first.wait_for(timeout=120_000)
    else:
        page.locator("h1").first.wait_for(timeout=120_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # a last report of the map, and the server's answer to it
    cpu = sum(cpu_seconds(pid) for pid in pids) - before
    context.close()
    return cpu


def browser_cpu_rows(browser, pages: dict[str, tuple[str, list[int], str | None]], label: str):
    """RUNS cold browser page loads of each page, interleaved: server CPU min / median / max."""
    runs: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(RUNS):
        for name, (url, pids, frame_selector) in pages.items():
            runs[name].append(browser_page_cpu(browser, url, pids, frame_selector))
    ms = {"unit": "ms", "scale": 1000, "digits": 0}
    return [(f"{label}, min / median / max of {RUNS}: {name}", spread(values, **ms)) for name, values in runs.items()]


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


class Session:
    """One browser tab speaking Streamlit's protocol over the websocket: a page load, then reruns."""

    def __init__(self, ws):
        self.ws = ws
        self.state: dict = {}

    async def run(self, query: str, widgets=None, fragment: str = "", expect: str | None = None, page_name: str = ""):
        """Send one rerun; seconds to its end (or to the heading `expect`, None if it never came).

        `page_name` opens a page by its url_path, as the browser does for a link such as /perimetre."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        state = self.state
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.page_script_hash = state.get("page", "")
        back.rerun_script.page_name = page_name
        if fragment:
            back.rerun_script.fragment_id = fragment
        for widget in widgets or []:
            back.rerun_script.widget_states.widgets.append(widget)
        start = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        seen = None
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self.ws.recv(), LOAD_TIMEOUT_S))
            kind = message.WhichOneof("type")
            if kind == "new_session":
                state["page"] = message.new_session.page_script_hash
            elif kind == "navigation":  # the page st.navigation chose: what the browser sends back on a rerun
                state["page"] = message.navigation.page_script_hash
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

    async def click(self, n: int, feature: dict, expect: str | None = None):
        """The map reports a click on `feature` (the n-th click of this tab): its fragment reruns."""
        return await self.map_value({"last_active_drawing": feature, "last_object_clicked_count": n + 1}, expect)

    async def map_value(self, value: dict, expect: str | None = None):
        """The map reports `value` (what st_folium returns): its fragment reruns, or the page if it has none."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widget = WidgetState(id=self.state["map"])
        widget.json_value = json.dumps(value)
        return await self.run(self.state.get("query", ""), [widget], self.state.get("fragment", ""), expect=expect)


def connect(base: str, user: int):
    import websockets

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    return websockets.connect(
        url, subprotocols=["streamlit"], max_size=None, additional_headers={"Cookie": f"carte_route=u{user}"}
    )


async def one_user(base: str, user: int, targets, timings: dict, errors: list) -> None:
    """Open the Carte page, then click CLICKS_PER_USER quartiers, as the browser would over the websocket."""
    try:
        async with connect(base, user) as ws:
            session = Session(ws)
            timings["first"].append(await session.run(""))
            for n in range(CLICKS_PER_USER):
                code, (name, _, _, feature) = targets[(n + user) % len(targets)]
                seen = await session.click(n, feature, expect=name)
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


def spread(values: list[float], unit: str = "s", scale: float = 1, digits: int = 2) -> str:
    """min / median / max of the runs of one row."""
    if not values:
        return "n/a"
    shown = [f"{v * scale:.{digits}f}" for v in (min(values), median(values), max(values))]
    return " / ".join(shown) + (f" {unit}" if unit else "")


def verdict(worst: float, target: float, unit: str = "s", scale: float = 1, digits: int = 2) -> str:
    """A row meets its target only when its worst run does."""
    met = "met" if worst <= target else f"MISSED (worst {worst * scale:.{digits}f} {unit})"
    return f"target ≤ {target * scale:g} {unit} on the worst run: {met}"


def load_rows(label: str, results: list[dict], first_target: float | None = None, click_target: float | None = None):
    """One load step run LOAD_RUNS times: min / median / max of each run's p50, p95, errors and memory peak."""
    firsts = [median(r["timings"]["first"]) for r in results]
    first_worst = [max(r["timings"]["first"], default=float("nan")) for r in results]
    clicks_p95 = [p95(r["timings"]["click"]) for r in results]
    errors = [len(r["errors"]) for r in results]
    first_error = next((r["errors"][0] for r in results if r["errors"]), "")
    runs = f"min / median / max of {len(results)} runs"
    return [
        (
            f"{label}: first page p50, {runs}",
            spread(firsts)
            + (f" ({verdict(max(firsts), first_target)})" if first_target else "")
            + f"; slowest user {max(first_worst):.2f} s",
        ),
        (
            f"{label}: click → portrait p95, {runs}",
            spread(clicks_p95)
            + (f" ({verdict(max(clicks_p95), click_target)})" if click_target else "")
            + f"; {len(results[0]['timings']['click'])} clicks a run",
        ),
        (
            f"{label}: errors, {runs}; memory before / worst peak / worst after",
            f"{spread(errors, '', digits=0)}{' (' + first_error + ')' if first_error else ''}; "
            f"{results[0]['memory'][0]:.0f} / {max(r['memory'][1] for r in results):.0f} / "
            f"{max(r['memory'][2] for r in results):.0f} MiB",
        ),
    ]


def load_runs(base: str, users: int, targets, pids: list[int]) -> list[dict]:
    return [load(base, users, targets, pids) for _ in range(LOAD_RUNS)]


# --- Server CPU per run, measured on the server process (not wall time) --------------------------------


async def _cpu_batch(base: str, pid: int, page_name: str, action) -> tuple[float, float]:
    """Mean server CPU seconds of a page load, and of `action` after it, over CPU_TABS fresh tabs in turn."""
    loads = actions = 0.0
    for tab in range(CPU_TABS):
        async with connect(base, tab) as ws:
            session = Session(ws)
            before = cpu_seconds(pid)
            await session.run("", page_name=page_name)
            loads += cpu_seconds(pid) - before
            if action is not None:
                before = cpu_seconds(pid)
                if await action(session, tab) is None:
                    raise RuntimeError(f"{base}/{page_name}: the action of tab {tab} did not show what it should")
                actions += cpu_seconds(pid) - before
    return loads / CPU_TABS, actions / CPU_TABS


def cpu_per_run(base: str, pid: int, page_name: str = "", action=None) -> tuple[list[float], list[float]]:
    """CPU_BATCHES batches: each batch's mean CPU per page load and per action (seconds)."""
    batches = [asyncio.run(_cpu_batch(base, pid, page_name, action)) for _ in range(CPU_BATCHES)]
    return [load for load, _ in batches], [action for _, action in batches]


def drawn_square(lat: float, lon: float, tab: int) -> dict:
    """A 400 m square drawn on the perimeter map (as st_folium returns it), a little apart for each tab."""
    half_lat, half_lon = 0.0018, 0.0028  # about 200 m each way at 50.5° N
    lon += tab * 1e-5
    south, north, west, east = lat - half_lat, lat + half_lat, lon - half_lon, lon + half_lon
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def cpu_rows(app_base, app_pid, empty_base, empty_pid, bare_base, bare_pid, targets) -> list[tuple[str, str]]:
    """Server CPU per page load and per click: the app against Streamlit's floor (an empty page, the bare map)."""

    def app_click(session, tab):
        code, (name, _, _, feature) = targets[tab % len(targets)]
        return session.click(0, feature, expect=name)

    def bare_click(session, tab):
        code, (_, _, _, feature) = targets[tab % len(targets)]
        return session.click(0, feature, expect=_official_name(code))

    code, (_, lat, lon, _) = targets[0]

    def perimeter_test(session, tab):
        return session.map_value({"all_drawings": [drawn_square(lat, lon, tab)]}, expect="Proposition 1")

    app_load, app_clicks = cpu_per_run(app_base, app_pid, action=app_click)
    empty_load, _ = cpu_per_run(empty_base, empty_pid)
    bare_load, bare_clicks = cpu_per_run(bare_base, bare_pid, action=bare_click)
    perimeter_load, perimeter_tests = cpu_per_run(app_base, app_pid, "perimetre", perimeter_test)
    # Another page's test joins here as one more cpu_per_run(app_base, app_pid, "<url_path>", action).
    batches = f"min / median / max of {CPU_BATCHES} batches of {CPU_TABS} tabs"
    ms = {"unit": "ms", "scale": 1000, "digits": 0}
    return [
        (
            f"server CPU per page load, {batches}: app",
            f"{spread(app_load, **ms)} ({verdict(max(app_load), 0.100, **ms)})",
        ),
        ("  same, Streamlit's floor: empty page", spread(empty_load, **ms)),
        ("  same, Streamlit's floor: bare st_folium map (its first run)", spread(bare_load, **ms)),
        (
            f"server CPU per click, {batches}: app",
            f"{spread(app_clicks, **ms)} ({verdict(max(app_clicks), 0.050, **ms)})",
        ),
        ("  same, Streamlit's floor: bare st_folium map (whole script)", spread(bare_clicks, **ms)),
        (f"perimeter test: server CPU per page load, {batches}", spread(perimeter_load, **ms)),
        (f"perimeter test: server CPU per drawn polygon assessed, {batches}", spread(perimeter_tests, **ms)),
    ]


# --- A phone on a slow mobile network (Chromium's network emulation) ---------------------------------------


def phone_first_drawn(browser, url: str, frame_selector: str | None) -> tuple[float, int, int]:
    """Seconds to the first drawn QPV polygon on a 390 × 844 phone at slow 4G (cold cache); bytes received
    by then (HTTP bodies and headers as sent, compressed if they were, plus websocket frames) and once quiet."""
    context = browser.new_context(**PHONE)
    context.add_init_script(DRAWN_PROBE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    received = [0]

    def http(event):
        received[0] += int(event.get("encodedDataLength", 0))

    def frame(event):
        payload = event["response"].get("payloadData", "")
        received[0] += len(base64.b64decode(payload)) if event["response"].get("opcode") == 2 else len(payload)

    cdp.on("Network.loadingFinished", http)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=PHONE_TIMEOUT_MS)
    root = page.frame_locator(frame_selector) if frame_selector else page
    root.locator(QPV_STROKE).filter(visible=True).first.wait_for(timeout=PHONE_TIMEOUT_MS)
    at_first = received[0]
    elapsed = _wait_drawn(page)
    quiet_since, last = time.perf_counter(), received[0]
    while time.perf_counter() - quiet_since < 2 and time.perf_counter() - start < PHONE_TIMEOUT_MS / 1000:
        page.wait_for_timeout(200)
        if received[0] != last:
            quiet_since, last = time.perf_counter(), received[0]
    context.close()
    return elapsed, at_first, received[0]


def phone_rows(browser, pages: dict[str, tuple[str, str | None]]) -> list[tuple[str, str]]:
    """PHONE_RUNS cold loads of each page, interleaved: seconds and bytes, min / median / max."""
    runs: dict[str, list[tuple[float, int, int]]] = {name: [] for name in pages}
    for _ in range(PHONE_RUNS):
        for name, (url, frame_selector) in pages.items():
            runs[name].append(phone_first_drawn(browser, url, frame_selector))
    label = f"phone 390×844, slow 4G ({SLOW_4G_LABEL}), min / median / max of {PHONE_RUNS}"
    return [
        (
            f"{label}: {name}",
            f"first polygons {spread([r[0] for r in values])}; "
            f"kB by then {spread([r[1] for r in values], '', 1e-3, 0)}; once quiet {spread([r[2] for r in values], 'kB', 1e-3, 0)}",
        )
        for name, values in runs.items()
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
    global RUNS, USERS, LOAD_RUNS, CPU_BATCHES, CPU_TABS, PHONE_RUNS
    if "--quick" in sys.argv[1:]:  # to check the benchmark itself: every row, fewer runs (figures not comparable)
        RUNS, USERS, LOAD_RUNS, CPU_BATCHES, CPU_TABS, PHONE_RUNS = 2, (1, 5, 20), 2, 2, 4, 1
    load_at_start = os.getloadavg()[0]  # a run counts when the machine was quiet (under 0.5) as it started
    targets = list(quartiers().items())
    rows: list[tuple[str, str]] = []
    log = tempfile.TemporaryFile()
    app_port, bare_port, empty_port = free_port(), free_port(), free_port()
    app_base, bare_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
    empty_base = f"http://127.0.0.1:{empty_port}"
    app = start_app(app_port, log)
    bare = start_app(bare_port, log, script="scripts/anchors/bare_map.py")
    empty = start_app(empty_port, log, script="scripts/anchors/empty_page.py")
    started = time.monotonic()
    try:
        wait_healthy(app, app_base, 120, lambda: "app")
        wait_healthy(bare, bare_base, 120, lambda: "bare map")
        wait_healthy(empty, empty_base, 120, lambda: "empty page")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first_drawn(browser, app_base + "/", MAP_IFRAME)  # warm-up: layers computed and published
            first_drawn(browser, bare_base + "/", "iframe")
            static_url = static_page_url(app_base)
            drawn = {"app": [], "bare": [], "static": []}
            for _ in range(RUNS):
                drawn["app"].append(first_drawn(browser, app_base + "/", MAP_IFRAME))
                drawn["bare"].append(first_drawn(browser, bare_base + "/", "iframe"))
                drawn["static"].append(first_drawn(browser, static_url, None))
            ratios = [a / b for a, b in zip(drawn["app"], drawn["bare"], strict=True)]
            rows.append(
                (
                    f"first drawn polygons, min / median / max of {RUNS}: app",
                    f"{spread(drawn['app'])} (app / bare, run by run: {spread(ratios, '×')}; "
                    f"{verdict(max(ratios), 1.1, '×')})",
                )
            )
            rows.append(("  same: bare st_folium map", spread(drawn["bare"])))
            rows.append(("  same: static Leaflet page", spread(drawn["static"])))
            app_clicks = clicks(browser, app_base + "/", MAP_IFRAME, targets, app.pid, lambda name, code: name)
            bare_clicks = clicks(
                browser, bare_base + "/", "iframe", targets, bare.pid, lambda name, code: _official_name(code)
            )
            rows += browser_cpu_rows(
                browser,
                {
                    "app": (app_base + "/", [app.pid], MAP_IFRAME),
                    "empty page": (empty_base + "/", [empty.pid], None),
                    "bare st_folium map": (bare_base + "/", [bare.pid], "iframe"),
                },
                "server CPU per browser page load, cold cache, every file from the app process",
            )
            rows += phone_rows(
                browser,
                {
                    "app": (app_base + "/", MAP_IFRAME),
                    "bare st_folium map": (bare_base + "/", "iframe"),
                    "static Leaflet page": (static_url, None),
                },
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
                "websocket bytes per click: app / bare",
                f"{median(app_clicks['bytes']) / 1000:.1f} / {median(bare_clicks['bytes']) / 1000:.1f} kB"
                " (target ≤ 60 kB)",
            ),
        ]
        rows += cpu_rows(app_base, app.pid, empty_base, empty.pid, bare_base, bare.pid, targets)
        for users in USERS:
            label = f"{users} user{'s' if users > 1 else ''}, 1 process"
            rows += load_rows(label, load_runs(app_base, users, targets, [app.pid]))
    finally:
        stop_app(app)
        stop_app(bare)
        stop_app(empty)
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
    print(
        f"\n{os.cpu_count()} cores; load average {load_at_start:.2f} at the start, {os.getloadavg()[0]:.1f} at the end"
        " (figures are noisy when >0);"
        f" {time.monotonic() - started:.0f} s in all."
    )
    return 0


def static_page_url(app_base: str) -> str:
    """The static Leaflet anchor, copied under static/ and drawing the QPV file the app published."""
    from quartiers import maps

    qpv_file = next(p for p in maps.STATIC_LAYERS_DIR.glob("qpv-*.geojson"))
    anchors = ROOT / "static" / "anchors"
    anchors.mkdir(exist_ok=True)
    shutil.copy(ROOT / "scripts" / "anchors" / "leaflet_static.html", anchors / "leaflet_static.html")
    return f"{app_base}/app/static/anchors/leaflet_static.html?" + urlencode(
        {"couche": f"{maps.STATIC_LAYERS_URL}/{qpv_file.name}"}
    )


def _official_name(code: str) -> str:
    from quartiers.couches_officielles import load_qpv

    layer, _ = load_qpv()
    return layer.set_index("code_qp").loc[code, "lib_qp"]


def multi_process(targets, log) -> list[tuple[str, str]]:
    """20 and 40 users on 2 processes behind nginx (gzip, long cache of hashed files), and a phone through it."""
    from scripts.serve_multi import NGINX, served

    if not Path(NGINX).exists():
        return [("2 processes behind nginx", "skipped: nginx not installed (`make serve-multi` installs it)")]
    with served(free_port(), 2, free_port(), log) as (base, apps):
        pids = [a.pid for a in apps]
        load(base, 4, targets, pids)  # warm-up: each process loads and publishes its layers
        rows = load_rows(
            "20 users, 2 processes + nginx", load_runs(base, 20, targets, pids), first_target=2.0, click_target=1.5
        )
        rows += load_rows("40 users, 2 processes + nginx", load_runs(base, 40, targets, pids))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(2):  # warm-up: nginx keeps each static file at its first request (2 for the 2 routes)
                browser_page_cpu(browser, base + "/", pids, MAP_IFRAME)
            behind = [first_drawn(browser, base + "/", MAP_IFRAME) for _ in range(RUNS)]
            rows.append(
                (
                    f"first drawn polygons behind nginx (Streamlit's files kept by nginx), min / median / max of {RUNS}",
                    spread(behind),
                )
            )
            rows += browser_cpu_rows(
                browser,
                {"app, both processes": (base + "/", pids, MAP_IFRAME)},
                "server CPU per browser page load behind nginx (files kept by nginx), cold browser cache",
            )
            rows += phone_rows(browser, {"app behind nginx (gzip)": (base + "/", MAP_IFRAME)})
            browser.close()
        return rows


if __name__ == "__main__":
    sys.exit(main())
