"""The programme test on the real layers: each expectation computed here, independently, from densified limits.

Buildings are placed outward from a quartier's extreme vertex (west of Mont Liébaut, an NPNRU quartier; east
of Cité 2, which is not), where no other QPV lies within 800 m. The expected distances are brute-force minima
over the quartier's limit densified every 0.5 m (numpy, Lambert-93), not the module's shapely distances.
"""

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from quartiers import settings
from quartiers.formes.bilan_perimetre import load_reference
from quartiers.formes.lecture import Proposal
from quartiers.formes.programme import (
    CONDITIONS,
    ProgrammeError,
    ProgrammeReference,
    assess_programme,
    phrases,
    programme_from_features,
    read_programme,
    result_geojson,
)
from quartiers.npnru import read_npnru

MONT_LIEBAUT = "QN06208M"  # NPNRU, régional
CITE_2 = "QN06226M"  # not NPNRU


@pytest.fixture(scope="module")
def ref():
    return ProgrammeReference.build(load_reference())


def _quartier(ref, code):
    qpv = ref.reference.qpv
    return qpv.loc[qpv["code_qp"] == code].geometry.iloc[0]


def _limit_points(geometry, step=0.5):
    return shapely.get_coordinates(shapely.segmentize(geometry.boundary, step))


def farthest_m(building, quartier):
    """Max over the building's densified outline of the min distance to the quartier's densified limit."""
    limit = _limit_points(quartier)
    points = _limit_points(building)
    distances = np.sqrt(((points[:, None, :] - limit[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    return float(distances.max()), float(distances.min())


def west_of_mont_liebaut(ref, near, far, half=10.0):
    xy = shapely.get_coordinates(_quartier(ref, MONT_LIEBAUT))
    x0, y0 = xy[xy[:, 0].argmin()]
    return shapely.box(x0 - far, y0 - half, x0 - near, y0 + half)


def east_of_cite_2(ref, near, far, half=10.0):
    xy = shapely.get_coordinates(_quartier(ref, CITE_2))
    x0, y0 = xy[xy[:, 0].argmax()]
    return shapely.box(x0 + near, y0 - half, x0 + far, y0 + half)


def run(ref, *buildings, names=None):
    names = names or [f"Bâtiment {i}" for i in range(1, len(buildings) + 1)]
    frame = gpd.GeoDataFrame({"nom": names}, geometry=list(buildings), crs=settings.LAMBERT93)
    return assess_programme(Proposal(frame), ref)


def test_no_other_qpv_near_the_test_sites(ref):
    qpv = ref.reference.qpv
    for code, building in ((MONT_LIEBAUT, west_of_mont_liebaut(ref, 0, 600)), (CITE_2, east_of_cite_2(ref, 0, 600))):
        others = qpv.loc[qpv["code_qp"] != code]
        assert others.distance(building).min() > 800


def test_building_inside_mont_liebaut(ref):
    centre = _quartier(ref, MONT_LIEBAUT).representative_point()
    building = shapely.box(centre.x - 10, centre.y - 10, centre.x + 10, centre.y + 10)
    assert _quartier(ref, MONT_LIEBAUT).contains(building)
    v = run(ref, building).batiments[0]
    assert (v.dans_qpv, v.regle_a, v.code_qp, v.distance_max_m) == (True, True, MONT_LIEBAUT, 0)
    assert v.part_300m_pct == 100.0 and v.npnru
    assert "entièrement dans le QPV" in phrases(v, ref)[0]


def test_farthest_corner_280_m_from_cite_2(ref):
    building = east_of_cite_2(ref, 240, 280)
    expected, _ = farthest_m(building, _quartier(ref, CITE_2))
    assert 278 < expected < 290
    v = run(ref, building).batiments[0]
    assert v.regle_a and not v.dans_qpv and v.code_qp == CITE_2 and not v.npnru
    assert abs(v.distance_max_m - expected) <= 1
    assert v.regle_b is None and not v.a_la_limite


def test_straddling_cite_2_300_m_line(ref):
    building = east_of_cite_2(ref, 250, 350)
    farthest, nearest = farthest_m(building, _quartier(ref, CITE_2))
    assert nearest < 300 < farthest
    v = run(ref, building).batiments[0]
    assert v.regle_a is False and v.regle_b is None
    assert abs(v.distance_max_m - farthest) <= 1
    assert 0 < v.part_300m_pct < 100


def test_straddling_mont_liebaut_300_m_line_within_500(ref):
    building = west_of_mont_liebaut(ref, 250, 350)
    farthest, nearest = farthest_m(building, _quartier(ref, MONT_LIEBAUT))
    assert nearest < 300 < farthest < 500
    v = run(ref, building).batiments[0]
    assert v.regle_a is False and v.regle_b is True and v.code_qp == MONT_LIEBAUT and v.npnru
    assert v.part_500m_pct == 100.0 and abs(v.distance_max_m - farthest) <= 1
    assert "Le Mont-Liébaut à Béthune" in phrases(v, ref)[1]


def test_crossing_mont_liebaut_500_m_line(ref):
    building = west_of_mont_liebaut(ref, 250, 550)
    farthest, nearest = farthest_m(building, _quartier(ref, MONT_LIEBAUT))
    assert nearest < 300 and farthest > 500
    v = run(ref, building).batiments[0]
    assert v.regle_a is False and v.regle_b is False
    assert 0 < v.part_500m_pct < 100


def test_ensemble_250_and_420_m_from_mont_liebaut(ref):
    first, second = west_of_mont_liebaut(ref, 230, 250), west_of_mont_liebaut(ref, 400, 420, half=8)
    quartier = _quartier(ref, MONT_LIEBAUT)
    assert farthest_m(first, quartier)[0] < 290 and 399 < farthest_m(second, quartier)[1]
    assert farthest_m(second, quartier)[0] < 490
    programme = run(ref, first, second)
    a, b = programme.batiments
    assert (a.regle_a, b.regle_a) == (True, False)
    assert programme.ensemble.regle_a is False and programme.ensemble.regle_b is True
    assert programme.ensemble.code_qp == MONT_LIEBAUT
    assert abs(programme.ensemble.distance_max_m - farthest_m(second, quartier)[0]) <= 1


def test_building_at_295_m_is_at_the_limit(ref):
    building = east_of_cite_2(ref, 275, 295, half=3)
    expected, _ = farthest_m(building, _quartier(ref, CITE_2))
    assert 290 < expected < 300
    v = run(ref, building).batiments[0]
    assert v.regle_a and v.a_la_limite
    assert any(line.startswith("À la limite") for line in phrases(v, ref))


def test_building_outside_the_territory_gets_the_remark(ref):
    v = run(ref, shapely.box(650_000, 7_100_000, 650_020, 7_100_020)).batiments[0]
    assert v.hors_territoire and v.regle_a is False and v.regle_b is None and v.code_qp is None
    assert "hors des agglomérations CABBALR et CALL" in phrases(v, ref)[-1]


def test_json_structure_is_the_issues(ref):
    data = run(ref, west_of_mont_liebaut(ref, 230, 250), west_of_mont_liebaut(ref, 400, 420)).as_json()
    types = {"nom": str, "dans_qpv": bool, "regle_a": bool, "npnru": bool, "distance_max_m": int,
             "part_300m_pct": float, "part_500m_pct": float, "a_la_limite": bool}  # fmt: skip
    for item in data["batiments"]:
        for key, kind in types.items():
            assert isinstance(item[key], kind), key
        assert item["regle_b"] in (True, False, None) and isinstance(item["code_qp"], str | None)
    assert set(data["ensemble"]) >= {"regle_a", "regle_b", "code_qp", "npnru", "distance_max_m", "a_la_limite"}


def test_geojson_export_holds_buildings_points_and_lines(ref):
    programme = run(ref, west_of_mont_liebaut(ref, 250, 350))
    features = json.loads(result_geojson(programme, ref))["features"]
    parties = [f["properties"]["partie"] for f in features]
    assert parties.count("batiment") == 1 and "point_le_plus_loin" in parties
    assert {"ligne_300m", "ligne_500m", "ensemble"} <= set(parties)
    kinds = {f["geometry"]["type"] for f in features if f["properties"]["partie"].startswith("ligne")}
    assert kinds <= {"LineString", "MultiLineString"}  # valid GeoJSON: a LinearRing is not
    ensemble = next(f for f in features if f["properties"]["partie"] == "ensemble")
    assert ensemble["properties"]["conditions"] == list(CONDITIONS)


def _feature(x, y, size=0.0002, **properties):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_default_names_are_buildings():
    proposal = programme_from_features([_feature(2.63, 50.52), _feature(2.64, 50.52, nom="Les Tilleuls")])
    assert list(proposal.frame["nom"]) == ["Bâtiment 1", "Les Tilleuls"]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([_feature(2.63, 50.52, size=0.004)], "Tester un périmètre"),
        ([_feature(2.63, 50.52), _feature(2.63001, 50.52001)], "se recouvrent"),
        ([{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [2.63, 50.52]}}],
         "points ou des lignes"),
    ],
)  # fmt: skip
def test_bad_footprints_get_a_french_message(features, message):
    with pytest.raises(ProgrammeError, match=message):
        programme_from_features(features)


def test_empty_file_and_200_buildings():
    with pytest.raises(ProgrammeError, match="vide"):
        read_programme(b'{"type": "FeatureCollection", "features": []}', "vide.geojson")
    features = [_feature(2.60 + (i % 20) * 0.001, 50.50 + (i // 20) * 0.001) for i in range(200)]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    assert len(read_programme(data, "programme.geojson").frame) == 200


def test_npnru_list_names_five_quartiers_of_the_layer(ref):
    sites = read_npnru()
    assert list(sites) == ["QN06208M", "QN06211M", "QN06224M", "QN06219M", "QN06228M"]
    assert set(sites) <= set(ref.reference.qpv["code_qp"])
    assert {s.interet for s in sites.values()} == {"national", "régional"}


def test_npnru_file_is_the_shared_copy():
    shared = settings.ROOT.parent / "shared" / "geodata" / "npnru_cabbalr_call.csv"
    if not shared.exists():
        pytest.skip("no shared copy on this machine")
    assert settings.NPNRU_FILE.read_bytes() == shared.read_bytes()


def test_building_partly_inside_and_otherwise_within_300_m_counts_as_within(ref):
    building = west_of_mont_liebaut(ref, -40, 120)  # from 40 m inside the westernmost vertex to 120 m outside
    quartier = _quartier(ref, MONT_LIEBAUT)
    assert building.intersects(quartier) and not quartier.contains(building)
    farthest, _ = farthest_m(building, quartier)
    v = run(ref, building).batiments[0]
    assert v.regle_a and not v.dans_qpv and v.code_qp == MONT_LIEBAUT
    assert abs(v.distance_max_m - farthest) <= 1 and v.part_300m_pct == 100.0


def test_ensemble_at_the_500_m_line_is_at_the_limit(ref):
    building = west_of_mont_liebaut(ref, 280, 496, half=3)
    farthest, nearest = farthest_m(building, _quartier(ref, MONT_LIEBAUT))
    assert nearest < 290 and 490 < farthest < 500
    v = run(ref, building).batiments[0]
    assert v.regle_b is True and v.a_la_limite
