"""The situer page in a real browser: poles in the link, files as people export them, the address notice.

Fixtures (the server, the browser, `session`) are in conftest.py.
"""

from __future__ import annotations

import csv
import re

import pytest

from scripts.appserver import MAP_IFRAME
from tests.conftest import PHONE, expect
from tests.test_browser_carte import TouchSession, interior_point

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("session", [PHONE], indirect=True)
def test_south_pole_link_answers_on_a_phone(session):
    session.open("/situer?lat=-90&lon=0")
    answer = session.page.get_by_text("Ce point est hors QPV et hors bande des 300 m")
    expect(answer).to_be_visible(timeout=90_000)
    expect(answer).to_contain_text("hors des agglomérations CABBALR et CALL")
    expect(session.page.get_by_test_id("stException")).to_have_count(0)
    expect(session.page.get_by_text("Traceback")).to_have_count(0)
    expect(session.page.get_by_text("envoyée au service public de la Base Adresse Nationale")).to_be_visible()
    session.screenshot("situer-pole-phone.png")


def _upload(session, name: str, content: bytes):
    upload = session.tmp_path / name
    upload.write_bytes(content)
    session.open("/situer")
    uploader = session.page.get_by_test_id("stFileUploader")
    expect(uploader).to_be_visible(timeout=90_000)
    uploader.locator("input[type=file]").set_input_files(upload)


def test_spreadsheet_export_with_trailing_separators_and_formulas(session):
    content = (
        "nom;latitude;longitude;\r\n"
        '"=HYPERLINK(""http://exemple.invalid"";""clic"")";50,518;2,629;\r\n'
        "pôle;-90;0;\r\n"
        "erreur;abc;2,6;\r\n"
    ).encode("cp1252")
    _upload(session, "export.csv", content)
    # The upload box speaks French: the file's size in octets with a decimal comma, the add button named.
    size = f"{len(content)},0 o"
    expect(session.page.get_by_test_id("stFileChip")).to_have_attribute("aria-label", f"export.csv, {size}")
    expect(session.page.get_by_test_id("stFileChip")).to_contain_text(size)
    expect(session.page.get_by_role("button", name="Ajouter un fichier")).to_be_visible()
    summary = session.page.get_by_test_id("stAlertContentWarning").filter(has_text="lignes traitées")
    expect(summary).to_contain_text("dans : 1, bande : 0, limite : 0, hors : 1, invalide : 1")
    expect(summary).to_contain_text("1 ligne invalide :")
    expect(session.page.get_by_test_id("stAlertContentSuccess")).to_have_count(0)
    button = session.page.get_by_role("button", name="Télécharger le résultat (CSV)")
    with session.page.expect_download() as download_info:
        button.click()
    saved = session.tmp_path / "resultat.csv"
    download_info.value.save_as(saved)
    with open(saved, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert [row["statut"] for row in rows] == ["dans", "hors", "invalide"]
    assert rows[0]["nom"] == '\'=HYPERLINK("http://exemple.invalid";"clic")'  # neutralised for Excel
    assert rows[0]["latitude"] == "50,518" and rows[1]["remarque"] == "hors des agglomérations CABBALR et CALL"
    assert rows[2]["motif"].startswith("latitude invalide")
    session.screenshot("situer-csv-export.png")


def test_columns_without_a_name_are_a_warning_with_the_table_not_a_traceback(session):
    """Two blank column names made the page show a success box, then « Duplicate column names found »."""
    _upload(session, "sans_nom.csv", b";;latitude;longitude\r\na;b;50,518;2,629\r\n")
    expect(session.page.get_by_test_id("stAlertContentWarning")).to_contain_text(
        "2 colonnes sans nom dans l'en-tête, nommées « colonne 1 », « colonne 2 » dans le résultat."
    )
    expect(session.page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(session.page.get_by_test_id("stException")).to_have_count(0)
    expect(session.page.get_by_test_id("stAlertContentSuccess")).to_have_count(0)


def test_file_where_nothing_is_located_is_an_error_box(session):
    _upload(session, "rien.csv", "latitude\tlongitude\r\nabc\tdef\r\n".encode("utf-16"))
    error = session.page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("Aucun point n'a pu être situé")
    expect(session.page.get_by_test_id("stAlertContentSuccess")).to_have_count(0)


def test_size_limit_is_stated_once_in_french(session):
    session.open("/situer")
    uploader = session.page.get_by_test_id("stFileUploader")
    expect(uploader).to_be_visible(timeout=90_000)
    expect(session.page.get_by_text("Taille maximale : 20 Mo et 200 000 lignes.", exact=False)).to_have_count(1)
    expect(session.page.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_hidden()
    expect(session.page.get_by_text("Limit 20MB", exact=False)).to_be_hidden()


def test_a_file_over_the_limit_is_refused_in_french_before_it_is_sent(session):
    big = session.tmp_path / "gros.csv"
    line = b"50.518;2.629\n"
    big.write_bytes(b"latitude;longitude\n" + line * (21 * 2**20 // len(line)))
    session.open("/situer")
    uploader = session.page.get_by_test_id("stFileUploader")
    expect(uploader).to_be_visible(timeout=90_000)
    uploader.locator("input[type=file]").set_input_files(big)
    expect(uploader).to_contain_text(re.compile(r"Erreur : Le fichier doit faire au plus 20 Mo\."))
    expect(uploader).not_to_contain_text(re.compile("or smaller|Error"))
    expect(session.page.get_by_role("button", name="Télécharger le résultat (CSV)")).to_have_count(0)


def test_on_a_phone_the_map_follows_the_answer_and_a_tap_shows_the_answer(browser, base_url, tmp_path):
    """390 × 844 touch: answer, then the map (half the screen, no blank band), then the forms; a tap brings
    the answer into view."""
    session = TouchSession(browser, base_url, tmp_path)
    session.open("/situer")
    frame = session.wait_for_map()
    page = session.page
    iframe = page.locator(MAP_IFRAME).bounding_box()
    drawn = frame.locator("#map_div").bounding_box()
    assert iframe["height"] <= 0.55 * PHONE["height"], iframe
    assert drawn["height"] >= iframe["height"] - 2, (drawn, iframe)  # the frame is as tall as the map drawn
    answer = page.get_by_text("Aucun lieu choisi").bounding_box()
    form = page.get_by_text("Saisir des coordonnées (degrés, WGS84)").bounding_box()
    assert answer["y"] + answer["height"] <= iframe["y"] < form["y"], (answer, iframe, form)
    assert iframe["width"] >= 0.9 * (PHONE["width"] - 32)  # full width, one column
    # The user scrolls down to the map and taps inside Mont Liébaut: the answer, above the map, comes into view.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    inside = interior_point("QN06208M")
    frame.locator("#map_div").evaluate(
        "(el, p) => el.ownerDocument.defaultView.map.setView(p, 14, {animate: false})", list(inside)
    )
    heading = page.get_by_role("heading", name="Réponse")
    expect(heading).not_to_be_in_viewport()
    frame.locator("#map_div").tap(position=session.point_of(*inside))
    expect(page.get_by_text("Ce point est dans le QPV Mont Liébaut")).to_be_visible()
    expect(heading).to_be_in_viewport()
    session.screenshot("situer-phone-apres-clic.png")
    session.context.close()


def test_on_a_laptop_the_answer_and_forms_stay_beside_the_map(session):
    session.open("/situer?lat=50.518&lon=2.629")
    session.wait_for_map()
    page = session.page
    iframe = page.locator(MAP_IFRAME).bounding_box()
    answer = page.get_by_text("Ce point est dans le QPV Mont Liébaut").bounding_box()
    form = page.get_by_text("Saisir des coordonnées (degrés, WGS84)").bounding_box()
    assert answer["x"] + answer["width"] <= iframe["x"] and form["x"] + form["width"] <= iframe["x"]
    assert answer["y"] < form["y"] < iframe["y"] + iframe["height"]


def test_in_presentation_the_verdict_reads_from_the_back_of_the_room(browser, base_url):
    """1920 × 1080, presentation mode: the verdict at least 1.5 × the body text, high contrast, still a status
    read out by screen readers, and axe finds nothing serious on the page."""
    from tests.test_browser_acces import AXE, PROJECTOR, Visit, contrast  # noqa: PLC0415 - shared helpers

    visit = Visit(browser, base_url, PROJECTOR)
    try:
        visit.open("/situer", lat="50.518", lon="2.629")
        page = visit.page
        verdict = page.locator(".verdict .verdict-titre")
        expect(verdict).to_have_text("Dans un QPV")
        status = page.get_by_role("status").filter(has_text="Ce point est dans le QPV Mont Liébaut")
        expect(status).to_have_count(1)
        expect(status).to_contain_text("Dans un QPV")

        def style(locator, prop: str) -> str:
            return locator.evaluate("(e, p) => getComputedStyle(e)[p]", prop)

        body = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p").first
        verdict_px, body_px = float(style(verdict, "fontSize")[:-2]), float(style(body, "fontSize")[:-2])
        assert verdict_px >= 1.5 * body_px, (verdict_px, body_px)
        assert int(style(verdict, "fontWeight")) >= 700
        box = page.locator(".verdict")
        assert contrast(style(verdict, "color"), style(box, "backgroundColor")) >= 7
        assert contrast(style(box, "borderLeftColor"), "rgb(255, 255, 255)") >= 3  # the status colour's edge
        expect(box).to_be_in_viewport()  # on the projector's first screen, under the title
        visit.screenshot("situer-verdict")
        assert AXE.exists(), f"axe-core is not installed at {AXE}: run `make test`."
        assert visit.axe(page.main_frame) == []
    finally:
        visit.context.close()


def test_refused_location_is_a_warning_with_the_next_step(session):
    """« Me localiser » when the browser gives no position: a warning box, read out (role="alert"), saying what to
    do next; the forms it points to are below it."""
    session.context.clear_permissions()  # the position is refused
    session.open("/situer")
    page = session.page
    button = page.get_by_role("button", name="Me localiser (position du navigateur)")
    expect(button).to_be_visible(timeout=90_000)
    button.click()
    alert = page.get_by_role("alert").filter(has_text="Position refusée ou indisponible")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Saisissez une adresse ou des coordonnées ci-dessous.")
    from tests.test_browser_acces import contrast  # noqa: PLC0415 - shared helper

    colour, ground = alert.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert contrast(colour, ground) >= 4.5
    below = alert.bounding_box()["y"]
    assert page.get_by_text("Saisir des coordonnées (degrés, WGS84)").bounding_box()["y"] > below
    assert page.get_by_text("Chercher une adresse (nécessite internet)").bounding_box()["y"] > below
    assert "lat=" not in page.url
    session.screenshot("situer-position-refusee.png")
