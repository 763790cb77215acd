"""`python -m quartiers perimetre`: the exact JSON structure of the issue, on the real layers (one real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pytest
import shapely

from quartiers import settings
from quartiers.cli import main

ROOT = settings.ROOT


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def mont_liebaut_l93():
    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    return qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0]


def _write(path, geometries_l93, properties):
    frame = gpd.GeoDataFrame(properties, geometry=geometries_l93, crs=settings.LAMBERT93)
    frame.to_crs(settings.WGS84).to_file(path, driver="GeoJSON")
    return path


def test_json_for_mont_liebaut_and_a_grown_copy(tmp_path, capsys, mont_liebaut_l93):
    grown = mont_liebaut_l93.buffer(50)
    path = _write(tmp_path / "p.geojson", [mont_liebaut_l93, grown], {"name": ["Officiel", "Agrandi de 50 m"]})
    output = tmp_path / "resultat.geojson"
    code, out, err = _run(capsys, "perimetre", str(path), "--json", "-o", str(output))
    assert code == 0, err
    result = json.loads(out)
    official, bigger = result["propositions"]
    assert official["nom"] == "Officiel" and bigger["nom"] == "Agrandi de 50 m"
    assert official["surface_ha"] == round(mont_liebaut_l93.area / 10_000, 2)
    assert official["surface_hors_qpv_ha"] == 0.0
    assert official["hors_territoire"] is False
    assert official["communes"][0] == {
        "code": "62119",
        "nom": "Béthune",
        "surface_ha": official["communes"][0]["surface_ha"],
    }
    assert official["qpv"] == [
        {
            "code_qp": "QN06208M",
            "nom_qp": "Quartier Du Mont Liébaut",
            "surface_en_commun_ha": official["surface_ha"],
            "part_du_qpv_pct": 100.0,
            "surface_qpv_hors_proposition_ha": 0.0,
        }
    ]
    assert bigger["surface_hors_qpv_ha"] == pytest.approx((grown.area - mont_liebaut_l93.area) / 10_000, abs=0.01)
    for item in result["propositions"]:
        for key in ("surface_ha", "surface_bande_300m_ha", "surface_hors_qpv_ha"):
            assert item[key] == round(item[key], 2)
        assert all(q["part_du_qpv_pct"] == round(q["part_du_qpv_pct"], 1) for q in item["qpv"])
    written = json.loads(output.read_text(encoding="utf-8"))
    parties = [(f["properties"]["proposition"], f["properties"]["partie"]) for f in written["features"]]
    assert ("Agrandi de 50 m", "ajout_hors_qpv") in parties and ("Officiel", "bande_300m") in parties


def test_text_output_and_french_errors(tmp_path, capsys, mont_liebaut_l93):
    path = _write(tmp_path / "p.geojson", [mont_liebaut_l93], {"nom": ["ML"]})
    code, out, err = _run(capsys, "perimetre", str(path))
    assert code == 0, err
    assert "ML : 39,51 ha" in out and "Quartier Du Mont Liébaut (QN06208M) : 39,51 ha en commun, 100,0 % du QPV" in out
    empty = tmp_path / "vide.geojson"
    empty.write_bytes(b"")
    code, out, err = _run(capsys, "perimetre", str(empty), "--json")
    assert code == 1 and out == ""
    assert err == "Erreur : Le fichier est vide : il ne contient aucun objet.\n"
    code, _, err = _run(capsys, "perimetre", str(tmp_path / "absent.geojson"))
    assert code == 1 and err.startswith("Erreur : impossible de lire")


def test_geopackage_layer_option(tmp_path, capsys, mont_liebaut_l93):
    path = tmp_path / "variantes.gpkg"
    for layer, geometry in (("a", mont_liebaut_l93), ("b", mont_liebaut_l93.buffer(20))):
        gpd.GeoDataFrame({"nom": [layer]}, geometry=[geometry], crs=settings.LAMBERT93).to_file(path, layer=layer)
    code, _, err = _run(capsys, "perimetre", str(path), "--json")
    assert code == 1 and "2 couches (a, b)" in err and "--couche" in err
    code, out, err = _run(capsys, "perimetre", str(path), "--json", "--couche", "b")
    assert code == 0, err
    assert json.loads(out)["propositions"][0]["nom"] == "b"


def test_polygon_in_arras_as_a_real_subprocess(tmp_path):
    communes = gpd.read_file(settings.COMMUNES_FILE).to_crs(settings.LAMBERT93)
    arras = communes.loc[communes["nom"] == "Arras", "geometry"].iloc[0].representative_point().buffer(150)
    path = _write(tmp_path / "arras.geojson", [arras], {"nom": ["Arras"]})
    run = subprocess.run(
        [sys.executable, "-m", "quartiers", "perimetre", str(path), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (item,) = json.loads(run.stdout)["propositions"]
    assert item["hors_territoire"] is True and item["qpv"] == []
    assert item["surface_ha"] == round(shapely.area(arras) / 10_000, 2)
