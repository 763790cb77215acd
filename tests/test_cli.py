"""The `python -m quartiers` command line, run in-process on the real layers of geodata/ (one run as a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from quartiers import settings
from quartiers.batch import OUTPUT_COLUMNS
from quartiers.cli import main
from quartiers.exports import EXPORTABLE

LIST_COLUMNS = ("communes", "insee", "sirens", "epci")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _qpv_l93() -> gpd.GeoDataFrame:
    """The source QPV perimeters (contracts and neighbours), read directly, in Lambert-93."""
    frames = [gpd.read_file(path) for path in (settings.QPV_FILE, settings.QPV_VOISINS_FILE)]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs).to_crs(settings.LAMBERT93)


# --- export ----------------------------------------------------------------------------------------------------


def test_export_qpv(tmp_path, capsys):
    output = tmp_path / "out.geojson"
    code, out, err = _run(capsys, "export", "qpv", str(output))
    assert code == 0, err
    assert "qpv" in out and str(output) in out

    layer = gpd.read_file(output)
    assert len(layer) == 41
    assert layer["voisin"].sum() == 4 and (~layer["voisin"]).sum() == 37
    assert set(layer.loc[layer["voisin"], "code_qp"]) == {"QN06239M", "QN06241M", "QN06244M", "QN06246M"}
    assert layer.crs.to_epsg() == 4326
    assert layer["code_qp"].is_unique
    assert set(layer["code_qp"]) == set(_qpv_l93()["code_qp"])

    raw = json.loads(output.read_text(encoding="utf-8"))
    for feature in raw["features"]:
        assert not any(isinstance(v, list | dict) for v in feature["properties"].values()), feature["properties"]
    row = layer.set_index("code_qp").loc["QN06234M"]
    assert row["communes"] == "Billy-Montigny, Méricourt, Noyelles-sous-Lens, Sallaumines"
    assert row["epci"] == "CALL"
    for column in LIST_COLUMNS:
        assert layer[column].map(type).eq(str).all(), column


def test_export_bande300(tmp_path, capsys):
    output = tmp_path / "bande.geojson"
    code, _, err = _run(capsys, "export", "bande300", str(output))
    assert code == 0, err

    rings = gpd.read_file(output)
    assert rings.crs.to_epsg() == 4326
    assert rings["code_qp"].is_unique and len(rings) == 41
    assert rings["regle"].str.contains("278 sexies").all()

    rings = rings.to_crs(settings.LAMBERT93).set_index("code_qp")
    qpv = _qpv_l93().set_index("code_qp")
    assert set(rings.index) == set(qpv.index)
    for code_qp, ring in rings.geometry.items():
        own = qpv.geometry[code_qp]
        assert ring.area > 0, code_qp
        assert ring.intersection(own).area < 1.0, code_qp
        # the ring reaches 300 m from the limit, not more (a few metres of arc approximation)
        assert own.buffer(300.0).area == pytest.approx(ring.area + own.area, rel=0.01), code_qp


def test_export_communes(tmp_path, capsys):
    output = tmp_path / "communes.geojson"
    code, _, err = _run(capsys, "export", "communes", str(output))
    assert code == 0, err
    communes = gpd.read_file(output)
    assert len(communes) == 136
    assert communes.crs.to_epsg() == 4326
    assert communes["code"].is_unique
    assert communes["epci"].value_counts().to_dict() == {"CABBALR": 100, "CALL": 36}
    assert (communes["siren_epci_2026"].map(settings.EPCI) == communes["epci"]).all()
    assert communes.set_index("nom").loc["Billy-Montigny", "epci"] == "CALL"
    assert communes.set_index("nom").loc["Béthune", "epci"] == "CABBALR"


def test_export_qic_without_file_fails_in_french(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(settings, "QIC_FILE", tmp_path / "qic.geojson")  # absent, as in geodata/ today
    output = tmp_path / "qic_out.geojson"
    code, out, err = _run(capsys, "export", "qic", str(output))
    assert code != 0
    assert "qic.geojson" in err
    assert err.startswith("Erreur : ") and "Aucun périmètre de quartier d'intérêt communautaire" in err
    assert "importer-qic" in err
    assert not output.exists()


def test_export_qic_with_a_file(tmp_path, capsys, monkeypatch):
    # TEST FIXTURE ONLY: a made-up 200 m square in Béthune, not a real QIC perimeter.
    fixture = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "  QIC-TEST-1 ",
                    "nom": "Quartier fictif de test",
                    "commune": "Béthune",
                    "source": "fixture de test (pas une donnée réelle)",
                    "date": "2024-01-01",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[2.630, 50.530], [2.633, 50.530], [2.633, 50.532], [2.630, 50.532], [2.630, 50.530]]
                    ],
                },
            }
        ],
    }
    qic_file = tmp_path / "qic.geojson"
    qic_file.write_text(json.dumps(fixture), encoding="utf-8")
    monkeypatch.setattr(settings, "QIC_FILE", qic_file)

    output = tmp_path / "qic_out.geojson"
    code, _, err = _run(capsys, "export", "qic", str(output))
    assert code == 0, err
    qic = gpd.read_file(output)
    assert len(qic) == 1 and qic.crs.to_epsg() == 4326
    assert qic.loc[0, "id"] == "qic-test-1"
    assert qic.loc[0, "nom"] == "Quartier fictif de test" and qic.loc[0, "commune"] == "Béthune"
    assert qic.to_crs(settings.LAMBERT93).area.iloc[0] > 0


def test_unknown_layer(tmp_path, capsys):
    output = tmp_path / "x.geojson"
    code, _, err = _run(capsys, "export", "routes", str(output))
    assert code == 1
    assert "Couche inconnue" in err and "routes" in err
    assert "Couches disponibles : " + ", ".join(EXPORTABLE) in err
    assert not output.exists()


@pytest.mark.parametrize(
    "argv",
    [[], ["export"], ["export", "qpv"], ["inconnue"], ["situer", "--lat", "abc", "--lon", "2.6"]],
    ids=["nothing", "export-alone", "no-output", "unknown-command", "lat-not-a-number"],
)
def test_argument_errors_exit_2_in_french(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Erreur" in err


# --- situer ----------------------------------------------------------------------------------------------------


def test_situer_one_point(capsys):
    code, out, err = _run(capsys, "situer", "--lat", "50.518", "--lon", "2.629")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["statut"] == "dans"
    assert answer["code_qp"] == "QN06208M"
    assert answer["nom_qp"] == "Quartier Du Mont Liébaut"  # ensure_ascii=False: accents as written
    assert answer["dans_qpv"] is True and answer["voisin"] is False
    assert answer["reponse"].startswith("Ce point est dans le QPV Quartier Du Mont Liébaut (QN06208M, Béthune)")
    assert "décret n° 2023-1314" in answer["avertissement"] and "indicative" in answer["avertissement"]


def test_situer_one_point_outside_gives_no_code_but_names_the_nearest_qpv(capsys):
    """A point 1 km north of Mont Liébaut's limit: the same meaning as a CSV row (code_qp empty for "hors")."""
    qpv = _qpv_l93()
    limit = qpv.set_index("code_qp").geometry["QN06208M"]
    point = gpd.GeoSeries.from_xy([limit.centroid.x], [limit.bounds[3] + 1_000], crs=settings.LAMBERT93)
    distances = qpv.distance(point.iloc[0])
    nearest = qpv.loc[distances.idxmin()]
    assert distances.min() > 300
    wgs84 = point.to_crs(settings.WGS84).iloc[0]
    lat, lon = round(wgs84.y, 7), round(wgs84.x, 7)
    code, out, err = _run(capsys, "situer", "--lat", str(lat), "--lon", str(lon))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["statut"] == "hors" and answer["code_qp"] is None and answer["nom_qp"] is None
    assert answer["qpv_le_plus_proche"]["code_qp"] == nearest["code_qp"]
    assert abs(answer["qpv_le_plus_proche"]["distance_m"] - distances.min()) <= 1
    assert nearest["code_qp"] in answer["remarque"]


def test_situer_needs_a_file_or_both_coordinates(capsys):
    code, _, err = _run(capsys, "situer", "--lat", "50.518")
    assert code == 2 and err.startswith("Erreur")


def test_situer_csv_round_trip(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_bytes(
        "nom;latitude;longitude\nÉcole;50,518;2,629\nArras;50,2910;2,7775\nerreur;abc;2,6\n".encode("cp1252")
    )
    output = tmp_path / "out.csv"
    code, out, err = _run(capsys, "situer", str(source), "-o", str(output))
    assert code == 0, err
    assert "3 lignes traitées" in out and "dans : 1" in out and "hors : 1" in out and "invalide : 1" in out
    assert "1 ligne invalide :" in err  # said, not hidden behind exit code 0

    result = pd.read_csv(output, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert result["nom"].tolist() == ["École", "Arras", "erreur"]
    assert result["statut"].tolist() == ["dans", "hors", "invalide"]
    assert result.loc[0, "code_qp"] == "QN06208M" and result.loc[0, "dans_qpv"] == "oui"
    assert result.loc[1, ["code_qp", "nom_qp"]].tolist() == ["", ""]  # hors: Arras is in no quartier
    assert result.loc[1, "remarque"] == (
        "QPV le plus proche : République - Cité 4 (QN06219M), à 12,3 km ; hors des agglomérations CABBALR et CALL"
    )
    assert result.loc[2, "motif"].startswith("latitude invalide (« abc »")
    assert tuple(result.columns[-len(OUTPUT_COLUMNS) :]) == OUTPUT_COLUMNS  # the contract is pinned in test_batch


def test_situer_csv_without_output_or_with_bad_file(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("adresse;ville\n1 rue Haute;Lens\n", encoding="utf-8")
    code, _, err = _run(capsys, "situer", str(source))
    assert code == 2 and "-o" in err

    code, _, err = _run(capsys, "situer", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 1 and "Colonnes de coordonnées introuvables" in err and "adresse | ville" in err
    assert not (tmp_path / "out.csv").exists()

    code, _, err = _run(capsys, "situer", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "out.csv"))
    assert code == 1 and err.startswith("Erreur")


# --- paths do not depend on the working directory ---------------------------------------------------------------


def test_module_runs_from_any_working_directory(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(settings.ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-m", "quartiers", "export", "qpv", "out.geojson"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    layer = gpd.read_file(tmp_path / "out.geojson")  # relative output: written in the working directory
    assert len(layer) == 41


def test_verifier_portraits_accepts_the_real_files(capsys):
    assert main(["verifier-portraits"]) == 0
    assert "0 textes non conformes" in capsys.readouterr().out


def test_verifier_portraits_catches_a_paraphrase(monkeypatch, tmp_path, capsys):
    """A non-developer who retypes a sentence differently is told which file and field drift from the source."""
    import shutil

    shutil.copytree(settings.PORTRAITS_DIR, tmp_path / "portraits")
    path = tmp_path / "portraits" / "catorive.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("maison d'arrêt", "prison"), encoding="utf-8")
    monkeypatch.setattr(settings, "PORTRAITS_DIR", tmp_path / "portraits")
    assert main(["verifier-portraits"]) == 1
    out = capsys.readouterr().out
    assert "catorive.toml" in out and "introuvable mot pour mot dans le document 002" in out


def test_verifier_portraits_checks_the_frames_too(monkeypatch, tmp_path, capsys):
    """A frame's reference figure retyped differently (portraits/cadres/) is caught like a portrait's."""
    import shutil

    shutil.copytree(settings.PORTRAITS_DIR, tmp_path / "portraits")
    path = tmp_path / "portraits" / "cadres" / "call.toml"
    text = path.read_text(encoding="utf-8")
    assert "vivent en QPV" in text
    path.write_text(text.replace("vivent en QPV", "habitent en QPV"), encoding="utf-8")
    monkeypatch.setattr(settings, "PORTRAITS_DIR", tmp_path / "portraits")
    assert main(["verifier-portraits"]) == 1
    out = capsys.readouterr().out
    assert "cadres/call.toml — champ « references.texte »" in out and "document 004" in out


# --- extreme coordinates, files that locate nothing, formulas, broken data files ----------------------------------


@pytest.mark.parametrize(("lat", "lon"), [("-90", "0"), ("90", "180"), ("-90", "-180")])
def test_situer_poles_and_antimeridian_answer_without_error(capsys, lat, lon):
    code, out, err = _run(capsys, "situer", "--lat", lat, "--lon", lon)
    assert code == 0, err
    answer = json.loads(out)
    assert answer["statut"] == "hors" and answer["hors_agglomerations"] is True
    assert answer["remarque"].endswith("hors des agglomérations CABBALR et CALL")
    assert answer["code_qp"] is None and answer["dans_qpv"] is False  # as the CSV row: no code for "hors"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "91"])
def test_situer_non_coordinates_are_refused_in_french(capsys, value):
    code, _, err = _run(capsys, "situer", f"--lat={value}", "--lon", "2.6")
    assert code == 2 and err.startswith("Erreur : latitude entre -90 et 90")


def test_situer_file_with_minus_90_and_formulas(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(
        'nom;latitude;longitude;\n"=HYPERLINK(""http://x"";""y"")";50,518;2,629;\n@pôle;-90;0;\n', encoding="utf-8"
    )
    output = tmp_path / "out.csv"
    code, out, err = _run(capsys, "situer", str(source), "-o", str(output))
    assert code == 0, err
    result = pd.read_csv(output, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert result["statut"].tolist() == ["dans", "hors"]
    assert result["nom"].tolist() == ['\'=HYPERLINK("http://x";"y")', "'@pôle"]
    assert result["latitude"].tolist() == ["50,518", "-90"]  # numbers are not touched


def test_situer_file_where_nothing_is_located_exits_1(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("latitude;longitude\nabc;def\n95;2\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    code, out, err = _run(capsys, "situer", str(source), "-o", str(output))
    assert code == 1
    assert "Aucun point n'a pu être situé" in out and "aucun point du fichier n'a pu être situé" in err
    assert output.exists()  # the reasons are in the file's `motif` column


def test_situer_refuses_a_file_over_the_limit_before_reading_it(tmp_path, capsys, monkeypatch):
    from quartiers import cli

    source = tmp_path / "gros.csv"
    source.write_text("latitude;longitude\n" + "50,5;2,6\n" * 200, encoding="utf-8")
    monkeypatch.setattr(cli, "MAX_BYTES", 100)
    monkeypatch.setattr(type(source), "read_bytes", lambda self: pytest.fail("file read despite its size"))
    code, _, err = _run(capsys, "situer", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 1 and "dépasse la taille maximale de 20 Mo" in err


@pytest.fixture
def portraits_copy(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(settings.PORTRAITS_DIR, tmp_path / "portraits")
    monkeypatch.setattr(settings, "PORTRAITS_DIR", tmp_path / "portraits")
    monkeypatch.setattr(settings, "SOURCES_DIR", tmp_path / "portraits" / "documents")
    return tmp_path / "portraits"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: (d / "documents.toml").write_text("[documents.000\ntitre = 1", encoding="utf-8"), "documents.toml"),
        (lambda d: (d / "documents.toml").unlink(), "documents.toml — champ « (fichier) » : fichier introuvable"),
        (
            lambda d: (d / "documents.toml").write_text('[documents.000]\nfichier = "a.txt"\n', encoding="utf-8"),
            "documents.toml — champ « documents.000.titre » : champ obligatoire absent ou vide",
        ),
        (lambda d: (d / "cadres" / "call.toml").write_text("epci = ", encoding="utf-8"), "cadres/call.toml"),
        (lambda d: (d / "documents" / "002_6f14e162db8719b2.txt").unlink(), "document source illisible"),
    ],
    ids=["documents-syntax", "documents-missing", "documents-field", "cadre-syntax", "source-missing"],
)
def test_verifier_portraits_reports_broken_files_without_traceback(portraits_copy, capsys, change, words):
    change(portraits_copy)
    assert main(["verifier-portraits"]) == 1
    out = capsys.readouterr().out
    assert words in out and "Traceback" not in out
    assert "portraits valides" in out  # the summary line is still printed


def test_verifier_portraits_with_an_unreadable_qpv_layer_gives_one_message(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "qpv.geojson"
    broken.write_text("{ pas du json", encoding="utf-8")
    monkeypatch.setattr(settings, "QPV_FILE", broken)
    main(["verifier-portraits"])
    out = capsys.readouterr().out
    assert out.count("qpv.geojson") == 1 and "38 portraits valides" in out


def test_situer_one_point_hors_names_the_nearest_qpv_in_the_remark_as_the_csv_does(capsys):
    code, out, err = _run(capsys, "situer", "--lat", "50.2910", "--lon", "2.7775")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["statut"] == "hors"
    assert answer["remarque"] == (
        "QPV le plus proche : République - Cité 4 (QN06219M), à 12,3 km ; hors des agglomérations CABBALR et CALL"
    )


# --- hostile input on the command line (issue 15) -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["situer", "perimetre"])
def test_an_endless_source_is_read_up_to_the_limit_and_refused(tmp_path, capsys, command):
    """/dev/zero reports a size of 0: the CLI reads MAX_BYTES + 1 bytes, never the whole stream."""
    argv = (
        ["situer", "/dev/zero", "-o", str(tmp_path / "out.csv")] if command == "situer" else ["perimetre", "/dev/zero"]
    )
    code, out, err = _run(capsys, *argv)
    assert code == 1 and out == ""
    assert err == "Erreur : Le fichier zero dépasse la taille maximale de 20 Mo.\n"
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b";;latitude;longitude\na;b;50,518;2,629\n", "2 colonnes sans nom dans l'en-tête, nommées « colonne 1 »"),
        (
            "ville;latitude;longitude\nBéthune;50,518;2,629\n".encode() + "Béthune;50,518;2,629\n".encode("cp1252"),
            "Encodage mélangé : le fichier est en UTF-8 sauf la ligne 3, lue en Windows-1252",
        ),
        (b"statut;motif;latitude;longitude\nx;y;50,518;2,629\n", "s'appellent « statut_2 », « motif_2 »"),
        (
            b'nom;latitude;longitude\nA;50,518;2,629\nB;"50,518;2,629\nC;50,518;2,629\nD;50,518;2,629\n',
            "Guillemet non refermé, ouvert à la ligne 3",
        ),
        (
            b"nom;latitude;longitude\nA;50,518;2,629\nB;50,518;" + b"x" * 10_000_000 + b"\n",
            "Cellule de plus de 131\u202f072 caractères (limite) à la ligne 3",
        ),
    ],
    ids=["unnamed-columns", "mixed-encoding", "colliding-columns", "swallowing-quote", "oversized-cell"],
)
def test_situer_says_what_it_changed_or_could_not_read(tmp_path, capsys, content, said):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(content)
    code, out, err = _run(capsys, "situer", str(source), "-o", str(output))
    assert code == 0 and said in out
    assert err.startswith("Attention : ") and said in err  # a warning, never a plain success
    written = output.read_text(encoding="utf-8-sig")
    assert "field" not in written and "Ã" not in written
    if b"ville" in content:
        assert written.count("Béthune") == 2


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"latitude;longitude\n50,5\x00;2,6\n", "contient un caractère nul (ligne 2)"),
        (b"latitude;longitude;" + b"c;" * 100_000 + b"\n1;2\n", "a 100\u202f002 colonnes : au plus 500"),
    ],
    ids=["nul", "100000-columns"],
)
def test_situer_refuses_a_hostile_file_in_french(tmp_path, capsys, content, said):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    code, _, err = _run(capsys, "situer", str(source), "-o", str(tmp_path / "out.csv"))
    assert code == 1 and err.startswith("Erreur : Le fichier in.csv ") and said in err
    assert "Traceback" not in err
