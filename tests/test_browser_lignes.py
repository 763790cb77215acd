"""A CALL QPV's figures, quoted from a row of document 004's population table, in a real browser.

On a 390×844 touch phone and a 1920×1080 projector: the row reads as a labelled table (each column header of the
source beside its cell), the page does not scroll sideways, and axe-core finds no serious violation.
Screenshots: tests/screenshots/lignes-camus-390x844-tactile.png and lignes-camus-1920x1080-presentation.png.
"""

from __future__ import annotations

import contextlib

import pytest

from tests.conftest import FIRST_LOAD_MS, SCREENSHOTS, expect
from tests.test_browser_acces import AXE, PHONE, PROJECTOR, Visit

pytestmark = pytest.mark.browser


@pytest.fixture
def ligne(request, browser, base_url):
    """A Visit at the screen given by indirect parametrization; a failure leaves a screenshot."""
    current = Visit(browser, base_url, request.param)
    failed_before = request.session.testsfailed
    yield current
    if request.session.testsfailed > failed_before:
        with contextlib.suppress(Exception):
            current.page.screenshot(path=SCREENSHOTS / f"lignes-echec-{request.node.name}.png")
    current.context.close()


@pytest.mark.parametrize("ligne", [PHONE, PROJECTOR], indirect=True, ids=[PHONE.name, PROJECTOR.name])
def test_camus_population_reads_as_a_labelled_row(ligne):
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make test` (npm ci in tests/js).")
    page = ligne.page
    ligne.open("/", quartier="QN06202M")
    heading = page.get_by_role("heading", name="Camus", level=2)
    expect(heading).to_be_visible(timeout=FIRST_LOAD_MS)
    facts = page.get_by_text("Population : 1 500 hab.", exact=False)
    expect(facts).to_contain_text("colonne Population « Quartiers 2030 », ligne « Camus » du tableau de la section")
    heading.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / f"lignes-camus-haut-{ligne.screen.name}.png")
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
    assert box["x"] >= 0 and box["x"] + box["width"] <= ligne.screen.width, box
    assert table.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    ligne.settled()
    page.screenshot(path=SCREENSHOTS / f"lignes-camus-{ligne.screen.name}.png")
    assert ligne.axe(page.main_frame) == []
