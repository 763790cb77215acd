"""The 300 m band and point look-ups: closed-form geometry first, then the real couches_officielles."""

import math
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box

from quartiers import answers, couches_officielles, settings, zones

TO_WGS84 = Transformer.from_crs(settings.LAMBERT93, settings.WGS84, always_xy=True)


@pytest.fixture(scope="module")
def qpv():
    frame, _ = couches_officielles.load_qpv()
    return frame


@pytest.fixture(scope="module")
def qpv_l93(qpv):
    return qpv.to_crs(settings.LAMBERT93).set_index("code_qp")


@pytest.fixture(scope="module")
def locator(qpv):
    epci, _ = couches_officielles.load_epci()
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
    communes, _ = couches_officielles.load_communes()
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


# --- every answer consistent with an independent geometry ---------------------------------------------------------

TO_L93 = Transformer.from_crs(settings.WGS84, settings.LAMBERT93, always_xy=True)
HORS = "hors des agglomérations CABBALR et CALL"


def _read_l93(path) -> gpd.GeoDataFrame:
    """A geodata/ file projected to Lambert-93 with pyproj directly (not with quartiers' own code)."""
    frame = gpd.read_file(path)
    projected = [
        shapely.transform(g, lambda xy: np.column_stack(TO_L93.transform(xy[:, 0], xy[:, 1]))) for g in frame.geometry
    ]
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=projected, crs=settings.LAMBERT93)


@pytest.fixture(scope="module")
def independent():
    """QPV (contracts and neighbours) and the EPCI union, in Lambert-93, read without quartiers.couches_officielles."""
    qpv = pd.concat([_read_l93(settings.QPV_FILE), _read_l93(settings.QPV_VOISINS_FILE)], ignore_index=True)
    territory = shapely.union_all(_read_l93(settings.EPCI_FILE).geometry.values)
    return qpv, territory


def _sample_points(qpv: gpd.GeoDataFrame, territory, rng: np.random.Generator) -> np.ndarray:
    """Lambert-93 points around every QPV, around its band's outer edge, and across the EPCI borders."""
    points = []
    for geometry in qpv.geometry:
        minx, miny, maxx, maxy = geometry.buffer(400).bounds
        points.append(np.column_stack([rng.uniform(minx, maxx, 40), rng.uniform(miny, maxy, 40)]))
        edge = geometry.buffer(settings.BAND_METRES, quad_segs=32).exterior
        for fraction in rng.uniform(0, 1, 30):
            p = edge.interpolate(fraction, normalized=True)
            angle = rng.uniform(0, 2 * np.pi)
            radius = rng.uniform(0, 25)
            points.append([[p.x + radius * np.cos(angle), p.y + radius * np.sin(angle)]])
    border = shapely.boundary(territory)
    for fraction in rng.uniform(0, 1, 800):
        p = border.interpolate(fraction, normalized=True)
        angle, radius = rng.uniform(0, 2 * np.pi), rng.uniform(0, 500)
        points.append([[p.x + radius * np.cos(angle), p.y + radius * np.sin(angle)]])
    return np.vstack(points)


def _expected(point, qpv: gpd.GeoDataFrame, territory) -> dict | None:
    """The answer from the rule itself (None when the point is too close to a threshold to be decided)."""
    distances = qpv.geometry.distance(point).to_numpy()
    order = np.argsort(distances)
    nearest = int(order[0])
    if distances[order[1]] - distances[nearest] < 0.5 and distances[nearest] > 0:
        return None  # two QPV at the same distance: either is right
    inside = distances[nearest] == 0
    to_limit = qpv.geometry.iloc[nearest].boundary.distance(point)
    band, tolerance = settings.BAND_METRES, settings.LIMIT_TOLERANCE_METRES
    near_threshold = [abs(to_limit - t) < 0.5 for t in (tolerance, band - tolerance, band + tolerance)]
    if any(near_threshold) or territory.boundary.distance(point) < 0.5:
        return None
    if to_limit <= tolerance:
        statut = "limite"
    elif inside:
        statut = "dans"
    elif abs(to_limit - band) <= tolerance:
        statut = "limite"
    elif to_limit <= band:
        statut = "bande"
    else:
        statut = "hors"
    return dict(
        statut=statut,
        code_qp=qpv["code_qp"].iloc[nearest],
        dans_qpv=bool(inside),
        dans_bande_300m=bool(not inside and to_limit <= band),
        distance=to_limit,
        hors_agglomerations=not territory.intersects(point),
    )


def test_answers_match_independent_geometry_on_thousands_of_points(locator, independent):
    """Around every QPV, its band's outer edge and the EPCI borders, the status comes from geometry alone."""
    qpv, territory = independent
    rng = np.random.default_rng(2030)
    xy = _sample_points(qpv, territory, rng)
    lon, lat = TO_WGS84.transform(xy[:, 0], xy[:, 1])
    back_x, back_y = TO_L93.transform(lon, lat)
    answers = [locator.locate(la, lo) for la, lo in zip(lat, lon, strict=True)]
    checked = Counter()
    for x, y, answer in zip(back_x, back_y, answers, strict=True):
        expected = _expected(Point(x, y), qpv, territory)
        if expected is None:
            continue
        assert answer.statut == expected["statut"], (x, y, answer, expected)
        assert answer.code_qp == expected["code_qp"], (x, y, answer, expected)
        assert answer.dans_qpv == expected["dans_qpv"]
        assert answer.dans_bande_300m == expected["dans_bande_300m"]
        assert abs(answer.distance_limite_m - expected["distance"]) <= 0.51
        assert answer.hors_agglomerations == expected["hors_agglomerations"]
        assert answer.remarque == (HORS if expected["hors_agglomerations"] else "")
        checked[(answer.statut, answer.hors_agglomerations)] += 1
    assert sum(checked.values()) > 3000, checked
    # Every status was met, inside and outside the agglomerations where the geometry allows it.
    for key in [("dans", False), ("bande", False), ("hors", False), ("limite", False), ("bande", True), ("hors", True)]:
        assert checked[key] > 10, checked


def test_fields_of_one_answer_agree(locator, independent):
    """dans ⇔ dans_qpv; bande ⇔ in band; hors ⇔ neither; the distance fits the status."""
    qpv, territory = independent
    xy = _sample_points(qpv, territory, np.random.default_rng(7))
    lon, lat = TO_WGS84.transform(xy[:, 0], xy[:, 1])
    for answer in (locator.locate(la, lo) for la, lo in zip(lat, lon, strict=True)):
        d, tolerance, band = answer.distance_limite_m, settings.LIMIT_TOLERANCE_METRES, settings.BAND_METRES
        assert answer.code_qp and answer.nom_qp and answer.motif is None
        if answer.statut == "dans":
            assert answer.dans_qpv and not answer.dans_bande_300m and d >= tolerance
        elif answer.statut == "bande":
            assert answer.dans_bande_300m and not answer.dans_qpv and tolerance <= d <= band - tolerance
        elif answer.statut == "hors":
            assert not answer.dans_qpv and not answer.dans_bande_300m and d >= band + tolerance
        else:
            assert answer.statut == "limite" and answer.limite in ("qpv", "bande")
            assert d <= tolerance + 1 if answer.limite == "qpv" else abs(d - band) <= tolerance + 1


def _band_outside_point(code: str) -> tuple[float, float]:
    """(lat, lon) of a point 150 m from QPV `code`, outside CABBALR and CALL, far from every other QPV."""
    qpv = pd.concat([_read_l93(settings.QPV_FILE), _read_l93(settings.QPV_VOISINS_FILE)], ignore_index=True)
    territory = shapely.union_all(_read_l93(settings.EPCI_FILE).geometry.values)
    ring = qpv.loc[qpv["code_qp"] == code].geometry.iloc[0].buffer(150, quad_segs=64).exterior
    others = qpv.loc[qpv["code_qp"] != code].geometry
    for f in np.linspace(0, 1, 2000, endpoint=False):
        p = ring.interpolate(f, normalized=True)
        if territory.distance(p) > 5 and others.distance(p).min() > settings.BAND_METRES + 20:
            lon, lat = TO_WGS84.transform(p.x, p.y)
            return lat, lon
    raise AssertionError(code)


@pytest.mark.parametrize("code", ["QN06245M", "QN06247M", "QN06243M"])
def test_band_reaching_outside_the_agglomerations_answers_bande(locator, independent, code):
    """Points 150 m from these CALL QPV, in CAHC communes: `bande` with that QPV's code, plus the remark."""
    qpv, territory = independent
    geometry = qpv.loc[qpv["code_qp"] == code].geometry.iloc[0]
    others = qpv.loc[qpv["code_qp"] != code].geometry
    ring = geometry.buffer(150, quad_segs=64).exterior
    candidates = [ring.interpolate(f, normalized=True) for f in np.linspace(0, 1, 2000, endpoint=False)]
    outside = [
        p for p in candidates if territory.distance(p) > 5 and others.distance(p).min() > settings.BAND_METRES + 20
    ]
    assert len(outside) >= 5, f"{code}: its band reaches outside CABBALR and CALL"
    for p in outside[:: max(1, len(outside) // 20)]:
        lon, lat = TO_WGS84.transform(p.x, p.y)
        answer = locator.locate(lat, lon)
        assert answer.statut == "bande" and answer.code_qp == code, answer
        assert answer.dans_bande_300m and answer.hors_agglomerations
        assert abs(answer.distance_limite_m - 150) <= 1
        text = answers.describe(answer)
        assert "dans la bande des 300 m" in text and HORS in text and code in text


@pytest.mark.parametrize(
    ("lat", "lon", "statut"),
    [
        (-90, 0, "hors"),
        (90, 0, "hors"),
        (-90, -180, "hors"),
        (0, 180, "hors"),
        (0, -180, "hors"),
        (float("nan"), 2.6, "invalide"),
        (50.5, float("inf"), "invalide"),
        (float("-inf"), 2.6, "invalide"),
        (1e308, 1e308, "invalide"),
        (91, 2.6, "invalide"),
        (50.5, -181, "invalide"),
    ],
)
def test_any_coordinate_gets_an_answer_without_error(locator, lat, lon, statut):
    answer = locator.locate(lat, lon)
    assert answer.statut == statut
    if statut == "hors":
        assert answer.hors_agglomerations and not answer.dans_qpv and not answer.dans_bande_300m
    else:
        assert answer.motif and answer.code_qp is None
    assert answers.describe(answer)
