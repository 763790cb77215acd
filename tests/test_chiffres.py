"""Figures you can compare: measures never mixed, qualifiers kept, both surfaces labelled, Insee commune reference.

Every expected number is read here from the files themselves (the Insee CSV, the seeds, the TOML records),
not only written down.
"""

from __future__ import annotations

import csv
import dataclasses
import filecmp
import itertools
import re
import tomllib
from html import unescape
from pathlib import Path

import pytest
import shapely

from quartiers import couches_officielles, settings, tables
from quartiers import portrait_html as ph
from quartiers.catalogue import build_catalogue
from quartiers.fiche import fiche_html
from quartiers.filosofi import FilosofiError, commune_references, load_filosofi
from quartiers.formats import fmt_value
from quartiers.portraits import load_cadres, load_documents, load_portraits

SHARED = settings.ROOT.parent / "shared" / "geodata"
SEEDS = settings.SOURCES_DIR
FILOSOFI = f"geodata/{settings.FILOSOFI_FILE.name}"


@pytest.fixture(scope="module")
def context():
    layers = couches_officielles.load_layers()
    portraits, errors = load_portraits()
    assert errors == []
    return layers, build_catalogue(layers.qpv, layers.qic, portraits), load_documents()


def insee_row(code: str) -> dict[str, str]:
    """The row of the Insee file for a commune, read with the csv module (independently of quartiers.filosofi)."""
    with open(settings.FILOSOFI_FILE, encoding="utf-8", newline="") as f:
        return next(row for row in csv.DictReader(f, delimiter=";") if row["CODGEO"] == code)


def euros(raw: str) -> str:
    return f"{int(raw):,}".replace(",", " ") + " €"


def percent(raw: str) -> str:
    value = float(raw.replace(",", "."))
    return (f"{value:g}".replace(".", ",")) + " %"


def seed(code: str) -> str:
    return next(SEEDS.glob(f"{code}_*.txt")).read_text(encoding="utf-8")


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# ---------------------------------------------------------------- measures are never mixed


def raw_measures(cle: str) -> set[tuple]:
    """Distinct (source, vintage, perimeter) of one indicator, read straight from the TOML files."""
    found = set()
    for path in settings.PORTRAITS_DIR.glob("*.toml"):
        if path.name == "documents.toml":
            continue
        for block in tomllib.loads(path.read_text(encoding="utf-8")).get("indicateurs", []):
            if block.get("cle") == cle:
                source = block.get("source_donnees") or block["source"]["document"]
                found.add((source, block.get("millesime"), block.get("perimetre")))
    return found


def test_no_column_of_the_quartiers_table_mixes_two_measures(context):
    _, catalogue, _ = context
    frame = tables.quartiers_table(catalogue)
    mesures = frame.attrs["mesures"]
    by_name = {q.nom: q for q in catalogue.values()}
    for column, mesure in mesures.items():
        if mesure == tables.SURFACE_2024:
            continue
        for nom, value in zip(frame["Quartier"], frame[column], strict=True):
            if value is None or value != value:
                continue
            holders = [i for i in by_name[nom].portrait.indicateurs if i.valeur == value]
            assert any(i.mesure == mesure for i in holders), (column, nom, value)
            assert all(i.mesure == mesure for i in holders if i.cle == mesure.indicateur), (column, nom)
    # as many columns per indicator as distinct (source, vintage, perimeter) tuples in the files
    for cle in tables.TABLE_INDICATORS:
        columns = [c for c, m in mesures.items() if m.indicateur == cle]
        assert len(columns) == len(raw_measures(cle)), cle
    # every column's key (its title's [X], explained in the legend) states its own source, vintage and perimeter
    key_of = frame.attrs["cle_colonne"]
    for column, mesure in mesures.items():
        key = key_of[column]
        assert (key.source, key.millesime, key.perimetre) == (mesure.source, mesure.millesime, mesure.perimetre)
        assert column.endswith(f"[{key.cle}]") and key in frame.attrs["cles"]
    # the CABBALR conventions' poverty rate and the CALL contract's are two columns, each keyed to its vintage
    poverty = [key_of[c].label for c, m in mesures.items() if m.indicateur == "taux_pauvrete"]
    assert any("données sigville 2022 basées sur l'ancien périmètre" in k for k in poverty)
    assert any("Taux de pauvreté à 60% revenu déclaré 2019" in k for k in poverty)


def test_no_comparison_row_mixes_two_measures(context):
    _, catalogue, _ = context
    ids = tables.comparable_ids(catalogue)
    for a, b in itertools.combinations(ids, 2):
        qa, qb = catalogue[a], catalogue[b]
        result = tables.comparison([qa, qb])
        for label, mesure in result.table.attrs["mesures"].items():
            for q in (qa, qb):
                cell = result.table.loc[label, q.nom]
                if mesure == tables.SURFACE_2024:
                    assert cell.startswith(str(q.surface_ha).replace(".", ",").removesuffix(",0"))
                    continue
                figures = [i for i in q.portrait.indicateurs if i.mesure == mesure] if q.portrait else []
                assert (cell == tables.EMPTY) == (not figures), (a, b, label)
                if figures:
                    assert cell.startswith(fmt_value(figures[0])), (a, b, label)
        shared = [m for m in result.table.attrs["mesures"].values() if m != tables.SURFACE_2024]
        # Never "nothing comparable" above a table that shows something: the surface alone is said to be.
        surface = tables.SURFACE_2024 in result.table.attrs["mesures"].values()
        expected = None if shared else (tables.ONLY_SURFACE if surface else tables.NO_COMPARABLE)
        assert result.message == expected, (a, b)


def test_comparison_says_so_when_nothing_is_comparable(context):
    _, catalogue, _ = context
    result = tables.comparison([catalogue["QN06208M"], catalogue["QN06225M"]])  # sigville 2022 vs CALL contract
    assert result.message == (
        "aucun chiffre des sources n'est comparable entre ces quartiers : seule la surface 2024, calculée sur les "
        "tracés officiels, l'est"
    )
    apart = result.apart
    assert "maxi : 70,5 %" in " ".join(apart["Valeur"])  # shown apart, with the source's qualifier
    html = text_of(ph.comparison_html(list(result.names), list(result.rows), list(apart.itertuples(index=False))))
    assert "Chiffres sans équivalent comparable" in html and "None" not in html


def test_a_vintage_is_never_a_section_title():
    portraits, _ = load_portraits()
    figures = [i for p in portraits.values() for i in p.indicateurs]
    figures += [i for c in load_cadres().values() for i in c.references]
    assert figures
    for i in figures:
        assert i.millesime != i.source.section, i.texte
        assert i.perimetre, i.texte  # every record says which territory it covers


# ---------------------------------------------------------------- qualifiers, growth, surfaces


def test_mont_liebaut_panel_shows_environ_and_both_surfaces_labelled(context):
    _, catalogue, documents = context
    quartier = catalogue["QN06208M"]
    population = quartier.portrait.indicateur("population")
    assert "environ 2 600 habitants" in seed("002") and population.valeur == 2600
    assert fmt_value(population) == "environ 2 600 hab."
    facts = dict(ph.surfaces(quartier))
    # the 2024 perimeter's area, recomputed here in Lambert-93 from the official layer
    qpv = couches_officielles.load_layers().qpv
    area = qpv[qpv["code_qp"] == "QN06208M"].to_crs(settings.LAMBERT93).area.sum() / 10_000
    assert facts[ph.SURFACE_2024].startswith(f"{area:.1f}".replace(".", ",") + " ha (calculée en Lambert-93")
    assert "Surface: 70 hectares." in seed("002")
    assert facts[ph.SURFACE_CONVENTION].startswith("70 ha (« Surface: 70 hectares. »")
    assert "ancien périmètre" in facts[ph.SURFACE_CONVENTION]
    table = text_of(ph.indicators_table(quartier.portrait.indicateurs, documents, "t"))
    assert "Population: environ 2 600 habitants (+100 par rapport à 2015)." in table
    assert "Surface de l'ancien périmètre, selon la convention" in table


def test_call_cadre_shows_the_growth_as_a_growth():
    cadre = load_cadres()["CALL"]
    growth = next(i for i in cadre.references if i.libelle == "établissements dans les QPV")
    assert "+56% d'établissements** dans les QPV (+29% dans la CALL)" in seed("004")  # markdown bold in the seed
    assert growth.variation and fmt_value(growth) == "+56 %"
    html = ph.cadre_html(cadre, load_documents())
    assert "<td>+56 %</td>" in html and "+29 % (dans la CALL)" in unescape(html)
    # agglomeration values are headed « Agglomération », not « Quartier »
    assert "<th scope='col'>Agglomération</th>" in html
    assert "<th scope='col'>Quartier</th>" not in html


def test_call_quartier_figures_keep_mini_maxi_and_their_year(context):
    _, catalogue, documents = context
    grande = catalogue["QN06225M"].portrait.indicateur("taux_pauvrete")
    assert "un maxi de 70,5% (Grande Résidence)" in seed("004")
    assert fmt_value(grande) == "maxi : 70,5 %"
    assert grande.mesure.millesime == "Taux de pauvreté à 60% revenu déclaré 2019"
    assert "Taux de pauvreté à 60% revenu déclaré 2019" in seed("004")
    republique = catalogue["QN06219M"].portrait.indicateur("taux_emploi_15_64")
    assert fmt_value(republique) == "mini : 30,7 %"


# ---------------------------------------------------------------- Insee Filosofi 2021, commune level


def test_filosofi_copy_is_identical_to_the_shared_file():
    if not SHARED.exists():
        pytest.skip("../shared is not beside the project")
    for name in ("filosofi2021_communes_62.csv", "qpv2024_liste_62_anct_par_commune.csv"):
        assert filecmp.cmp(settings.GEODATA_DIR / name, SHARED / name, shallow=False), name
    sources = (settings.GEODATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "filosofi2021_communes_62.csv" in sources and "Licence Ouverte" in sources


@pytest.mark.parametrize(("code", "commune"), [("QN06208M", "62119"), ("QN06209M", "62119"), ("QN06226M", "62498")])
def test_commune_reference_of_a_qpv(context, code, commune):
    _, catalogue, _ = context
    quartier = catalogue[code]
    communes, problems = load_filosofi()
    assert problems == []
    html = text_of(ph.filosofi_list(commune_references(quartier.insee, quartier.communes, communes, FILOSOFI), None))
    row = insee_row(commune)
    expected = f"revenu disponible médian {euros(row['MED21'])} par an"
    assert expected in html and f"taux de pauvreté (seuil 60 %) {percent(row['TP6021'])}" in html
    assert "Filosofi 2021, Insee, commune" in html


def test_the_numbers_asked_for_are_those_of_the_insee_file(context):
    _, catalogue, _ = context
    communes, _ = load_filosofi()
    bethune, lens = insee_row("62119"), insee_row("62498")
    assert (euros(bethune["MED21"]), percent(bethune["TP6021"])) == ("19 290 €", "26 %")
    assert (euros(lens["MED21"]), percent(lens["TP6021"])) == ("17 250 €", "32 %")
    html = text_of(
        ph.filosofi_list(
            commune_references(catalogue["QN06209M"].insee, catalogue["QN06209M"].communes, communes, FILOSOFI), None
        )
    )
    # 3 Îlots lies over two communes: each is listed, with its own figures
    verquin = insee_row("62848")
    assert "Béthune (62119) : revenu disponible médian 19 290 €" in html
    assert f"Verquin (62848) : revenu disponible médian {euros(verquin['MED21'])}" in html


def test_every_qpv_lists_each_of_its_communes_by_insee_code(context):
    _, catalogue, _ = context
    communes, _ = load_filosofi()
    with open(settings.QPV_LISTE_ANCT_FILE, encoding="utf-8", newline="") as f:
        anct: dict[str, set[str]] = {}
        for row in csv.DictReader(f):
            anct.setdefault(row["code_qp"], set()).add(row["insee_com"])
    qpv = [q for q in catalogue.values() if q.code_qp and q.statut != "QIC"]
    assert len(qpv) == 41
    for q in qpv:
        assert set(q.insee) == anct[q.code_qp], q.id
        refs = commune_references(q.insee, q.communes, communes, FILOSOFI)
        assert [r.code for r in refs] == list(q.insee)
        for ref in refs:
            assert ref.donnees is not None and not ref.donnees.mediane.secret  # SOURCES.md: all published
            assert float(insee_row(ref.code)["MED21"]) == ref.donnees.mediane.valeur


def test_secrecy_is_said_never_zero_or_blank(context):
    _, catalogue, _ = context
    communes, _ = load_filosofi()
    with open(settings.FILOSOFI_FILE, encoding="utf-8", newline="") as f:
        secret = next(row for row in csv.DictReader(f, delimiter=";") if row["TP6021"] == "s")
    quartier = dataclasses.replace(catalogue["QN06208M"], insee=(secret["CODGEO"],), communes=("Commune test",))
    html = text_of(ph.filosofi_list(commune_references(quartier.insee, quartier.communes, communes, FILOSOFI), None))
    assert "taux de pauvreté (seuil 60 %) secret statistique (Insee)" in html
    assert f"{euros(secret['MED21'])}" in html
    assert " 0 %" not in html and "None" not in html


def test_bad_filosofi_files_give_a_french_message_naming_the_file(tmp_path):
    missing = tmp_path / "filosofi2021_communes_62.csv"
    with pytest.raises(FilosofiError, match="filosofi2021_communes_62.csv introuvable"):
        load_filosofi(missing)
    missing.write_text("CODGEO;NBMENFISC21;MED21\n62119;1;19290\n", encoding="utf-8")
    with pytest.raises(FilosofiError, match=r"filosofi2021_communes_62.csv : colonne\(s\) TP6021 absente"):
        load_filosofi(missing)
    missing.write_text("CODGEO;MED21;TP6021\n62119;19290;26,0\n62498;abc;32,0\n", encoding="utf-8")
    communes, problems = load_filosofi(missing)
    assert list(communes) == ["62119"] and "62498" in problems[0] and "MED21" in problems[0]
    refs = commune_references(("62119", "62498"), ("Béthune", "Lens"), communes, FILOSOFI)
    assert refs[0].donnees and refs[1].donnees is None
    assert refs[1].probleme == f"commune Lens (62498) absente du fichier {FILOSOFI} : pas de chiffre Insee pour elle."


# ---------------------------------------------------------------- renderer, fiche


def test_renderer_escapes_every_text_and_nests_the_tree(context):
    _, catalogue, documents = context
    portrait = catalogue["QN06208M"].portrait
    bad = "<script>alert(1)</script>"
    first = portrait.objectifs[0]
    op = dataclasses.replace(first.operationnels[0], texte=bad, items=(bad,))
    tampered = dataclasses.replace(first, objectif=bad, operationnels=(op,))
    html = ph.objectifs_tree((tampered,), documents)
    assert "<script>" not in html and html.count("&lt;script&gt;") == 3
    # ambition > objectif > opérationnel > sub-item: four nested lists inside the enjeu
    assert re.search(r"<ul[^>]*><li class='qp-ambition'>.*?<ul><li class='qp-objectif'>.*?<ul><li>.*?<ul><li>", html)
    irritants = ph.irritants_list(portrait.irritants)
    assert irritants.count("<ul") == 1 and irritants.count("<li>") == len(portrait.irritants)


def test_rate_bars_say_their_numbers_as_text(context):
    _, catalogue, _ = context
    html = unescape(ph.rate_bars(catalogue["QN06208M"].portrait.indicateurs))
    assert "role='img'" not in html
    assert "Quartier : 46,1 %" in html and "Référence (ensemble de l'agglomération) : 18,8 %" in html


def test_fiche_has_the_anct_name_notes_footnotes_and_commune_reference(context):
    layers, catalogue, documents = context
    quartier = catalogue["QN06255M"]  # Lillers: footnoted sources in its irritants
    communes, _ = load_filosofi()
    refs = commune_references(quartier.insee, quartier.communes, communes, FILOSOFI)
    html = unescape(fiche_html(quartier, layers, documents, communes=refs))
    assert f"Nom officiel (ANCT) : {quartier.nom_officiel}" in text_of(html)
    assert quartier.portrait.note[:60] in html
    footnotes = {s for i in quartier.portrait.irritants for s in i.sources_citees}
    assert footnotes and all(f"Source citée par le document : {f}" in html for f in footnotes)
    lillers = insee_row("62516")
    assert f"revenu disponible médian {euros(lillers['MED21'])}" in text_of(html)
    assert ph.SURFACE_2024 in html and "<details class='qp-enjeu' open>" in html


def test_fiche_of_a_qpv_named_only_by_the_anct_list_cites_it(context):
    layers, catalogue, documents = context
    html = unescape(fiche_html(catalogue["QN06207M"], layers, documents))
    assert settings.ANCT_LISTE_TITRE in html and "Quartier Du Regain" in html


def test_surface_2024_of_every_qpv_matches_a_lambert93_recomputation(context):
    """The 2024 surface the app labels is the official perimeter's area in EPSG:2154 (not in degrees)."""
    _, catalogue, _ = context
    import geopandas as gpd

    raw = gpd.read_file(settings.QPV_FILE).to_crs(settings.LAMBERT93)
    for _, row in raw.iterrows():
        area = shapely.area(row.geometry) / 10_000
        assert catalogue[row["code_qp"]].surface_ha == pytest.approx(area, abs=0.05), row["code_qp"]


def test_sources_md_documents_filosofi():
    text = Path(settings.GEODATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "Filosofi 2021" in text and "`s`" in text and "commune" in text


def test_panel_figures_name_their_measure_once_or_each(context):
    _, catalogue, documents = context
    same = text_of(ph.indicators_list(catalogue["QN06208M"].portrait.indicateurs, documents))
    assert same.count("données sigville 2022 basées sur l'ancien périmètre") == 1  # one shared line
    assert same.startswith("Population : environ 2 600 hab. (+100 par rapport à 2015)")
    mixed = text_of(ph.indicators_list(catalogue["QN06225M"].portrait.indicateurs, documents))
    for millesime in ("Population 2014", "Population « Quartiers 2030 »", "Taux de pauvreté à 60% revenu déclaré 2019"):
        assert f"— {millesime} — source des données" in mixed  # each figure with its own vintage
    assert "Pour chacun de ces chiffres" not in mixed
