"""`python -m quartiers importer-qic`: a QIC perimeter imported into a temporary geodata folder, then used by the
layer loader, the catalogue (search, portraits: Catorive first) and the map layers."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import box

from quartiers import settings
from quartiers.catalogue import build_catalogue
from quartiers.cli import main
from quartiers.couches_officielles import Layers, load_qic, load_qpv
from quartiers.formats import fmt_ha
from quartiers.maps import display_layers, feature_for
from quartiers.portraits import load_portraits
from quartiers.qic import qic_id


@pytest.fixture
def geodata(tmp_path):
    folder = tmp_path / "geodata"
    folder.mkdir()
    return folder


def _perimeter(tmp_path, west=2.645, stem="catorive"):
    """A test perimeter near Béthune's station (not a published QIC: none is), as GeoJSON; a GeoPackage beside."""
    path = tmp_path / f"{stem}.geojson"
    frame = gpd.GeoDataFrame({"nom": ["essai"]}, geometry=[box(west, 50.525, west + 0.004, 50.528)], crs=settings.WGS84)
    frame.to_crs(settings.LAMBERT93).to_file(path.with_suffix(".gpkg"))
    frame.to_file(path, driver="GeoJSON")
    return path


def _import(capsys, path, geodata, date="2025-01-15", nom="Catorive"):
    code = main(
        ["importer-qic", str(path), "--nom", nom, "--commune", "Béthune", "--source", "Test : fichier d'essai",
         "--date", date, "--geodata", str(geodata)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_layer_catalogue_and_map_pick_it_up(tmp_path, geodata, capsys):
    path = _perimeter(tmp_path)
    code, out, err = _import(capsys, path, geodata)
    assert code == 0, err
    area_ha = gpd.read_file(path).to_crs(settings.LAMBERT93).area.iloc[0] / 10_000
    assert out == f"QIC « catorive » ajouté dans {geodata / 'qic.geojson'} ({fmt_ha(area_ha)}).\n"
    written = json.loads((geodata / "qic.geojson").read_text(encoding="utf-8"))
    (feature,) = written["features"]
    assert feature["properties"] == {
        "id": "catorive", "nom": "Catorive", "commune": "Béthune", "source": "Test : fichier d'essai", "date": "2025-01-15",
    }  # fmt: skip
    qic, problems = load_qic(geodata / "qic.geojson")
    assert problems == [] and qic["id"].tolist() == ["catorive"] and qic["date"].tolist() == ["2025-01-15"]
    assert qic.to_crs(settings.LAMBERT93).area.iloc[0] / 10_000 == pytest.approx(area_ha, rel=1e-6)
    portraits, _ = load_portraits()
    qpv, _ = load_qpv()
    catalogue = build_catalogue(qpv, qic, portraits)
    assert catalogue["catorive"].has_perimeter is True
    assert catalogue["catorive"].portrait is not None
    display = display_layers(Layers(qpv=qpv, communes=None, epci=None, qic=qic))
    assert feature_for(display, "catorive")["properties"]["nom"] == "Catorive"


def test_import_replaces_the_same_qic_and_keeps_the_others(tmp_path, geodata, capsys):
    assert _import(capsys, _perimeter(tmp_path), geodata)[0] == 0
    assert _import(capsys, _perimeter(tmp_path, 2.60, "autre"), geodata, nom="Autre Quartier")[0] == 0
    code, out, err = _import(capsys, _perimeter(tmp_path, 2.65, "v2").with_suffix(".gpkg"), geodata, "2025-06-01")
    assert code == 0, err
    assert "QIC « catorive » remplacé" in out
    qic, _ = load_qic(geodata / "qic.geojson")
    assert sorted(qic["id"]) == ["autre-quartier", "catorive"]
    assert qic.set_index("id").loc["catorive", "date"] == "2025-06-01"
    assert qic.set_index("id").loc["catorive"].geometry.bounds[0] == pytest.approx(2.65)


def test_bad_input_is_refused_and_nothing_written(tmp_path, geodata, capsys):
    code, _, err = _import(capsys, _perimeter(tmp_path), geodata, date="15/01/2025")
    assert (
        code == 1 and err == "Erreur : Date invalide : « 15/01/2025 » (attendu AAAA-MM-JJ, par exemple 2025-01-15).\n"
    )
    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([2.64], [50.52]), crs=settings.WGS84).to_file(points)
    code, _, err = _import(capsys, points, geodata)
    assert code == 1 and "aucun polygone" in err
    assert not (geodata / "qic.geojson").exists()


def test_qic_id():
    assert qic_id("Catorive") == "catorive"
    assert qic_id("Cité des Électriciens  (Sud)") == "cite-des-electriciens-sud"
