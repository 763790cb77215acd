"""Hostile files, links and fields (issue 15): each refused in French, without reading the server or the network.

The attack files are built here, in the tests, never committed. A local listener stands for any address the
server could reach: it must receive no request. Costs are measured in a subprocess (time, peak memory).
"""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import box, mapping
from streamlit.testing.v1 import AppTest

from quartiers import garde, gdal_config, settings
from quartiers.coordonnees import CoordinateError, read_entry
from quartiers.formes.bilan_perimetre import evaluate_file, load_reference
from quartiers.formes.lecture import MAX_PARTS, ProposalError, proposal_from_features, read_proposal
from quartiers.geocoding import geocode
from quartiers.search import MAX_QUERY_CHARS

L93 = settings.LAMBERT93
APP = str(settings.ROOT / "app.py")
SECRETS = ("root:", "/bin/bash", "PATH=", "[server]", "maxUploadSize")
FRENCH_WORDS = (
    "fichier",
    "Fichier",
    "format",
    "GeoJSON",
    "KML",
    "GeoPackage",
    "Shapefile",
    "Coordonnée",
    "système",
    "Système",
)


@pytest.fixture(scope="module")
def listener():
    """A local HTTP server that records every request it receives (none must arrive)."""
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            received.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"name,wkt\nsecret,POLYGON((0 0,1 0,1 1,0 0))\n")

        do_GET = do_HEAD = _record

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def vrt(source: str) -> bytes:
    return (
        f"<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>{source}</SrcDataSource>"
        "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def gdalg(source: str) -> bytes:
    return json.dumps(
        {"type": "gdal_streamed_alg", "command_line": f"gdal vector pipeline ! read {source} ! write streamed_dataset"}
    ).encode()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


TARGETS = [
    "CSV:/etc/passwd",
    "/etc/passwd",
    "/proc/self/environ",
    "CSV:" + str(settings.ROOT / "geodata" / "filosofi2021_communes_62.csv"),
    str(settings.ROOT / ".streamlit" / "config.toml"),
]


def hostile_files(target: str) -> list[tuple[str, bytes]]:
    """The same attack under every extension we accept, and inside a zip."""
    files = []
    for extension in ("json", "geojson", "kml", "gpkg"):
        files.append((f"proposition.{extension}", vrt(target)))
        files.append((f"proposition.{extension}", gdalg(target)))
    files.append(("proposition.zip", zipped({"proposition.shp": vrt(target), "proposition.prj": b"GEOGCS[]"})))
    files.append(("proposition.zip", zipped({"a.vrt": vrt(target), "a.shp": b"\x00\x00\x27\x0a", "a.prj": b""})))
    return files


def assert_refused_in_french(exc: BaseException) -> None:
    message = str(exc)
    assert not any(secret in message for secret in SECRETS), message
    assert any(word in message for word in FRENCH_WORDS), message
    assert "Traceback" not in message and "Error" not in message, message


@pytest.mark.parametrize("target", TARGETS)
def test_virtual_datasets_and_pipelines_are_refused_whatever_their_extension(target):
    for name, content in hostile_files(target):
        with pytest.raises(ProposalError) as error:
            read_proposal(content, name)
        assert_refused_in_french(error.value)


def test_network_paths_reach_no_address(listener):
    base, received = listener
    for source in (
        f"/vsicurl/{base}/a.csv",
        f"CSV:/vsicurl/{base}/b.csv",
        f"{base}/c.geojson",
        f"/vsicurl?url={base}/d",
    ):
        for name, content in hostile_files(source):
            with pytest.raises(ProposalError) as error:
                read_proposal(content, name)
            assert_refused_in_french(error.value)
    time.sleep(0.2)
    assert received == []


def test_gdal_itself_refuses_virtual_datasets_and_network_reads(tmp_path, listener):
    """The second lock: even a path that skipped the content checks is not opened as VRT, GDALG or URL."""
    base, received = listener
    gdal_config.check_loaded()
    assert set(pyogrio.list_drivers()) <= gdal_config.ALLOWED_DRIVERS | {"MapInfo File"}
    (tmp_path / "a.vrt").write_bytes(vrt("CSV:/etc/passwd"))
    (tmp_path / "b.gdalg.json").write_bytes(gdalg("/etc/passwd"))
    for path in (tmp_path / "a.vrt", tmp_path / "b.gdalg.json", f"/vsicurl/{base}/x.geojson"):
        with pytest.raises((pyogrio.errors.DataSourceError, RuntimeError, OSError)):
            pyogrio.read_dataframe(path)
    assert received == []


def test_kml_with_a_dtd_entity_or_network_link_reads_nothing(listener):
    base, received = listener
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&x;</name></Placemark></kml>'
    )
    with pytest.raises(ProposalError, match="DTD ou des entités") as error:
        read_proposal(xxe, "p.kml")
    assert_refused_in_french(error.value)
    link = (
        f'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><NetworkLink><Link><href>{base}/n.kml'
        "</href></Link></NetworkLink></kml>"
    ).encode()
    with pytest.raises(ProposalError) as error:
        read_proposal(link, "p.kml")
    assert_refused_in_french(error.value)
    assert received == []


def test_zip_entries_never_choose_where_they_are_written(tmp_path):
    """Zip-slip names are read as bytes under fixed names in a temporary folder; nothing lands elsewhere."""
    frame = gpd.GeoDataFrame({"nom": ["Z"]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84)
    frame.to_file(tmp_path / "p.shp")
    members = {f"../../../../tmp/slip/p{s}": (tmp_path / f"p{s}").read_bytes() for s in (".shp", ".shx", ".dbf")}
    members["../../../../tmp/slip/p.prj"] = (tmp_path / "p.prj").read_bytes()
    proposal = read_proposal(zipped(members), "p.zip")
    assert proposal.frame["nom"].tolist() == ["Z"]
    assert not Path("/tmp/slip").exists()


def _multipolygon_file(parts: int) -> bytes:
    """One MultiPolygon of `parts` small squares near Mont Liébaut, in degrees (as an attacker sends it)."""
    x0, y0 = 2.62, 50.51
    squares = [box(x0 + (i % 150) * 2e-4, y0 + (i // 150) * 2e-4, x0 + (i % 150) * 2e-4 + 1e-4, y0 + 1e-4 + (i // 150) * 2e-4) for i in range(parts)]  # fmt: skip
    geometry = mapping(shapely.MultiPolygon(squares))
    return json.dumps({"type": "Feature", "properties": {}, "geometry": geometry}).encode()


MEASURED_CLI = (
    "import runpy, sys\n"
    "sys.argv = ['quartiers', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('quartiers', run_name='__main__')\n"
    "finally:\n"
    "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
    "    print('MAXRSS_KB', hwm, file=sys.stderr)\n"
)


def _measured_cli(tmp_path: Path, name: str, content: bytes) -> tuple[subprocess.CompletedProcess, float, float]:
    """`python -m quartiers perimetre FILE` in a subprocess: its result, wall seconds and its own peak memory (MB).

    The peak is the child's VmHWM (its own memory map); getrusage's ru_maxrss would carry the forking test
    process's size across exec."""
    path = tmp_path / name
    path.write_bytes(content)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, "perimetre", str(path)],
        capture_output=True,
        text=True,
        cwd=settings.ROOT,
        timeout=120,
    )
    elapsed = time.monotonic() - start
    peak_mb = int(done.stderr.rsplit("MAXRSS_KB", 1)[1].split()[0]) / 1024
    return done, elapsed, peak_mb


@pytest.mark.parametrize("parts", [5_000, 19_000])
def test_multipolygons_of_thousands_of_parts_are_refused_within_bounds(tmp_path, parts):
    done, elapsed, peak_mb = _measured_cli(tmp_path, f"parts_{parts}.geojson", _multipolygon_file(parts))
    assert done.returncode == 1
    assert "Fichier trop morcelé" in done.stderr and "Traceback" not in done.stderr
    assert elapsed < 10, elapsed  # the 5 000-part file took 53 s before; counting happens before any geometry
    assert peak_mb < 600, peak_mb


def test_a_file_within_the_counts_is_answered_at_the_limit_of_parts(tmp_path):
    done, elapsed, peak_mb = _measured_cli(tmp_path, "limite.geojson", _multipolygon_file(MAX_PARTS))
    assert done.returncode == 0, done.stderr
    assert elapsed < 30 and peak_mb < 800, (elapsed, peak_mb)


def test_a_pathological_shape_is_stopped_by_the_guard_within_its_bounds():
    """A 5 000-vertex star: within every count, but GEOS takes minutes to buffer it. The guard stops it."""
    centre = load_reference().qpv.geometry.iloc[0].centroid
    n = 5_000
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = np.where(np.arange(n) % 2 == 0, 3_000, 200)
    star = shapely.Polygon(np.column_stack([centre.x + radius * np.cos(angles), centre.y + radius * np.sin(angles)]))
    content = gpd.GeoDataFrame(geometry=[star], crs=L93).to_crs(settings.WGS84).to_json().encode()
    start = time.monotonic()
    with pytest.raises(garde.GuardError, match="Calcul arrêté") as error:
        garde.run(evaluate_file, content, "etoile.geojson", seconds=6, memory_mb=400)
    assert time.monotonic() - start < 9
    assert "Simplifiez" in str(error.value)


def test_the_guard_returns_results_and_french_errors_from_its_child():
    mont_liebaut = load_reference().qpv.set_index("code_qp").loc["QN06208M", "geometry"]
    content = gpd.GeoDataFrame(geometry=[mont_liebaut], crs=L93).to_crs(settings.WGS84).to_json().encode()
    evaluation = garde.run(evaluate_file, content, "ml.geojson")
    assert evaluation.bilans[0].surface_ha == pytest.approx(mont_liebaut.area / 10_000, abs=0.01)
    with pytest.raises(ProposalError, match="n'est pas un GeoJSON"):
        garde.run(evaluate_file, gdalg("/etc/passwd"), "p.json")


# --- files that gave a traceback or were silently altered --------------------------------------------------------


def feature_collection(geometry: dict, crs: dict | None = None) -> bytes:
    document = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": geometry}]}
    if crs is not None:
        document["crs"] = crs
    return json.dumps(document).encode()


SQUARE = [[2.62, 50.51], [2.63, 50.51], [2.63, 50.52], [2.62, 50.52]]


def test_an_unclosed_ring_is_closed_and_said():
    proposal = read_proposal(feature_collection({"type": "Polygon", "coordinates": [SQUARE]}), "p.geojson")
    closed = gpd.GeoSeries([shapely.Polygon(SQUARE)], crs=settings.WGS84).to_crs(L93).area.iloc[0]
    assert proposal.frame.area.iloc[0] == pytest.approx(closed)
    assert any("1 contour non fermé" in m for m in proposal.messages)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", '"50.5"', "true", "null"])
def test_a_coordinate_that_is_not_a_number_is_refused(value):
    text = json.dumps({"type": "Polygon", "coordinates": [[*SQUARE, "X"]]}).replace('"X"', f"[2.62, {value}]")
    with pytest.raises(ProposalError, match="Coordonnée invalide") as error:
        read_proposal(text.encode(), "p.geojson")
    assert_refused_in_french(error.value)


def test_a_geopackage_table_without_geometry_is_refused(tmp_path):
    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(gpd.pd.DataFrame({"nom": ["a", "b"]}), path, layer="attributs", driver="GPKG")
    with pytest.raises(ProposalError, match="n'a pas de géométrie"):
        read_proposal(path.read_bytes(), path.name)


@pytest.mark.parametrize(
    "crs, expected",
    [
        ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}, "hors de sa zone de validité"),
        ({"type": "name", "properties": {"name": "EPSG:999999"}}, "ce code EPSG n'existe pas"),
        ({"type": "name", "properties": {"name": "+proj=longlat +nadgrids=@http://x/y"}}, "illisible"),
        ("n'importe quoi", "illisible"),
        ({"type": "link", "properties": {"href": "file:///etc/passwd"}}, "illisible"),
    ],
)
def test_a_crs_that_contradicts_the_coordinates_or_cannot_be_read_is_refused(crs, expected):
    content = feature_collection({"type": "Polygon", "coordinates": [[*SQUARE, SQUARE[0]]]}, crs)
    with pytest.raises(ProposalError, match=expected) as error:
        read_proposal(content, "p.geojson")
    assert_refused_in_french(error.value)


def test_a_lambert93_crs_with_lambert93_coordinates_is_read():
    square = box(690_000, 7_040_000, 690_500, 7_040_400)
    content = feature_collection(
        mapping(square), {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}
    )
    assert read_proposal(content, "l93.geojson").frame.area.iloc[0] == pytest.approx(square.area)


@pytest.mark.parametrize(
    "value",
    [
        "pas une liste",
        [1, 2],
        [{"geometry": "x"}],
        [{"geometry": {"type": "Polygon", "coordinates": "a"}}],
        [{"geometry": {"type": "Polygon", "coordinates": [[["a", "b"]]]}}],
        [
            {
                "geometry": {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "GeometryCollection", "geometries": []}] * 3,
                },
                "properties": 5,
            }
        ],  # fmt: skip
    ],
)
def test_a_drawing_value_of_the_wrong_shape_is_a_french_error(value):
    with pytest.raises(ProposalError, match="Dessin illisible|Aucun polygone"):
        proposal_from_features(value)


# --- text fields --------------------------------------------------------------------------------------------------


def test_100_kb_in_the_coordinates_or_the_address_is_refused_at_once():
    start = time.monotonic()
    with pytest.raises(CoordinateError, match="trop longue"):
        read_entry("5" * 100_000, "2")
    with pytest.raises(ValueError, match="Adresse trop longue"):
        geocode("rue " * 25_000)  # refused before any request
    assert time.monotonic() - start < 0.5


def test_100_kb_reaching_the_search_index_is_not_searched():
    """What a client sends past the fields' max_chars: refused before any matching, in French on the page."""
    from quartiers.catalogue import build_catalogue
    from quartiers.couches_officielles import load_layers
    from quartiers.portraits import load_portraits
    from quartiers.search import SearchIndex

    layers = load_layers()
    catalogue = build_catalogue(layers.qpv, layers.qic, load_portraits()[0])
    index = SearchIndex(catalogue, list(layers.communes["nom"]))
    start = time.monotonic()
    assert index.search("liebaut " * 12_500) == [] and index.suggest("liebaut " * 12_500) == []
    assert time.monotonic() - start < 0.05
    assert index.search("liebaut")[0].key == "QN06208M"


@pytest.mark.usefixtures("fresh_caches")
def test_100_kb_typed_in_the_search_and_the_comparison_fields_is_answered_within_the_bound():
    """The browser keeps 100 characters (max_chars, as AppTest does): the first 100 are searched, at once."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    start = time.monotonic()
    at.text_input(key="recherche_saisie").set_value("liebaut " * 12_500).run()
    assert time.monotonic() - start < 5
    assert not at.exception
    assert len(at.text_input(key="recherche_saisie").value) == MAX_QUERY_CHARS
    at.switch_page("pages/quartiers.py").run()
    field = next(t for t in at.text_input if t.label == "Ajouter un quartier à la comparaison")
    start = time.monotonic()
    field.set_value("cite " * 20_000)
    next(b for b in at.button if b.label == "Ajouter").click().run()
    assert time.monotonic() - start < 5
    assert not at.exception


# --- the QIC import -----------------------------------------------------------------------------------------------


def _importer(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    shape = tmp_path / "qic.geojson.in"
    shape.write_bytes(feature_collection({"type": "Polygon", "coordinates": [[*SQUARE, SQUARE[0]]]}))
    source = tmp_path / "qic_source.geojson"
    source.write_bytes(shape.read_bytes())
    command = ["importer-qic", str(source), "--nom", "Essai", "--commune", "Béthune", "--source", "Délibération"]
    return subprocess.run(
        [sys.executable, "-m", "quartiers", *command, "--date", "2025-01-15", *extra],
        capture_output=True,
        text=True,
        cwd=settings.ROOT,
        timeout=120,
    )


def test_imported_qic_file_is_readable_like_the_rest_of_geodata(tmp_path):
    folder = tmp_path / "geodata"
    done = _importer(tmp_path, "--geodata", str(folder))
    assert done.returncode == 0, done.stderr
    assert oct((folder / "qic.geojson").stat().st_mode & 0o777) == oct(0o644)
    assert "ha)" in done.stdout and "," in done.stdout.rsplit("(", 1)[1]


def test_a_broken_qic_file_or_a_geodata_that_is_a_file_is_said_in_french(tmp_path):
    folder = tmp_path / "geodata"
    folder.mkdir()
    (folder / "qic.geojson").write_text('{"type": "FeatureCollection", "features": [5]}')
    done = _importer(tmp_path, "--geodata", str(folder))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Le fichier existant qic.geojson est illisible" in done.stderr
    done = _importer(tmp_path, "--geodata", str(folder / "qic.geojson"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "n'est pas un dossier" in done.stderr


def test_cli_refuses_a_hostile_proposal_in_french(tmp_path, listener):
    base, received = listener
    for name, content in hostile_files(f"/vsicurl/{base}/x.csv") + hostile_files("CSV:/etc/passwd"):
        path = tmp_path / name
        path.write_bytes(content)
        done = subprocess.run(
            [sys.executable, "-m", "quartiers", "perimetre", str(path)],
            capture_output=True,
            text=True,
            cwd=settings.ROOT,
            timeout=120,
        )
        assert done.returncode == 1, (name, done.stdout)
        assert done.stderr.startswith("Erreur : ") and "Traceback" not in done.stderr, done.stderr
        assert not any(secret in done.stdout + done.stderr for secret in SECRETS)
    assert received == []
    assert os.environ.get("GDAL_SKIP") is None or "OGR_VRT" in os.environ["GDAL_SKIP"]


# --- what a map reports comes from the visitor's browser --------------------------------------------------------

HOSTILE_REPORTS = [
    "pas un objet",
    [1, 2, 3],
    {"last_active_drawing": "x", "last_clicked": [1], "all_drawings": "y"},
    {"last_active_drawing": {"properties": ["qpv"]}, "last_clicked": {"lat": "50", "lng": None}, "all_drawings": [5]},
    {
        "last_active_drawing": {"properties": {"couche": "qpv", "code_qp": {"x": 1}}},
        "last_clicked": {"lat": True, "lng": 2},
    },
    {"all_drawings": [{"geometry": {"type": "Polygon", "coordinates": [[[2.6, 50.5]] * 3]}}]},
]


def _callbacks_with(report):
    """An app that stores `report` as each map's report, then runs each page's map callback and the perimeter read."""
    import streamlit as st

    from quartiers.ui import carte, perimetre, situer

    for key in (carte.MAP_KEY, "carte_situer", perimetre.MAP_KEY):
        st.session_state[key] = report
    carte.on_map_click()
    situer.on_point_click()
    perimetre.current_result(perimetre.get_reference())
    st.write("fin")


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("report", HOSTILE_REPORTS, ids=range(len(HOSTILE_REPORTS)))
def test_a_map_report_of_the_wrong_shape_changes_nothing_and_raises_nothing(report):
    at = AppTest.from_function(_callbacks_with, args=(report,), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[-1].value == "fin"
    assert "quartier" not in at.query_params and "lat" not in at.query_params


def test_a_number_of_thousands_of_digits_is_a_french_error():
    digits = "9" * 5_000
    text = f'{{"type": "Polygon", "coordinates": [[[{digits}, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}}'
    with pytest.raises(ProposalError, match="milliers de chiffres"):
        read_proposal(text.encode(), "p.geojson")


PRJ_WITH_A_GRID = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433],EXTENSION["PROJ4","+proj=longlat +ellps=GRS80 +nadgrids=@/etc/passwd"]]'
)


def test_a_crs_naming_a_grid_or_a_file_is_refused_before_proj_sees_it(tmp_path):
    """A .prj (or a GeoPackage's spatial reference) can make PROJ open any file as a shift grid: refused."""
    frame = gpd.GeoDataFrame({"nom": ["Z"]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84)
    frame.to_file(tmp_path / "p.shp")
    members = {f"p{s}": (tmp_path / f"p{s}").read_bytes() for s in (".shp", ".shx", ".dbf")}
    members["p.prj"] = PRJ_WITH_A_GRID.encode()
    with pytest.raises(ProposalError, match="grille ou à un fichier extérieur"):
        read_proposal(zipped(members), "p.zip")
    import sqlite3

    frame.to_file(tmp_path / "p.gpkg")
    with sqlite3.connect(tmp_path / "p.gpkg") as connection:
        connection.execute("UPDATE gpkg_spatial_ref_sys SET definition = ? WHERE srs_id = 4326", (PRJ_WITH_A_GRID,))
    with pytest.raises(ProposalError, match="grille ou à un fichier extérieur"):
        read_proposal((tmp_path / "p.gpkg").read_bytes(), "p.gpkg")


def test_a_crs_is_replaced_by_its_registered_definition():
    """The file's own CRS text is dropped for the EPSG (or OGC) one PROJ knows: no file definition is ever used."""
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    proposal = read_proposal(
        feature_collection({"type": "Polygon", "coordinates": [[*SQUARE, SQUARE[0]]]}, crs), "p.geojson"
    )
    assert proposal.frame.crs.to_epsg() == 2154


def test_at_most_two_guarded_jobs_run_at_once(monkeypatch):
    """Six uploads at once cost at most MAX_JOBS children; a job that cannot get its turn is told in French."""
    from concurrent.futures import ThreadPoolExecutor

    started = []

    def fake_run(function, args, seconds, memory_mb):
        started.append(time.monotonic())
        time.sleep(1.0)
        return "ok"

    monkeypatch.setattr(garde, "_run", fake_run)
    with ThreadPoolExecutor(6) as pool:
        results = list(
            pool.map(lambda _: _outcome(lambda: garde.run(evaluate_file, b"", "x.geojson", seconds=1.5)), range(6))
        )
    assert results.count("ok") >= 2 and garde.MAX_JOBS == 2
    refused = [r for r in results if r != "ok"]
    assert refused and all("réessayez dans quelques secondes" in r for r in refused)
    starts = sorted(started)
    assert all(later - earlier >= 0.9 for earlier, later in zip(starts, starts[2:], strict=False))  # never 3 at once


def _outcome(call) -> str:
    try:
        return call()
    except garde.GuardError as exc:
        return str(exc)
