"""The NPNRU quartiers known where a point is answered: « Ce lieu est-il en QPV ? », its CSV and its JSON."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from quartiers import settings
from quartiers.batch import OUTPUT_COLUMNS, locate_frame, point_record
from quartiers.couches_officielles import load_layers
from quartiers.zones import Locator, wgs84_to_lambert93
from tests.apptest_text import shown_text


@pytest.fixture(scope="module")
def locator():
    layers = load_layers()
    return Locator(layers.qpv, layers.epci)


@pytest.fixture(scope="module")
def west_of_mont_liebaut():
    """(lat, lon) of points 250, 420 and 600 m west of Mont Liébaut's westernmost vertex."""
    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    xy = shapely.get_coordinates(qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0])
    x0, y0 = xy[xy[:, 0].argmin()]
    points = gpd.GeoSeries(gpd.points_from_xy([x0 - 250, x0 - 420, x0 - 600], [y0] * 3), crs=settings.LAMBERT93)
    return [(p.y, p.x) for p in points.to_crs(settings.WGS84)]


def test_a_point_420_m_from_mont_liebaut_gets_the_rule_b_remark(locator, west_of_mont_liebaut):
    at_250, at_420, at_600 = (locator.locate(*point) for point in west_of_mont_liebaut)
    assert at_420.statut == "hors" and at_420.npnru_proche == "QN06208M"
    assert abs(at_420.distance_npnru_m - 420) <= 1
    assert at_250.statut == "bande" and at_250.npnru_proche is None  # in the band: rule (a) already answers
    assert at_600.npnru_proche is None
    record = point_record(at_420)
    assert "Le Mont-Liébaut à Béthune" in record["remarque_npnru"] and "Tester un programme" in record["remarque_npnru"]


def test_csv_gains_one_last_column(locator, west_of_mont_liebaut):
    import pandas as pd

    frame = pd.DataFrame({"latitude": [str(p[0]) for p in west_of_mont_liebaut],
                          "longitude": [str(p[1]) for p in west_of_mont_liebaut]})  # fmt: skip
    result = locate_frame(frame, locator)
    assert list(result.columns)[-1] == "remarque_npnru" == OUTPUT_COLUMNS[-1]
    assert [bool(v) for v in result["remarque_npnru"]] == [False, True, False]


def test_no_npnru_quartier_near_a_far_point(locator):
    x, y = wgs84_to_lambert93(np.array([2.3]), np.array([48.85]))
    assert locator.locate_many(x, y)[0].npnru_proche is None


def test_situer_page_says_what_rule_b_could_mean(west_of_mont_liebaut):
    lat, lon = west_of_mont_liebaut[1]
    at = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/situer.py")
    at.query_params["lat"], at.query_params["lon"] = f"{lat:.6f}", f"{lon:.6f}"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = shown_text(at)
    assert "quartier en renouvellement urbain (NPNRU" in shown and "entièrement à moins de 500 m" in shown
