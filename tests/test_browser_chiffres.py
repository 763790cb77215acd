"""Figures, portrait lists and the Quartiers page in a real headless browser (Debian chromium, Playwright).

Screenshots: tests/screenshots/quartiers-desktop.png, comparaison-desktop.png, portrait-chiffres-desktop.png.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIRST_LOAD_MS, PHONE, expect

PROJECTOR = {"width": 1920, "height": 1080}

pytestmark = pytest.mark.browser

MAX_TABS = 200  # bound of the keyboard walk to the first portrait link (the sidebar and the page come first)


def _focused_text(page) -> str:
    return page.evaluate("() => (document.activeElement && document.activeElement.textContent || '').trim()")


def test_quartiers_page_link_opens_a_portrait_with_the_keyboard_in_the_same_tab(session):
    page = session.page
    session.open("/quartiers?presentation=1")
    links = page.get_by_role("navigation", name="Portraits des quartiers").get_by_role("link")
    expect(links.first).to_be_visible(timeout=FIRST_LOAD_MS)
    assert links.count() == 42  # 37 QPV of the contracts, 4 neighbours, the QIC Catorive
    link = links.filter(has_text=re.compile(r"^Mont Liébaut$"))
    expect(link).to_have_attribute("href", "/?quartier=QN06208M&presentation=1")  # presentation mode kept
    session.screenshot("quartiers-desktop.png")
    region = page.get_by_role("region", name=re.compile("^Tableau des quartiers"))
    region.scroll_into_view_if_needed()
    expect(region.locator("td", has_text="—").first).to_be_visible()  # an empty cell reads « — », not « None »
    expect(region).not_to_contain_text("None")
    session.screenshot("quartiers-tableau-desktop.png")
    region.evaluate("(el) => { el.scrollLeft = 1200; }")  # the figure columns, to the right
    session.screenshot("quartiers-tableau-chiffres-desktop.png")
    # Reach it with Tab only, from the top of the page, then open it with Enter.
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _focused_text(page) == "Mont Liébaut":
            break
    assert _focused_text(page) == "Mont Liébaut", "the portrait link is not reachable with Tab"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]quartier=QN06208M(&|$)"))
    assert "presentation=1" in page.url
    assert len(session.context.pages) == 1  # same tab
    expect(page.get_by_role("heading", name="Mont Liébaut")).to_be_visible(timeout=FIRST_LOAD_MS)


def test_comparison_keeps_measures_apart(session):
    page = session.page
    session.open("/quartiers")
    comparable = page.locator("table", has=page.locator("caption", has_text="Chiffres comparables"))
    expect(comparable).to_be_visible(timeout=FIRST_LOAD_MS)
    # Mont Liébaut and 3 Îlots (defaults) share the sigville 2022 measures of the old perimeter.
    row = comparable.locator("tr", has=page.locator("th", has_text=re.compile("^Taux de pauvreté$")))
    expect(row).to_contain_text("46,1 %")
    expect(row).to_contain_text("40,3 %")
    expect(row).to_contain_text("données sigville 2022 basées sur l'ancien périmètre")
    comparable.scroll_into_view_if_needed()
    session.screenshot("comparaison-desktop.png")
    # Adding Grande Résidence (CALL): its poverty rate is another measure and is listed apart.
    box = page.get_by_role("textbox", name="Ajouter un quartier à la comparaison")
    box.click()
    page.keyboard.type("grande residence")  # typed without accent, as people type
    page.keyboard.press("Enter")
    apart = page.locator("table", has=page.locator("caption", has_text="Chiffres sans équivalent comparable"))
    expect(apart).to_contain_text("maxi : 70,5 %")
    expect(apart).to_contain_text("Taux de pauvreté à 60% revenu déclaré 2019")
    expect(comparable).not_to_contain_text("70,5")
    apart.scroll_into_view_if_needed()
    session.screenshot("comparaison-apart-desktop.png")


def test_portrait_lists_are_nested_and_bars_carry_their_numbers(session):
    page = session.page
    session.open("/?quartier=QN06208M")
    heading = page.get_by_role("heading", name="Mont Liébaut")
    expect(heading).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.locator("#portrait")).to_have_count(1)  # the skip link's target
    expect(page.get_by_role("status").filter(has_text="Portrait affiché : Mont Liébaut")).to_have_count(1)
    # The rate bars say their numbers as text: quartier and reference.
    expect(page.get_by_text("Quartier : 46,1 %")).to_be_visible()
    expect(page.get_by_text("Référence (ensemble de l'agglomération) : 18,8 %").first).to_be_visible()
    # The population keeps the source's « environ »; both surfaces are labelled.
    expect(page.get_by_text("environ 2 600 hab.").first).to_be_visible()
    expect(page.get_by_text("Surface du périmètre 2024").first).to_be_visible()
    expect(page.get_by_text("Surface de l'ancien périmètre, selon la convention").first).to_be_visible()
    # Irritants: one list, not one list per bullet.
    irritants = page.locator("h3", has_text="irritants").locator("+ ul")
    assert irritants.locator(":scope > li").count() == 4
    # Objectifs: an objectif opérationnel sits deeper in the DOM than its objectif.
    enjeu = page.locator("details.qp-enjeu").first
    enjeu.locator("summary").click()
    objectif = enjeu.locator("li.qp-objectif").filter(has=page.locator("ul li:not(:has(em))")).first
    operationnel = objectif.locator(":scope > ul > li").first
    expect(operationnel).to_be_visible()
    depth = "(el) => { let d = 0; for (let n = el; n; n = n.parentElement) d++; return d; }"
    assert operationnel.evaluate(depth) > objectif.evaluate(depth)
    assert objectif.evaluate("(el) => el.closest('li.qp-ambition') !== null")
    session.screenshot("portrait-objectifs-desktop.png")
    statistics = page.get_by_role("heading", name="Portrait statistique")
    statistics.scroll_into_view_if_needed()
    session.screenshot("portrait-chiffres-desktop.png")
    page.get_by_role("heading", name=re.compile("Repère : la commune")).scroll_into_view_if_needed()
    expect(page.get_by_text("Béthune (62119)")).to_be_visible()
    session.screenshot("portrait-commune-desktop.png")


@pytest.mark.parametrize("session", [PHONE], indirect=True, ids=["390x844"])
def test_quartiers_page_on_a_phone(session):
    page = session.page
    session.open("/quartiers")
    links = page.get_by_role("navigation", name="Portraits des quartiers").get_by_role("link")
    expect(links.first).to_be_visible(timeout=FIRST_LOAD_MS)
    # the page itself does not scroll sideways: the wide table scrolls inside its own region
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    session.screenshot("quartiers-phone.png")


@pytest.mark.parametrize("session", [PROJECTOR], indirect=True, ids=["1920x1080"])
def test_fiche_opens_as_a_standalone_page(session, tmp_path):
    page = session.page
    session.open("/?quartier=QN06255M&presentation=1")
    button = page.get_by_role("button", name=re.compile("Fiche imprimable"))
    expect(button).to_be_visible(timeout=FIRST_LOAD_MS)
    session.screenshot("portrait-presentation-1920.png")
    with page.expect_download() as download:
        button.click()
    path = tmp_path / "fiche.html"
    download.value.save_as(path)
    page.goto(path.as_uri())
    expect(page.get_by_role("heading", name="Ville Centre", level=1)).to_be_visible()
    expect(page.get_by_text("Nom officiel (ANCT)")).to_be_visible()
    expect(page.get_by_text("Source citée par le document").first).to_be_visible()
    session.screenshot("fiche-lillers.png")


@pytest.mark.parametrize("session", [PHONE], indirect=True, ids=["390x844"])
def test_portrait_figures_on_a_phone(session):
    page = session.page
    session.open("/?quartier=QN06208M")
    heading = page.get_by_role("heading", name="Portrait statistique")
    expect(heading).to_be_visible(timeout=FIRST_LOAD_MS)
    figures = page.locator("ul.qp-chiffres")
    figures.scroll_into_view_if_needed()
    expect(figures).to_contain_text("Population: environ 2 600 habitants (+100 par rapport à 2015).")
    expect(figures).to_contain_text("Taux de pauvreté : 46,1 % — référence : 18,8 % (ensemble de l'agglomération)")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    session.screenshot("portrait-chiffres-phone.png")
