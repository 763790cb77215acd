"""The "Ce lieu est-il en QPV ?" page through AppTest: links, addresses (recorded BAN answers), CSV uploads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from tests.apptest_text import shown_text

APP = str(settings.ROOT / "app.py")
BAN = Path(__file__).parent / "fixtures" / "ban"
HORS = "hors des agglomérations CABBALR et CALL"


pytestmark = pytest.mark.usefixtures("fresh_caches")


def situer(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/situer.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


texts = shown_text


@pytest.mark.parametrize(("lat", "lon"), [("-90", "0"), ("90", "180"), ("-90", "-180")])
def test_poles_in_the_link_answer_without_error(lat, lon):
    at = situer()
    at.query_params["lat"], at.query_params["lon"] = lat, lon
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Hors QPV et hors bande" in shown and HORS in shown
    assert not at.error


def test_a_band_outside_the_agglomerations_is_answered_bande():
    """A point 150 m from QN06245M in a CAHC commune: the band, with the remark, never "hors territoire"."""
    from test_zones import _band_outside_point  # noqa: PLC0415 - shared sampler

    lat, lon = _band_outside_point("QN06245M")
    at = situer()
    at.query_params["lat"], at.query_params["lon"] = f"{lat:.6f}", f"{lon:.6f}"
    at.run()
    shown = texts(at)
    assert "Dans la bande des 300 m" in shown and "QN06245M" in shown and HORS in shown


# --- addresses -------------------------------------------------------------------------------------------------


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def ban_answer(monkeypatch):
    """Replace the network by a recorded BAN answer chosen by the test."""
    chosen = {}

    def urlopen(url, timeout):
        return _Response((BAN / f"{chosen['name']}.json").read_bytes())

    monkeypatch.setattr("quartiers.geocoding.urllib.request.urlopen", urlopen)
    return chosen


def _search(at: AppTest, address: str) -> AppTest:
    field = next(t for t in at.text_input if t.label == "Adresse")
    field.set_value(address)
    next(b for b in at.button if b.label == "Chercher l'adresse").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_form_says_the_address_goes_to_the_ban():
    at = situer()
    assert "envoyée au service public de la Base Adresse Nationale" in texts(at)


def test_house_number_is_answered_and_the_match_stays_after_reruns(ban_answer):
    ban_answer["name"] = "housenumber"
    at = _search(situer(), "12 rue des essais bethune")
    assert at.query_params["lat"] in ("50.518000", ["50.518000"])
    match = "Adresse trouvée par la Base Adresse Nationale : « 12 Rue des Essais 62400 Béthune » (type : numéro, score 0,97)"
    assert match in texts(at) and "Ce point est dans le QPV" in texts(at)
    at.run()  # any other rerun (a click elsewhere on the page)
    at.run()
    assert match in texts(at)
    at.query_params["lat"], at.query_params["lon"] = "50.29", "2.7775"  # another point: the match no longer applies
    at.run()
    assert "Adresse trouvée" not in texts(at)


@pytest.mark.parametrize("name", ["street", "locality", "municipality"])
def test_street_locality_municipality_ask_for_the_number(ban_answer, name):
    ban_answer["name"] = name
    at = _search(situer(), "quelque part")
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(w.startswith("Adresse imprécise : précisez le numéro.") for w in warnings), warnings
    assert "lat" not in at.query_params  # no in/out answer on such a match
    assert "Aucun lieu choisi" in texts(at)
    at.run()
    assert any("précisez le numéro" in w.value for w in at.warning)  # still said after a rerun


def test_low_score_house_number_is_uncertain(ban_answer):
    ban_answer["name"] = "housenumber_low"
    at = _search(situer(), "12 essai")
    assert any("Adresse incertaine" in w.value and "0,55" in w.value for w in at.warning)
    assert "lat" not in at.query_params


def test_no_match(ban_answer):
    ban_answer["name"] = "empty"
    at = _search(situer(), "zzzz")
    assert any("introuvable" in w.value for w in at.warning)


# --- CSV uploads -----------------------------------------------------------------------------------------------


def _upload(at: AppTest, content: bytes, name: str = "points.csv") -> AppTest:
    uploader = at.get("file_uploader")[0]
    uploader.set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_with_trailing_separators_counts_each_status():
    at = _upload(situer(), b"nom;latitude;longitude;\nA;50,518;2,629;\nB;50,2910;2,7775;\n")
    assert not at.error
    shown = [s.value.replace("\\", "") for s in at.success]
    assert any("2 lignes traitées — dans : 1, bande : 0, limite : 0, hors : 1, invalide : 0." in s for s in shown)
    assert any("séparateur : point-virgule" in s for s in shown)


def test_upload_with_invalid_rows_is_a_warning_not_a_success():
    at = _upload(situer(), b"latitude;longitude\n50,518;2,629\nabc;2,6\n")
    assert not at.success
    assert any("1 ligne(s) invalide(s)" in w.value.replace("\\", "") for w in at.warning)


def test_upload_where_nothing_is_located_is_an_error():
    at = _upload(situer(), b"latitude;longitude\nabc;def\n95;2\n")
    assert not at.success
    assert any("Aucun point n'a pu être situé" in e.value.replace("\\", "") for e in at.error)


def test_upload_refused_file_is_one_french_error():
    at = _upload(situer(), b"latitude;latitude;longitude\n1;2;3\n")
    assert [e.value.replace("\\", "") for e in at.error] == [
        "La colonne « latitude » apparaît 2 fois dans l'en-tête : impossible de savoir laquelle contient les "
        "coordonnées. Gardez une seule colonne de ce nom."
    ]


def test_upload_is_processed_once_then_kept_across_reruns(monkeypatch):
    from quartiers import batch

    calls = []
    original = batch.process_upload
    monkeypatch.setattr(batch, "process_upload", lambda *a: calls.append(a[1]) or original(*a))
    at = _upload(situer(), b"latitude;longitude\n50,518;2,629\n")
    assert calls == ["points.csv"]
    at.query_params["lat"], at.query_params["lon"] = "50.518", "2.629"  # a click on the map reruns the page
    at.run()
    at.run()
    assert calls == ["points.csv"]
    assert any("dans : 1" in s.value for s in at.success)


def test_large_upload_goes_to_the_worker_process(monkeypatch):
    """Above the threshold the file is processed in a separate process (spawn), not in the script thread."""
    from quartiers import batch
    from quartiers.ui import situer as ui_situer

    monkeypatch.setattr(ui_situer, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(batch, "process_upload", lambda *a: pytest.fail("processed in the app process"))
    at = _upload(situer(), b"latitude;longitude\n50,518;2,629\n50,2910;2,7775\n")
    assert any("dans : 1, bande : 0, limite : 0, hors : 1" in w.value.replace("\\", "") for w in at.success)


@pytest.mark.parametrize(("lat", "lon"), [("nan", "2.6"), ("50.5", "inf"), ("1e999", "2.6"), ("-91", "2.6")])
def test_non_coordinates_in_the_link_are_one_french_message(lat, lon):
    at = situer()
    at.query_params["lat"], at.query_params["lon"] = lat, lon
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Coordonnées invalides dans le lien : latitude et longitude attendues en degrés (ex. lat=50.518&lon=2.629)."
    ]


def test_minus_90_in_the_coordinates_form():
    at = situer()
    at.text_input[0].set_value("-90")
    at.text_input[1].set_value("0")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert "Hors QPV et hors bande" in texts(at) and HORS in texts(at)
