"""The CABBALR intercommunal frame (cadres/cabbalr.toml) and the CABBALR QPV without a communal convention.

Expected values are typed from the seeds: document 001 (délibération du conseil communautaire du
24 septembre 2024 and its annexed 2023 report) and the conventions of Lillers (000), Béthune (002), Auchel (003).
"""

import json
import re
import tomllib
from functools import cache

from quartiers import settings
from quartiers.portraits import load_cadres, load_portraits

CABBALR_SIREN = "200072460"
SEEDS = settings.SOURCES_DIR
SEED = {
    "000": SEEDS / "000_6a6bc04fecd3f620.txt",
    "001": SEEDS / "001_91d550259e887626.txt",
    "002": SEEDS / "002_6f14e162db8719b2.txt",
    "003": SEEDS / "003_70b49fb5bbad8184.txt",
}
# The CABBALR QPV that no convention d'application communale in the seeds describes.
SANS_CONVENTION = {
    "QN06207M": ("Quartier Du Regain", ("Barlin", "Hersin-Coupigny")),
    "QN06210M": ("Renaissance", ("Beuvry", "Labourse")),
    "QN06211M": ("Le Centre", ("Bruay-la-Buissière", "Haillicourt")),
    "QN06212M": ("Terrasses Basly", ("Bruay-la-Buissière",)),
    "QN06213M": ("Quartier Coteau Du Stade Parc-Cité 34", ("Bruay-la-Buissière", "Divion")),
    "QN06214M": ("Quartier Des Cités 6 Et 30", ("Calonne-Ricouart", "Divion")),
    "QN06217M": ("Le Haut D'Houdain", ("Haillicourt", "Houdain")),
    "QN06218M": ("Terre-Noeve", ("Nœux-les-Mines",)),
}
PAS_DE_CONVENTION = "Aucune convention d'application communale de cette commune ne figure dans les sources."


@cache
def _portraits():
    return load_portraits()


@cache
def _cadre():
    return load_cadres()["CABBALR"]


@cache
def _seed(document):
    """Seed text after the clean-up the rules allow (markdown, footnote calls, HTML, bullets, pipes)."""
    text = SEED[document].read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", text).replace("**", "").replace("*", "")
    text = re.sub(r"[¹²³]", "", text).replace("•", " ").replace("|", " ")
    return " ".join(text.split())


def _cabbalr_geodata():
    features = json.loads(settings.QPV_FILE.read_text(encoding="utf-8"))["features"]
    return {
        f["properties"]["code_qp"]: f["properties"]
        for f in features
        if CABBALR_SIREN in [s.strip() for s in f["properties"]["siren_epci"].split(",")]
    }


def test_cadre_has_3_enjeux_10_ambitions_35_objectifs():
    # 001 lignes 553-555 : « 3 enjeux structurants / déclinés en 10 ambitions partagées et 35 objectifs »
    cadre = _cadre()
    assert cadre.epci == "CABBALR"
    assert len(cadre.enjeux) == 3
    assert sum(len(e.ambitions) for e in cadre.enjeux) == 10
    assert sum(len(a.objectifs) for e in cadre.enjeux for a in e.ambitions) == 35
    assert [len(e.ambitions) for e in cadre.enjeux] == [3, 4, 3]
    assert [e.titre for e in cadre.enjeux] == [
        "Des quartiers attentifs aux habitants les plus fragiles",
        "Des quartiers d'émancipation pour tous",
        "Des quartiers à l'épreuve des transitions économiques, écologiques et sociales",
    ]


def test_cadre_objectifs_are_verbatim():
    cadre = _cadre()
    enjeu1 = cadre.enjeux[0]
    assert enjeu1.ambitions[0].titre == "Faciliter l'accès aux droits, aux soins et aux services"
    # la coquille « en particuliers » de la convention de Lillers (000 ligne 218) est conservée
    assert enjeu1.ambitions[0].objectifs[0] == "Renforcer le repérage des publics éloignés du droit en particuliers"
    violences = enjeu1.ambitions[2]
    assert violences.titre == "Prévenir les violences, accompagner les victimes"
    assert "Lutter contre le harcèlement scolaire" in violences.objectifs
    transitions = cadre.enjeux[2].ambitions[1]
    assert transitions.objectifs[:2] == (
        "Favoriser la mixité sociale et accompagner les habitants dans leurs parcours résidentiels",
        "Associer les habitants à la fabrique des quartiers 2030",
    )
    # every ambition and objective is found in a convention, word for word (two were cut by a page break in 000)
    conventions = [_seed("000"), _seed("002"), _seed("003")]
    for enjeu in cadre.enjeux:
        assert enjeu.titre in _seed("001")
        for ambition in enjeu.ambitions:
            assert any(ambition.titre in t for t in conventions), ambition.titre
            for objectif in ambition.objectifs:
                assert any(objectif in t for t in conventions), objectif


def test_cadre_transversaux_from_001():
    cadre = _cadre()
    assert [(t.titre, t.texte) for t in cadre.transversaux] == [
        ("Une priorité à la jeunesse", ("investir sur l'avenir",)),
        ("La participation des habitants", ("susciter et accompagner l'initiative citoyenne, sous toutes ses formes",)),
        (
            "L'égalité entre les femmes et les hommes et la lutte contre les discriminations",
            ("vers l'égalité réelle",),
        ),
    ]
    for t in cadre.transversaux:
        assert t.source.document == "001"
        assert f"{t.titre} : {t.texte[0]}" in _seed("001")


def test_cadre_references_agglomeration():
    refs = {r.cle: r for r in _cadre().references}
    pauvrete = refs["taux_pauvrete"]
    assert (pauvrete.valeur, pauvrete.unite) == (18.8, "%")
    assert pauvrete.texte == "18,8% sur l'ensemble de l'agglomération"
    assert pauvrete.millesime == "données sigville 2022 basées sur l'ancien périmètre"
    assert (pauvrete.source.document, pauvrete.source.section) == ("000", "Portrait statistique")
    assert {cle: r.valeur for cle, r in refs.items()} == {
        "taux_pauvrete": 18.8,
        "part_moins_25_ans": 31,
        "part_familles_monoparentales": 16.2,
        "ips": 104,
        "taux_emploi_15_64": 58.8,
        "part_16_25_sans_emploi_ni_scolarite": 23.5,
        "part_parc_social": 25.6,
    }
    for r in refs.values():
        assert r.texte in _seed(r.source.document)
        # the three conventions print the same agglomeration references
        assert r.texte in _seed("002") and r.texte in _seed("003")


def test_every_cabbalr_qpv_of_geodata_has_a_record():
    portraits, errors = _portraits()
    geodata = _cabbalr_geodata()
    assert len(geodata) == 16
    assert [e for e in errors if any(code in str(e) for code in geodata)] == []
    for code in geodata:
        assert code in portraits, code
        assert "CABBALR" in portraits[code].epci


def test_qpv_without_convention():
    portraits, _ = _portraits()
    anct_list = settings.QPV_LISTE_ANCT_FILE.read_text(encoding="utf-8")
    geodata = _cabbalr_geodata()
    for code, (nom, communes) in SANS_CONVENTION.items():
        p = portraits[code]
        assert p.portrait_detaille is False
        assert (p.nom, p.nom_officiel, p.statut, p.code_qp) == (nom, geodata[code]["lib_qp"], "QPV", code)
        assert p.communes == communes == tuple(c.strip() for c in geodata[code]["lib_com"].split(","))
        assert p.epci == ("CABBALR",)
        if code == "QN06211M":
            assert p.source.document == "001"
        else:
            # 001 does not name these quartiers: the record cites the official ANCT list, which does
            assert p.source.document == "ANCT"
            assert p.source.section == f"{code} — {geodata[code]['lib_qp']}"
            assert f"{code},{geodata[code]['lib_qp']}," in anct_list
            assert geodata[code]["lib_qp"] not in _seed("001")
        assert p.note.startswith(PAS_DE_CONVENTION)
        # 001 gives no figure for any of these quartiers
        assert p.indicateurs == () and p.irritants == () and p.objectifs == ()
    # only « Le Centre à Bruay » is named by 001, in its urban renewal section (ligne 304)
    centre = portraits["QN06211M"]
    assert centre.source.section == "Le Programme National de Renouvellement Urbain (PNRU)"
    assert "Le Centre à Bruay" in _seed("001") and "Le Centre à Bruay" in centre.note


def test_document_001_is_titled_as_a_deliberation():
    with open(settings.PORTRAITS_DIR / "documents.toml", "rb") as f:
        titre = tomllib.load(f)["documents"]["001"]["titre"]
    assert titre.startswith("Délibération du Conseil communautaire")
    assert "24 septembre 2024" in titre and "année 2023" in titre
