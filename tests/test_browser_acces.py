"""The app as a resident on a phone, an élu on a laptop and a conseil citoyen at a projector use it, by keyboard too.

Real browser (Debian chromium + Playwright) at 390×844 touch, 1366×768, and 1920×1080 in presentation mode;
axe-core from the npm registry (tests/js, installed by `make test`) injected into the page and the map frame.
Screenshots go to tests/screenshots/acces-*.png.
"""

from __future__ import annotations

import ast
import contextlib
import itertools
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest

from quartiers.ui.chrome import STREAMLIT_FRENCH, STREAMLIT_FRENCH_PARTS, STREAMLIT_FRENCH_PREFIXES
from scripts.appserver import ANY_MAP_IFRAME, MAP_IFRAME, QPV_PATHS
from tests.conftest import EXPECT_MS, FIRST_LOAD_MS, MONT_LIEBAUT, ROOT, SCREENSHOTS, expect

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_EXTRA_RULES = ["meta-viewport", "meta-viewport-large"]
SEARCH = "Rechercher un quartier ou une commune"
MAX_TABS = 15
# Presentation mode must make every text at least this much larger than the ordinary page.
MIN_GROWTH = 1.5


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    touch: bool = False
    presentation: bool = False


PHONE = Screen("390x844-tactile", 390, 844, touch=True)
LAPTOP = Screen("1366x768", 1366, 768)
PROJECTOR = Screen("1920x1080-presentation", 1920, 1080, presentation=True)
SCREENS = [PHONE, LAPTOP, PROJECTOR]


def navigation_pages() -> list[tuple[str, str]]:
    """(title, path) of every page shown in app.py's navigation, read from app.py itself."""
    pages = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page"):
            continue
        options = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        if options.get("visibility") == "hidden":
            continue
        pages.append((options["title"], "/" if options.get("default") else "/" + options["url_path"]))
    return pages


PAGES = navigation_pages()
# What "a quartier selected" means on each page: the portrait on the Carte, a point's answer on the situer page.
SELECTION = {"/": {"quartier": "QN06208M"}, "/situer": {"lat": "50.518", "lon": "2.629"}}


class Visit:
    """A browser context at one screen size (touch on the phone), and what a user does in it."""

    def __init__(self, browser, base_url: str, screen: Screen):
        self.base_url = base_url
        self.screen = screen
        self.context = browser.new_context(
            viewport={"width": screen.width, "height": screen.height},
            locale="fr-FR",
            has_touch=screen.touch,
            is_mobile=screen.touch,
        )
        self.context.set_default_timeout(EXPECT_MS)
        self.page = self.context.new_page()

    def url(self, path: str, **params: str) -> str:
        if self.screen.presentation:
            params["presentation"] = "1"
        return self.base_url + path + ("?" + urlencode(params) if params else "")

    def open(self, path: str, **params: str) -> None:
        self.page.goto(self.url(path, **params))
        expect(self.page.locator("h1").first).to_be_visible(timeout=FIRST_LOAD_MS)
        self.settled()

    def settled(self) -> None:
        """No run in progress and no element of a previous run still shown faded (Streamlit's "stale")."""
        expect(self.page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
        expect(self.page.locator("[data-stale='true']")).to_have_count(0)

    def press(self, locator) -> None:
        """A tap on a touch screen, a click elsewhere."""
        if self.screen.touch:
            locator.tap()
        else:
            locator.click()

    def search(self, text: str) -> None:
        box = self.page.get_by_role("searchbox", name=SEARCH)
        self.press(box)
        box.press_sequentially(text)

    def params(self) -> dict[str, list[str]]:
        return parse_qs(urlparse(self.page.url).query)

    def screenshot(self, name: str) -> None:
        self.settled()  # not a page caught between two runs, with the previous run's elements still shown
        if self.page.locator(ANY_MAP_IFRAME).count():  # nor a map caught in its zoom animation (thick strokes)
            expect(self.page.frame_locator(ANY_MAP_IFRAME).locator(".leaflet-zoom-anim")).to_have_count(0)
            self.page.wait_for_timeout(300)  # Leaflet redraws the paths at the new zoom just after
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"acces-{name}-{self.screen.name}.png")

    def map_frame(self):
        return self.page.locator(ANY_MAP_IFRAME).element_handle(timeout=FIRST_LOAD_MS).content_frame()

    def axe(self, frame) -> list[dict]:
        """Every WCAG 2.1 A/AA violation axe-core finds in one document (frames apart), whatever its impact,
        and the viewport rule (pinch zoom allowed), which axe files under best practices."""
        # Colours are read as shown: once no fade (an element appearing, a run's "stale" dimming) is still playing.
        frame.wait_for_function(QUIET, timeout=EXPECT_MS)
        frame.add_script_tag(path=str(AXE))
        result = frame.evaluate(
            "async ([tags, rules]) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " rules: Object.fromEntries(rules.map(r => [r, {enabled: true}])), iframes: false})",
            [AXE_TAGS, AXE_EXTRA_RULES],
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]


# No finite animation or transition still playing in the document (a spinner's endless one aside), twice 100 ms
# apart: axe computes contrast with the opacity of the moment, and a fade read half-way fails it.
QUIET = """() => {
    const playing = document.getAnimations().filter(a => a.playState === 'running'
        && !(a.effect && a.effect.getComputedTiming().iterations === Infinity));
    const now = performance.now();
    if (playing.length) { window.__calmeDepuis = null; return false; }
    window.__calmeDepuis = window.__calmeDepuis || now;
    return now - window.__calmeDepuis >= 100;
}"""


@pytest.fixture
def visit(request, browser, base_url):
    """A Visit at the screen given by indirect parametrization; a failure leaves a screenshot."""
    current = Visit(browser, base_url, request.param)
    failed_before = request.session.testsfailed
    yield current
    if request.session.testsfailed > failed_before:
        with contextlib.suppress(Exception):
            current.page.screenshot(path=SCREENSHOTS / f"acces-echec-{request.node.name.replace('/', '_')}.png")
    current.context.close()


def each_screen():
    return pytest.mark.parametrize("visit", SCREENS, indirect=True, ids=[s.name for s in SCREENS])


@each_screen()
def test_search_typed_without_accents_opens_the_portrait(visit):
    visit.open("/")
    visit.search("liebaut")
    result = visit.page.get_by_role("button", name=re.compile(r"^Mont Liébaut \(QN06208M\)"))
    expect(visit.page.get_by_role("status").filter(has_text="1 résultat")).to_be_visible()
    visit.screenshot("recherche")
    visit.press(result)
    expect(visit.page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))
    heading = visit.page.get_by_role("heading", name="Mont Liébaut", level=2)
    expect(heading).to_be_visible()
    expect(visit.page.get_by_role("searchbox", name=SEARCH)).to_have_value("")
    expect(visit.page).to_have_title("Mont Liébaut — Carte — Carte Quartiers 2030")
    if visit.screen.presentation:
        assert visit.params().get("presentation") == ["1"]
    heading.scroll_into_view_if_needed()
    visit.screenshot("portrait")


@each_screen()
def test_commune_search_lists_its_quartiers_as_links_to_their_portraits(visit):
    visit.open("/")
    visit.search("LIEVIN")
    visit.press(visit.page.get_by_role("button", name="Commune : Liévin", exact=True))
    expect(visit.page).to_have_url(re.compile(r"[?&]commune=Li%C3%A9vin(&|$)"))
    expect(visit.page.get_by_role("status").filter(has_text="Quartiers de Liévin (3 quartiers)")).to_be_visible()
    links = visit.page.get_by_role("navigation", name="Quartiers de Liévin").get_by_role("link")
    expected = {"QN06228M", "QN06229M", "QN06230M"}
    portraits = {}
    for link in links.all():
        query = parse_qs(urlparse(link.get_attribute("href") or "").query)
        if "quartier" in query:
            portraits[query["quartier"][0]] = query
    assert set(portraits) == expected
    if visit.screen.presentation:
        assert all(q.get("presentation") == ["1"] for q in portraits.values())
    visit.screenshot("commune")
    visit.press(links.filter(has_text="Blum – Salengro – 109"))
    expect(visit.page.get_by_role("heading", name="Blum – Salengro – 109", level=2)).to_be_visible()
    expect(visit.page).to_have_url(re.compile(r"[?&]quartier=QN06230M(&|$)"))


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_a_result_chosen_with_the_keyboard_puts_the_focus_on_the_portrait_heading(visit):
    visit.open("/")
    box = visit.page.get_by_role("searchbox", name=SEARCH)
    box.focus()
    box.press_sequentially("liebaut")
    result = visit.page.get_by_role("button", name=re.compile(r"^Mont Liébaut \(QN06208M\)"))
    result.focus()
    visit.page.keyboard.press("Enter")
    heading = visit.page.locator("#portrait")
    expect(heading).to_have_text("Mont Liébaut")
    expect(heading).to_be_focused()


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_a_click_on_the_map_after_a_search_clears_the_search(visit):
    visit.open("/")
    frame = visit.page.frame_locator(MAP_IFRAME)
    expect(frame.locator(QPV_PATHS).first).to_be_attached(timeout=FIRST_LOAD_MS)
    visit.search("lens")
    expect(visit.page.get_by_role("button", name="Commune : Lens", exact=True)).to_be_visible()
    container = frame.locator("#map_div")
    # Zoomed in first, as a user would: at the whole-territory view a marker can cover the quartier.
    point = container.evaluate(
        "(el, [lat, lon]) => { const map = el.ownerDocument.defaultView.map; map.setView([lat, lon], 15,"
        " {animate: false}); const p = map.latLngToContainerPoint([lat, lon]); return {x: p.x, y: p.y}; }",
        list(MONT_LIEBAUT),
    )
    container.click(position=point)
    expect(visit.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
    expect(visit.page.get_by_role("searchbox", name=SEARCH)).to_have_value("")
    expect(visit.page.get_by_role("button", name="Commune : Lens", exact=True)).to_have_count(0)


@each_screen()
def test_no_result_is_said_in_french(visit):
    visit.open("/")
    visit.search("zzzz")
    expect(visit.page.get_by_role("status")).to_contain_text("Aucun quartier ni aucune commune ne correspond")


@pytest.mark.parametrize("visit", [PHONE, PROJECTOR], indirect=True, ids=[PHONE.name, PROJECTOR.name])
def test_presentation_mode_is_kept_after_changing_page_and_the_toggle_tells_the_truth(visit):
    visit.page.goto(visit.base_url + "/?presentation=1&quartier=QN06208M")
    expect(visit.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible(timeout=FIRST_LOAD_MS)
    toggle = visit.page.get_by_role("switch", name="Mode présentation (grands caractères)")
    expect(toggle).to_be_checked()
    for title, path in PAGES[1:] + PAGES[:1]:
        visit.press(visit.page.locator(".st-key-navigation").get_by_role("link", name=title, exact=True))
        expect(visit.page).to_have_url(re.compile(re.escape(path.rstrip("/")) + r"/?\?(.*&)?presentation=1(&|$)"))
        visit.settled()
        expect(toggle).to_be_checked()
        assert root_font_px(visit.page) >= 16 * MIN_GROWTH
    visit.screenshot("presentation-apres-navigation")
    visit.press(visit.page.get_by_test_id("stCheckbox").locator("label").filter(has_text="Mode présentation"))
    expect(toggle).not_to_be_checked()
    expect(visit.page).not_to_have_url(re.compile("presentation="))
    visit.settled()
    assert root_font_px(visit.page) == 16


def root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


TEXT_SAMPLES = {
    "titre de page (h1)": "h1",
    "nom du quartier (h2)": "h2#portrait, #portrait h2, h2",
    "intertitre (h3)": "[data-testid='stMain'] h3",
    "texte courant": "[data-testid='stMain'] [data-testid='stMarkdownContainer'] p",
    "étiquette de champ": "[data-testid='stWidgetLabel'] p",
    "bouton": "[data-testid='stDownloadButton'] button p",
    "lien de page": "[data-testid='stPageLink'] span",
    "légende (caption)": "[data-testid='stCaptionContainer']",
    "titre de volet (expander)": "[data-testid='stExpander'] summary p",
    "cellule de tableau": "[data-testid='stMain'] .qp-table td",
}


@pytest.mark.parametrize("visit", [PROJECTOR], indirect=True, ids=[PROJECTOR.name])
def test_presentation_mode_enlarges_every_text_by_half_at_least(visit):
    def sizes() -> dict[str, float]:
        visit.settled()
        expect(visit.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible(timeout=FIRST_LOAD_MS)
        paths = visit.page.frame_locator(MAP_IFRAME).locator(QPV_PATHS).filter(visible=True)
        expect(paths.first).to_be_visible(timeout=FIRST_LOAD_MS)  # the map drawn, not caught mid-zoom
        measured = {
            name: visit.page.evaluate(
                "(sel) => { const e = document.querySelector(sel); return e ? parseFloat(getComputedStyle(e).fontSize) : 0; }",
                selector,
            )
            for name, selector in TEXT_SAMPLES.items()
        }
        return measured

    visit.page.goto(visit.base_url + "/?quartier=QN06208M")
    ordinary = sizes()
    visit.page.goto(visit.base_url + "/?quartier=QN06208M&presentation=1")
    large = sizes()
    assert all(ordinary.values()), ordinary  # every kind of text is on the page
    small = {name: (ordinary[name], large[name]) for name in ordinary if large[name] < ordinary[name] * MIN_GROWTH}
    assert not small, small
    # Map first (issue 16): on a projector the portrait's heading sits beside the map, the rest of it full width below.
    heading = visit.page.get_by_role("heading", name="Mont Liébaut", level=2).bounding_box()
    map_box = visit.page.locator(MAP_IFRAME).bounding_box()
    assert heading and map_box and heading["x"] >= map_box["x"] + map_box["width"]
    expect(visit.page.get_by_test_id("stSidebar")).to_have_count(0)
    visit.page.locator("#portrait").scroll_into_view_if_needed()
    visit.screenshot("presentation-portrait")


FIELDS_AT_LEAST = {"/": 1, "/situer": 3, "/quartiers": 2}
FIELD_BOXES = (
    "[data-testid='stTextInputRootElement'], [data-testid='stSelectbox'] > div > div,"
    " [data-testid='stMultiSelect'] > div > div"
)


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_every_text_field_and_list_shows_the_same_focus_ring_as_the_other_controls(visit):
    """A keyboard user sees where they type: a 3 px ring of ≥ 3:1 contrast around the field's box."""
    checked = 0
    for _, path in PAGES:
        visit.open(path)
        boxes = visit.page.locator(FIELD_BOXES)
        # Wait for the fields each page is known to have (the search box; the situer form; the Quartiers lists).
        if path in FIELDS_AT_LEAST:
            expect(boxes.nth(FIELDS_AT_LEAST[path] - 1)).to_be_attached()
        for i in range(boxes.count()):
            box = boxes.nth(i)
            box.locator("input").first.focus()
            style = box.evaluate(
                "(e) => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
            )
            assert style[0] == "solid" and style[1] >= 3, (path, i, style)
            assert contrast(style[2], "rgb(255, 255, 255)") >= 3, (path, i, style)
            checked += 1
            visit.page.keyboard.press("Escape")
    assert checked >= sum(FIELDS_AT_LEAST.values()), checked


@pytest.mark.parametrize("visit", [LAPTOP, PROJECTOR], indirect=True, ids=[LAPTOP.name, PROJECTOR.name])
def test_portrait_reached_from_the_search_box_in_fifteen_tabs_at_most(visit):
    visit.open("/", quartier="QN06208M")
    visit.page.get_by_role("searchbox", name=SEARCH).focus()
    presses = 0
    while presses < MAX_TABS:
        visit.page.keyboard.press("Tab")
        presses += 1
        if visit.page.evaluate("document.activeElement.classList.contains('lien-evitement')"):
            break
    skip = visit.page.locator(".lien-evitement")
    expect(skip).to_be_focused()
    expect(skip).to_have_text(re.compile("Aller au portrait de Mont Liébaut"))
    outline = skip.evaluate(
        "(e) => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2 and contrast(outline[2], "rgb(255, 255, 255)") >= 3, outline
    visit.screenshot("lien-evitement")
    visit.page.keyboard.press("Enter")
    heading = visit.page.locator("#portrait")
    expect(heading).to_be_in_viewport()
    visit.page.keyboard.press("Tab")
    presses += 1
    after_heading = visit.page.evaluate(
        "() => !!(document.getElementById('portrait').compareDocumentPosition(document.activeElement)"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert after_heading, "the Tab after the skip link did not go into the portrait"
    assert presses <= MAX_TABS


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored: opaque colours expected)."""

    def luminance(css: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_every_page_url_shown_in_the_app_works_and_names_the_page(visit):
    visit.open("/carte", quartier="QN06208M")
    expect(visit.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
    expect(visit.page).to_have_title("Mont Liébaut — Carte — Carte Quartiers 2030")
    navigation = visit.page.locator(".st-key-navigation").get_by_role("link")
    expect(navigation).to_have_count(len(PAGES))  # .all() does not wait
    hrefs = {link.get_attribute("href") for link in navigation.all()}
    assert len(hrefs) == len(PAGES)
    for title, _ in PAGES:
        href = (
            visit.page.locator(".st-key-navigation").get_by_role("link", name=title, exact=True).get_attribute("href")
        )
        visit.page.goto(urljoin(visit.page.url, href))
        expect(visit.page.locator("h1").first).to_be_visible(timeout=FIRST_LOAD_MS)
        visit.settled()
        expect(visit.page).to_have_title(re.compile(re.escape(f"{title} — Carte Quartiers 2030") + "$"))
        expect(visit.page.get_by_text("Page not found")).to_have_count(0)
        expect(visit.page.get_by_role("dialog")).to_have_count(0)


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_streamlit_s_english_words_are_replaced_by_french(visit):
    english = list(STREAMLIT_FRENCH)
    for _, path in PAGES:
        visit.open(path, **SELECTION.get(path, {}))
        if path == "/":
            expect(visit.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
        # The translation runs as Streamlit draws: wait until it has caught up, then read what is shown.
        visit.page.wait_for_function(
            "(english) => ![...document.querySelectorAll('[aria-label],[title],[placeholder]')].some(e =>"
            " ['aria-label', 'title', 'placeholder'].some(a => english.includes((e.getAttribute(a) || '').trim())))",
            arg=english,
        )
        labels = visit.page.evaluate(
            "() => [...document.querySelectorAll('[aria-label],[title],[placeholder]')]"
            ".flatMap(e => ['aria-label', 'title', 'placeholder'].map(a => (e.getAttribute(a) || '').trim()))"
        )
        text = visit.page.locator("body").inner_text()
        found = [label for label in labels if label in english or label.startswith(tuple(STREAMLIT_FRENCH_PREFIXES))]
        found += [words for words in english if " " in words and words in text]
        found += [part for part in STREAMLIT_FRENCH_PARTS if part in text]
        assert not found, (path, found)
        expect(visit.page.locator("html")).to_have_attribute("lang", "fr")


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_an_address_that_is_no_page_says_so_in_french_and_shows_the_map(visit):
    visit.page.goto(visit.base_url + "/nimportequoi")
    expect(visit.page.get_by_text("Page introuvable")).to_be_visible()
    expect(visit.page.get_by_text("La page demandée n'existe pas")).to_be_visible()
    expect(visit.page.get_by_text("Page not found")).to_have_count(0)
    expect(visit.page.get_by_role("heading", name="Carte des quartiers prioritaires")).to_be_visible()


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_quartiers_page_link_opens_a_portrait_with_the_keyboard(visit):
    visit.open("/quartiers")
    link = visit.page.locator("[data-testid='stMain'] a[href*='quartier=QN06208M']").first
    expect(link).to_be_attached(timeout=5_000)
    link.focus()
    expect(link).to_be_focused()
    visit.page.keyboard.press("Enter")
    expect(visit.page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))
    expect(visit.page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
    assert len(visit.context.pages) == 1  # same tab


PAGES_WITH_A_MAP = ("/", "/situer", "/perimetre", "/programme")
# A small square proposal across Mont Liébaut (degrees, EPSG:4326), dropped on the Périmètre page.
PROPOSAL = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"nom": "Proposition test"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2.624, 50.515], [2.634, 50.515], [2.634, 50.521], [2.624, 50.521], [2.624, 50.515]]],
            },
        }
    ],
}
# Every page state a person meets (issue 17): (path, state).
STATES = [
    ("/", "chargée"),
    ("/", "quartier"),
    ("/", "recherche"),
    ("/situer", "chargée"),
    ("/situer", "réponse"),
    ("/situer", "erreur"),
    ("/quartiers", "chargée"),
    ("/quartiers", "comparaison"),
    ("/perimetre", "chargée"),
    ("/perimetre", "dépôt"),
    ("/perimetre", "dessin"),
    ("/programme", "chargée"),
    ("/programme", "dépôt"),
    ("/sources", "chargée"),
]


# One small building inside Mont Liébaut (about 21 × 22 m), dropped on the Programme page.
BUILDING = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"nom": "Bâtiment test"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[2.6290, 50.5180], [2.6293, 50.5180], [2.6293, 50.5182], [2.6290, 50.5182], [2.6290, 50.5180]]
                ],
            },
        }
    ],
}


def proposal_file(folder, path: str = "/perimetre") -> str:
    file = folder / "proposition.geojson"
    file.write_text(json.dumps(BUILDING if path == "/programme" else PROPOSAL))
    return str(file)


def wait_for_map(visit) -> None:
    expect(visit.page.frame_locator(ANY_MAP_IFRAME).locator(".leaflet-pane path").first).to_be_attached(
        timeout=FIRST_LOAD_MS
    )
    visit.settled()


def reach(visit, path: str, state: str, folder) -> None:
    """Bring the page to `state` as a person would (link, typing, dropping a file, drawing)."""
    params = {"quartier": "QN06208M"} if state == "quartier" else SELECTION.get(path, {}) if state == "réponse" else {}
    if state == "comparaison":
        params = {"comparer": "QN06208M,QN06209M,QN06226M"}
    visit.open(path, **params)
    if path in PAGES_WITH_A_MAP:
        wait_for_map(visit)
    page = visit.page
    if state == "quartier":
        expect(page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
    elif state == "recherche":
        visit.search("lens")
        expect(page.get_by_role("button", name="Commune : Lens", exact=True)).to_be_visible()
    elif state == "erreur":
        page.get_by_role("textbox", name="Latitude").fill("abc")
        page.get_by_role("textbox", name="Longitude").fill("2.629")
        page.get_by_role("textbox", name="Longitude").press("Enter")
        expect(page.get_by_test_id("stAlertContentError").first).to_be_visible()
        expect(page.locator("input[aria-invalid='true']").first).to_be_attached()
    elif state == "comparaison":
        expect(page.get_by_role("button", name="Retirer Mont Liébaut")).to_be_visible()
    elif state == "dépôt":
        page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(proposal_file(folder, path))
        heading = "Réponse" if path == "/programme" else "Résultats"
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
        visit.settled()
        if path == "/perimetre":
            expect(page.frame_locator(ANY_MAP_IFRAME).locator(".etiquette-difference").first).to_be_attached()
    elif state == "dessin":
        frame = page.frame_locator(ANY_MAP_IFRAME)
        frame.locator("a.leaflet-draw-draw-polygon").click()
        container = frame.locator("#map_div")
        # Leaflet.draw takes a click only once its polygon tool is ready (tests/test_browser_perimetre.py).
        container.element_handle().owner_frame().wait_for_function(
            "() => { const d = Object.values(window).find(v => v instanceof L.Control.Draw);"
            " const h = d && d._toolbars.draw._modes.polygon.handler; return h && h.enabled() && !h._disableMarkers; }"
        )
        box = container.bounding_box()
        container.click(position={"x": box["width"] * 0.4, "y": box["height"] * 0.4})
        expect(frame.locator(".leaflet-marker-icon.leaflet-editing-icon").first).to_be_attached()
    visit.settled()


def state_cases(screens):
    return [
        pytest.param(screen, path, state, id=f"{path}-{state}-{screen.name}")
        for screen in screens
        for path, state in STATES
    ]


# Every element a Tab reaches, with its accessible name as the browser computes it (approximately: label,
# aria-labelledby, aria-label, text, title, alt) and its box.
TAB_STOPS = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
    .filter(e => !e.disabled && e.tabIndex >= 0 && e.type !== 'hidden' && !e.closest('[aria-hidden=true]')
        && getComputedStyle(e).visibility !== 'hidden' && e.getClientRects().length)
    .map(e => {
        const by = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
            .map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
        const labels = e.labels ? [...e.labels].map(l => l.textContent).join(' ') : '';
        const name = [by, e.getAttribute('aria-label'), labels, e.textContent, e.title, e.getAttribute('alt'),
            e.placeholder].map(x => (x || '').trim()).find(Boolean) || '';
        const r = e.getBoundingClientRect();
        return {tag: e.tagName.toLowerCase(), cls: String(e.className).slice(0, 60), name,
            width: r.width, height: r.height};
    })"""


def tab_stop_problems(frame) -> list[dict]:
    """Tab stops with no name, or a box of no size (invisible)."""
    return [stop for stop in frame.evaluate(TAB_STOPS) if not stop["name"] or not (stop["width"] and stop["height"])]


@pytest.mark.parametrize(("visit", "path", "state"), state_cases(SCREENS), indirect=["visit"])
def test_axe_finds_no_violation_and_every_tab_stop_is_named_and_visible(visit, path, state, tmp_path):
    """Issue 17: no axe violation of any impact, in the page and the map frame, in every state at three sizes."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test` (npm ci in tests/js).")
    reach(visit, path, state, tmp_path)
    has_map = path in PAGES_WITH_A_MAP
    problems = {"page": tab_stop_problems(visit.page.main_frame)}
    if has_map:
        problems["carte"] = tab_stop_problems(visit.map_frame())
    violations = {"page": visit.axe(visit.page.main_frame)}
    if has_map:
        violations["carte"] = visit.axe(visit.map_frame())
    assert violations == {k: [] for k in violations}, json.dumps(violations, ensure_ascii=False)
    assert problems == {k: [] for k in problems}, json.dumps(problems, ensure_ascii=False)


HEADING_LEVELS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.getClientRects().length && !h.closest('[aria-hidden=true]'))
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)])"""


@pytest.mark.parametrize(("visit", "path", "state"), state_cases([LAPTOP]), indirect=["visit"])
def test_heading_outline_never_skips_a_level(visit, path, state, tmp_path):
    reach(visit, path, state, tmp_path)
    headings = visit.page.evaluate(HEADING_LEVELS)
    assert headings and headings[0][0] == 1, headings
    skipped = [(before, after) for before, after in itertools.pairwise(headings) if after[0] > before[0] + 1]
    assert not skipped, (skipped, headings)


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_every_page_has_a_named_menu_a_main_and_a_footer_landmark_and_the_map_its_name(visit):
    for _, path in PAGES:
        visit.open(path)
        if path in PAGES_WITH_A_MAP:
            wait_for_map(visit)
        tree = visit.page.locator("body").aria_snapshot()
        assert re.search(r"^\s*- navigation \"Pages de l'application\"", tree, re.MULTILINE), (path, tree[:800])
        assert re.search(r"^\s*- main", tree, re.MULTILINE) and re.search(r"^\s*- contentinfo", tree, re.MULTILINE)
        assert not re.search(r"^\s*- banner\s*$", tree, re.MULTILINE), "an empty banner"
        if path in PAGES_WITH_A_MAP:
            title = visit.page.locator(ANY_MAP_IFRAME).get_attribute("title")
            inside = visit.map_frame().locator("body").aria_snapshot()
            assert f'region "{title}"' in inside, inside[:600]


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_the_skip_link_jumps_past_the_menu_to_the_page_heading(visit):
    visit.open("/quartiers")
    visit.page.keyboard.press("Tab")
    skip = visit.page.get_by_role("link", name="Aller au contenu principal")
    expect(skip).to_be_focused()
    visit.page.keyboard.press("Enter")
    expect(visit.page.locator("[data-testid='stMain'] h1")).to_be_focused()
    visit.page.keyboard.press("Tab")
    in_menu = visit.page.evaluate("() => !!document.activeElement.closest('[role=navigation]')")
    assert not in_menu, "the Tab after the skip link went back into the menu"


def focused_in_view(visit) -> dict:
    """What has the keyboard focus, and whether its box is inside the window."""
    return visit.page.evaluate(
        "() => { const e = document.activeElement, r = e.getBoundingClientRect();"
        " return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || '').trim().slice(0, 80),"
        " inside: r.height > 0 && r.top >= 0 && r.bottom <= innerHeight}; }"
    )


def expect_focus_in_view(visit, locator) -> None:
    expect(locator).to_be_focused()
    visit.page.wait_for_function(
        "() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


@each_screen()
def test_focus_after_a_search_is_on_the_portrait_heading_in_the_window(visit):
    visit.open("/")
    box = visit.page.get_by_role("searchbox", name=SEARCH)
    box.focus()
    box.press_sequentially("liebaut")
    result = visit.page.get_by_role("button", name=re.compile(r"^Mont Liébaut \(QN06208M\)"))
    result.focus()
    visit.page.keyboard.press("Enter")
    heading = visit.page.locator("#portrait")
    expect(heading).to_have_text("Mont Liébaut")
    expect_focus_in_view(visit, heading)


@each_screen()
def test_focus_after_the_coordinates_form_is_on_the_answer_in_the_window(visit):
    visit.open("/situer")
    visit.page.get_by_role("textbox", name="Latitude").fill("50.518")
    longitude = visit.page.get_by_role("textbox", name="Longitude")
    longitude.fill("2.629")
    longitude.press("Enter")
    expect_focus_in_view(visit, visit.page.get_by_role("heading", name="Réponse", level=2))
    visit.settled()
    longitude.fill("abc")
    longitude.press("Enter")
    field = visit.page.locator("[data-testid='stForm'] input[aria-invalid='true']").first
    expect_focus_in_view(visit, field)
    error = visit.page.get_by_test_id("stAlertContentError").first
    expect(error).to_be_visible()
    described = field.get_attribute("aria-describedby")
    assert described and visit.page.locator(f"#{described}").inner_text() == error.inner_text()


@each_screen()
def test_focus_after_an_upload_is_on_the_results_or_the_refusal_in_the_window(visit, tmp_path):
    visit.open("/perimetre")
    wait_for_map(visit)
    upload = visit.page.get_by_test_id("stFileUploader").locator("input[type=file]")
    upload.set_input_files(proposal_file(tmp_path))
    expect_focus_in_view(visit, visit.page.get_by_role("heading", name="Résultats", level=2))
    captions = visit.page.locator("table.tableau-perimetre caption")
    expect(captions.first).to_have_text("Chiffres : Proposition test")
    text = tmp_path / "notes.txt"
    text.write_text("pas un périmètre")
    upload.set_input_files(str(text))
    refusal = visit.page.locator(".st-key-perimetre_erreur")
    expect(refusal).to_contain_text("Format non reconnu (« .txt ») : déposez un fichier GeoJSON")
    expect_focus_in_view(visit, refusal)


@each_screen()
def test_focus_after_a_comparison_change_is_on_its_message_in_the_window(visit):
    visit.open("/quartiers", comparer="QN06209M,QN06226M")
    field = visit.page.get_by_role("textbox", name="Ajouter un quartier à la comparaison")
    field.fill("liebaut")
    field.press("Enter")
    message = visit.page.locator("#comparer-message")
    expect(message).to_have_text("Mont Liébaut ajouté à la comparaison.")
    expect_focus_in_view(visit, message)
    visit.settled()
    visit.page.get_by_role("button", name="Retirer Mont Liébaut").focus()
    visit.page.keyboard.press("Enter")
    expect(message).to_have_text("Mont Liébaut retiré de la comparaison.")
    expect_focus_in_view(visit, message)


@pytest.mark.parametrize("visit", [PHONE, LAPTOP], indirect=True, ids=[PHONE.name, LAPTOP.name])
def test_a_file_of_another_type_gets_a_visible_french_refusal(visit, tmp_path):
    workbook = tmp_path / "points.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    visit.open("/situer")
    visit.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(workbook))
    refusal = visit.page.get_by_text("Fichier refusé : type « .xlsx » non accepté.", exact=False)
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("CSV (.csv, .txt ou .tsv)")
    expect_focus_in_view(visit, visit.page.locator(".st-key-csv_message"))
    text = tmp_path / "notes.txt"
    text.write_text("pas un périmètre")
    visit.open("/perimetre")
    visit.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(text))
    expect(
        visit.page.get_by_text("Format non reconnu (« .txt ») : déposez un fichier GeoJSON", exact=False)
    ).to_be_visible()
    expect(visit.page.get_by_text("not allowed", exact=False)).to_have_count(0)


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_the_sort_box_speaks_french_and_the_sort_is_announced(visit):
    visit.open("/quartiers")
    box = visit.page.get_by_test_id("stSelectbox").filter(has_text="Trier le tableau par")
    entry = box.locator("input")
    entry.click()
    entry.press_sequentially("zzzz")
    expect(visit.page.get_by_text("Aucun résultat")).to_be_visible()
    english = ["No results", "Choose an option"]
    assert not [w for w in english if w in visit.page.locator("body").inner_text()]
    entry.press("Control+a")
    entry.press("Backspace")
    assert (entry.get_attribute("placeholder") or "") not in english
    assert not [w for w in english if w in visit.page.locator("body").inner_text()]
    visit.page.keyboard.press("Escape")
    visit.settled()
    entry.click()
    visit.page.get_by_role("option", name="Communes").click()
    expect(
        visit.page.get_by_role("status").filter(has_text="Tableau trié par Communes, ordre croissant.")
    ).to_be_visible()
    expect(visit.page.locator("table.qp-quartiers th[aria-sort='ascending']")).to_contain_text("Communes")


# What presentation mode must enlarge in every map (issue 17): CSS selector in the map frame.
MAP_TEXTS = {
    "légende": "details.legende-carte",
    "échelle": ".leaflet-control-scale-line",
    "attribution": ".leaflet-control-attribution",
    "infobulle": ".leaflet-tooltip",
    "étiquette": ".etiquette-commune, .etiquette-difference",
}
OPEN_A_TOOLTIP = """() => { let done = false; window.map.eachLayer(l => {
    if (done || !l.getTooltip || !l.getTooltip() || !l.getBounds) return;
    l.openTooltip(l.getBounds().getCenter()); done = true; }); return done; }"""
MAP_FONT_SIZES = """(selectors) => Object.fromEntries(Object.entries(selectors).map(([name, sel]) => {
    const e = document.querySelector(sel); return [name, e ? parseFloat(getComputedStyle(e).fontSize) : 0]; }))"""


@pytest.mark.parametrize("visit", [PROJECTOR], indirect=True, ids=[PROJECTOR.name])
@pytest.mark.parametrize("path", PAGES_WITH_A_MAP)
def test_presentation_mode_enlarges_every_map_text_by_half_at_least(visit, path, tmp_path):
    def sizes(presentation: bool) -> dict[str, float]:
        visit.page.goto(visit.base_url + path + ("?presentation=1" if presentation else ""))
        expect(visit.page.locator("h1").first).to_be_visible(timeout=FIRST_LOAD_MS)
        wait_for_map(visit)
        if path in ("/perimetre", "/programme"):  # the shape's labels are among the map's texts
            visit.page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
                proposal_file(tmp_path, path)
            )
            heading = "Réponse" if path == "/programme" else "Résultats"
            expect(visit.page.get_by_role("heading", name=heading, level=2)).to_be_visible()
            visit.settled()
            if path == "/perimetre":
                expect(visit.page.frame_locator(ANY_MAP_IFRAME).locator(".etiquette-difference").first).to_be_attached()
        frame = visit.map_frame()
        frame.wait_for_function(OPEN_A_TOOLTIP)
        return frame.evaluate(MAP_FONT_SIZES, MAP_TEXTS)

    ordinary = sizes(False)
    large = sizes(True)
    assert all(ordinary.values()), ordinary
    small = {name: (ordinary[name], large[name]) for name in ordinary if large[name] < ordinary[name] * MIN_GROWTH}
    assert not small, small


# The visible boundary of each kind of control (WCAG 1.4.11), on white: CSS selector → where its border is drawn.
CONTROL_BOUNDARIES = {
    "champ de texte": ("/situer", "[data-testid='stTextInputRootElement']"),
    "liste (select)": ("/quartiers", "[data-testid='stSelectbox'] > div > div"),
    "zone de dépôt": ("/perimetre", "[data-testid='stFileUploaderDropzone']"),
    "interrupteur éteint": (
        "/",
        "[data-testid='stCheckbox'] label:has(> span > input[role='switch']:not(:checked)) > span + div",
    ),
}
BOUNDARY_COLOURS = """(sel) => { const e = document.querySelector(sel); if (!e) return null; const s = getComputedStyle(e);
    const shadow = (s.boxShadow.match(/rgba?\\([^)]*\\)/) || [null])[0];
    return {border: parseFloat(s.borderTopWidth) > 0 ? s.borderTopColor : null, shadow, background: s.backgroundColor}; }"""
# A control drawn as a filled shape (the switch's track) has its fill as its boundary.
FILLED = {"interrupteur éteint"}


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_every_control_boundary_contrasts_three_to_one_at_least(visit):
    found = {}
    for name, (path, selector) in CONTROL_BOUNDARIES.items():
        visit.open(path)
        expect(visit.page.locator(selector).first).to_be_attached()
        colours = visit.page.evaluate(BOUNDARY_COLOURS, selector)
        edge = colours["background"] if name in FILLED else colours["border"] or colours["shadow"]
        found[name] = (colours, edge and contrast(edge, "rgb(255, 255, 255)"))
    weak = {name: value for name, value in found.items() if not value[1] or value[1] < 3}
    assert not weak, weak


# A label or hint that Streamlit would cut with an ellipsis: its text is wider than its box.
CUT_TEXTS = """() => [...document.querySelectorAll('[data-testid=stMain] :is(p, span, small, label, div)')]
    .filter(e => e.getClientRects().length && getComputedStyle(e).textOverflow === 'ellipsis'
        && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.trim().slice(0, 60))"""


@pytest.mark.parametrize(("path", "params"), [("/", {"quartier": "QN06208M"}), ("/perimetre", {}), ("/situer", {})])
def test_no_label_or_hint_is_cut_at_320_px_nor_at_200_percent_zoom(browser, base_url, path, params):
    """WCAG 1.4.10: at 320 CSS px (a 640 px window zoomed to 200 % is the same width) labels and hints wrap."""
    context = browser.new_context(viewport={"width": 320, "height": 720}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(base_url + path + ("?" + urlencode(params) if params else ""))
        expect(page.locator("h1").first).to_be_visible(timeout=FIRST_LOAD_MS)
        expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
        if path == "/":
            expect(page.get_by_role("heading", name="Mont Liébaut", level=2)).to_be_visible()
        else:
            expect(page.get_by_test_id("stFileUploader").first).to_be_visible()
        cut = page.evaluate(CUT_TEXTS)
        assert cut == [], cut
    finally:
        context.close()
