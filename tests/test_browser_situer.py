"""The situer page in a real browser: poles in the link, files as people export them, the address notice.

Fixtures (the server, the browser, `session`) are in conftest.py.
"""

from __future__ import annotations

import csv

import pytest

from tests.conftest import PHONE, expect

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
