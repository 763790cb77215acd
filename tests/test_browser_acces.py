"""The app as a resident on a phone, an élu on a laptop and a conseil citoyen at a projector use it, by keyboard too.

Real browser (Debian chromium + Playwright) at 390×844 touch, 1366×768, and 1920×1080 in presentation mode;
axe-core from the npm registry (tests/js, installed by `make test`) injected into the page and the map frame.
Screenshots go to tests/screenshots/acces-*.png.
"""

from __future__ import annotations

import ast
import contextlib
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
        """Serious and critical WCAG 2.1 A/AA violations axe-core finds in one document (frames apart)."""
        frame.add_script_tag(path=str(AXE))
        result = frame.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false})",
            AXE_TAGS,
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]


@pytest.fixture
def visit(request, browser, base_url):
    """A Visit at the screen given by indirect parametrization; a failure leaves a screenshot."""
    current = Visit(browser, base_url, request.param)
    failed_before = request.session.testsfailed
    yield current
    if request.session.testsfailed > failed_before:
        with contextlib.suppress(Exception):
            current.page.screenshot(path=SCREENSHOTS / f"acces-echec-{request.node.name}.png")
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


PAGES_WITH_A_MAP = ("/", "/situer", "/perimetre")
AXE_CASES = (
    [pytest.param(LAPTOP, path, {}, id=f"{path}-plain") for _, path in PAGES]
    + [pytest.param(LAPTOP, path, SELECTION[path], id=f"{path}-selection") for _, path in PAGES if path in SELECTION]
    + [pytest.param(PROJECTOR, path, SELECTION.get(path, {}), id=f"{path}-presentation") for _, path in PAGES]
)


@pytest.mark.parametrize(("visit", "path", "params"), AXE_CASES, indirect=["visit"])
def test_axe_finds_no_serious_violation(visit, path, params):
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test` (npm ci in tests/js).")
    visit.open(path, **params)
    if path == "/":
        expect(
            visit.page.get_by_role("heading", name="Mont Liébaut" if params else "Choisissez un quartier")
        ).to_be_visible()
    # The map frame appears just after the run ends: wait for it (drawn) on the pages that have one, so that
    # axe reads the page a user reads and never a frame still starting.
    has_map = path in PAGES_WITH_A_MAP
    if has_map:
        expect(visit.page.frame_locator(ANY_MAP_IFRAME).locator(".leaflet-pane path").first).to_be_attached(
            timeout=FIRST_LOAD_MS
        )
        visit.settled()
    violations = {"page": visit.axe(visit.page.main_frame)}
    if has_map:
        violations["carte"] = visit.axe(visit.map_frame())
    assert violations == {k: [] for k in violations}, violations
