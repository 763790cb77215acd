"""The portrait panel through Streamlit's AppTest: figures with their qualifiers, both surfaces, the commune
reference from Insee, and a broken Insee file that leaves the rest of the portrait intact."""

from __future__ import annotations

import csv

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from tests.apptest_text import shown_text

APP = str(settings.ROOT / "app.py")


def run(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    return " ".join(shown_text(at).replace("**", "").split())


def insee(code: str) -> dict[str, str]:
    with open(settings.FILOSOFI_FILE, encoding="utf-8", newline="") as f:
        return next(row for row in csv.DictReader(f, delimiter=";") if row["CODGEO"] == code)


pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_mont_liebaut_panel(monkeypatch):
    at = run(quartier="QN06208M")
    text = shown(at)
    assert at.header[0].value == "Mont Liébaut"
    assert (
        "Population : environ 2 600 hab. — « Population: environ 2 600 habitants (+100 par rapport à 2015). »" in text
    )
    assert "Surface du périmètre 2024 : 39,5 ha (calculée en Lambert-93" in text
    assert "Surface de l'ancien périmètre, selon la convention : 70 ha" in text
    bethune = insee("62119")
    assert bethune["MED21"] == "19290" and bethune["TP6021"].startswith("26")
    assert "Béthune (62119) : revenu disponible médian 19 290 € par an" in text
    assert "taux de pauvreté (seuil 60 %) 26 % — Filosofi 2021, Insee, commune" in text
    assert "à ne pas comparer aux taux du quartier ci-dessus" in text  # Mont Liébaut's rates are shown above
    assert "Portrait affiché : Mont Liébaut" in text  # announced to screen readers
    assert sum(1 for h in at.get("html") if "<li>" in h.proto.body) <= 8  # a few elements, not one per bullet


def test_call_portrait_shows_the_cadre_growth_and_a_lens_commune_reference():
    at = run(quartier="QN06226M")  # Cité 2, Lens
    text = shown(at)
    lens = insee("62498")
    assert (lens["MED21"], lens["TP6021"].split(",")[0]) == ("17250", "32")
    assert "Lens (62498) : revenu disponible médian 17 250 € par an" in text and "32 %" in text
    assert "+56 %" in text and "+29 % (dans la CALL)" in text
    assert "Population « Quartiers 2030 »" in text and "1 500 hab." in text


def test_qpv_without_convention_gets_its_communes_and_its_real_source():
    at = run(quartier="QN06207M")
    text = shown(at)
    assert "Barlin (62083)" in text and "Hersin-Coupigny (62443)" in text
    assert "Liste officielle des quartiers prioritaires 2024" in text and "QN06207M — Quartier Du Regain" in text
    # No rate of the quartier above: the commune's figures are not set against rates that are not there.
    assert "ci-dessus" not in text and "ne donnent pas de taux pour ce quartier" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "geodata/absent.csv introuvable"),
        ("CODGEO;MED21\n62119;19290\n", "geodata/absent.csv : colonne(s) TP6021 absente(s)"),
        ("CODGEO;MED21;TP6021\n62498;17250;32,0\n", "commune Béthune (62119) absente du fichier geodata/absent.csv"),
    ],
    ids=["missing-file", "missing-column", "commune-absent"],
)
def test_bad_filosofi_file_leaves_the_rest_of_the_portrait(monkeypatch, tmp_path, content, message):
    path = tmp_path / "absent.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(settings, "FILOSOFI_FILE", path)
    at = run(quartier="QN06208M")
    text = shown(at)
    assert message in text
    assert "19 290" not in text
    assert "Taux de pauvreté : 46,1% (18,8% sur l'ensemble de l'agglomération)." in text  # the rest shows
    assert "Problématiques sécuritaires" in text


def test_neighbouring_qpv_gets_its_commune_reference_too():
    at = run(quartier="QN06241M")  # CAHC, Hénin-Beaumont: no portrait in our sources
    text = shown(at)
    henin = insee("62427")
    assert "hors contrats CABBALR / CALL" in text
    median = f"{int(henin['MED21']):,}".replace(",", " ")
    assert f"Hénin-Beaumont (62427) : revenu disponible médian {median} € par an" in text
