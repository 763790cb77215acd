"""The committed layers of geodata/: the official QPV 2024, neighbours, communes, EPCI, and bad files."""

import json

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, mapping

from quartiers import couches_officielles, settings

CABBALR = {f"QN062{n:02d}M" for n in range(4, 19)} | {"QN06255M"}
CALL = {"QN06202M", "QN06216M", "QN06243M", "QN06245M", "QN06247M"} | {f"QN062{n}M" for n in range(19, 36)}


@pytest.fixture(scope="module")
def layers():
    return couches_officielles.load_layers()


def test_all_37_contract_qpv_are_present_and_unique(layers):
    codes = layers.quartier_codes()
    assert len(codes) == len(set(codes)) == 37
    assert set(codes) == CABBALR | CALL
    assert len(CABBALR) == 16 and len(CALL) == 22 and CABBALR & CALL == {"QN06216M"}


def test_neighbouring_qpv_are_flagged_and_outside_the_contracts(layers):
    voisins = layers.qpv[layers.qpv["voisin"]]
    assert set(voisins["code_qp"]) == {"QN06239M", "QN06241M", "QN06244M", "QN06246M"}
    assert all("hors contrats" in c and "CAHC" in c for c in voisins["contrat"])


def test_every_geometry_is_valid_and_nothing_was_repaired(layers):
    assert layers.problems == ()
    for frame in (layers.qpv, layers.communes, layers.epci):
        assert frame.geometry.is_valid.all()
        assert frame.crs.to_epsg() == 4326


def test_multi_valued_fields_are_parsed(layers):
    qpv = layers.qpv.set_index("code_qp")
    assert qpv.loc["QN06216M", "epci"] == ["CABBALR", "CALL"]
    assert qpv.loc["QN06205M", "communes"] == ["Auchel", "Calonne-Ricouart", "Marles-les-Mines"]
    assert qpv.loc["QN06209M", "insee"] == ["62119", "62848"]


def test_each_qpv_intersects_each_of_its_communes(layers):
    communes = gpd.read_file(settings.COMMUNES_FILE).to_crs(settings.LAMBERT93).set_index("code")
    for _, row in layers.qpv.to_crs(settings.LAMBERT93).iterrows():
        for insee in row["insee"]:
            assert row.geometry.intersection(communes.geometry[insee]).area > 0, (row["code_qp"], insee)


def test_areas_match_the_official_perimeters_in_lambert93(layers):
    areas = layers.qpv.to_crs(settings.LAMBERT93).set_index("code_qp").area / 10_000
    assert areas["QN06208M"] == pytest.approx(39.5, abs=0.05)  # Mont Liébaut, 2024 perimeter
    assert areas["QN06255M"] == pytest.approx(66.4, abs=0.05)  # Lillers Ville Centre


def test_communes_are_the_136_members_with_their_epci(layers):
    assert len(layers.communes) == 136
    assert layers.communes["epci"].value_counts().to_dict() == {"CABBALR": 100, "CALL": 36}


def test_no_qic_file_means_no_qic_layer(layers):
    assert not settings.QIC_FILE.exists()
    assert layers.qic is None


def test_missing_file_is_reported_in_french_and_other_layers_load(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "COMMUNES_FILE", tmp_path / "absent.geojson")
    layers = couches_officielles.load_layers()
    assert layers.communes is None
    assert any("introuvable" in p and "absent.geojson" in p for p in layers.problems)
    assert layers.qpv is not None and layers.epci is not None


def test_unreadable_file_and_missing_columns(tmp_path):
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("{ pas du json", encoding="utf-8")
    with pytest.raises(couches_officielles.LayerError, match="illisible.*garbage.geojson"):
        couches_officielles.read_layer(garbage, ("code",))
    no_columns = tmp_path / "sans_colonnes.geojson"
    square = {
        "type": "Feature",
        "properties": {"x": 1},
        "geometry": mapping(Polygon([(2.6, 50.5), (2.61, 50.5), (2.61, 50.51)])),
    }
    no_columns.write_text(json.dumps({"type": "FeatureCollection", "features": [square]}), encoding="utf-8")
    with pytest.raises(
        couches_officielles.LayerError, match="Colonnes manquantes dans sans_colonnes.geojson : code_qp"
    ):
        couches_officielles.load_qpv(no_columns, tmp_path / "absent.geojson")


def test_invalid_geometry_is_repaired_and_reported(tmp_path):
    bowtie = Polygon([(2.60, 50.50), (2.61, 50.51), (2.61, 50.50), (2.60, 50.51), (2.60, 50.50)])
    properties = {
        "code_qp": "QN06299M",
        "lib_qp": "Test",
        "insee_com": "62119",
        "lib_com": "Béthune",
        "siren_epci": "200072460",
    }
    path = tmp_path / "qpv.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": properties, "geometry": mapping(bowtie)}],
            }
        ),
        encoding="utf-8",
    )
    frame, messages = couches_officielles.load_qpv(path, tmp_path / "absent.geojson")
    assert frame.geometry.is_valid.all()
    assert any("Géométrie invalide réparée" in m and "QN06299M" in m for m in messages)
    assert any("absent.geojson" in m for m in messages)


def test_codes_are_read_without_geometry():
    assert len(couches_officielles.qpv_codes()) == 37
