"""Portraits of Béthune's three quartiers (Mont Liébaut, 3 Îlots, Catorive) against their source,
the convention d'application communale de Béthune (document 002)."""

from functools import cache

from quartiers import settings
from quartiers.portraits import load_portraits
from quartiers.verbatim import clean

BETHUNE = ("QN06208M", "QN06209M", "catorive")
SIGVILLE = "données sigville 2022 basées sur l'ancien périmètre"
PREFECTURE = "données 2024 de la Préfecture du Pas-de-Calais"
SEED_002 = settings.SOURCES_DIR / "002_6f14e162db8719b2.txt"


@cache
def _portraits():
    return load_portraits()


def _p(pid):
    return _portraits()[0][pid]


def _figure(p, cle):
    ind = p.indicateur(cle)
    return ind.valeur, ind.reference


def test_bethune_portraits_load_without_errors():
    portraits, errors = _portraits()
    assert [e for e in errors if any(pid in str(e) for pid in BETHUNE)] == []
    for pid in BETHUNE:
        p = portraits[pid]
        assert p.portrait_detaille is True
        assert p.epci == ("CABBALR",)
        assert p.source.document == "002"


# ------------------------------------------------------------------ Mont Liébaut


def test_mont_liebaut_identity_and_printed_code():
    p = _p("QN06208M")
    assert (p.nom, p.statut, p.code_qp, p.communes) == ("Mont Liébaut", "QPV", "QN06208M", ("Béthune",))
    assert p.code_cite == "QP 06 20 08"
    assert "QP 06 20 08" in p.note and "QN06208M" in p.note


def test_mont_liebaut_figures_with_agglomeration_reference():
    p = _p("QN06208M")
    assert _figure(p, "taux_pauvrete") == (46.1, 18.8)
    assert _figure(p, "part_parc_social") == (77.9, 25.6)
    assert _figure(p, "part_moins_25_ans") == (37.9, 31)
    assert _figure(p, "part_familles_monoparentales") == (39.4, 16.2)
    assert _figure(p, "ips") == (86, 104)
    assert _figure(p, "taux_emploi_15_64") == (34.9, 58.8)
    assert _figure(p, "part_16_25_sans_emploi_ni_scolarite") == (31.4, 23.5)
    pop = p.indicateur("population")
    assert (pop.valeur, pop.unite, pop.evolution) == (2600, "habitants", "+100 par rapport à 2015")
    assert p.indicateur("surface").valeur == 70
    assert all(i.millesime == SIGVILLE for i in p.indicateurs)


def test_mont_liebaut_two_indicators_on_one_line_are_split():
    p = _p("QN06208M")
    assert p.indicateur("taux_pauvrete").texte == "Taux de pauvreté : 46,1% (18,8% sur l'ensemble de l'agglomération)."
    assert (
        p.indicateur("part_moins_25_ans").texte
        == "Part des - de 25 ans : 37,9% (31% sur l'ensemble de l'agglomération)."
    )


def test_mont_liebaut_irritants_opportunites_enjeux():
    p = _p("QN06208M")
    assert len(p.irritants) == 4
    assert len(p.opportunites) == 9
    assert [e.texte for e in p.enjeux_prioritaires] == [
        "L'enfance et la jeunesse : le parcours 0-25 ans dans le quartier et la ville",
        "L'insertion socio-professionnelle des habitants",
        "La cohésion sociale",
    ]
    assert p.irritants[0].titre.startswith("Problématiques sécuritaires : trafic de stupéfiants")
    assert any(o.texte == "Présence d'une médiathèque en cœur de quartier" for o in p.opportunites)
    assert "Les enjeux prioritaires concernent l'émancipation des habitants du quartier en axant sur" in p.note


def test_mont_liebaut_objectifs_table():
    p = _p("QN06208M")
    assert len(p.objectifs) == 24
    alimentation = next(o for o in p.objectifs if o.objectif.startswith("Garantir à tous l'accès à une alimentation"))
    assert alimentation.ambition == "Rendre les habitants acteurs de leur santé physique et mentale"
    assert [op.texte for op in alimentation.operationnels] == [
        "Retravailler l'offre de service de l'Epicerie Solidaire (distribution et prévention)"
    ]
    culture = next(o for o in p.objectifs if o.objectif == "Favoriser l'accès à la culture, aux sports et aux loisirs")
    assert culture.ambition == "Accompagner l'accès à l'autonomie et à l'emploi des habitants des quartiers"
    assert culture.enjeu == "ENJEU 2 : DES QUARTIERS D'ÉMANCIPATION POUR TOUS"


# ------------------------------------------------------------------ 3 Îlots


def test_trois_ilots_identity_and_communes():
    p = _p("QN06209M")
    assert (p.nom, p.statut, p.code_qp, p.code_cite) == ("3 Îlots", "QPV", "QN06209M", "QP 06 20 09")
    assert p.communes == ("Béthune", "Verquin")
    assert p.nom_officiel == "Quartier 3 ilôts"


def test_trois_ilots_figures():
    p = _p("QN06209M")
    assert _figure(p, "taux_pauvrete") == (40.3, 18.8)
    assert _figure(p, "part_parc_social") == (33.3, 25.6)
    assert _figure(p, "ips") == (95, 104)
    assert _figure(p, "taux_emploi_15_64") == (48.5, 58.8)
    pop = p.indicateur("population")
    assert (pop.valeur, pop.evolution) == (3300, "+100 par rapport à 2015")
    assert p.indicateur("surface").valeur == 56
    assert p.indicateur("taux_pauvrete").texte == "Taux de pauvreté : 40,3 % (18,8% sur l'ensemble de l'agglomération)."


def test_trois_ilots_irritants_opportunites():
    p = _p("QN06209M")
    assert len(p.irritants) == 2
    assert len(p.opportunites) == 3
    assert any("3 « sous-quartiers » (rue de Lille – Cheminots et Mont Sans Pareil)" in i.titre for i in p.irritants)
    assert any(o.texte.startswith("Présence du Centre Rosa Luxemburg") for o in p.opportunites)
    assert [e.texte for e in p.enjeux_prioritaires] == [
        "La jeunesse",
        "L'insertion socio-professionnelle",
        "La cohésion sociale",
    ]


def test_trois_ilots_objectifs_table():
    p = _p("QN06209M")
    assert len(p.objectifs) == 23
    renouvellement = next(
        o
        for o in p.objectifs
        if o.objectif == "Accompagner le renouvellement urbain et la transition écologique des quartiers"
    )
    assert [op.texte for op in renouvellement.operationnels] == [
        "Désimperméabiliser les espaces autant que possible",
        "Densifier les cœurs d'îlots existants tout en laissant des zones blanches",
    ]


# ------------------------------------------------------------------ Catorive (QIC)


def test_catorive_is_a_qic_without_official_code():
    p = _p("catorive")
    assert (p.id, p.nom, p.statut, p.communes) == ("catorive", "Catorive", "QIC", ("Béthune",))
    assert p.code_qp is None and p.code_cite is None
    assert "Quartier d'intérêt communautaire – territoire vulnérable" in p.note


def test_catorive_figures_from_prefecture_2024():
    p = _p("catorive")
    pop = p.indicateur("population")
    assert (pop.valeur, pop.evolution) == (760, None)
    assert _figure(p, "taux_pauvrete") == (21, 18.8)
    assert _figure(p, "part_parc_social") == (75, 25.6)
    assert _figure(p, "part_familles_monoparentales") == (13, 16.2)
    assert _figure(p, "ips") == (72, 104)
    assert p.indicateur("surface") is None and p.indicateur("taux_emploi_15_64") is None
    assert len(p.indicateurs) == 5
    assert all(i.millesime == PREFECTURE for i in p.indicateurs)


def test_catorive_irritants_opportunites():
    p = _p("catorive")
    assert len(p.irritants) == 3
    assert len(p.opportunites) == 4
    assert p.irritants[0].titre == (
        "Présence d'une maison d'arrêt en proximité de l'école primaire Pasteur → troubles à l'ordre public "
        "à cause des « lanceurs » de « missiles » à destination des détenus"
    )
    assert any(i.titre == "Pas de commerce de proximité" for i in p.irritants)
    assert any("12 terrains de pétanque" in o.texte for o in p.opportunites)


def test_catorive_objectifs_table_reassembled_across_page_break():
    p = _p("catorive")
    assert len(p.objectifs) == 25
    dialogue = next(o for o in p.objectifs if o.objectif == "Faciliter le dialogue entre habitants et institutions")
    assert (
        dialogue.ambition
        == "Promouvoir l'éducation populaire, la citoyenneté et la vie associative à tous les âges de la vie"
    )
    assert [op.texte for op in dialogue.operationnels] == [
        "Renforcer les liens avec les bailleurs présents sur le quartier",
        "Développer les présences institutionnelles de proximité",
        "Créer un lieu de vie et de proximité (dynamique centre social)",
    ]
    assert {o.enjeu for o in p.objectifs} == {
        "ENJEU 1 : DES QUARTIERS ATTENTIFS AUX HABITANTS DES PLUS FRAGILES",
        "ENJEU 2 : DES QUARTIERS D'ÉMANCIPATION POUR TOUS",
        "ENJEU 3 : DES QUARTIERS À L'ÉPREUVE DES TRANSITIONS",
    }


# ------------------------------------------------------------------ verbatim against the source


def test_every_text_is_verbatim_in_the_bethune_convention():
    source = clean(SEED_002.read_text(encoding="utf-8"))
    for pid in BETHUNE:
        p = _p(pid)
        texts = [i.texte for i in p.indicateurs]
        texts += [i.titre for i in p.irritants] + [d for i in p.irritants for d in i.detail]
        texts += [o.texte for o in p.opportunites] + [e.texte for e in p.enjeux_prioritaires]
        texts += [o.objectif for o in p.objectifs]
        texts += [op.texte for o in p.objectifs for op in o.operationnels]
        texts += [item for o in p.objectifs for op in o.operationnels for item in op.items]
        missing = [t for t in texts if clean(t) not in source]
        assert missing == [], (pid, missing)
