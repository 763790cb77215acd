"""The Quartiers page's table and comparison in a real headless browser, as an élu at a laptop (1366×768), a
conseil citoyen at a projector (1920×1080, presentation mode) and a resident on a phone (390×844) use them.

Screenshots: tests/screenshots/liste-tableau-*.png, liste-comparer-*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import SCREENSHOTS, expect
from tests.test_browser_acces import LAPTOP, PHONE, PROJECTOR, visit  # noqa: F401 (visit: a fixture)

pytestmark = pytest.mark.browser

MAX_HEADER_PX_LAPTOP = 120
MIN_ROWS_SHOWN = 10
MAX_TABS = 12  # from the « Ajouter » field to a listed result, and back to a « Retirer » button
FIELD = "Ajouter un quartier à la comparaison"
# Streamlit's own English for a multiselect or an empty list; none may reach a French reader.
ENGLISH = re.compile(r"Select \d+ matches|Select all|No results|Press Enter to submit")


def _screenshot(visit, name: str) -> None:
    visit.settled()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=SCREENSHOTS / f"liste-{name}-{visit.screen.name}.png")


def _table_region(visit):
    return visit.page.get_by_role("region", name=re.compile("^Tableau des quartiers"))


def _measure(region) -> dict:
    """Header height, data rows wholly visible (inside the scroll box and the window), widths, in CSS px."""
    return region.evaluate(
        """(box) => {
            const r = box.getBoundingClientRect();
            const head = box.querySelector('thead').getBoundingClientRect();
            const bottom = Math.min(r.bottom, window.innerHeight);
            const rows = [...box.querySelectorAll('tbody tr')];
            const shown = rows.filter(tr => {
                const b = tr.getBoundingClientRect();
                return b.top >= head.bottom - 1 && b.bottom <= bottom + 1;
            }).length;
            return {header: head.height, shown: shown, rows: rows.length,
                    page_width: document.documentElement.scrollWidth, window_width: window.innerWidth};
        }"""
    )


def _legend(visit) -> dict[str, str]:
    """Every key of the legend and its text."""
    legend = visit.page.locator("#legende-tableau-quartiers")
    return legend.evaluate(
        "(l) => Object.fromEntries([...l.querySelectorAll('dt')].map(dt => "
        "[dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))"
    )


SCREENS = [LAPTOP, PROJECTOR, PHONE]


@pytest.mark.parametrize("visit", SCREENS, indirect=True, ids=[s.name for s in SCREENS])
def test_the_table_shows_many_rows_under_short_keyed_titles_explained_by_the_legend(visit):
    visit.open("/quartiers")
    region = _table_region(visit)
    region.scroll_into_view_if_needed()
    region.evaluate("(box) => box.scrollIntoView({block: 'start'})")
    figures = _measure(region)
    print(f"{visit.screen.name}: {figures}")  # the figures of the report (pytest -s)
    assert figures["rows"] == 42
    if visit.screen is LAPTOP:
        assert figures["header"] <= MAX_HEADER_PX_LAPTOP, figures
    if visit.screen is PROJECTOR:
        assert figures["header"] <= 2 * MAX_HEADER_PX_LAPTOP, figures  # larger text for the back of the room
    if visit.screen is not PHONE:
        assert figures["shown"] >= MIN_ROWS_SHOWN, figures
    assert figures["page_width"] <= figures["window_width"], figures  # no sideways scroll of the whole page
    _screenshot(visit, "tableau")
    # Every figure column's title ends in a key; the legend gives that key's whole (source, vintage, perimeter),
    # and the key itself carries it for screen readers (abbr title).
    legend = _legend(visit)
    visit.page.locator("#legende-tableau-quartiers").scroll_into_view_if_needed()
    _screenshot(visit, "legende")
    keys = region.locator("thead abbr")
    assert keys.count() >= 15
    for i in range(keys.count()):
        key = keys.nth(i)
        letter = key.evaluate("(k) => k.firstChild.textContent.trim()")
        tuple_text = key.get_attribute("title")
        source, millesime, perimetre = tuple_text.split(" ; ")
        assert legend[letter].startswith(f"source : {source} ; millésime : {millesime} ; périmètre : {perimetre}")
        title = key.evaluate("(k) => k.parentElement.firstChild.textContent.trim()")
        assert title in legend[letter].split("colonnes : ")[1], (letter, title)
    assert "« environ » dans la source" in legend["≈"]
    expect(region.locator("td", has_text=re.compile(r"^≈ 3 300$"))).to_have_count(1)  # 3 Îlots
    expect(region.locator("td", has_text=re.compile(r"^70,5 \(maxi\)$"))).to_have_count(1)  # Grande Résidence
    expect(region).not_to_contain_text("environ")
    # Scrolled sideways, the quartier's name stays in view (sticky first column).
    region.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    first = region.locator("tbody th").first
    left = first.evaluate(
        "(th) => th.getBoundingClientRect().left - th.closest('[role=region]').getBoundingClientRect().left"
    )
    assert abs(left) <= 2
    _screenshot(visit, "tableau-chiffres")


COMPARE_SCREENS = [LAPTOP, PROJECTOR, PHONE]


@pytest.mark.parametrize("visit", COMPARE_SCREENS, indirect=True, ids=[s.name for s in COMPARE_SCREENS])
def test_cite_2_typed_without_accent_then_enter_compares_cite_2_alone(visit):
    page = visit.page
    visit.open("/quartiers")
    retirer = page.get_by_role("button", name=re.compile("^Retirer "))
    expect(retirer).to_have_count(2)  # Mont Liébaut and 3 Îlots, the default pair
    field = page.get_by_role("textbox", name=FIELD)
    field.click()
    page.keyboard.type("cite 2")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Cité 2 ajouté à la comparaison.")).to_be_visible()
    visit.settled()
    expect(retirer).to_have_count(3)
    expect(page.get_by_role("button", name="Retirer Cité 2")).to_be_visible()
    assert visit.params()["comparer"] == ["QN06208M,QN06209M,QN06226M"]
    if page.viewport_size["width"] > 640:
        comparison = page.locator("table", has=page.locator("caption", has_text="Chiffres comparables"))
        expect(comparison.get_by_role("columnheader", name="Cité 2", exact=True)).to_have_count(1)
    else:  # on a phone, one block per figure, each quartier's value under it
        expect(page.locator(".qp-comparaison-blocs").first.get_by_text("Cité 2 :").first).to_be_visible()
    expect(field).to_have_value("")
    expect(page.locator("body")).not_to_contain_text(ENGLISH)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    _screenshot(visit, "comparer-cite-2")
    # « cite » matches many quartiers equally: Enter adds none, lists them; the keyboard picks one.
    field.click()
    page.keyboard.type("cite")
    page.keyboard.press("Enter")
    choices = page.get_by_role("button", name=re.compile("^Ajouter Cit"))
    expect(choices.first).to_be_visible()
    visit.settled()
    expect(retirer).to_have_count(3)
    expect(page.locator("body")).not_to_contain_text(ENGLISH)
    _screenshot(visit, "comparer-plusieurs")
    wanted = re.search(r"Ajouter (.+) \((QN\d+M)\)", choices.first.inner_text()).groups()
    choices.first.focus()
    page.keyboard.press("Enter")
    visit.settled()
    expect(retirer).to_have_count(4)
    expect(choices).to_have_count(0)
    expect(page.get_by_role("button", name=f"Retirer {wanted[0]}")).to_be_visible()
    assert visit.params()["comparer"] == [f"QN06208M,QN06209M,QN06226M,{wanted[1]}"]
    # Removing with the keyboard: Enter on « Retirer Cité 2 ».
    page.get_by_role("button", name="Retirer Cité 2").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Cité 2 retiré de la comparaison.")).to_be_visible()
    visit.settled()
    expect(retirer).to_have_count(3)
    assert "QN06226M" not in visit.params()["comparer"][0]


@pytest.mark.parametrize("visit", [LAPTOP], indirect=True, ids=[LAPTOP.name])
def test_the_quartiers_page_has_no_serious_accessibility_violation_with_the_legend_and_choices(visit):
    page = visit.page
    visit.open("/quartiers", comparer="QN06208M,QN99999M")
    expect(page.get_by_text("Quartier inconnu dans le lien, ignoré : « QN99999M »")).to_be_visible()
    page.get_by_role("textbox", name=FIELD).fill("cite")
    page.get_by_role("textbox", name=FIELD).press("Enter")
    expect(page.get_by_role("button", name=re.compile("^Ajouter Cit")).first).to_be_visible()
    visit.settled()
    assert visit.axe(page.main_frame) == []
