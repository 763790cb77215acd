"""The "Tester un périmètre" page in headless chromium: upload, drawing through Leaflet.draw, the A4 sheet as PDF.

Fixtures (the server, the browser, `session`) are in conftest.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import geopandas as gpd
import pytest
import shapely

from quartiers import couches_officielles, maps, settings
from quartiers.formats import fmt_number
from quartiers.formes import carte as carte_proposition
from quartiers.formes.carte import REFERENCE_LAYERS, STYLE_PROPOSITION, build_proposal_map
from scripts.appserver import MAP_IFRAME, QPV_PATHS
from tests.conftest import FIRST_LOAD_MS, PHONE, SCREENSHOTS, expect
from tests.test_browser_carte import Frames, interior_point

pytestmark = pytest.mark.browser

PROPOSAL_PATHS = (
    f"path.leaflet-interactive[stroke='{STYLE_PROPOSITION['color']}'][stroke-width='{STYLE_PROPOSITION['weight']}']"
)


@pytest.fixture(scope="module")
def mont_liebaut_l93():
    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    return qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0]


def _summary(session) -> str:
    """The text of the first figures table (Surface, ajout, laissé hors, bande, commune, territoire)."""
    table = session.page.locator("table.tableau-perimetre").first
    expect(table).to_contain_text("Surface du périmètre")
    return table.inner_text()


def _upload(session, path) -> None:
    session.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(path)


def test_upload_shows_figures_map_and_a_one_page_a4_sheet(session, mont_liebaut_l93):
    grown = mont_liebaut_l93.buffer(50)
    path = session.tmp_path / "mont_liebaut_agrandi.geojson"
    frame = gpd.GeoDataFrame({"nom": ["<b>Mont Liébaut</b> agrandi"]}, geometry=[grown], crs=settings.LAMBERT93)
    frame.to_crs(settings.WGS84).to_file(path, driver="GeoJSON")
    session.open("/perimetre")
    frame_locator = session.wait_for_map()
    # A screen reader names this map by its own title, not by the Carte page's.
    expect(session.page.locator(MAP_IFRAME)).to_have_count(0)
    _upload(session, path)
    expect(session.page.get_by_text("1 polygone du fichier déposé comparé aux QPV")).to_be_visible()
    summary = _summary(session)
    assert f"{fmt_number(grown.area / 10_000, 2)} ha" in summary
    assert f"{fmt_number((grown.area - mont_liebaut_l93.area) / 10_000, 2)} ha" in summary  # ajout hors QPV
    assert "Béthune" in summary
    # The name is shown as text, tags included, not as bold HTML.
    expect(session.page.get_by_role("heading", name="<b>Mont Liébaut</b> agrandi")).to_be_visible()
    # The app's name of the quartier first, the ANCT name after it.
    expect(session.page.get_by_text("Mont Liébaut (Quartier Du Mont Liébaut, QN06208M)")).to_be_visible()
    expect(session.page.get_by_text("données carroyées de l'Insee", exact=False)).to_be_visible()
    # On the map: the proposal outline, the "+ ajout" label, the legend with the proposal's lines.
    expect(frame_locator.locator(PROPOSAL_PATHS).first).to_be_visible()
    expect(frame_locator.locator(".etiquette-difference", has_text="+ ajout").first).to_be_visible()
    expect(frame_locator.locator("details.legende-carte").get_by_text("Périmètre proposé")).to_be_visible()
    draw_assets = [u for u in session.requests if "leaflet.draw" in u]
    assert draw_assets and all(
        u.startswith(session.base_url + "/app/static/node_modules/leaflet-draw/") for u in draw_assets
    )
    assert session.foreign_requests() == []
    session.screenshot("perimetre-upload.png")

    with session.page.expect_download() as download_info:
        session.page.get_by_role("button", name="Fiche A4 imprimable (HTML)").click()
    sheet = session.tmp_path / "fiche.html"
    download_info.value.save_as(sheet)
    html = sheet.read_text(encoding="utf-8")
    assert "Document de travail — indicatif" in html and "&lt;b&gt;Mont Liébaut&lt;/b&gt;" in html
    printed = session.context.new_page()
    printed.goto(sheet.as_uri())
    pdf = session.tmp_path / "fiche.pdf"
    printed.pdf(path=pdf, prefer_css_page_size=True)
    _assert_within_printable_width(printed, html)
    printed.set_viewport_size({"width": 794, "height": 1123})
    printed.emulate_media(media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    printed.screenshot(path=SCREENSHOTS / "perimetre-fiche-a4.png", full_page=True)
    assert _pdf_pages(pdf) == 1


# Every element whose drawn right edge passes `limit` (CSS px): its box, plus, in a table with collapsed borders,
# the outer half of its right border, which is drawn outside the box.
PAST_THE_RIGHT_EDGE = """(limit) => [...document.body.querySelectorAll("*")].flatMap((el) => {
    const style = getComputedStyle(el), table = el.closest("table");
    const spill = table && getComputedStyle(table).borderCollapse === "collapse"
        ? parseFloat(style.borderRightWidth) / 2 : 0;
    const right = el.getBoundingClientRect().right + spill;
    return right > limit + 0.01 ? [`${el.tagName.toLowerCase()} ${right.toFixed(2)}`] : [];
})"""


def _assert_within_printable_width(page, html: str) -> None:
    """Chromium prints at A4's width less the sheet's own side margins and clips what goes beyond: laid out at
    that width (print media), nothing (map frame, tables and their borders, text) may reach past it."""
    side_mm = float(re.search(r"@page\{size:A4 portrait;margin:[\d.]+mm ([\d.]+)mm\}", html).group(1))
    printable_px = (210 - 2 * side_mm) / 25.4 * 96
    page.set_viewport_size({"width": round(printable_px), "height": 1123})
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.clientWidth") == round(printable_px)
    beyond = page.evaluate(PAST_THE_RIGHT_EDGE, printable_px)
    assert beyond == [], beyond
    assert page.evaluate("document.documentElement.scrollWidth") <= round(printable_px)  # no text runs past


def test_sheet_of_a_long_unspaced_name_stays_on_one_page_within_its_width(browser, tmp_path, mont_liebaut_l93):
    """A name from the file is text the sheet does not choose: one without spaces is broken, not cut off."""
    from quartiers.formes.bilan_perimetre import assess, load_reference
    from quartiers.formes.feuille_perimetre import sheet_html
    from quartiers.formes.lecture import read_proposal

    name = "Proposition_" + "x" * 150
    data = gpd.GeoDataFrame({"nom": [name]}, geometry=[mont_liebaut_l93.buffer(50)], crs=settings.LAMBERT93)
    reference = load_reference()
    (bilan,) = assess(read_proposal(data.to_crs(settings.WGS84).to_json().encode(), "long.geojson"), reference)
    html = sheet_html([bilan], None, reference, ())
    sheet = tmp_path / "fiche.html"
    sheet.write_text(html, encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(sheet.as_uri())
        pdf = tmp_path / "fiche.pdf"
        page.pdf(path=pdf, prefer_css_page_size=True)
        assert _pdf_pages(pdf) == 1
        expect(page.get_by_role("heading", level=1)).to_contain_text(name[:40])
        _assert_within_printable_width(page, html)
    finally:
        page.close()


def _pdf_pages(pdf) -> int:
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "pdfinfo missing: `make browser` installs poppler-utils"
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))


def test_polygon_drawn_with_leaflet_draw_gives_the_same_figures_as_uploaded(session):
    session.open("/perimetre")
    frame = session.wait_for_map()
    container = frame.locator("#map_div")
    # The polygon is drawn in the upper-left quarter of the map, away from the open legend (bottom right).
    container.evaluate("(el) => el.ownerDocument.defaultView.map.setView([50.5160, 2.6320], 15, {animate: false})")
    frame.locator("a.leaflet-draw-draw-polygon").click()
    # Leaflet.draw ignores a click while it is still handling the previous one (it re-enables new vertices
    # after a short timer): wait for that state before each click.
    frame_handle = container.element_handle().owner_frame()
    ready = (
        "() => { const d = Object.values(window).find(v => v instanceof L.Control.Draw);"
        " const h = d && d._toolbars.draw._modes.polygon.handler; return h && h.enabled() && !h._disableMarkers; }"
    )
    corners = [(50.5195, 2.6265), (50.5195, 2.6320), (50.5160, 2.6320), (50.5160, 2.6265)]
    vertices = frame.locator(".leaflet-marker-icon.leaflet-editing-icon")
    for count, (lat, lon) in enumerate(corners, start=1):
        frame_handle.wait_for_function(ready)
        session.click_map_at(lat, lon)
        expect(vertices).to_have_count(count)
    expect(frame.get_by_text("Terminer", exact=True)).to_be_visible()  # Leaflet.draw speaks French
    frame_handle.wait_for_function(ready)
    session.click_map_at(*corners[0])  # a click on the first vertex closes the polygon
    expect(session.page.get_by_text("1 polygone dessiné comparé aux QPV")).to_be_visible(timeout=FIRST_LOAD_MS)
    drawn_summary = _summary(session)
    drawn = container.evaluate("(el) => JSON.stringify(el.ownerDocument.defaultView.drawnItems.toGeoJSON())")
    collection = json.loads(drawn)
    assert len(collection["features"]) == 1
    polygon = shapely.geometry.shape(collection["features"][0]["geometry"])
    area_ha = gpd.GeoSeries([polygon], crs=settings.WGS84).to_crs(settings.LAMBERT93).area.iloc[0] / 10_000
    assert f"{fmt_number(area_ha, 2)} ha" in drawn_summary
    session.screenshot("perimetre-dessin.png")

    path = session.tmp_path / "dessin.geojson"
    path.write_text(drawn, encoding="utf-8")
    _upload(session, path)
    expect(session.page.get_by_text("1 polygone du fichier déposé comparé aux QPV")).to_be_visible()
    assert _summary(session) == drawn_summary


def test_geopackage_with_two_layers_lets_the_user_choose_and_keeps_the_choice(session, mont_liebaut_l93):
    path = session.tmp_path / "variantes.gpkg"
    for layer, geometry in (("variante_a", mont_liebaut_l93), ("variante_b", mont_liebaut_l93.buffer(20))):
        frame = gpd.GeoDataFrame({"nom": [layer.replace("_", " ")]}, geometry=[geometry], crs=settings.LAMBERT93)
        frame.to_file(path, layer=layer)
    session.open("/perimetre")
    session.wait_for_map()
    _upload(session, path)
    expect(session.page.get_by_text("Le fichier contient 2 couches (variante_a, variante_b)")).to_be_visible()
    session.page.get_by_role("combobox", name="Couche à tester").click()
    session.page.get_by_role("option", name="variante_b").click()
    expect(session.page.get_by_role("heading", name="variante b")).to_be_visible()
    grown_ha = fmt_number(mont_liebaut_l93.buffer(20).area / 10_000, 2)
    assert f"{grown_ha} ha" in _summary(session)
    # Another run of the page (presentation mode on) keeps the chosen layer and its figures.
    session.page.get_by_text("Mode présentation (grands caractères)").click()
    expect(session.page).to_have_url(re.compile(r"presentation=1"))
    expect(session.page.get_by_role("heading", name="variante b")).to_be_visible()
    expect(session.page.get_by_role("combobox", name="Couche à tester")).to_be_visible()


@pytest.mark.parametrize("session", [PHONE], indirect=True, ids=["390x844"])
def test_on_a_phone_a_bad_file_gets_its_message_then_a_good_file_its_figures(session, mont_liebaut_l93):
    points = session.tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([2.629], [50.518]), crs=settings.WGS84).to_file(points)
    session.open("/perimetre")
    session.wait_for_map()
    _upload(session, points)
    expect(
        session.page.get_by_text("Le fichier ne contient aucun polygone (seulement des points ou des lignes)")
    ).to_be_visible()
    expect(session.page.get_by_test_id("stException")).to_have_count(0)
    good = session.tmp_path / "mont_liebaut.geojson"
    gpd.GeoDataFrame({"nom": ["Mont Liébaut"]}, geometry=[mont_liebaut_l93], crs=settings.LAMBERT93).to_crs(
        settings.WGS84
    ).to_file(good)
    _upload(session, good)
    heading = session.page.get_by_role("heading", name="Mont Liébaut")
    expect(heading).to_be_visible()
    assert f"{fmt_number(mont_liebaut_l93.area / 10_000, 2)} ha" in _summary(session)
    # The scale is not covered by the attribution on a narrow map (the Carte map's rule, from carte.css).
    frame = session.map_frame()
    scale = frame.locator(".leaflet-control-scale").bounding_box()
    attribution = frame.locator(".leaflet-control-attribution").bounding_box()
    assert scale["x"] + scale["width"] <= attribution["x"] or scale["y"] + scale["height"] <= attribution["y"]
    heading.scroll_into_view_if_needed()
    session.screenshot("perimetre-phone.png")


def test_map_controls_speak_french_like_the_carte_map(session):
    session.open("/perimetre")
    frame = session.wait_for_map()
    expect(frame.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom avant")
    expect(frame.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Zoom arrière")
    expect(frame.locator(".leaflet-control-layers-toggle")).to_have_attribute("title", "Couches et fond de carte")
    link = frame.locator(".leaflet-control-attribution a").first
    expect(link).to_have_text("Leaflet")
    expect(link).not_to_have_attribute("title", "A JavaScript library for interactive maps")
    expect(frame.locator(".leaflet-control-attribution")).not_to_contain_text("JavaScript library")
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    assets = [u for u in session.requests if "/app/static/carte/" in u or "/app/static/couches/carte-" in u]
    assert any("/couches/carte-" in u for u in assets) and any("carte.css" in u for u in assets)  # carte.js inside


PROJECTOR = {"width": 1920, "height": 1080}


@pytest.mark.parametrize("session", [PROJECTOR], indirect=True, ids=["1920x1080"])
def test_presentation_mode_enlarges_legend_labels_and_controls_of_the_map(session, mont_liebaut_l93):
    path = session.tmp_path / "mont_liebaut_agrandi.geojson"
    gpd.GeoDataFrame({"nom": ["Agrandi"]}, geometry=[mont_liebaut_l93.buffer(50)], crs=settings.LAMBERT93).to_crs(
        settings.WGS84
    ).to_file(path, driver="GeoJSON")
    size = "(el) => parseFloat(getComputedStyle(el).fontSize)"
    parts = {
        "légende": "details.legende-carte",
        "étiquette « + ajout »": ".etiquette-difference",
        "zoom": ".leaflet-control-zoom-in",
        "échelle": ".leaflet-control-scale-line",
        "attribution": ".leaflet-control-attribution",
    }
    measured = {}
    for mode in ("", "?presentation=1"):
        session.open("/perimetre" + mode)
        frame = session.wait_for_map()
        _upload(session, path)
        expect(frame.locator(".etiquette-difference", has_text="+ ajout").first).to_be_visible()
        measured[mode] = {name: frame.locator(css).first.evaluate(size) for name, css in parts.items()}
    for name in parts:
        assert measured["?presentation=1"][name] >= 1.5 * measured[""][name], (name, measured)
    assert measured["?presentation=1"]["étiquette « + ajout »"] >= 18
    frame = session.map_frame()
    for button in (".leaflet-control-zoom-in", "a.leaflet-draw-draw-polygon"):
        box = frame.locator(button).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (button, box)
    frame.locator("#map_div").scroll_into_view_if_needed()
    session.screenshot("perimetre-presentation-1920.png")


# Per drawing button: its box and its sprite's size and offset, as computed (the element's own CSS px, before the
# toolbar's zoom), and its box on the screen.
SPRITE_WINDOWS = """(buttons) => buttons.map((a) => {
    const cs = getComputedStyle(a), box = a.getBoundingClientRect();
    const [sizeX, sizeY] = cs.backgroundSize.split(" ").map(parseFloat);
    return {name: a.className, width: parseFloat(cs.width), height: parseFloat(cs.height), sizeX, sizeY,
            x: -parseFloat(cs.backgroundPositionX), y: -parseFloat(cs.backgroundPositionY),
            screenWidth: box.width, screenHeight: box.height};
})"""


@pytest.mark.parametrize("session", [PROJECTOR], indirect=True, ids=["1920x1080"])
def test_presentation_drawing_buttons_each_show_exactly_their_own_icon(session):
    session.open("/perimetre?presentation=1")
    frame = session.wait_for_map()
    buttons = frame.locator(".leaflet-draw-toolbar a")
    expect(buttons.first).to_be_visible()
    windows = buttons.evaluate_all(SPRITE_WINDOWS)
    assert len(windows) >= 4, windows  # polygon, rectangle, edit, delete
    cells = set()
    for w in windows:
        # Leaflet.draw's sprite is one row of square 30 px cells (300 × 30 px), one icon per cell. The part of it
        # a button shows, [x, x + width], must lie in one cell (2 px of the neighbours' blank margins allowed):
        # a box wider than its cell shows the next icon clipped beside its own.
        cell = w["sizeY"]
        assert w["sizeX"] == 10 * cell, w
        first, last = int((w["x"] + 2) // cell), int((w["x"] + w["width"] - 2) // cell)
        assert first == last and w["height"] <= cell + 2, w
        cells.add(first)
        # A touch target a room can see.
        assert w["screenWidth"] >= 44 and w["screenHeight"] >= 44, w
    assert len(cells) == len(windows), windows  # each button its own icon
    # Keyboard focus stays visible on a zoomed button.
    session.page.keyboard.press("Tab")
    first_button = buttons.first
    first_button.focus()
    outline = first_button.evaluate(
        "(a) => [getComputedStyle(a).outlineStyle, parseFloat(getComputedStyle(a).outlineWidth)]"
    )
    assert outline[0] == "solid" and outline[1] >= 2, outline
    toolbar = frame.locator(".leaflet-draw").bounding_box()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(
        path=SCREENSHOTS / "perimetre-presentation-outils.png",
        clip={"x": toolbar["x"] - 8, "y": toolbar["y"] - 8, "width": 320, "height": toolbar["height"] + 16},
    )


COORDINATE_PAIR = re.compile(r"\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)\s*\]")


def _coordinate_pairs(text: str) -> set[tuple[float, float]]:
    """Every [x, y] pair of numbers written in `text` (GeoJSON coordinates, whatever the spacing)."""
    return {(float(x), float(y)) for x, y in COORDINATE_PAIR.findall(text)}


def test_an_upload_sends_the_proposal_only_and_the_official_layers_are_fetched_once(session, mont_liebaut_l93):
    grown = mont_liebaut_l93.buffer(50)
    path = session.tmp_path / "agrandi.geojson"
    gpd.GeoDataFrame({"nom": ["Agrandi"]}, geometry=[grown], crs=settings.LAMBERT93).to_crs(settings.WGS84).to_file(
        path, driver="GeoJSON"
    )
    frames = Frames(session.page)
    session.open("/perimetre")
    frame = session.wait_for_map()
    frames.wait_finished(session.page, 0)
    # Each official layer of this map comes from its static file, requested once.
    files = [u for u in session.requests if "/app/static/couches/" in u and u.endswith(".geojson")]
    assert sorted(u.rsplit("/", 1)[1].split("-")[0] for u in files) == sorted(n for n, *_ in REFERENCE_LAYERS)
    # Its tooltips name a QPV as the app does, written as text by carte.js.
    inside = interior_point("QN06209M")
    container = frame.locator("#map_div")
    container.evaluate("(el, p) => el.ownerDocument.defaultView.map.setView(p, 15, {animate: false})", list(inside))
    container.hover(position=session.point_of(*inside))
    expect(frame.locator(".leaflet-tooltip.infobulle")).to_contain_text("QPV : 3 Îlots (Quartier 3 ilôts)")
    frame.locator("body").evaluate("(el) => { el.ownerDocument.defaultView.__marker = 1; }")

    start = len(frames.messages)
    _upload(session, path)
    expect(session.page.get_by_text("1 polygone du fichier déposé comparé aux QPV")).to_be_visible()
    expect(frame.locator(PROPOSAL_PATHS).first).to_be_visible()
    frames.wait_finished(session.page, start)
    components = [
        m.delta.new_element.component_instance
        for m in frames.decoded(start)
        if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"
    ]
    (sent,) = [c.SerializeToString() for c in components if c.component_name.endswith("st_folium")]
    # The map's script and the proposal's own layers (about 30 kB here), not the official layers (~0.5 MB).
    assert len(sent) < 45_000, len(sent)
    # No vertex of a QPV lying more than 1 km from the proposal is in what was sent (the proposal's own parts
    # may share the vertices of the QPV they touch).
    qpv_file = next(u for u in files if "/qpv-" in u).rsplit("/", 1)[1]
    qpv = gpd.read_file(maps.STATIC_LAYERS_DIR / qpv_file)
    far = qpv[qpv.to_crs(settings.LAMBERT93).distance(grown) > 1_000]
    assert len(far) > 30
    far_vertices = {tuple(xy) for xy in shapely.get_coordinates(far.geometry).tolist()}
    sent_pairs = _coordinate_pairs(sent.decode("utf-8", errors="replace"))
    assert sent_pairs, "the proposal's own coordinates are sent inline"
    assert not sent_pairs & far_vertices
    # The same search finds them in the map with its layers embedded (as before): the check above can fail.
    display = maps.display_layers(couches_officielles.load_layers())
    embedded = build_proposal_map(carte_proposition.reference_layers(display), with_tiles=False).get_root().render()
    assert len(_coordinate_pairs(embedded) & far_vertices) > 0.9 * len(far_vertices)
    # The layer files are not fetched again and the map's frame is not reloaded: only the proposal is added.
    assert [u for u in session.requests if "/app/static/couches/" in u and u.endswith(".geojson")] == files
    assert frame.locator("body").evaluate("(el) => el.ownerDocument.defaultView.__marker") == 1
    expect(frame.locator(QPV_PATHS).first).to_be_attached()
