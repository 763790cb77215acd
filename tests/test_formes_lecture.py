"""Proposed perimeters on the real layers: every figure checked against a computation made here with shapely.

Bad input: each case gets its French message.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.validation
from shapely.geometry import box, mapping

from quartiers import settings
from quartiers.catalogue import qpv_label
from quartiers.formats import fmt_number
from quartiers.formes.bilan_perimetre import (
    EXPORT_DECIMALS,
    assess,
    assess_set,
    load_reference,
    result_geojson,
    result_json,
)
from quartiers.formes.lecture import (
    MAX_POLYGONS,
    MAX_VERTICES,
    LayerChoiceNeeded,
    ProposalError,
    accord,
    invalidity_french,
    proposal_from_features,
    read_proposal,
)
from quartiers.ui.perimetre import comparison_sentence

L93 = settings.LAMBERT93


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture(scope="module")
def official():
    """The QPV files read here directly, in Lambert-93, independently of the app's loaders."""
    frames = [gpd.read_file(settings.QPV_FILE), gpd.read_file(settings.QPV_VOISINS_FILE)]
    qpv = gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), crs=settings.WGS84).to_crs(L93)
    return qpv.set_index("code_qp")


@pytest.fixture(scope="module")
def communes():
    return gpd.read_file(settings.COMMUNES_FILE).to_crs(L93).set_index("nom")


def geojson_bytes(geometries_l93, names=None) -> bytes:
    """A GeoJSON file (EPSG:4326, as QGIS exports it) of Lambert-93 geometries."""
    frame = gpd.GeoDataFrame({"nom": names or [None] * len(geometries_l93)}, geometry=geometries_l93, crs=L93)
    return frame.to_crs(settings.WGS84).to_json().encode()


def ha(area_m2: float) -> float:
    return round(area_m2 / 10_000, 2)


def test_mont_liebaut_official_perimeter_keeps_itself(reference, official, communes):
    mont_liebaut = official.loc["QN06208M", "geometry"]
    proposal = read_proposal(geojson_bytes([mont_liebaut], ["Mont Liébaut officiel"]), "ml.geojson")
    (bilan,) = assess(proposal, reference)
    assert bilan.nom == "Mont Liébaut officiel"
    assert round(bilan.surface_ha, 1) == 39.5
    assert bilan.surface_ha == pytest.approx(mont_liebaut.area / 10_000, abs=0.01)
    assert [q.code_qp for q in bilan.qpv] == ["QN06208M"]
    assert bilan.qpv[0].part_du_qpv_pct == 100.0
    assert bilan.qpv[0].surface_qpv_hors_proposition_ha == 0.0
    assert bilan.surface_hors_qpv_ha == 0.0
    assert bilan.laisse_hors.area < 1.0
    assert bilan.commune_principale == "Béthune"
    assert bilan.communes[0].surface_ha == ha(mont_liebaut.intersection(communes.loc["Béthune", "geometry"]).area)
    assert sum(c.surface_ha for c in bilan.communes) == pytest.approx(bilan.surface_ha, abs=0.05)
    assert not bilan.hors_territoire
    expected_ring = mont_liebaut.buffer(300, quad_segs=16).difference(mont_liebaut)
    assert bilan.surface_bande_300m_ha == pytest.approx(expected_ring.area / 10_000, abs=0.02)
    assert "Verquin" in bilan.bande_communes


def test_grown_by_50_m_adds_exactly_the_grown_area_outside_qpv(reference, official):
    mont_liebaut = official.loc["QN06208M", "geometry"]
    grown = mont_liebaut.buffer(50)
    # No other QPV within 50 m: what is added is the grown ring itself.
    assert official.drop(index="QN06208M").distance(mont_liebaut).min() > 100
    (bilan,) = assess(read_proposal(geojson_bytes([grown]), "grand.geojson"), reference)
    assert bilan.nom == "Proposition 1"
    assert bilan.surface_hors_qpv_ha == pytest.approx(ha(grown.area - mont_liebaut.area), abs=0.01)
    assert bilan.surface_hors_qpv_ha == pytest.approx(bilan.surface_ha - 39.51, abs=0.02)
    assert bilan.qpv[0].part_du_qpv_pct == 100.0


def test_polygon_in_arras_is_hors_territoire(reference, communes):
    arras = communes.loc["Arras", "geometry"].representative_point().buffer(200)
    (bilan,) = assess(read_proposal(geojson_bytes([arras]), "arras.geojson"), reference)
    assert bilan.hors_territoire is True
    assert [c.nom for c in bilan.communes] == ["Arras"]
    assert bilan.qpv == ()
    assert bilan.surface_hors_qpv_ha == bilan.surface_ha == ha(arras.area)


def test_proposal_over_two_qpv_lists_both_with_their_shares(reference, official):
    cite_12_14, grande_residence = official.loc["QN06224M", "geometry"], official.loc["QN06225M", "geometry"]
    a, b = shapely.ops.nearest_points(cite_12_14, grande_residence)
    proposal_geometry = box(a.x - 250, a.y - 250, a.x + 250, a.y + 250)
    (bilan,) = assess(read_proposal(geojson_bytes([proposal_geometry]), "deux.geojson"), reference)
    shares = {q.code_qp: q for q in bilan.qpv}
    assert {"QN06224M", "QN06225M"} <= set(shares)
    for code in shares:
        qpv = official.loc[code, "geometry"]
        common = qpv.intersection(proposal_geometry).area
        assert shares[code].surface_en_commun_ha == ha(common)
        assert shares[code].part_du_qpv_pct == round(100 * common / qpv.area, 1)
        assert shares[code].surface_qpv_hors_proposition_ha == ha(qpv.area - common)
        assert 0 < shares[code].part_du_qpv_pct < 100
    union = shapely.union_all(list(official.geometry))
    assert bilan.surface_hors_qpv_ha == ha(proposal_geometry.difference(union).area)
    assert bilan.laisse_hors.area == pytest.approx(
        sum(official.loc[c, "geometry"].difference(proposal_geometry).area for c in shares)
    )


def test_json_structure_and_geojson_export(reference, official):
    mont_liebaut = official.loc["QN06208M", "geometry"]
    grown = mont_liebaut.buffer(50)
    bilans = assess(read_proposal(geojson_bytes([grown], ["Agrandi"]), "p.geojson"), reference)
    result = result_json(bilans)
    assert list(result) == ["propositions"]
    item = result["propositions"][0]
    assert list(item) == [
        "nom", "surface_ha", "surface_bande_300m_ha", "surface_hors_qpv_ha", "hors_territoire", "communes", "qpv",
    ]  # fmt: skip
    assert list(item["communes"][0]) == ["code", "nom", "surface_ha"]
    assert list(item["qpv"][0]) == [
        "code_qp", "nom_qp", "surface_en_commun_ha", "part_du_qpv_pct", "surface_qpv_hors_proposition_ha",
    ]  # fmt: skip
    collection = json.loads(result_geojson(bilans))
    parts = {f["properties"]["partie"]: f for f in collection["features"]}
    assert set(parts) == {"proposition", "bande_300m", "ajout_hors_qpv"}  # nothing of the QPV is left out
    added = gpd.GeoSeries([shapely.geometry.shape(parts["ajout_hors_qpv"]["geometry"])], crs=settings.WGS84)
    assert ha(added.to_crs(L93).area.iloc[0]) == pytest.approx(
        parts["ajout_hors_qpv"]["properties"]["surface_hors_qpv_ha"], abs=0.01
    )
    assert parts["proposition"]["properties"]["surface_ha"] == item["surface_ha"]


def test_geojson_export_coordinates_are_rounded_to_about_one_centimetre(reference):
    # A drawn rectangle whose corner reprojects to a float tail (2.630000000000001 and the like).
    frame = gpd.GeoDataFrame({"nom": ["R"]}, geometry=[box(2.6211, 50.5111, 2.63, 50.5199)], crs=settings.WGS84)
    bilans = assess(read_proposal(frame.to_json().encode(), "r.geojson"), reference)
    collection = json.loads(result_geojson(bilans))
    coordinates = np.concatenate(
        [shapely.get_coordinates(shapely.geometry.shape(f["geometry"])) for f in collection["features"]]
    )
    assert np.array_equal(coordinates, np.round(coordinates, EXPORT_DECIMALS))
    text = result_geojson(bilans)
    assert not re.search(
        r"\d\.\d{8,}",
        text.split('"properties"')[0] + "".join(json.dumps(f["geometry"]) for f in collection["features"]),
    )
    # 1e-7 degree is about 1 cm here: the exported proposal keeps its area to well under 0.01 ha.
    proposal = next(f for f in collection["features"] if f["properties"]["partie"] == "proposition")
    exported = gpd.GeoSeries([shapely.geometry.shape(proposal["geometry"])], crs=settings.WGS84).to_crs(L93)
    assert exported.area.iloc[0] / 10_000 == pytest.approx(bilans[0].surface_ha, abs=0.005)


def test_qpv_are_named_as_in_the_app_with_the_anct_name_after(reference, official):
    from quartiers.formes.feuille_perimetre import sheet_html

    trois_ilots = official.loc["QN06209M", "geometry"]
    assert reference.noms["QN06209M"] == "3 Îlots"
    (bilan,) = assess(read_proposal(geojson_bytes([trois_ilots.buffer(-20)], ["Trois"]), "t.geojson"), reference)
    share = next(q for q in bilan.qpv if q.code_qp == "QN06209M")
    assert share.nom_qp == official.loc["QN06209M", "lib_qp"] == "Quartier 3 ilôts"  # ANCT name kept for the CLI
    assert share.libelle == "3 Îlots (Quartier 3 ilôts, QN06209M)"
    assert result_json([bilan])["propositions"][0]["qpv"][0]["nom_qp"] == "Quartier 3 ilôts"
    assert "3 Îlots (Quartier 3 ilôts, QN06209M)" in sheet_html([bilan], None, reference, ())
    assert bilan.bande_qpv == ("3 Îlots (Quartier 3 ilôts, QN06209M)",)  # its band reaches only itself
    assert qpv_label("Catorive", "Catorive", "QN06299M") == "Catorive (QN06299M)"
    assert qpv_label("X", "X") == "X"


def test_sheet_says_once_what_cannot_be_computed_here(reference, official):
    from quartiers.formes.feuille_perimetre import sheet_html

    (bilan,) = assess(read_proposal(geojson_bytes([official.loc["QN06208M", "geometry"]]), "m.geojson"), reference)
    html = sheet_html([bilan], None, reference, ())
    (notice,) = re.findall(r"<p class='petit non-calculable'>(.*?)</p>", html)
    text = re.sub(r"<[^>]+>", "", notice).lower()
    assert "données carroyées de l&#x27;insee" in text and "population" in text
    # The reason is given once: no label repeating the sentence it introduces.
    assert text.count("calcul") == 1 and text.count(" ici") == 1, text


def test_sheet_extract_holds_the_qpv_parts_left_out(reference, official):
    from quartiers.formes import feuille_perimetre
    from quartiers.formes.carte import STYLE_BANDE_PROPOSITION, STYLE_LAISSE_HORS

    mont_liebaut = official.loc["QN06208M", "geometry"]
    west, south, east, north = mont_liebaut.bounds
    # A thin strip on the western edge: most of the QPV is left out, far beyond the strip's 300 m band.
    strip = box(west, south, west + 60, north)
    (bilan,) = assess(read_proposal(geojson_bytes([strip], ["Bande ouest"]), "s.geojson"), reference)
    assert not bilan.laisse_hors.is_empty
    assert bilan.laisse_hors.bounds[2] > strip.union(bilan.bande).bounds[2]  # it reaches beyond the band
    svg = feuille_perimetre.map_svg([bilan], reference)

    def x_span(stroke: str, fill: str) -> float:
        paths = re.findall(rf'<path d="([^"]+)" fill="{re.escape(fill)}"[^>]*stroke="{stroke}"', svg)
        xs = [float(x) for path in paths for x in re.findall(r"(-?\d+\.\d),-?\d", path)]
        return max(xs) - min(xs)

    band_px = x_span(STYLE_BANDE_PROPOSITION["color"], STYLE_BANDE_PROPOSITION["fillColor"])
    left_out_px = x_span(STYLE_LAISSE_HORS["color"], "url(#croix-retrait)")
    # Drawn whole (not cut at the frame): the same ratio of widths on the sheet as on the ground.
    band_m = bilan.bande.bounds[2] - bilan.bande.bounds[0]
    left_out_m = bilan.laisse_hors.bounds[2] - bilan.laisse_hors.bounds[0]
    assert left_out_px / band_px == pytest.approx(left_out_m / band_m, rel=0.02)


def test_set_of_two_polygons_counts_overlaps_once(reference, official):
    mont_liebaut = official.loc["QN06208M", "geometry"]
    c = mont_liebaut.centroid
    left, right = box(c.x - 300, c.y - 200, c.x + 100, c.y + 200), box(c.x - 100, c.y - 200, c.x + 300, c.y + 200)
    proposal = read_proposal(geojson_bytes([left, right], ["Ouest", "Est"]), "deux.geojson")
    assert [b.nom for b in assess(proposal, reference)] == ["Ouest", "Est"]
    together = assess_set(proposal, reference)
    assert together.surface_ha == ha(left.union(right).area) == 24.0  # 600 m x 400 m
    assert together.qpv[0].surface_en_commun_ha == ha(mont_liebaut.intersection(left.union(right)).area)


def test_drawn_features_give_the_same_figures_as_the_file(reference, official):
    grown = official.loc["QN06208M", "geometry"].buffer(50)
    data = geojson_bytes([grown])
    drawn = proposal_from_features(json.loads(data)["features"])
    assert assess(drawn, reference)[0].as_json() == assess(read_proposal(data, "p.geojson"), reference)[0].as_json()


# --- Bad input -----------------------------------------------------------------------------------------------


def test_empty_file():
    with pytest.raises(ProposalError, match="Le fichier est vide"):
        read_proposal(b"", "vide.geojson")
    with pytest.raises(ProposalError, match="aucun objet"):
        read_proposal(b'{"type": "FeatureCollection", "features": []}', "vide.geojson")


def test_points_and_lines_only():
    features = gpd.GeoDataFrame(
        geometry=[shapely.Point(2.63, 50.52), shapely.LineString([(2.63, 50.52), (2.64, 50.53)])], crs=settings.WGS84
    )
    with pytest.raises(ProposalError, match="aucun polygone .seulement des points ou des lignes"):
        read_proposal(features.to_json().encode(), "points.geojson")


def test_points_beside_polygons_are_ignored_and_said():
    features = gpd.GeoDataFrame(
        geometry=[shapely.Point(2.63, 50.52), box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84
    )
    proposal = read_proposal(features.to_json().encode(), "mixte.geojson")
    assert len(proposal.frame) == 1
    assert "1 objet non surfacique (points, lignes) ignoré." in proposal.messages


def test_self_intersection_is_repaired_and_the_area_change_reported(official):
    c = official.loc["QN06208M", "geometry"].centroid
    bowtie = shapely.Polygon([(c.x, c.y), (c.x + 200, c.y + 200), (c.x + 200, c.y), (c.x, c.y + 200)])
    assert not bowtie.is_valid
    proposal = read_proposal(geojson_bytes([bowtie], ["Noeud"]), "noeud.geojson")
    repaired = shapely.make_valid(bowtie)
    assert proposal.frame.geometry.iloc[0].area == pytest.approx(repaired.area, rel=1e-6)
    (message,) = proposal.messages
    before, after = fmt_number(bowtie.area / 10_000, 2), fmt_number(repaired.area / 10_000, 2)
    assert message.startswith(
        f"Polygone « Noeud » invalide (ses côtés se croisent) : réparé automatiquement ; "
        f"surface {before} ha avant réparation, {after} ha après"
    ), message
    # Plain French: no coordinates, no English, no function name.
    assert not re.search(r"\d\.\d|\[|Self|make_valid", message), message


@pytest.mark.parametrize(
    "reason, french",
    [
        ("Self-intersection[674256.59463659 7048029.9062377]", "ses côtés se croisent"),
        ("Ring Self-intersection[2 0]", "le contour se recoupe lui-même"),
        ("Too few points in geometry component[1 1]", "trop peu de points pour former une surface"),
        ("Interior is disconnected[3 3]", "un trou coupe le polygone en plusieurs morceaux"),
        ("Hole lies outside shell[9 9]", "un trou est en dehors du contour"),
        ("Something GEOS says one day[0 0]", "forme géométrique incorrecte"),
    ],
)
def test_invalidity_reasons_in_french(reason, french):
    assert invalidity_french(reason) == french


def test_invalidity_reasons_met_on_real_shapes_are_translated():
    c = (674_256.0, 7_048_029.0)
    shapes = {
        "ses côtés se croisent": shapely.Polygon([c, (c[0] + 9, c[1] + 9), (c[0] + 9, c[1]), (c[0], c[1] + 9)]),
        "le contour se recoupe lui-même": shapely.Polygon(
            [(0, 0), (4, 0), (4, 4), (2, 0), (0, 4)]  # touches itself at one vertex
        ),
        "un trou est en dehors du contour": shapely.Polygon(
            [(0, 0), (4, 0), (4, 4), (0, 4)], [[(5, 5), (6, 5), (6, 6), (5, 6)]]
        ),
    }
    for french, shape in shapes.items():
        assert invalidity_french(shapely.validation.explain_validity(shape)) == french


def test_singular_and_plural_agree_with_the_number():
    assert accord(1, "polygone") == "1 polygone"
    assert accord(2, "polygone") == "2 polygones"
    assert accord(1200, "objet non surfacique", "objets non surfaciques") == "1 200 objets non surfaciques"
    assert comparison_sentence(1, "dessin") == "1 polygone dessiné comparé aux QPV 2024 officiels."
    assert comparison_sentence(3, "dessin") == "3 polygones dessinés comparés aux QPV 2024 officiels."
    assert comparison_sentence(1, "fichier") == "1 polygone du fichier déposé comparé aux QPV 2024 officiels."
    assert comparison_sentence(2, "fichier") == "2 polygones du fichier déposé comparés aux QPV 2024 officiels."


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_no_crs_in_degrees_is_accepted_as_wgs84(tmp_path):
    path = tmp_path / "sans_crs.gpkg"
    gpd.GeoDataFrame({"nom": ["A"]}, geometry=[box(2.62, 50.51, 2.63, 50.52)]).to_file(path)
    proposal = read_proposal(path.read_bytes(), path.name)
    assert any("lues en degrés (WGS84, EPSG:4326)" in m for m in proposal.messages)
    expected = gpd.GeoSeries([box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84).to_crs(L93).area.iloc[0]
    assert proposal.frame.area.iloc[0] == pytest.approx(expected)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_no_crs_with_metres_is_refused_with_a_lambert93_hint(tmp_path, official):
    path = tmp_path / "sans_crs.gpkg"
    gpd.GeoDataFrame({"nom": ["A"]}, geometry=[official.loc["QN06208M", "geometry"]]).to_file(path)
    with pytest.raises(ProposalError, match="n'indique pas son système de coordonnées.*Lambert-93.*EPSG:2154"):
        read_proposal(path.read_bytes(), path.name)
    # The same coordinates in a GeoJSON (degrees by definition) are refused the same way.
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": mapping(official.loc["QN06208M", "geometry"])}
    ]})  # fmt: skip
    with pytest.raises(ProposalError, match="hors des bornes de la longitude et de la latitude.*Lambert-93"):
        read_proposal(text.encode(), "l93.geojson")


def test_projected_file_with_its_crs_is_reprojected(tmp_path, official):
    path = tmp_path / "l93.gpkg"
    mont_liebaut = official.loc["QN06208M", "geometry"]
    gpd.GeoDataFrame({"name": ["En Lambert"]}, geometry=[mont_liebaut], crs=L93).to_file(path)
    proposal = read_proposal(path.read_bytes(), path.name)
    assert proposal.frame["nom"].tolist() == ["En Lambert"]
    assert proposal.frame.area.iloc[0] == pytest.approx(mont_liebaut.area)
    assert any("reprojeté en Lambert-93" in m for m in proposal.messages)


def shapefile_zip(tmp_path, keep=(".shp", ".shx", ".dbf", ".prj")) -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    gpd.GeoDataFrame({"nom": ["Z"]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84).to_file(
        folder / "proposition.shp"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in folder.iterdir():
            if file.suffix in keep:
                archive.write(file, file.name)
    return buffer.getvalue()


def test_zipped_shapefile(tmp_path):
    proposal = read_proposal(shapefile_zip(tmp_path), "proposition.zip")
    assert proposal.frame["nom"].tolist() == ["Z"]


def test_zip_without_shp_or_without_prj(tmp_path):
    with pytest.raises(ProposalError, match="ne contient pas de fichier .shp"):
        read_proposal(shapefile_zip(tmp_path, keep=(".dbf", ".prj")), "p.zip")
    with pytest.raises(ProposalError, match="ne contient pas de fichier .prj"):
        read_proposal(shapefile_zip(tmp_path, keep=(".shp", ".shx", ".dbf")), "p.zip")


def test_kml(tmp_path):
    path = tmp_path / "p.kml"
    gpd.GeoDataFrame({"Name": ["Trace KML"]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84).to_file(
        path, driver="KML"
    )
    proposal = read_proposal(path.read_bytes(), path.name)
    assert proposal.frame["nom"].tolist() == ["Trace KML"]


def test_geopackage_with_several_layers_asks_which(tmp_path):
    path = tmp_path / "deux.gpkg"
    gpd.GeoDataFrame({"nom": ["A"]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84).to_file(
        path, layer="variante_a"
    )
    gpd.GeoDataFrame({"nom": ["B"]}, geometry=[box(2.60, 50.51, 2.61, 50.52)], crs=settings.WGS84).to_file(
        path, layer="variante_b"
    )
    with pytest.raises(LayerChoiceNeeded, match="2 couches .variante_a, variante_b.") as error:
        read_proposal(path.read_bytes(), path.name)
    assert error.value.layers == ["variante_a", "variante_b"]
    assert read_proposal(path.read_bytes(), path.name, layer="variante_b").frame["nom"].tolist() == ["B"]


def test_too_large_a_polygon_is_refused_with_the_limit(official):
    c = official.loc["QN06208M", "geometry"].centroid
    huge = box(c.x, c.y, c.x + 11_000, c.y + 10_000)  # 110 km²
    with pytest.raises(ProposalError, match="trop grand : 110 km² pour une limite de 100 km²"):
        read_proposal(geojson_bytes([huge]), "grand.geojson")


def test_too_many_vertices_is_refused_with_the_limit(official):
    c = official.loc["QN06208M", "geometry"].centroid
    angles = np.linspace(0, 2 * np.pi, MAX_VERTICES + 500, endpoint=False)
    detailed = shapely.Polygon(np.column_stack([c.x + 300 * np.cos(angles), c.y + 300 * np.sin(angles)]))
    with pytest.raises(ProposalError, match="Fichier trop détaillé : plus de 100 000 sommets, la limite par fichier"):
        read_proposal(geojson_bytes([detailed]), "detail.geojson")


def test_too_many_polygons_is_refused_with_the_limit(official):
    c = official.loc["QN06208M", "geometry"].centroid
    squares = [box(c.x + 30 * i, c.y, c.x + 30 * i + 20, c.y + 20) for i in range(MAX_POLYGONS + 1)]
    with pytest.raises(
        ProposalError, match=f"Trop de polygones : {MAX_POLYGONS + 1} pour une limite de {MAX_POLYGONS}"
    ):
        read_proposal(geojson_bytes(squares), "nombreux.geojson")


def test_file_over_the_upload_limit():
    with pytest.raises(ProposalError, match="Fichier trop volumineux : 1.0 Mo pour une limite de 1 Mo"):
        read_proposal(b" " * (1024 * 1024 + 10), "gros.geojson", max_mb=1)


def test_unknown_format_and_unreadable_file():
    with pytest.raises(ProposalError, match="Format non reconnu"):
        read_proposal(b"a;b\n1;2\n", "points.csv")
    with pytest.raises(ProposalError, match="Fichier JSON illisible .ligne 1, colonne 3."):
        read_proposal(b"{ pas du json", "casse.geojson")


def test_html_in_a_name_is_kept_as_text():
    name = "<script>alert(1)</script><b>Quartier</b>"
    frame = gpd.GeoDataFrame({"nom": [name]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84)
    proposal = read_proposal(frame.to_json().encode(), "html.geojson")
    assert proposal.frame["nom"].tolist() == [name]


# --- The page, through AppTest (drawings given as st_folium returns them) ---------------------------------------


def _page_with_drawings(features: list[dict]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/perimetre.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("dessinez un ou plusieurs polygones" in i.value and "au clavier" in i.value for i in at.info)
    at.session_state["carte_perimetre"] = {"all_drawings": features}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html_tables(at) -> list[list[list[str]]]:
    """The page's HTML tables (captioned, issue 17) as rows of cell texts, in order."""
    from html import unescape

    tables = []
    for element in at.get("html"):
        for table in re.findall(r"<table.*?</table>", element.proto.body, flags=re.S):
            rows = re.findall(r"<tr.*?</tr>", table, flags=re.S)
            cells = [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S)] for r in rows]  # fmt: skip
            tables.append(cells)
    return tables


def test_page_figures_for_two_drawn_polygons_and_their_set(official):
    c = official.loc["QN06208M", "geometry"].centroid
    left, right = box(c.x - 300, c.y - 200, c.x + 100, c.y + 200), box(c.x - 100, c.y - 200, c.x + 300, c.y + 200)
    features = json.loads(geojson_bytes([left, right]))["features"]
    at = _page_with_drawings(features)
    assert [s.value for s in at.success] == ["2 polygones dessinés comparés aux QPV 2024 officiels."]
    assert [s.value for s in at.subheader] == ["Proposition 1", "Proposition 2", "Ensemble des polygones proposés"]
    summaries = [table for table in _html_tables(at) if table and table[0] == ["Indicateur", "Valeur"]]
    assert dict(summaries[-1][1:])["Surface du périmètre"] == "24,00 ha"  # the set's summary table
    assert any("données carroyées de l'Insee" in i.value for i in at.info)


def test_page_reports_a_repaired_drawing(official):
    c = official.loc["QN06208M", "geometry"].centroid
    bowtie = shapely.Polygon([(c.x, c.y), (c.x + 200, c.y + 200), (c.x + 200, c.y), (c.x, c.y + 200)])
    at = _page_with_drawings(json.loads(geojson_bytes([bowtie]))["features"])
    warnings = [w.value.replace("\\", "") for w in at.warning]  # markdown escapes removed
    assert any("invalide (ses côtés se croisent) : réparé automatiquement ; surface" in w for w in warnings), warnings


def test_map_tooltips_show_a_name_from_a_file_as_text(reference):
    from quartiers.formes.carte import result_group

    name = "<img src=x onerror=alert(1)>Quartier"
    frame = gpd.GeoDataFrame({"nom": [name]}, geometry=[box(2.62, 50.51, 2.63, 50.52)], crs=settings.WGS84)
    bilans = assess(read_proposal(frame.to_json().encode(), "html.geojson"), reference)
    group = result_group(bilans)
    fmap = folium.Map()
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert "<img src=x" not in html
    # The GeoJSON data embedded by jinja's tojson: "&" is written \u0026, so "&lt;" reaches the tooltip.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;Quartier" in html


def test_a_very_large_polygon_is_refused_with_french_thousands(official):
    c = official.loc["QN06208M", "geometry"].centroid
    huge = box(c.x, c.y, c.x + 50_000, c.y + 38_000)  # 1 900 km²
    with pytest.raises(ProposalError, match="trop grand : 1 900 km² pour une limite de 100 km²"):
        read_proposal(geojson_bytes([huge]), "tres_grand.geojson")


HA = re.compile(r"(\d[\d\u00a0 ]*(?:,\d+)?) ha\b")
TWO_DECIMALS = re.compile(r"\d{1,3}(?: \d{3})*,\d\d")


def test_fmt_ha_always_has_two_decimals():
    from quartiers.formats import fmt_ha, fmt_share

    assert [fmt_ha(v) for v in (62, 356.1, 286.44, 1286.4, 0.0)] == [
        "62,00 ha",
        "356,10 ha",
        "286,44 ha",
        "1 286,40 ha",
        "0,00 ha",
    ]
    assert [fmt_share(v) for v in (100, 62.5)] == ["100,0 %", "62,5 %"]


def test_every_area_of_the_page_has_the_same_precision(official):
    """Two 16 ha boxes over Mont Liébaut (24 ha together): whole and one-decimal areas are shown to 0,01 ha."""
    c = official.loc["QN06208M", "geometry"].centroid
    left, right = box(c.x - 300, c.y - 200, c.x + 100, c.y + 200), box(c.x - 100, c.y - 200, c.x + 300, c.y + 200)
    at = _page_with_drawings(json.loads(geojson_bytes([left, right]))["features"])
    cells = [cell for table in _html_tables(at) for row in table[1:] for cell in row]
    areas = [cell for cell in cells if cell.endswith(" ha")]
    assert "16,00 ha" in areas and "24,00 ha" in areas
    assert len(areas) > 10 and all(TWO_DECIMALS.fullmatch(a.removesuffix(" ha")) for a in areas), areas
    shares = [cell for cell in cells if cell.endswith(" %")]
    assert shares and all(re.fullmatch(r"\d+,\d %", s) for s in shares), shares


def test_every_area_of_the_a4_sheet_has_the_same_precision(reference, official):
    from quartiers.formes.feuille_perimetre import sheet_html

    c = official.loc["QN06208M", "geometry"].centroid
    square = box(c.x - 200, c.y - 200, c.x + 200, c.y + 200)  # exactly 16 ha
    bilans = assess(read_proposal(geojson_bytes([square], ["Carré"]), "carre.geojson"), reference)
    html = sheet_html(bilans, None, reference, ())
    areas = HA.findall(html)
    assert "16,00" in areas and len(areas) >= 5
    assert all(TWO_DECIMALS.fullmatch(a) for a in areas), areas


def test_map_tooltips_give_areas_to_0_01_ha_with_a_comma(reference, official):
    from quartiers.formes.carte import result_group

    c = official.loc["QN06208M", "geometry"].centroid
    square = box(c.x - 200, c.y - 200, c.x + 200, c.y + 200)  # exactly 16 ha
    bilans = assess(read_proposal(geojson_bytes([square], ["Carré"]), "carre.geojson"), reference)
    fmap = folium.Map()
    result_group(bilans).add_to(fmap)
    html = fmap.get_root().render()
    assert '"surface_ha": "16,00 ha"' in html and '"Surface"' in html
    assert '"surface_ha": 16' not in html
