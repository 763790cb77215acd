"""The folium map: served without CDN, layers told apart without colour alone, display simplification measured."""

import json

import pytest
import shapely
from shapely.geometry import shape

from quartiers import maps, perimeters, settings


@pytest.fixture(scope="module")
def layers():
    return perimeters.load_layers()


@pytest.fixture(scope="module")
def display(layers):
    return maps.display_layers(layers)


def test_map_loads_leaflet_from_the_app_not_from_a_cdn(display):
    fmap = maps.build_map(display)
    fmap.get_root().render()
    links = [url for _, url in fmap.default_js + fmap.default_css]
    assert links and all(url.startswith("/app/static/") for url in links)
    for child in fmap._children.values():
        for _, url in getattr(child, "default_js", []) + getattr(child, "default_css", []):
            pytest.fail(f"{type(child).__name__} would load {url}")


def test_leaflet_assets_are_installed_where_the_map_expects_them():
    assert (settings.LEAFLET_DIR / "leaflet.js").exists(), "run `make setup`"
    assert (settings.LEAFLET_DIR / "leaflet.css").exists()


def test_layers_differ_by_line_pattern_not_only_colour():
    patterns = {
        name: (style.get("dashArray"), style.get("fill", True), style["weight"])
        for name, style in {
            "qpv": maps.STYLE_QPV,
            "bande": maps.STYLE_BANDE,
            "voisin": maps.STYLE_VOISIN,
            "commune": maps.STYLE_COMMUNE,
            "epci": maps.STYLE_EPCI,
            "qic": maps.STYLE_QIC,
        }.items()
    }
    assert len(set(patterns.values())) == len(patterns)
    assert maps.STYLE_BANDE["dashArray"]  # the band is dashed (RGAA 3.1)


def test_every_feature_carries_its_layer_and_code(display):
    assert len(display.qpv["features"]) == 37 and len(display.voisins["features"]) == 4
    assert len(display.bande["features"]) == 41
    for feature in display.qpv["features"]:
        assert feature["properties"]["couche"] == "qpv" and feature["properties"]["code_qp"].startswith("QN062")


def test_display_simplification_stays_within_its_stated_tolerance(layers, display):
    """The browser shapes are within 1 m (+ rounding) of the official ones, measured in Lambert-93."""
    official = layers.qpv[~layers.qpv["voisin"]].to_crs(settings.LAMBERT93).set_index("code_qp").geometry
    import geopandas as gpd

    shown = gpd.GeoDataFrame.from_features(display.qpv["features"], crs=settings.WGS84).to_crs(settings.LAMBERT93)
    worst = max(
        shapely.hausdorff_distance(official[code], geom)
        for code, geom in zip(shown["code_qp"], shown.geometry, strict=True)
    )
    assert worst <= settings.DISPLAY_TOLERANCE_METRES + 0.2


def test_legend_names_every_layer_in_french(display):
    html = maps.legend_html(display)
    for words in (
        "QPV 2024",
        "Bande des 300 m (indicative)",
        "QPV voisin, hors contrats",
        "généralisés à 100 m",
        "QIC non publiés",
    ):
        assert words in html


def test_view_fits_a_quartier_and_the_territory(display):
    mont_liebaut = maps.feature_for(display, "QN06208M")
    centre, zoom = maps.view_for_bounds(maps.feature_bounds(mont_liebaut))
    assert shape(mont_liebaut["geometry"]).buffer(0.002).contains(shapely.Point(centre[1], centre[0]))
    assert 13 <= zoom <= 16
    _, territory_zoom = maps.view_for_bounds(display.bounds)
    assert territory_zoom < zoom


def test_map_payload_size_is_bounded(display):
    """What the browser receives for the layers: measured, and kept under 600 kB."""
    size = sum(len(json.dumps(getattr(display, name))) for name in ("qpv", "voisins", "bande", "communes", "epci"))
    assert size < 600_000
