"""A CALL QPV's figures, quoted from a row of document 004's population table, in a real browser.

On a 390×844 touch phone and a 1920×1080 projector: the row reads as a labelled table (each column header of the
source beside its cell), the page does not scroll sideways, and axe-core finds no serious violation.
Screenshots: tests/screenshots/lignes-camus-390x844-tactile.png and lignes-camus-1920x1080-presentation.png.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIRST_LOAD_MS, SCREENSHOTS, expect
from tests.test_browser_acces import AXE, PHONE, PROJECTOR, visit  # noqa: F401 (visit: a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("visit", [PHONE, PROJECTOR], indirect=True, ids=[PHONE.name, PROJECTOR.name])
def test_camus_population_reads_as_a_labelled_row(visit):
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test` (npm ci in tests/js).")
    page = visit.page
    visit.open("/", quartier="QN06202M")
    heading = page.get_by_role("heading", name="Camus", level=2)
    expect(heading).to_be_visible(timeout=FIRST_LOAD_MS)
    facts = page.get_by_text("Population : 1 500 hab.", exact=False)
    expect(facts).to_contain_text("colonne Population « Quartiers 2030 », ligne « Camus » du tableau de la section")
    heading.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / f"lignes-camus-haut-{visit.screen.name}.png")
    table = page.get_by_role("table", name="Ligne « Camus » du tableau de la section", exact=False)
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    expect(table.locator("caption")).to_contain_text("« Evolution de la géographie prioritaire » — document 004")
    for header, cell in (("Commune", "ANGRES"), ("Population 2014", "1 500"), ("Libellé QP", "Camus")):
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=header, exact=True))
        expect(row.get_by_role("cell")).to_have_text(cell)
    expect(page.get_by_text("Camus ANGRES 1 500 1 500")).to_have_count(0)
    # Readable where it stands: the table fits the screen, nothing scrolls sideways.
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= visit.screen.width, box
    assert table.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    visit.settled()
    page.screenshot(path=SCREENSHOTS / f"lignes-camus-{visit.screen.name}.png")
    assert visit.axe(page.main_frame) == []
