"""`python -m quartiers programme`: the exact JSON structure of the issue, on the real layers (one real subprocess)."""

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
KEYS = ["nom", "dans_qpv", "regle_a", "regle_b", "code_qp", "npnru", "distance_max_m", "part_300m_pct",
        "part_500m_pct", "a_la_limite"]  # fmt: skip
ENSEMBLE_KEYS = ["regle_a", "regle_b", "code_qp", "npnru", "distance_max_m", "a_la_limite"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def west_point():
    """The westernmost vertex of Mont Liébaut (no other QPV within 800 m west of it), Lambert-93."""
    qpv = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    xy = shapely.get_coordinates(qpv.loc[qpv["code_qp"] == "QN06208M", "geometry"].iloc[0])
    return xy[xy[:, 0].argmin()]


def two_buildings(path, west_point, names=("Les Tilleuls", None)):
    x0, y0 = west_point
    frame = gpd.GeoDataFrame(
        {"nom": list(names)},
        geometry=[shapely.box(x0 - 250, y0 - 10, x0 - 230, y0 + 10), shapely.box(x0 - 420, y0 - 8, x0 - 400, y0 + 8)],
        crs=settings.LAMBERT93,
    )
    frame.to_crs(settings.WGS84).to_file(path, driver="GeoJSON")
    return path


def test_json_structure_and_verdicts(tmp_path, capsys, west_point):
    path = two_buildings(tmp_path / "programme.geojson", west_point)
    output = tmp_path / "resultat.geojson"
    code, out, err = _run(capsys, "programme", str(path), "--json", "-o", str(output))
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["batiments", "ensemble"]
    first, second = data["batiments"]
    assert list(first)[: len(KEYS)] == KEYS and list(data["ensemble"])[: len(ENSEMBLE_KEYS)] == ENSEMBLE_KEYS
    assert (first["nom"], second["nom"]) == ("Les Tilleuls", "Bâtiment 2")
    assert (first["regle_a"], second["regle_a"]) == (True, False)
    assert first["code_qp"] == "QN06208M" and first["npnru"] is True
    assert data["ensemble"]["regle_b"] is True and data["ensemble"]["code_qp"] == "QN06208M"
    assert isinstance(first["distance_max_m"], int) and 245 <= first["distance_max_m"] <= 255
    features = json.loads(output.read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["nom"] for f in features if f["properties"]["partie"] == "batiment"] == [
        "Les Tilleuls",
        "Bâtiment 2",
    ]


def test_text_output_states_the_conditions(tmp_path, capsys, west_point):
    code, out, _ = _run(capsys, "programme", str(two_buildings(tmp_path / "p.geojson", west_point)))
    assert code == 0
    assert "Règle (a) : oui" in out and "Règle (b) : oui" in out
    assert "1er janvier 2024" in out and "seule l'administration fiscale apprécie l'éligibilité" in out
    assert "CPER Nord-Pas-de-Calais du 10 juillet 2015" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "FeatureCollection", "features": []}', "vide"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
            '"geometry": {"type": "LineString", "coordinates": [[2.63, 50.52], [2.64, 50.53]]}}]}',
            "points ou des lignes",
        ),
    ],
)
def test_bad_files_get_a_french_error(tmp_path, capsys, content, message):
    path = tmp_path / "emprises.geojson"
    path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, "programme", str(path), "--json")
    assert code == 1 and out == "" and message in err and "Traceback" not in err


def test_real_subprocess(tmp_path, west_point):
    path = two_buildings(tmp_path / "programme.geojson", west_point)
    result = subprocess.run(
        [sys.executable, "-m", "quartiers", "programme", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ensemble"]["regle_b"] is True
