"""The folium map: served without CDN, layers told apart without colour alone, display simplification measured."""

import dataclasses
import hashlib
import json
import re
from urllib.parse import unquote

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from quartiers import couches_officielles, maps, settings


@pytest.fixture(scope="module")
def layers():
    return couches_officielles.load_layers()


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


def test_map_scripts_are_one_file_joining_leaflet_gestures_and_carte_in_order(tmp_path):
    (name, url), *rest = maps.map_scripts(tmp_path, "/app/static/essai")
    assert rest == [] and name == "carte"
    written = tmp_path / url.rsplit("/", 1)[1]
    assert url == f"/app/static/essai/{written.name}" and oct(written.stat().st_mode & 0o777) == "0o644"
    content = written.read_text(encoding="utf-8")
    assert written.name == f"carte-{hashlib.sha256(content.encode()).hexdigest()[:12]}.js"  # cached for good
    parts = [
        settings.LEAFLET_DIR / "leaflet.js",
        settings.GESTURE_HANDLING_DIR / "leaflet-gesture-handling.min.js",
        settings.STATIC_DIR / "carte" / "carte.js",
    ]
    starts = []
    for path in parts:  # each file whole, source-map comments aside, in the order they must run
        lines = [x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith("//# sourceMappingURL")]
        body = "\n".join(lines)
        assert body in content, path
        starts.append(content.index(body))
    assert starts == sorted(starts)
    assert "sourceMappingURL" not in content
    assert maps.map_scripts(tmp_path, "/app/static/essai") == [(name, url)]  # written once, same address


def test_map_scripts_fall_back_to_the_separate_files_when_the_folder_cannot_be_written(tmp_path):
    blocked = tmp_path / "fichier"
    blocked.write_text("pas un dossier")
    urls = [url for _, url in maps.map_scripts(blocked / "couches")]
    assert [url.split("?")[0].rsplit("/", 1)[1] for url in urls] == [
        "leaflet.js",
        "leaflet-gesture-handling.min.js",
        "carte.js",
    ]


def test_the_qpv_file_is_fetched_while_the_scripts_load_and_only_layer_files_can_be(display):
    urls = {"qpv": "/app/static/couches/qpv-0123.geojson", "bande": "/app/static/couches/bande-4567.geojson"}
    fmap = maps.build_map(display, urls)
    (first, early), *scripts = fmap.default_js
    assert first == "precharge" and [name for name, _ in scripts] == [name for name, _ in maps.map_scripts()]
    assert early.startswith("data:text/javascript")  # run at once, no request of its own
    script = unquote(early.split(",", 1)[1])
    assert json.dumps([urls["qpv"]]) in script and urls["bande"] not in script  # the layer drawn first, only
    assert "window.carteQuartiersPrecharge" in script
    assert [name for name, _ in maps.build_map(display).default_js] == ["carte"]  # layers embedded: nothing early
    for foreign in ("https://exemple.org/qpv.geojson", "javascript:alert(1)", "/app/static/carte/carte.js"):
        with pytest.raises(ValueError):
            maps.early_fetch_script([foreign])
    # A quote in a name stays inside its JSON string: the script cannot be broken out of.
    odd = unquote(maps.early_fetch_script(['/app/static/couches/a"];alert(1);//.geojson'])[1].split(",", 1)[1])
    assert '["/app/static/couches/a\\"];alert(1);//.geojson"]' in odd


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
        "Quartier ou lieu choisi",
    ):
        assert words in html
    # The selection's swatch is drawn in the selection's own colours (black outline, yellow fill).
    assert f'fill="{maps.STYLE_SELECTION["fillColor"]}"' in html and f'stroke="{maps.STYLE_SELECTION["color"]}"' in html


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


def test_layers_are_published_once_as_static_files_named_by_content(display, tmp_path):
    urls = maps.publish_layers(display, tmp_path, "/app/static/couches")
    assert set(urls) == {"qpv", "voisins", "bande", "bande500", "communes", "epci", "etiquettes"}  # no QIC published
    for name, url in urls.items():
        path = tmp_path / url.rsplit("/", 1)[1]
        assert url.startswith("/app/static/couches/") and path.exists()
        assert json.loads(path.read_text(encoding="utf-8")) == getattr(display, name)
    written = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert maps.publish_layers(display, tmp_path, "/app/static/couches") == urls
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == written  # not rewritten


def test_map_with_layer_urls_carries_no_geometry(display, tmp_path):
    """What a rerun sends for the map is its script: the layers are fetched by URL, not embedded."""
    from streamlit_folium import _get_map_string

    urls = maps.publish_layers(display, tmp_path, "/app/static/couches")
    fmap = maps.build_map(display, urls)
    fmap.get_root().render()
    script = _get_map_string(fmap)
    for url in urls.values():
        assert url in script
    assert '"coordinates"' not in script and "FeatureCollection" not in script
    assert len(script.encode()) < 12_000


def test_qpv_pane_is_above_the_band_and_the_selection_above_all_layers():
    assert maps.PANES["qpv"] > maps.PANES["bande"] and maps.PANES["qpv"] > maps.PANES["communes"]
    assert maps.PANES["selection"] > max(v for k, v in maps.PANES.items() if k not in ("selection", "etiquettes"))


def test_only_one_background_is_on_the_map_at_start(display):
    """The switch must show the background really displayed: the plain one is off while tiles are on."""

    def plain_background(fmap):
        return next(c for c in fmap._children.values() if getattr(c, "layer_name", "").startswith("Fond neutre"))

    online = maps.build_map(display)
    assert "Plan OpenStreetMap (en ligne)" in online.get_root().render()
    assert plain_background(online).overlay is False and plain_background(online).show is False
    assert plain_background(maps.build_map(display, with_tiles=False)).show is True


def test_presentation_mode_enlarges_the_map_legend_by_half_at_least(display):
    normal = maps.build_map(display).get_root().render()
    large = maps.build_map(display, presentation=True).get_root().render()
    size = lambda html: int(re.search(r'"fontPx": (\d+)', html).group(1))  # noqa: E731
    assert size(large) >= 1.5 * size(normal)


def test_text_from_a_data_file_reaches_the_map_escaped(display):
    """A name in qic.geojson with markup must stay text: JSON-escaped in the script, drawn as a text node."""
    hostile = "<img src=x onerror=alert(1)>Catorive"
    square = {"type": "Polygon", "coordinates": [[[2.6, 50.5], [2.61, 50.5], [2.61, 50.51], [2.6, 50.51], [2.6, 50.5]]]}
    qic = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": square, "properties": {"id": "x", "nom": hostile, "couche": "qic"}}
        ],
    }
    html = maps.build_map(dataclasses.replace(display, qic=qic)).get_root().render()
    assert hostile not in html and "<img src=x" not in html
    assert json.dumps(hostile).replace("<", "\\u003c").replace(">", "\\u003e") in html
    script = (settings.STATIC_DIR / "carte" / "carte.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script.replace("div.innerHTML = o.legend", "")  # the legend is our own, escaped HTML
    assert "createTextNode(String(value))" in script and "text.textContent = feature.properties.nom" in script


def test_commune_labels_are_one_point_inside_each_commune(layers, display):
    points = gpd.GeoDataFrame.from_features(display.etiquettes["features"], crs=settings.WGS84)
    assert sorted(points["nom"]) == sorted(layers.communes["nom"])
    communes = layers.communes.set_index("nom").geometry.to_crs(settings.WGS84)
    for nom, point in zip(points["nom"], points.geometry, strict=True):
        assert communes[nom].buffer(1e-4).contains(point), nom


def _map_args(at) -> dict:
    (component,) = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    return json.loads(component.proto.json_args)


def test_a_new_search_recentres_the_map_even_on_the_same_quartier():
    """st_folium applies a view only when its value is new: each search (vue_version) makes it new."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=120)
    at.query_params["quartier"] = "QN06208M"
    at.run()
    first = _map_args(at)
    at.session_state["vue_version"] = 1  # what state.request_view() does on a search
    at.run()
    again = _map_args(at)
    assert again["center"] != first["center"] and again["zoom"] != first["zoom"]
    assert abs(again["center"][0] - first["center"][0]) < 1e-6 and round(again["zoom"]) == round(first["zoom"])
    assert again["script"] == first["script"]  # same map: not reloaded


def test_the_selection_changes_the_map_by_its_code_only():
    """Two quartiers selected in turn: the map's script is the same, the added group names the code, no geometry."""
    from streamlit.testing.v1 import AppTest

    scripts, groups = [], []
    for code in ("QN06208M", "QN06209M"):
        at = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=120)
        at.query_params["quartier"] = code
        at.run()
        args = _map_args(at)
        scripts.append(args["script"])
        groups.append(args["feature_group"])
    assert scripts[0] == scripts[1]
    assert '"QN06208M"' in groups[0] and '"QN06209M"' in groups[1]
    assert all("coordinates" not in group and len(group) < 2_000 for group in groups)


def test_500_m_band_of_the_npnru_quartiers_is_off_at_start_and_in_the_legend(display):
    from quartiers.npnru import read_npnru

    codes = {f["properties"]["code_qp"] for f in display.bande500["features"]}
    assert codes == set(read_npnru())
    html = maps.build_map(display, with_tiles=False).get_root().render()
    assert maps.BANDE_500M_TITLE in html
    labels = [label for _, label in maps.legend_entries(display)]
    assert any(label.startswith(maps.BANDE_500M_TITLE) for label in labels)
    group = next(
        child
        for child in maps.build_map(display, with_tiles=False)._children.values()
        if getattr(child, "layer_name", None) == maps.BANDE_500M_TITLE
    )
    assert group.show is False
