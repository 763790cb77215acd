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
    assert any("1 ligne invalide :" in w.value.replace("\\", "") for w in at.warning)


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


# --- the single point: a refused entry, swapped coordinates, names, counts -------------------------------------


def _submit(at: AppTest, lat: str, lon: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Latitude").set_value(lat)
    next(t for t in at.text_input if t.label == "Longitude").set_value(lon)
    next(b for b in at.button if b.label == "Situer ce point").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("bad", ["abc", "1e999", "nan", ""])
def test_invalid_coordinates_remove_the_previous_answer(bad):
    at = _submit(situer(), "50.518", "2.629")
    assert "Dans un QPV" in texts(at) and "Mont Liébaut" in texts(at)
    at = _submit(at, bad, "2.629")
    shown = texts(at)
    assert [e.value for e in at.error] == [
        "Coordonnées invalides : saisissez deux nombres, par exemple 50.518 et 2.629."
    ]
    assert "Dans un QPV" not in shown and "Ce point est" not in shown and "Aucun lieu choisi" in shown
    assert "lat" not in at.query_params and "lon" not in at.query_params
    assert next(t for t in at.text_input if t.label == "Latitude").value == bad  # what was typed stays
    at = _submit(at, "50.518", "2.629")  # a valid point again: the answer, no error
    assert not at.error and "Dans un QPV" in texts(at)


def test_swapped_coordinates_are_said_and_the_swapped_point_offered():
    at = _submit(situer(), "2.629", "50.518")
    shown = texts(at)
    assert any("La latitude et la longitude semblent inversées" in w.value for w in at.warning)
    assert "Hors QPV et hors bande" in shown  # the answer for the point as typed is still given
    swap = next(b for b in at.button if b.label == "Situer plutôt latitude 50,518000, longitude 2,629000")
    swap.click().run()
    assert at.query_params["lat"] in ("50.518000", ["50.518000"])
    assert at.query_params["lon"] in ("2.629000", ["2.629000"])
    assert "Dans un QPV" in texts(at) and not any("inversées" in w.value for w in at.warning)


def test_a_point_in_france_gets_no_swap_hint():
    at = _submit(situer(), "50.2910", "2.7775")
    assert not at.warning and "Hors QPV et hors bande" in texts(at)


def test_the_answer_names_the_quartier_as_its_portrait_does():
    at = situer(lat="50.518", lon="2.629")
    assert "Ce point est dans le QPV Mont Liébaut (Quartier Du Mont Liébaut ; QN06208M, Béthune)" in texts(at)


def test_one_row_file_is_counted_in_the_singular():
    at = _upload(situer(), b"latitude;longitude\n50,518;2,629\n")
    assert any(s.value.replace("\\", "").startswith("Fichier lu en UTF-8") for s in at.success)
    assert any("1 ligne traitée — dans : 1," in s.value.replace("\\", "") for s in at.success)
    assert "Aperçu (1 ligne affichée, les premières du fichier) :" in [c.value for c in at.caption]
    assert "lignes traitées" not in texts(at) and "1 premières" not in texts(at)


def test_a_new_point_from_the_link_fills_the_coordinates_form():
    at = situer(lat="50.2910", lon="2.7775")
    fields = {t.label: t.value for t in at.text_input if t.label in ("Latitude", "Longitude")}
    assert fields == {"Latitude": "50.291000", "Longitude": "2.777500"}
    at.query_params["lat"], at.query_params["lon"] = "50.518", "2.629"  # a tap on the map
    at.run()
    fields = {t.label: t.value for t in at.text_input if t.label in ("Latitude", "Longitude")}
    assert fields == {"Latitude": "50.518000", "Longitude": "2.629000"}


# --- hostile or odd CSV uploads (issue 15): one French message, never a traceback, never a plain success ------------


def _alerts(at: AppTest) -> str:
    return " ".join(a.value.replace("\\", "") for a in (*at.success, *at.warning, *at.error))


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b";;latitude;longitude\na;b;50,518;2,629\n", "2 colonnes sans nom dans l'en-tête, nommées « colonne 1 »"),
        (
            "ville;latitude;longitude\nBéthune;50,518;2,629\n".encode() + "Béthune;50,518;2,629\n".encode("cp1252"),
            "Encodage mélangé : le fichier est en UTF-8 sauf la ligne 3, lue en Windows-1252",
        ),
        (b"statut;code_qp;latitude;longitude\nx;y;50,518;2,629\n", "s'appellent « code_qp_2 », « statut_2 »"),
        (
            b'nom;latitude;longitude\nA;50,518;2,629\nB;"50,518;2,629\nC;50,518;2,629\nD;50,518;2,629\n',
            "Guillemet non refermé, ouvert à la ligne 3",
        ),
    ],
    ids=["unnamed-columns", "mixed-encoding", "colliding-columns", "swallowing-quote"],
)
def test_an_upload_read_with_a_change_is_a_warning_that_says_it(content, said):
    at = _upload(situer(), content)
    assert not at.success and not at.error
    assert said in _alerts(at)
    assert len(at.dataframe) == 1  # the preview is shown (it raised "Duplicate column names found" before)


def test_an_upload_keeps_the_users_columns_beside_the_added_ones():
    at = _upload(situer(), b"statut;code_qp;latitude;longitude\nx;y;50,518;2,629\n")
    preview = at.dataframe[0].value
    assert preview.loc[0, "statut"] == "x" and preview.loc[0, "code_qp"] == "y"
    assert preview.loc[0, "statut_2"] == "dans" and preview.loc[0, "code_qp_2"] == "QN06208M"
    assert "suffixe « _2 »" in texts(at)


def test_an_upload_with_columns_of_the_same_name_shows_its_preview():
    at = _upload(situer(), b"note;note;latitude;longitude\na;b;50,518;2,629\n")
    assert any("dans : 1" in s.value for s in at.success)
    assert list(at.dataframe[0].value.columns[:2]) == ["note", "note (2)"]
    assert any("dans cet aperçu seulement" in c.value for c in at.caption)


def test_an_upload_with_a_10_mb_cell_goes_to_the_worker_and_names_the_line():
    content = b"nom;latitude;longitude\nA;50,518;2,629\nB;50,518;" + b"x" * 10_000_000 + b"\nC;50,518;2,629\n"
    at = _upload(situer(), content)
    assert not at.success
    assert "Cellule de plus de 131 072 caractères (limite) à la ligne 3" in _alerts(at).replace("\u202f", " ")
    assert "field" not in texts(at)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"latitude;longitude\n50,5\x00;2,6\n", "contient un caractère nul (ligne 2)"),
        (b"latitude;longitude;" + b"c;" * 100_000 + b"\n1;2\n", "colonnes : au plus 500"),
    ],
    ids=["nul", "100000-columns"],
)
def test_a_hostile_upload_is_one_french_error(content, said):
    at = _upload(situer(), content)
    assert len(at.error) == 1 and said in at.error[0].value.replace("\\", "") and not at.success


def test_a_worker_that_fails_refuses_the_file_instead_of_processing_it_in_the_app(monkeypatch):
    from quartiers import batch, garde
    from quartiers.ui import situer as ui_situer

    def dies(*_):
        raise garde.GuardError("Le calcul a échoué sur le serveur.")

    monkeypatch.setattr(ui_situer, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(ui_situer, "_process_in_worker", dies)
    monkeypatch.setattr(batch, "process_upload", lambda *a: pytest.fail("processed in the app process"))
    at = _upload(situer(), b"latitude;longitude\n50,518;2,629\n")
    assert [e.value for e in at.error] == [ui_situer.WORKER_FAILED] and not at.success
