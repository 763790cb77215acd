"""The 300 m band and point look-ups: closed-form geometry first, then the real perimeters."""

import math

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box

from quartiers import perimeters, settings, zones

TO_WGS84 = Transformer.from_crs(settings.LAMBERT93, settings.WGS84, always_xy=True)


@pytest.fixture(scope="module")
def qpv():
    frame, _ = perimeters.load_qpv()
    return frame


@pytest.fixture(scope="module")
def qpv_l93(qpv):
    return qpv.to_crs(settings.LAMBERT93).set_index("code_qp")


@pytest.fixture(scope="module")
def locator(qpv):
    epci, _ = perimeters.load_epci()
    return zones.Locator(qpv, epci)


def lambert_to_latlon(x, y):
    lon, lat = TO_WGS84.transform(x, y)
    return lat, lon


def test_square_band_area_is_closed_form():
    square = gpd.GeoDataFrame(
        {"code_qp": ["X"]}, geometry=[box(700000, 7000000, 700100, 7000100)], crs=settings.LAMBERT93
    )
    ring = zones.band(square).to_crs(settings.LAMBERT93).geometry.iloc[0]
    expected = 4 * 100 * 300 + math.pi * 300**2  # the square itself is excluded
    # The rounded corners are 64-sided polygons: their area falls short of pi r2 by 0.16 %.
    assert ring.area == pytest.approx(expected, rel=2e-3)
    assert ring.area < expected


@pytest.mark.parametrize("crs", [settings.WGS84, settings.WEB_MERCATOR, "EPSG:4171"])
def test_buffer_in_degrees_or_web_mercator_is_refused(crs):
    square = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=crs)
    with pytest.raises(zones.CrsError):
        zones.require_metric_crs(square)


def test_lambert93_is_accepted():
    zones.require_metric_crs(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=settings.LAMBERT93))


def test_band_from_degrees_input_is_computed_in_lambert93():
    """A 100 m square given in WGS84 still gets a ring of 300 m, not 300 degrees nor Web Mercator metres."""
    square_l93 = gpd.GeoSeries([box(700000, 7050000, 700100, 7050100)], crs=settings.LAMBERT93)
    square = gpd.GeoDataFrame({"code_qp": ["X"]}, geometry=square_l93.to_crs(settings.WGS84), crs=settings.WGS84)
    ring = zones.band(square)
    assert ring.crs.to_epsg() == 4326
    assert ring.to_crs(settings.LAMBERT93).area.iloc[0] == pytest.approx(120000 + math.pi * 90000, rel=2e-3)


def test_band_has_one_feature_per_qpv_and_never_covers_its_own_qpv(qpv, qpv_l93):
    rings = zones.band(qpv).to_crs(settings.LAMBERT93).set_index("code_qp")
    assert sorted(rings.index) == sorted(qpv["code_qp"])
    for code, ring in rings.geometry.items():
        assert ring.intersection(qpv_l93.geometry[code]).area < 1.0, code


def _point_outside(qpv_l93, code, metres):
    """A point at `metres` from the QPV limit, outside it, and farther from every other QPV."""
    polygon = qpv_l93.geometry[code]
    others = qpv_l93.drop(index=code).geometry
    ring = polygon.buffer(metres, quad_segs=32).exterior
    for fraction in [i / 50 for i in range(50)]:
        point = ring.interpolate(fraction, normalized=True)
        if others.distance(point).min() > metres + 50:
            return point
    raise AssertionError("no isolated point found")


@pytest.mark.parametrize("metres,in_band", [(290, True), (310, False)])
def test_point_at_distance_from_mont_liebaut_and_its_band(qpv, qpv_l93, metres, in_band):
    point = _point_outside(qpv_l93, "QN06208M", metres)
    assert qpv_l93.geometry["QN06208M"].distance(point) == pytest.approx(metres, abs=0.5)
    ring = zones.band(qpv[qpv["code_qp"] == "QN06208M"]).to_crs(settings.LAMBERT93).geometry.iloc[0]
    assert ring.buffer(0.01).contains(point) is in_band


def test_interior_of_mont_liebaut_is_dans(locator, qpv_l93):
    inside = qpv_l93.geometry["QN06208M"].representative_point()
    answer = locator.locate(*lambert_to_latlon(inside.x, inside.y))
    assert answer.statut == "dans" and answer.code_qp == "QN06208M" and answer.dans_qpv
    assert answer.distance_limite_m == round(qpv_l93.geometry["QN06208M"].boundary.distance(inside))


@pytest.mark.parametrize("metres,statut", [(150, "bande"), (450, "hors")])
def test_points_outside_mont_liebaut(locator, qpv_l93, metres, statut):
    point = _point_outside(qpv_l93, "QN06208M", metres)
    answer = locator.locate(*lambert_to_latlon(point.x, point.y))
    assert answer.statut == statut
    assert answer.code_qp == "QN06208M"
    assert abs(answer.distance_limite_m - metres) <= 1


def test_point_a_few_metres_from_the_limit_is_a_limit_case(locator, qpv_l93):
    point = _point_outside(qpv_l93, "QN06208M", 5)
    answer = locator.locate(*lambert_to_latlon(point.x, point.y))
    assert answer.statut == "limite" and answer.limite == "qpv"


def test_point_in_arras_is_hors_with_the_territory_remark(locator):
    answer = locator.locate(50.2910, 2.7775)
    assert answer.statut == "hors" and answer.hors_agglomerations
    assert answer.remarque == "hors des agglomérations CABBALR et CALL"
    assert not answer.dans_qpv and not answer.dans_bande_300m


def test_neighbouring_qpv_band_counts_inside_call(locator, qpv_l93):
    """Billy-Montigny (CALL) about 250 m from Nouméa (CAHC, Rouvroy): in that neighbour's band."""
    communes, _ = perimeters.load_communes()
    billy = communes[communes["nom"] == "Billy-Montigny"].to_crs(settings.LAMBERT93).geometry.iloc[0]
    ring = qpv_l93.geometry["QN06246M"].buffer(250, quad_segs=32).exterior
    others = qpv_l93.drop(index="QN06246M").geometry
    candidates = [ring.interpolate(i / 200, normalized=True) for i in range(200)]
    point = next(p for p in candidates if billy.buffer(-20).contains(p) and others.distance(p).min() > 320)
    answer = locator.locate(*lambert_to_latlon(point.x, point.y))
    assert answer.statut == "bande"
    assert answer.code_qp == "QN06246M" and answer.voisin
    assert "hors contrats" in answer.contrat
    assert abs(answer.distance_limite_m - 250) <= 1


def test_nan_coordinates_are_invalid(locator):
    answers = locator.locate_many(shapely.get_coordinates(Point(0, 0))[:, 0] * float("nan"), [float("nan")])
    assert answers[0].statut == "invalide"
