"""The Carte page's map in a real browser: light clicks, map behaviour, phone layout, keyboard focus, escaping.

Fixtures (the server, the browser, `session`) are in conftest.py.
"""

from __future__ import annotations

import base64
import dataclasses
import re

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from quartiers import couches_officielles, maps
from scripts.appserver import MAP_IFRAME, QPV_PATHS
from tests.conftest import EXPECT_MS, FIRST_LOAD_MS, MONT_LIEBAUT, PHONE, Session, expect

pytestmark = pytest.mark.browser


def interior_point(code: str) -> tuple[float, float]:
    """(lat, lon) of a point inside the official perimeter of a QPV, computed in Lambert-93."""
    import geopandas as gpd

    from quartiers import settings

    metric = couches_officielles.load_layers().qpv.to_crs(settings.LAMBERT93).set_index("code_qp")
    point = gpd.GeoSeries([metric.geometry[code].representative_point()], crs=settings.LAMBERT93)
    point = point.to_crs(settings.WGS84).iloc[0]
    return point.y, point.x


TROIS_ILOTS = interior_point("QN06209M")  # 3 Îlots, Béthune, east of Mont Liébaut
LAPTOP = {"width": 1366, "height": 768}


class Frames:
    """The websocket messages the server sends to the page, decoded (Streamlit's ForwardMsg protobuf)."""

    def __init__(self, page):
        self.messages: list[bytes] = []
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _frame(self, event):
        response = event["response"]
        if response.get("opcode") == 2:
            self.messages.append(base64.b64decode(response["payloadData"]))

    def wait_finished(self, page, start: int) -> None:
        """Poll until a run that started after message `start` has finished."""
        deadline = EXPECT_MS
        while not any(m.WhichOneof("type") == "script_finished" for m in self.decoded(start)) and deadline > 0:
            page.wait_for_timeout(50)
            deadline -= 50

    def decoded(self, start: int) -> list[ForwardMsg]:
        out = []
        for raw in self.messages[start:]:
            message = ForwardMsg()
            message.ParseFromString(raw)
            out.append(message)
        return out


def show_both(session: Session, first: tuple[float, float], second: tuple[float, float]) -> None:
    """Fit the map's view on two points (as a user zooming out to see both quartiers)."""
    session.map_frame().locator("#map_div").evaluate(
        "(el, b) => el.ownerDocument.defaultView.map.fitBounds(b, {padding: [80, 80], animate: false})",
        [list(first), list(second)],
    )


def element_at(session: Session, lat: float, lon: float) -> str:
    """The stroke colour of what lies on top at (lat, lon) in the map, as the mouse would hit it."""
    return (
        session.map_frame()
        .locator("#map_div")
        .evaluate(
            "(el, [lat, lon]) => { const w = el.ownerDocument.defaultView, p = w.map.latLngToContainerPoint([lat, lon]);"
            " const r = el.getBoundingClientRect(), e = el.ownerDocument.elementFromPoint(r.left + p.x, r.top + p.y);"
            " return e ? (e.getAttribute('stroke') || e.tagName) : ''; }",
            [lat, lon],
        )
    )


@pytest.mark.parametrize("session", [LAPTOP], indirect=True, ids=["1366x768"])
def test_a_click_reruns_only_the_fragment_and_does_not_resend_the_layers(session, browser, base_url):
    # A server's very first session runs twice (Streamlit's legacy multipage switch, quartiers/ui/__init__.py):
    # one earlier visit, in its own context, so that the count below is what every later visitor gets.
    earlier = browser.new_page()
    earlier.goto(base_url + "/")
    expect(earlier.locator("h1").first).to_be_visible(timeout=FIRST_LOAD_MS)
    earlier.close()
    frames = Frames(session.page)
    session.open("/")
    frame = session.wait_for_map()
    expect(session.page.get_by_role("heading", name="Choisissez un quartier")).to_be_visible()
    body = frame.locator("body")
    body.evaluate("(el) => { el.ownerDocument.defaultView.__marker = 1; }")
    layer_requests = [url for url in session.requests if "/app/static/couches/" in url]
    geojson = sorted(url.rsplit("/", 1)[1].split("-")[0] for url in layer_requests if url.endswith(".geojson"))
    # Each layer file once; the 500 m band, hidden at first, is fetched only when switched on (test below).
    assert geojson == ["bande", "communes", "epci", "etiquettes", "qpv", "voisins"], layer_requests
    # Leaflet, leaflet-gesture-handling and carte.js come as one file (one round trip instead of three).
    assert len([url for url in layer_requests if url.endswith(".js")]) == 1, layer_requests
    assert not [url for url in session.requests if url.endswith(("/leaflet.js", "/carte.js"))]
    # Opening the page is one run: the map, once drawn, reports nothing that reruns the page (twenty phones
    # opening the link make twenty runs, not forty). st_folium reports at once, then 250 ms after a move.
    frames.wait_finished(session.page, 0)
    session.page.wait_for_timeout(1_500)
    kinds = [m.WhichOneof("type") for m in frames.decoded(0)]
    assert kinds.count("script_finished") == 1, kinds
    start = len(frames.messages)
    session.click_map_at(*MONT_LIEBAUT)
    expect(session.page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))
    expect(session.page.get_by_role("heading", name="Mont Liébaut")).to_be_visible()
    expect(session.page).to_have_title(re.compile("Mont Liébaut"))
    frames.wait_finished(session.page, start)
    messages = frames.decoded(start)
    finished = [m.script_finished for m in messages if m.WhichOneof("type") == "script_finished"]
    assert finished, "no rerun after the click"
    deltas = [m.delta for m in messages if m.WhichOneof("type") == "delta"]
    # The page body outside the fragment (title, text legend, downloads) is not sent again...
    sent = b"".join(d.SerializeToString() for d in deltas)
    assert b"Carte des quartiers prioritaires" not in sent
    assert "Légende et contenu de la carte".encode() not in sent
    assert b"download_button" not in sent and "Télécharger les couches".encode() not in sent
    # ...every delta is addressed to the fragment, and the map's script is re-sent without any layer data.
    assert all(d.fragment_id for d in deltas), "a delta outside the fragment"
    components = [d.new_element.component_instance for d in deltas if d.WhichOneof("type") == "new_element"]
    components = [c for c in components if c.component_name.endswith("st_folium")]
    assert len(components) == 1
    map_bytes = len(components[0].SerializeToString())
    assert map_bytes < 15_000, map_bytes
    assert b'"coordinates"' not in components[0].SerializeToString()
    assert [url for url in session.requests if "/app/static/couches/" in url] == layer_requests  # not fetched again
    assert body.evaluate("(el) => el.ownerDocument.defaultView.__marker") == 1, "the map iframe was reloaded"
    # The selection is drawn by the map from the layer it already has.
    expect(frame.locator(f"path[stroke='{maps.STYLE_SELECTION['color']}']")).to_have_count(1)


def test_the_500_m_band_is_fetched_and_drawn_when_switched_on(session):
    session.open("/")
    frame = session.wait_for_map()
    band = f"path[stroke='{maps.STYLE_BANDE_500M['color']}']"
    expect(frame.locator(band)).to_have_count(0)
    assert not [url for url in session.requests if "/bande500-" in url]
    frame.locator(".leaflet-control-layers").hover()
    frame.get_by_label(maps.BANDE_500M_TITLE).check()
    # The NPNRU quartiers' rings are drawn from their file, fetched once, even when switched off and on.
    expect(frame.locator(band).first).to_be_visible()
    rings = maps.display_layers(couches_officielles.load_layers()).bande500["features"]
    expect(frame.locator(band)).to_have_count(len(rings))  # one outline per NPNRU quartier's ring
    frame.get_by_label(maps.BANDE_500M_TITLE).uncheck()
    expect(frame.locator(band)).to_have_count(0)
    frame.get_by_label(maps.BANDE_500M_TITLE).check()
    expect(frame.locator(band).first).to_be_visible()
    assert len([url for url in session.requests if "/bande500-" in url]) == 1


def test_the_same_quartier_clicked_again_after_back_is_selected(session):
    session.open("/")
    session.wait_for_map()
    session.click_map_at(*MONT_LIEBAUT)
    expect(session.page.get_by_role("heading", name="Mont Liébaut")).to_be_visible()
    show_both(session, MONT_LIEBAUT, TROIS_ILOTS)
    session.click_map_at(*TROIS_ILOTS)
    expect(session.page).to_have_url(re.compile(r"quartier=QN06209M"))
    session.page.go_back()
    expect(session.page).to_have_url(re.compile(r"quartier=QN06208M"))
    expect(session.page.get_by_role("heading", name="Mont Liébaut")).to_be_visible()
    show_both(session, MONT_LIEBAUT, TROIS_ILOTS)
    session.click_map_at(*TROIS_ILOTS)
    expect(session.page).to_have_url(re.compile(r"quartier=QN06209M"))
    expect(session.page.get_by_role("heading", name="Mont Liébaut")).to_have_count(0)


def test_the_same_quartier_clicked_again_after_a_search_is_selected(session):
    session.open("/")
    session.wait_for_map()
    show_both(session, MONT_LIEBAUT, TROIS_ILOTS)
    session.click_map_at(*TROIS_ILOTS)
    expect(session.page).to_have_url(re.compile(r"quartier=QN06209M"))
    settled = session.page.get_by_test_id("stApp")
    expect(settled).to_have_attribute("data-test-script-state", "notRunning")
    search = session.page.get_by_role("searchbox", name="Rechercher un quartier ou une commune")
    search.fill("liebaut")
    search.press("Enter")  # its only result opens (issue 16)
    expect(session.page).to_have_url(re.compile(r"quartier=QN06208M"))
    expect(session.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
    show_both(session, MONT_LIEBAUT, TROIS_ILOTS)
    session.click_map_at(*TROIS_ILOTS)  # the polygon clicked before the search
    expect(session.page).to_have_url(re.compile(r"quartier=QN06209M"))
    expect(session.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_have_count(0)


def test_switching_the_band_off_and_on_keeps_the_qpv_on_top_and_the_background(session):
    session.open("/?quartier=QN06208M")
    frame = session.wait_for_map()
    # Offline, the tiles fail: the switch shows the plain background, the one really displayed.
    frame.locator(".leaflet-control-layers").hover()
    plain = frame.get_by_label("Fond neutre (hors ligne)")
    expect(plain).to_be_checked()
    band = frame.get_by_label("Bande des 300 m (indicative)")
    band.uncheck()
    band.check()
    expect(plain).to_be_checked()
    session.page.mouse.move(0, 0)
    show_both(session, MONT_LIEBAUT, TROIS_ILOTS)
    # The QPV is on top of the band (the selection outline, drawn above, lets the clicks through).
    assert element_at(session, *TROIS_ILOTS) == maps.STYLE_QPV["color"]
    session.click_map_at(*TROIS_ILOTS)
    expect(session.page).to_have_url(re.compile(r"quartier=QN06209M"))


def test_mouse_click_leaves_no_focus_ring_keyboard_focus_shows_one(session):
    session.open("/")
    frame = session.wait_for_map()
    container = frame.locator("#map_div")
    session.click_map_at(50.45, 2.9)  # outside any quartier
    outline = "(el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    assert container.evaluate("(el) => el.ownerDocument.activeElement === el")
    assert container.evaluate(outline).startswith("none"), container.evaluate(outline)
    session.page.keyboard.press("Shift+Tab")
    session.page.keyboard.press("Tab")
    expect(container).to_be_focused()
    style, width = container.evaluate(outline).split()
    assert style == "solid" and float(width.removesuffix("px")) >= 3
    # Polygons are not Tab stops: the map frame holds a handful of controls, whatever the number of shapes.
    stops = frame.locator("a[href], button, summary, input, [tabindex]:not([tabindex='-1'])")
    assert stops.count() <= 20 and frame.locator(QPV_PATHS).count() > 30
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    expect(frame.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom avant")
    expect(frame.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Zoom arrière")
    expect(frame.locator(".leaflet-control-layers-toggle")).to_have_attribute("title", "Couches et fond de carte")
    expect(frame.locator(".leaflet-control-attribution")).not_to_contain_text("🇺🇦")


def test_keyboard_leaves_the_map_in_a_few_tab_presses_and_never_stops_on_a_shape(session):
    session.open("/?quartier=QN06208M")
    frame = session.wait_for_map()
    frame.locator("#map_div").focus()
    stops = []
    for _ in range(20):
        session.page.keyboard.press("Tab")
        if session.page.evaluate("document.activeElement.tagName") != "IFRAME":
            break
        stops.append(frame.locator(":focus").evaluate("(e) => e.tagName + '.' + (e.getAttribute('class') || '')"))
    else:
        pytest.fail(f"still in the map after 20 Tab presses: {stops}")
    assert len(stops) <= 15 and not [s for s in stops if s.lower().startswith("path")], stops


def test_commune_names_are_written_on_the_map_when_zoomed_in(session):
    session.open("/?quartier=QN06208M")
    frame = session.wait_for_map()
    expect(frame.locator(".etiquette-commune", has_text="Béthune").first).to_be_visible()
    frame.locator("#map_div").evaluate("(el) => el.ownerDocument.defaultView.map.setZoom(9)")
    expect(frame.locator(".etiquette-commune", has_text="Béthune").first).to_be_hidden()


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


def test_phone_map_is_half_the_screen_and_a_tap_brings_the_portrait_into_view(browser, base_url, tmp_path):
    session = TouchSession(browser, base_url, tmp_path)
    session.open("/")
    frame = session.wait_for_map()
    box = session.page.locator(MAP_IFRAME).bounding_box()
    assert box["height"] <= 0.55 * PHONE["height"], box
    # One finger does not drag the map (it scrolls the page); two fingers move it.
    assert frame.locator("#map_div").evaluate("(el) => !el.ownerDocument.defaultView.map.dragging.enabled()")
    scale = frame.locator(".leaflet-control-scale").bounding_box()
    attribution = frame.locator(".leaflet-control-attribution").bounding_box()
    assert scale["x"] + scale["width"] <= attribution["x"] or scale["y"] + scale["height"] <= attribution["y"]
    # A one-finger swipe that starts on the map scrolls the page (the user has scrolled down to the map first).
    session.page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    box = session.page.locator(MAP_IFRAME).bounding_box()
    scroller = "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollTop), window.scrollY)"
    before = session.page.evaluate(scroller)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8
    cdp = session.context.new_cdp_session(session.page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 25 * step}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.page.wait_for_function(f"() => ({scroller})() > {before} + 50")
    # Zoomed in (as with two fingers), a tap on the quartier opens its portrait and brings it into view.
    inside = interior_point("QN06208M")
    frame.locator("#map_div").evaluate(
        "(el, p) => el.ownerDocument.defaultView.map.setView(p, 14, {animate: false})", list(inside)
    )
    frame.locator("#map_div").tap(position=session.point_of(*inside))
    heading = session.page.get_by_role("heading", name="Mont Liébaut")
    expect(heading).to_be_in_viewport()
    session.screenshot("carte-phone-apres-clic.png")
    session.context.close()


def test_tooltips_stay_inside_the_map(session):
    session.open("/")
    frame = session.wait_for_map()
    container = frame.locator("#map_div")
    box = container.bounding_box()
    # The QPV nearest the right edge of the map: its tooltip would overflow on the right.
    path = frame.locator(QPV_PATHS).filter(visible=True)
    rightmost = max(range(path.count()), key=lambda i: path.nth(i).bounding_box()["x"])
    path.nth(rightmost).hover()
    tooltip = frame.locator(".leaflet-tooltip.infobulle")
    expect(tooltip).to_be_visible()
    inner = tooltip.bounding_box()
    assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1, (inner, box)
    assert box["y"] <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"] + 1, (inner, box)


def test_a_tooltip_names_the_quartier_as_its_portrait_does(session):
    """The name a resident reads in the portrait first, the ANCT spelling after it."""
    session.open("/")
    session.wait_for_map()
    session.map_frame().locator("#map_div").hover(position=session.point_of(*TROIS_ILOTS))
    tooltip = session.map_frame().locator(".leaflet-tooltip.infobulle")
    expect(tooltip).to_contain_text("Quartier : 3 Îlots (Quartier 3 ilôts)")
    expect(tooltip).to_contain_text("Code : QN06209M")


def test_presentation_mode_enlarges_the_map_legend_labels_and_controls(session):
    texts = {
        "légende": "details.legende-carte",
        "noms des communes": ".etiquette-commune",
        "échelle": ".leaflet-control-scale-line",
        "zoom": ".leaflet-control-zoom-in",
    }
    size = "(el) => parseFloat(getComputedStyle(el).fontSize)"

    def sizes(path: str) -> dict[str, float]:
        session.open(path)
        frame = session.wait_for_map()
        expect(frame.locator(".etiquette-commune").first).to_be_attached()
        return {name: frame.locator(selector).first.evaluate(size) for name, selector in texts.items()}

    normal, large = sizes("/"), sizes("/?presentation=1")
    small = {name: (normal[name], large[name]) for name in texts if large[name] < 1.5 * normal[name]}
    assert not small, small


def test_a_hostile_name_in_a_data_file_shows_as_text_in_the_tooltip(session):
    """A map built from layers whose QIC name carries markup, served beside the app: the tooltip shows it as text."""
    hostile = '<img src=x onerror="window.__pirate=1">Catorive'
    display = maps.display_layers(couches_officielles.load_layers())
    square = [[[2.60, 50.50], [2.64, 50.50], [2.64, 50.53], [2.60, 50.53], [2.60, 50.50]]]
    qic = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": square},
                "properties": {"id": "piege", "nom": hostile, "commune": hostile, "couche": "qic"},
            }
        ],
    }
    html = maps.build_map(dataclasses.replace(display, qic=qic, qpv=None, bande=None)).get_root().render()
    page_url = session.base_url + "/echappement-test.html"
    session.page.route(page_url, lambda route: route.fulfill(body=html, content_type="text/html"))
    session.page.goto(page_url)
    qic_path = session.page.locator(f"path.leaflet-interactive[stroke='{maps.STYLE_QIC['color']}']")
    expect(qic_path).to_be_visible(timeout=FIRST_LOAD_MS)
    qic_path.hover()
    tooltip = session.page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(hostile)
    assert tooltip.locator("img").count() == 0
    assert session.page.evaluate("() => window.__pirate") is None
