"""Portrait of the Lillers QPV « Ville Centre » against its source, the convention d'application communale (document 000)."""

import re
from functools import cache

from quartiers import settings
from quartiers.portraits import load_portraits

CODE = "QN06255M"
MILLESIME = "données sigville 2022 basées sur l'ancien périmètre"
SEED_000 = settings.SOURCES_DIR / "000_6a6bc04fecd3f620.txt"
AULA = "Source fiche « portrait de quartier » AULA réalisée en 2022"
SIGVILLE = "Source Données sigville 2022 basées sur l'ancien périmètre"


@cache
def _portraits():
    return load_portraits()


def _p():
    return _portraits()[0][CODE]


@cache
def _seed():
    """Document 000 after the clean-up allowed on source text (emphasis, footnote calls, HTML, bullets, pipes)."""
    text = SEED_000.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.replace("**", "").replace("*", "")
    for mark in "¹²³":  # footnote calls are dropped ("...agglomération)²." -> "...agglomération).")
        text = text.replace(mark, "")
    for mark in "•|":
        text = text.replace(mark, " ")
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    return " ".join(text.split())


def _in_seed(text):
    return " ".join(text.split()) in _seed()


def test_lillers_loads_with_identity_and_codes():
    portraits, errors = _portraits()
    assert [e for e in errors if CODE in str(e)] == []
    p = portraits[CODE]
    assert p.nom == "Ville Centre" and p.nom_officiel == "Ville Centre"
    assert p.statut == "QPV"
    assert p.code_qp == "QN06255M"
    assert p.code_cite == "QP 06 20 57"  # « Code quartier : QP 06 20 57 »
    assert "QP 06 20 57" in p.note and "QN06255M" in p.note
    assert p.communes == ("Lillers",) and p.epci == ("CABBALR",)
    assert p.portrait_detaille is True
    assert p.source.document == "000"


def test_population_and_surface():
    p = _p()
    pop = p.indicateur("population")
    assert pop.valeur == 2700 and pop.unite == "habitants"
    assert pop.evolution == "+300 par rapport à 2015"
    assert pop.texte == "Population : environ 2 700 habitants (+300 par rapport à 2015)."
    surface = p.indicateur("surface")
    assert surface.valeur == 46 and surface.unite == "ha"


def test_rates_against_agglomeration():
    p = _p()
    expected = {
        "taux_pauvrete": (40.5, 18.8),
        "part_moins_25_ans": (38.3, 31),
        "part_familles_monoparentales": (33.6, 16.2),
        "ips": (85, 104),
        "taux_emploi_15_64": (46, 58.8),
        "part_16_25_sans_emploi_ni_scolarite": (44.1, 23.5),
        "part_parc_social": (23.5, 25.6),
    }
    for cle, (valeur, reference) in expected.items():
        ind = p.indicateur(cle)
        assert (ind.valeur, ind.reference) == (valeur, reference), cle
    assert p.indicateur("ips").unite == "indice"
    assert p.indicateur("ips").reference_libelle == "ensemble des établissements de l'agglomération"
    assert p.indicateur("taux_pauvrete").texte == "Taux de pauvreté : 40,5 % (18,8% sur l'ensemble de l'agglomération)."
    assert p.indicateur("revenu_median") is None  # not in the « Portrait statistique » of 000
    assert len(p.indicateurs) == 9
    assert all(i.millesime == MILLESIME and i.source.section == "Portrait statistique" for i in p.indicateurs)


def test_irritants_titles_details_and_footnotes():
    p = _p()
    assert len(p.irritants) == 9
    first = p.irritants[0]
    assert first.titre == "Un taux de pauvreté élevé : 40.5% (18.8% sur l'ensemble de l'agglomération)"
    assert len(first.detail) == 2 and "touche 45,6% de la population" in first.detail[1]
    assert first.sources_citees == (AULA, SIGVILLE)
    femmes = next(i for i in p.irritants if i.titre == "Des inégalités sur l'emploi des femmes")
    assert femmes.sources_citees == (SIGVILLE,)
    scolaire = next(i for i in p.irritants if i.titre.startswith("Des enfants et adolescents en difficulté scolaire"))
    assert len(scolaire.detail) == 6
    assert any("taux de retard à l'entrée en 6ème-sigville2022" in d for d in scolaire.detail)
    cadre = next(i for i in p.irritants if i.titre.startswith("Un cadre de vie à repenser"))
    assert cadre.sources_citees == ()  # no footnote follows this irritant in the source


def test_opportunites_and_enjeux():
    p = _p()
    assert len(p.opportunites) == 14
    textes = [o.texte for o in p.opportunites]
    assert "Un CCAS très actif" in textes
    assert "La dynamique de « l’aller vers » existe ; elle est ttefois à renforcer" in textes
    assert textes[-1] == "Des relations de voisinage apaisées"
    assert [e.texte for e in p.enjeux_prioritaires] == [
        "Accompagner la réussite éducative",
        "Renforcer l’employabilité des habitants (l’emploi et la formation et notamment des familles monoparentales)",
        "Poursuivre l’amélioration du cadre de vie",
        "Consolider « l’aller vers » et développer la présence de proximité",
        "Renforcer la sécurité",
    ]


def test_projet_de_quartier_structure():
    p = _p()
    assert len(p.objectifs) == 35
    assert len({o.ambition for o in p.objectifs}) == 10
    assert [o.enjeu for o in p.objectifs].count("ENJEU 2 : DES QUARTIERS DÉMANCEIPATION POUR TOUS") == 18
    # Cells cut by a page break, reassembled.
    assert any(
        o.objectif == "Promouvoir l'activité physique et les activités favorables au bien-être" for o in p.objectifs
    )
    populaire = [o.objectif for o in p.objectifs if o.ambition.startswith("Promouvoir l'éducation populaire")]
    assert populaire == [
        "Susciter l'initiative citoyenne et l'envie de faire société",
        "Structurer et accompagner les projets et la vie associative",
        "Faciliter le dialogue entre habitants et institutions",
    ]
    assert all(
        o.ambition == "Promouvoir l'éducation populaire, la citoyenneté et la vie associative à tous les âges de la vie"
        for o in p.objectifs
        if o.ambition.startswith("Promouvoir")
    )


def test_grouped_operational_objectives_with_items():
    p = _p()
    by_objectif = {o.objectif: o for o in p.objectifs}
    reussite = by_objectif[
        "Assurer la réussite éducative des enfants et des jeunes au travers de la scolarité, "
        "de l'ouverture culturelle, du bien-être et des compétences psychosociales"
    ]
    (op,) = reussite.operationnels
    assert op.texte.startswith("Accompagner la réussite éducative : Accompagner les parcours individuels")
    assert op.items[:3] == ("PRE", "Pôle Petite Enfance", "Accueil Point Ecoute et orientation")
    assert op.items[-1] == "PRIJ" and len(op.items) == 9
    (emploi,) = by_objectif["Favoriser l'accès et le retour à l'emploi des habitants"].operationnels
    assert (
        emploi.texte
        == "Renforcer l'employabilité des habitants (l'emploi et la formation et notamment des familles monoparentales)"
    )
    assert "Se saisir de l'opportunité de la crèche AVIP sur la commune" in emploi.items
    (cadre,) = by_objectif[
        "Accompagner le renouvellement urbain et la transition écologique des quartiers"
    ].operationnels
    assert cadre.texte.startswith("Poursuivre l'amélioration du cadre de vie :") and len(cadre.items) == 8
    (securite,) = by_objectif["Développer la présence de proximité et la prévention auprès des jeunes"].operationnels
    assert securite.texte == "Renforcer la sécurité"
    assert securite.items == (
        "Lutter contre la délinquance des jeunes et prévenir les conduites addictives",
        "Intégrer des éducateurs de rue en soirée",
        "Réactiver le CLSPD",
    )
    (aller_vers,) = by_objectif["Dynamiser l'animation sociale dans les quartiers"].operationnels
    assert aller_vers.texte.startswith('Consolider "l\'aller vers"')
    assert aller_vers.items[-1] == "Construire des langages communs"  # continued on the last page


def test_empty_bullets_stay_empty():
    p = _p()
    filled = [o.objectif for o in p.objectifs if o.operationnels]
    assert len(filled) == 5
    by_objectif = {o.objectif: o for o in p.objectifs}
    for objectif in (
        "Renforcer le repérage des publics éloignés du droit en particuliers",
        "Lutter contre le harcèlement scolaire",
        "Renforcer l'orientation scolaire et professionnelle",
        "Repérer et mobiliser les habitants sans emploi et sans formation",
        "Favoriser l'entrepreneuriat",
        "Développer l'offre de mobilité douce",
    ):
        assert by_objectif[objectif].operationnels == (), objectif


def test_texts_are_verbatim_from_document_000():
    p = _p()
    texts = [i.texte for i in p.indicateurs]
    for irritant in p.irritants:
        texts += [irritant.titre, *irritant.detail, *irritant.sources_citees]
    texts += [o.texte for o in p.opportunites] + [e.texte for e in p.enjeux_prioritaires]
    for o in p.objectifs:
        texts.append(o.objectif)
        for op in o.operationnels:
            texts += [op.texte, *op.items]
    # The one objective cut by a page break (lines 223 + 227) is checked by its two halves.
    cut = "Promouvoir l'activité physique et les activités favorables au bien-être"
    texts.remove(cut)
    assert _in_seed("Promouvoir l'activité physique et les") and _in_seed("activités favorables au bien-être")
    missing = [t for t in texts if not _in_seed(t)]
    assert missing == []
