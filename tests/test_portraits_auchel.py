"""Portraits of the four Auchel QPV against their source, the convention d'application communale (document 003)."""

import json
from functools import cache

from quartiers import settings
from quartiers.portraits import load_portraits
from quartiers.verbatim import clean

AUCHEL = {
    "QN06204M": "Centre-ville",
    "QN06205M": "Cité 5, de Marles et du Rond-Point",
    "QN06215M": "Provinces - Longues Trinques",
    "QN06206M": "Rimbart",
}
MILLESIME = "données sigville 2022 basées sur l'ancien périmètre"
SEED_003 = settings.SOURCES_DIR / "003_70b49fb5bbad8184.txt"


@cache
def _portraits():
    return load_portraits()


def _p(code):
    return _portraits()[0][code]


def _anct():
    features = json.loads(settings.QPV_FILE.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["code_qp"]: f["properties"] for f in features}


def _figure(p, cle):
    ind = p.indicateur(cle)
    return ind.valeur, ind.reference


def test_auchel_portraits_load_without_errors():
    portraits, errors = _portraits()
    assert [e for e in errors if any(code in str(e) for code in AUCHEL)] == []
    for code, nom in AUCHEL.items():
        p = portraits[code]
        assert (p.nom, p.statut, p.code_qp, p.epci, p.portrait_detaille) == (nom, "QPV", code, ("CABBALR",), True)


def test_printed_codes_differ_from_official_codes():
    for code in AUCHEL:
        p = _p(code)
        assert p.code_cite == f"QP 06 20 {code[5:7]}"
        assert p.code_cite in p.note and code in p.note


def test_communes_are_the_convention_s_and_match_anct():
    anct = _anct()
    expected = {
        "QN06204M": ("Auchel",),
        "QN06205M": ("Auchel", "Calonne-Ricouart", "Marles-les-Mines"),
        "QN06215M": ("Auchel", "Cauchy-à-la-Tour"),
        "QN06206M": ("Auchel", "Burbure"),
    }
    for code, communes in expected.items():
        assert _p(code).communes == communes
        assert tuple(anct[code]["lib_com"].split(", ")) == communes


def test_rimbart_is_rimbert_for_anct():
    p = _p("QN06206M")
    assert p.nom == "Rimbart"
    assert p.nom_officiel == "Quartier Rimbert" == _anct()["QN06206M"]["lib_qp"]
    assert "Rimbert" in p.note and "Rimbart" in p.note
    assert any("qui lie Rimbert au Centre d'Auchel" in o.texte for o in p.opportunites)


def test_centre_ville_figures():
    p = _p("QN06204M")
    assert _figure(p, "taux_pauvrete") == (45.4, 18.8)
    assert _figure(p, "ips") == (78, 104)
    assert _figure(p, "part_parc_social") == (53.4, 25.6)
    assert _figure(p, "part_familles_monoparentales") == (29.6, 16.2)
    pop = p.indicateur("population")
    assert (pop.valeur, pop.unite, pop.evolution) == (2300, "habitants", "stable depuis 2015")
    assert pop.texte == "Population : environ 2 300 habitants (stable depuis 2015)."
    assert p.indicateur("surface").valeur == 48
    assert p.indicateur("ips").reference_libelle == "ensemble des établissements de l'agglomération"


def test_cite_5_figures():
    p = _p("QN06205M")
    assert _figure(p, "taux_pauvrete") == (40.2, 18.8)
    assert _figure(p, "ips") == (79.9, 104)
    assert _figure(p, "part_parc_social") == (84.2, 25.6)
    assert _figure(p, "taux_emploi_15_64") == (40.4, 58.8)
    pop = p.indicateur("population")
    assert (pop.valeur, pop.evolution) == (2700, "+500 par rapport à 2015")
    assert p.indicateur("surface").valeur == 52
    assert p.indicateur("part_familles_monoparentales") is None  # not given for this quartier


def test_provinces_longues_trinques_figures():
    p = _p("QN06215M")
    assert _figure(p, "taux_pauvrete") == (43.8, 18.8)
    assert _figure(p, "ips") == (78.6, 104)
    assert _figure(p, "taux_emploi_15_64") == (39.1, 58.8)
    assert _figure(p, "part_16_25_sans_emploi_ni_scolarite") == (41.9, 23.5)
    pop = p.indicateur("population")
    assert (pop.valeur, pop.evolution) == (1100, "+ 100 par rapport à 2015")
    assert p.indicateur("surface").valeur == 19
    assert p.indicateur("part_familles_monoparentales") is None


def test_rimbart_figures():
    p = _p("QN06206M")
    assert _figure(p, "ips") == (77.8, 104)
    assert _figure(p, "taux_pauvrete") == (37.3, 18.8)
    assert _figure(p, "part_familles_monoparentales") == (18.4, 16.2)
    assert _figure(p, "part_16_25_sans_emploi_ni_scolarite") == (30.1, 23.5)
    pop = p.indicateur("population")
    assert (pop.valeur, pop.evolution) == (1300, "+ 400 habitants par rapport à 2015")
    assert p.indicateur("surface").valeur == 21


def test_every_figure_carries_the_document_s_vintage_and_source():
    for code in AUCHEL:
        for ind in _p(code).indicateurs:
            assert ind.millesime == MILLESIME
            assert (ind.source.document, ind.source.section) == ("003", "Portrait statistique")


def test_counts_of_irritants_opportunites_enjeux_and_objectifs():
    counts = {
        code: (len(p.indicateurs), len(p.irritants), len(p.opportunites), len(p.enjeux_prioritaires), len(p.objectifs))
        for code, p in ((c, _p(c)) for c in AUCHEL)
    }
    assert counts == {
        "QN06204M": (9, 9, 8, 4, 20),
        "QN06205M": (8, 6, 6, 6, 18),
        "QN06215M": (8, 9, 5, 7, 17),
        "QN06206M": (9, 6, 11, 6, 17),
    }


def test_irritants_are_titles_only():
    for code in AUCHEL:
        assert all(i.detail == () for i in _p(code).irritants)


def test_verbatim_texts():
    centre = _p("QN06204M")
    assert any(i.titre == "Pas de tiers-lieu de proximité" for i in centre.irritants)
    assert any(o.texte == "Un lieu de formation récemment implanté : l'AFP21" for o in centre.opportunites)
    cite5 = _p("QN06205M")
    assert any(o.texte == "Des infrastructures sportives de proximité (complexe Secrétin)" for o in cite5.opportunites)
    assert any(e.texte == "Le travail en intercommunalité" for e in cite5.enjeux_prioritaires)
    provinces = _p("QN06215M")
    assert any("Une scission spatiale entre les parties d'Auchel et Cauchy" in i.titre for i in provinces.irritants)
    assert any("association jardin minier de la cité 5" in o.texte for o in provinces.opportunites)
    rimbart = _p("QN06206M")
    assert any(i.titre == "Une reproduction du schéma parental" for i in rimbart.irritants)
    assert any(o.texte == "Projet d'installation d'une distillerie" for o in rimbart.opportunites)


def test_objectifs_table_row_by_row():
    centre = _p("QN06204M").objectifs
    # Empty operational cell stays empty.
    renouvellement = [o for o in centre if o.objectif.startswith("Accompagner le renouvellement urbain")]
    assert len(renouvellement) == 1 and renouvellement[0].operationnels == ()
    # Row cut by a page break (lines 151 and 153), reassembled.
    jeunes = next(o for o in centre if o.objectif.startswith("Renforcer l'accompagnement éducatif"))
    assert jeunes.objectif == "Renforcer l'accompagnement éducatif et social des jeunes dans leur accès à l'autonomie"
    assert jeunes.ambition == "Accompagner l'accès à l'autonomie et à l'emploi des habitants des quartiers"
    assert [op.texte for op in jeunes.operationnels] == ["Repérer les jeunes en errances"]
    # Source typo kept.
    assert any(op.texte == "Informier et accompagner les habitants" for o in centre for op in o.operationnels)
    # Each quartier's own operational objective for the same intercommunal objective.
    activite = "Promouvoir l'activité physique et les activités favorables au bien-être"
    own = {
        code: [op.texte for o in _p(code).objectifs if o.objectif == activite for op in o.operationnels]
        for code in AUCHEL
    }
    assert own == {
        "QN06204M": ["Amener le public à fréquenter les infrastructures existantes"],
        "QN06205M": ["Amener le public à fréquenter l'espace Sécretin entre autres"],
        "QN06215M": ["Développer les infrastructures et travailler l'accès à l'offre existante"],
        "QN06206M": ["Développer les infrastructures et travailler l'accès à l'offre existante"],
    }


def test_prevention_row_follows_each_table_s_layout():
    prevention = "Renforcer la prévention et l'accès aux soins"
    ambitions = {
        code: next(o.ambition for o in _p(code).objectifs if o.objectif.startswith(prevention)) for code in AUCHEL
    }
    assert ambitions == {
        "QN06204M": "Faciliter l'accès aux droits, aux soins et aux services",
        "QN06205M": "Rendre les habitants acteurs de leur santé physique et mentale",
        "QN06215M": "Rendre les habitants acteurs de leur santé physique et mentale",
        "QN06206M": "Faciliter l'accès aux droits, aux soins et aux services",
    }


def test_every_text_is_copied_from_the_convention():
    document = clean(SEED_003.read_text(encoding="utf-8"))
    for code in AUCHEL:
        p = _p(code)
        texts = [i.texte for i in p.indicateurs]
        texts += [i.titre for i in p.irritants] + [d for i in p.irritants for d in i.detail]
        texts += [o.texte for o in p.opportunites] + [e.texte for e in p.enjeux_prioritaires]
        texts += [o.objectif for o in p.objectifs] + [o.ambition for o in p.objectifs]
        texts += [op.texte for o in p.objectifs for op in o.operationnels]
        texts += [item for o in p.objectifs for op in o.operationnels for item in op.items]
        assert [t for t in texts if " ".join(t.split()) not in document] == [], code
