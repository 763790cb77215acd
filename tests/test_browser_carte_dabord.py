"""« La carte d'abord » (issue 16) in a real browser: wheel and gestures, « Vue d'ensemble », the first view, taps
on a phone, Enter in the search.

Fixtures (the server, the browser, `session`) are in conftest.py.
"""

from __future__ import annotations

import re

import pytest

from quartiers import couches_officielles, settings
from tests.conftest import EXPECT_MS, PHONE, SCREENSHOTS, Session, expect

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
SCROLLER = "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollTop), window.scrollY)"
VIEW = (
    "(el) => { const m = el.ownerDocument.defaultView.map, b = m.getBounds();"
    " return {zoom: m.getZoom(), south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()}; }"
)


class TouchSession(Session):
    """A phone: 390 × 844, touch screen, mobile viewport."""

    def __init__(self, browser, base_url, tmp_path):
        self.base_url = base_url
        self.context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="fr-FR")
        self.context.set_default_timeout(EXPECT_MS)
        self.requests = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.tmp_path = tmp_path


def representative_points() -> dict[str, tuple[float, float]]:
    """code_qp → (lat, lon) of a point inside each QPV of the two contracts, computed in Lambert-93."""
    qpv = couches_officielles.load_layers().qpv
    own = qpv[~qpv["voisin"]].to_crs(settings.LAMBERT93)
    points = own.geometry.representative_point().to_crs(settings.WGS84)
    return {code: (p.y, p.x) for code, p in zip(own["code_qp"], points, strict=True)}


def view(session: Session) -> dict:
    return session.map_frame().locator("#map_div").evaluate(VIEW)


def same_bounds(a: dict, b: dict) -> bool:
    return all(abs(a[k] - b[k]) < 1e-6 for k in ("south", "west", "north", "east"))


def territory_bounds() -> tuple[float, float, float, float]:
    layers = couches_officielles.load_layers()
    west, south, east, north = layers.epci.total_bounds
    return south, west, north, east


@pytest.mark.parametrize("session", [LAPTOP], indirect=True, ids=["1366x768"])
def test_wheel_scrolls_the_page_ctrl_wheel_zooms_and_vue_d_ensemble_brings_the_territory_back(session):
    session.open("/?quartier=QN06208M")
    frame = session.wait_for_map()
    expect(session.page.get_by_role("heading", name="Mont Liébaut").first).to_be_visible()
    page = session.page
    first = view(session)
    box = frame.locator("#map_div").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = page.evaluate(SCROLLER)
    for _ in range(5):
        page.mouse.wheel(0, 120)
    page.wait_for_function(f"() => ({SCROLLER})() > {before} + 100")
    # The French hint says how to zoom; the map did not move.
    expect(frame.locator("#map_div.leaflet-gesture-handling-scroll-warning")).to_be_attached()
    hint = frame.locator("#map_div").get_attribute("data-gesture-handling-scroll-content")
    assert hint.startswith("Pour zoomer"), hint
    page.wait_for_timeout(600)
    assert view(session) == first
    # Ctrl + wheel zooms the map (scrolled back to the top: the map under the mouse again).
    page.evaluate("() => [...document.querySelectorAll('*')].forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
    box = frame.locator("#map_div").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Control")
    for _ in range(3):  # the first one switches the map's wheel zoom on (leaflet-gesture-handling)
        page.mouse.wheel(0, -120)
    page.keyboard.up("Control")
    frame.locator("#map_div").evaluate(
        f"(el) => new Promise((ok, ko) => {{ const m = el.ownerDocument.defaultView.map, t = Date.now();"
        f" (function w() {{ if (m.getZoom() > {first['zoom']}) ok(); else if (Date.now() - t > {EXPECT_MS}) ko('no zoom');"
        " else setTimeout(w, 50); })(); })"
    )
    page.wait_for_timeout(1_000)  # the wheel zoom's animation ends
    # « Vue d'ensemble » shows the whole territory: the two agglomerations inside the map.
    frame.get_by_role("button", name="Vue d'ensemble").click()
    home = view(session)
    south, west, north, east = territory_bounds()
    assert home["south"] <= south and home["west"] <= west and home["north"] >= north and home["east"] >= east, home
    session.screenshot("carte-dabord-vue-ensemble-1366.png")


def test_first_view_fits_the_territory_to_the_width_and_vue_d_ensemble_restores_it(session):
    session.open("/")
    frame = session.wait_for_map()
    first = view(session)
    south, west, north, east = territory_bounds()
    assert first["south"] <= south and first["west"] <= west and first["north"] >= north and first["east"] >= east
    # Fitted: the territory takes the map's width or its height, within a few percent.
    width_share = (east - west) / (first["east"] - first["west"])
    height_share = (north - south) / (first["north"] - first["south"])
    assert max(width_share, height_share) > 0.9, (width_share, height_share)
    frame.locator("#map_div").evaluate("(el) => el.ownerDocument.defaultView.map.setView([50.5, 2.6], 14)")
    frame.get_by_role("button", name="Vue d'ensemble").click()
    assert same_bounds(view(session), first)


def test_on_a_phone_the_territory_fills_the_map_width_and_a_tap_on_each_quartier_selects_it(
    browser, base_url, tmp_path
):
    session = TouchSession(browser, base_url, tmp_path)
    session.open("/")
    frame = session.wait_for_map()
    # The legend starts folded on a phone.
    assert frame.locator("details.legende-carte").evaluate("(d) => !d.open")
    first = view(session)
    south, west, north, east = territory_bounds()
    assert (east - west) / (first["east"] - first["west"]) > 0.9, first
    session.screenshot("carte-dabord-phone-premiere-vue.png")
    points = representative_points()
    assert len(points) == 37
    missed = []
    for code, point in points.items():
        frame.locator("#map_div").tap(position=session.point_of(*point))
        try:
            expect(session.page).to_have_url(re.compile(rf"[?&]quartier={code}(&|$)"))
        except AssertionError:
            missed.append((code, session.page.url))
        assert same_bounds(view(session), first), "the map moved"
        session.page.wait_for_timeout(800)  # two quick taps make a double tap, which zooms in
    assert not missed, missed
    session.context.close()


def test_a_tap_beside_a_small_quartier_selects_it_and_a_tap_elsewhere_closes_its_tooltip(browser, base_url, tmp_path):
    session = TouchSession(browser, base_url, tmp_path)
    session.open("/")
    frame = session.wait_for_map()
    point = representative_points()["QN06208M"]  # Mont Liébaut
    shape = frame.locator("#map_div").evaluate(
        "(el, code) => { const w = el.ownerDocument.defaultView; let box = null;"
        " w.carteQuartiers.layers.qpv.eachLayer(l => { if (l.feature.properties.code_qp === code) {"
        " const b = l.getBounds(), a = w.map.latLngToContainerPoint(b.getNorthWest()),"
        " c = w.map.latLngToContainerPoint(b.getSouthEast()); box = {left: a.x, top: a.y, right: c.x, bottom: c.y}; } });"
        " return box; }",
        "QN06208M",
    )
    # 10 px west of the quartier's outline box: on no quartier, within 22 px of this one.
    target = {"x": shape["left"] - 10, "y": session.point_of(*point)["y"]}
    frame.locator("#map_div").tap(position=target)
    expect(session.page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))
    expect(frame.locator(".leaflet-tooltip.infobulle")).to_have_count(1)
    # A tap far from every quartier closes the tooltip.
    box = frame.locator("#map_div").bounding_box()
    frame.locator("#map_div").tap(position={"x": 8, "y": box["height"] / 2})
    expect(frame.locator(".leaflet-tooltip.infobulle")).to_have_count(0)
    session.context.close()


def test_enter_in_the_search_opens_its_only_result(session):
    session.open("/")
    session.wait_for_map()
    field = session.page.get_by_role("searchbox", name="Rechercher un quartier ou une commune")
    field.fill("Mont Liébaut")
    expect(session.page.get_by_text("1 résultat.")).to_be_visible()
    field.press("Enter")
    expect(session.page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))


SETTINGS = {
    "390x844": (PHONE, True, ""),
    "1366x768": (LAPTOP, False, ""),
    "1920x1080-presentation": (PROJECTOR, False, "presentation=1"),
}


def _session(browser, base_url, tmp_path, name):
    viewport, touch, _ = SETTINGS[name]
    if touch:
        return TouchSession(browser, base_url, tmp_path)
    return Session(browser, base_url, viewport, tmp_path)


def _with(path: str, name: str) -> str:
    extra = SETTINGS[name][2]
    return path + ("&" if "?" in path else "?") + extra if extra else path


def _assert_map_first(session: Session, name: str, screenshot: str) -> dict:
    viewport, touch, _ = SETTINGS[name]
    assert session.page.evaluate(SCROLLER) == 0
    box = session.page.locator(session.map_iframe).bounding_box()
    session.screenshot(screenshot)
    if touch:
        assert box["height"] >= 0.4 * viewport["height"], box
    else:
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
        assert box["height"] >= 0.5 * viewport["height"], box
    # Streamlit's empty header takes no room and covers nothing.
    header = session.page.locator("header[data-testid='stHeader']").bounding_box()
    assert header is None or header["height"] == 0, header
    # The credit « Leaflet » is whole, inside the map (it was cut to « L » where the legend is folded).
    frame = session.page.frame_locator(session.map_iframe)
    credit = frame.locator(".leaflet-control-attribution a", has_text="Leaflet").first
    shown = credit.evaluate(
        "(a) => { const r = a.getBoundingClientRect(), m = a.closest('.leaflet-container').getBoundingClientRect(),"
        " c = a.closest('.leaflet-control-attribution'); return {right: r.right, left: r.left, mapRight: m.right,"
        " full: a.scrollWidth, width: r.width, clipped: c.scrollWidth > c.clientWidth + 1}; }"
    )
    assert shown["left"] >= 0 and shown["right"] <= shown["mapRight"] + 0.5, shown
    assert not shown["clipped"] and shown["width"] >= shown["full"] - 0.5, shown
    return box


@pytest.mark.parametrize("name", list(SETTINGS))
def test_carte_map_first_with_the_selection_beside_it(browser, base_url, tmp_path, name):
    session = _session(browser, base_url, tmp_path, name)
    session.open(_with("/?quartier=QN06208M", name))
    session.wait_for_map()
    heading = session.page.get_by_role("heading", name="Mont Liébaut").first
    expect(heading).to_be_visible()
    session.page.wait_for_timeout(1_000)  # the map's height follows the measured top
    box = _assert_map_first(session, name, f"carte-dabord-carte-{name}.png")
    if name.startswith("1920"):
        # The panel's heading and key figures on the first screen, beside the map.
        for text in (
            heading,
            session.page.get_by_text("Population :").first,
            session.page.get_by_text("Surface du périmètre 2024").first,
        ):
            expect(text).to_be_in_viewport(ratio=1)
        assert heading.bounding_box()["x"] >= box["x"] + box["width"]
    session.context.close()


@pytest.mark.parametrize("name", list(SETTINGS))
def test_ce_lieu_map_first(browser, base_url, tmp_path, name):
    session = _session(browser, base_url, tmp_path, name)
    session.open(_with("/situer?lat=50.518&lon=2.629", name))
    session.wait_for_map()
    expect(session.page.get_by_text("Mont Liébaut").first).to_be_visible()
    session.page.wait_for_timeout(1_000)
    _assert_map_first(session, name, f"carte-dabord-situer-{name}.png")
    session.context.close()


@pytest.mark.parametrize("name", list(SETTINGS))
def test_perimetre_map_first_after_an_upload(browser, base_url, tmp_path, name):
    import geopandas as gpd

    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    grown = qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0].buffer(50)
    path = tmp_path / "proposition.geojson"
    gpd.GeoDataFrame({"nom": ["Mont Liébaut agrandi"]}, geometry=[grown], crs=settings.LAMBERT93).to_crs(
        settings.WGS84
    ).to_file(path, driver="GeoJSON")
    session = _session(browser, base_url, tmp_path, name)
    session.open(_with("/perimetre", name))
    session.wait_for_map()
    session.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(path)
    expect(session.page.get_by_text("1 polygone du fichier déposé comparé aux QPV")).to_be_visible()
    session.page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    session.page.evaluate(
        "() => [...document.querySelectorAll('*')].forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    session.page.wait_for_timeout(1_000)
    _assert_map_first(session, name, f"carte-dabord-perimetre-{name}.png")
    session.context.close()


OVERLAPS = """() => {
  const picked = [...document.querySelectorAll('h1, h2, h3, p, li, td, th, summary, iframe')].filter(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && e.textContent.trim() !== '' || e.tagName === 'IFRAME' && r.height > 1;
  });
  const leaves = picked.filter(e => !picked.some(o => o !== e && e.contains(o)));
  const boxes = leaves.map(e => [e, e.getBoundingClientRect()]);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 2 && h > 2) out.push([boxes[i][0].tagName + ':' + boxes[i][0].textContent.slice(0, 40), boxes[j][0].tagName + ':' + boxes[j][0].textContent.slice(0, 40)]);
  }
  return {count: leaves.length, iframes: leaves.filter(e => e.tagName === 'IFRAME').length, overlaps: out};
}"""


def _pdf_info(pdf) -> dict:
    import shutil
    import subprocess

    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "pdfinfo missing: `make browser` installs poppler-utils"
    out = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", out).group(1))
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", out).groups())
    return {"pages": pages, "width": width, "height": height}


@pytest.mark.parametrize("session", [LAPTOP], indirect=True, ids=["1366x768"])
def test_printing_the_carte_with_a_portrait_and_the_map_alone(session):
    session.open("/?quartier=QN06208M")
    session.wait_for_map()
    expect(session.page.get_by_role("heading", name="Mont Liébaut").first).to_be_visible()
    session.page.wait_for_timeout(1_000)
    page = session.page
    # Ctrl+P: print media, nothing overlaps, the map once, the portrait after it.
    page.emulate_media(media="print")
    result = page.evaluate(OVERLAPS)
    assert result["iframes"] == 1 and result["count"] > 20, result
    assert not result["overlaps"], result["overlaps"][:10]
    frame_box = page.locator(session.map_iframe).bounding_box()
    assert (
        page.get_by_role("heading", name="Mont Liébaut").first.bounding_box()["y"]
        >= frame_box["y"] + frame_box["height"]
    )
    pdf = session.tmp_path / "carte.pdf"
    page.pdf(path=pdf, format="A4")
    assert _pdf_info(pdf)["pages"] >= 1
    page.emulate_media(media="screen")
    # « Imprimer la carte »: one A4 landscape page.
    expect(page.get_by_role("button", name="Imprimer la carte (A4 paysage)")).to_be_visible()
    assert page.evaluate("() => window.__carteImprimer.prepare()")
    page.wait_for_timeout(1_000)
    page.emulate_media(media="print")  # Playwright prints with the media last emulated
    sheet = session.tmp_path / "carte-seule.pdf"
    page.pdf(path=sheet, prefer_css_page_size=True)
    info = _pdf_info(sheet)
    assert info["pages"] == 1 and info["width"] > info["height"], info
    import subprocess

    text = subprocess.run(["pdftotext", str(sheet), "-"], check=True, capture_output=True, text=True).stdout
    for words in ("Mont Liébaut", "Sources", "Document indicatif", "Légende"):
        assert words in text, (words, text[:500])
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", str(sheet), str(SCREENSHOTS / "carte-dabord-impression")],
        check=True,
    )
    page.evaluate("() => window.__carteImprimer.restore()")


# Pages of the fiche printed by chromium (A4) before issue 16, Filosofi references included (measured at c7bae39).
FICHE_PAGES_BEFORE = {"QN06208M": 7, "QN06255M": 11}


@pytest.mark.parametrize("session", [LAPTOP], indirect=True, ids=["1366x768"])
@pytest.mark.parametrize("code", list(FICHE_PAGES_BEFORE))
def test_the_fiche_prints_in_one_click_on_at_most_half_the_pages(session, code):
    page = session.page
    session.open(f"/?quartier={code}")
    session.wait_for_map()
    page.get_by_role("button", name="Imprimer la fiche").click()
    printed = page.locator("iframe.fiche-a-imprimer")
    expect(printed).to_have_count(1)
    html = printed.evaluate("(f) => f.srcdoc")
    sheet = session.context.new_page()
    sheet.set_content(html)
    pdf = session.tmp_path / f"fiche-{code}.pdf"
    sheet.pdf(path=pdf, format="A4")
    pages = _pdf_info(pdf)["pages"]
    print(f"fiche {code}: {pages} pages (before: {FICHE_PAGES_BEFORE[code]})")
    assert pages * 2 <= FICHE_PAGES_BEFORE[code], pages
    # Nothing dropped: the objectives are all there, open.
    assert sheet.locator("details:not([open])").count() == 0
    sheet.close()


def test_a_comparison_reads_on_a_phone_without_sideways_scrolling(browser, base_url, tmp_path):
    session = TouchSession(browser, base_url, tmp_path)
    session.open("/quartiers?comparer=QN06208M,QN06209M")
    blocks = session.page.locator(".qp-comparaison-blocs").first
    expect(blocks).to_be_visible(timeout=90_000)
    expect(session.page.locator("[role='region'][aria-label='Chiffres comparables']")).to_be_hidden()
    values = blocks.locator(".qp-blocs ul li")
    assert values.count() >= 4
    width = PHONE["width"]
    boxes = values.evaluate_all(
        "(items) => items.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    assert all(left >= 0 and right <= width for left, right in boxes), boxes
    assert session.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    blocks.scroll_into_view_if_needed()
    session.screenshot("carte-dabord-comparaison-390x844.png")
    session.context.close()


@pytest.mark.parametrize("session", [LAPTOP], indirect=True, ids=["1366x768"])
@pytest.mark.parametrize("path", ["/situer?lat=50.518&lon=2.629", "/perimetre", "/quartiers", "/sources"])
def test_ctrl_p_on_every_page_prints_nothing_overlapping(session, path):
    session.open(path)
    expect(session.page.locator("h1").first).to_be_visible(timeout=90_000)
    if path.startswith(("/situer", "/perimetre")):
        session.wait_for_map()
    session.page.wait_for_timeout(1_000)
    session.page.emulate_media(media="print")
    result = session.page.evaluate(OVERLAPS)
    assert result["iframes"] <= 1, result
    assert not result["overlaps"], result["overlaps"][:10]


@pytest.mark.parametrize("session", [PROJECTOR], indirect=True, ids=["1920x1080"])
def test_a_window_resized_to_a_phone_and_back_keeps_the_map_first(session):
    page = session.page
    session.open("/?quartier=QN06208M")
    frame = session.wait_for_map()
    expect(page.get_by_role("heading", name="Mont Liébaut").first).to_be_visible()
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1_500)
    box = page.locator(session.map_iframe).bounding_box()
    assert box["width"] <= PHONE["width"] and 0.4 * PHONE["height"] <= box["height"] <= 0.55 * PHONE["height"], box
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size(PROJECTOR)
    page.wait_for_timeout(1_500)
    box = page.locator(session.map_iframe).bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"] and box["height"] >= 0.5 * PROJECTOR["height"], box
    # The map inside the frame follows the frame.
    inner = frame.locator("#map_div").bounding_box()
    assert abs(inner["height"] - box["height"]) <= 2, (inner, box)
    session.screenshot("carte-dabord-redimensionnee-1920.png")


def test_the_area_shown_while_drawing_reads_the_french_way(session):
    session.open("/perimetre")
    frame = session.wait_for_map()
    area = frame.locator("#map_div").evaluate(
        "(el) => el.ownerDocument.defaultView.L.GeometryUtil.readableArea(7279300, true)"
    )
    assert area == "727,93 ha", area
