"""The 22 CALL QPV and the CALL frame against their source, the contrat de ville of Lens-Liévin (document 004)."""

import json
import re
from functools import cache

from quartiers import settings
from quartiers.portraits import load_cadres, load_portraits

CALL_SIREN = "246200364"
CALL_CODES = {
    "QN06202M",
    "QN06216M",
    "QN06219M",
    "QN06220M",
    "QN06221M",
    "QN06222M",
    "QN06223M",
    "QN06224M",
    "QN06225M",
    "QN06226M",
    "QN06227M",
    "QN06228M",
    "QN06229M",
    "QN06230M",
    "QN06231M",
    "QN06232M",
    "QN06233M",
    "QN06234M",
    "QN06235M",
    "QN06243M",
    "QN06245M",
    "QN06247M",
}
SHARED_WITH_CAHC = {"QN06243M", "QN06245M", "QN06247M"}
SEED_004 = settings.SOURCES_DIR / "004_b8e9fda4d934338e.txt"


@cache
def _portraits():
    return load_portraits()


def _p(code):
    return _portraits()[0][code]


@cache
def _anct():
    features = json.loads(settings.QPV_FILE.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["code_qp"]: f["properties"] for f in features}


@cache
def _seed():
    """004 after the allowed clean-up: HTML tags, emphasis, bullets dropped; whitespace collapsed."""
    text = SEED_004.read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("**", "").replace("*", "")
    text = re.sub(r"[•▪]", "", text)
    return " ".join(text.split())


def _in_seed(text):
    return " ".join(text.split()) in _seed()


def test_the_22_call_qpv_each_have_a_record_without_detailed_portrait():
    anct_call = {code for code, p in _anct().items() if CALL_SIREN in p["siren_epci"]}
    assert anct_call == CALL_CODES
    portraits, errors = _portraits()
    assert [e for e in errors if any(code in str(e) for code in CALL_CODES)] == []
    for code in CALL_CODES:
        p = portraits[code]
        assert (p.statut, p.code_qp, p.portrait_detaille) == ("QPV", code, False)
        assert "CALL" in p.epci
        assert p.nom_officiel == _anct()[code]["lib_qp"]
        assert p.communes == tuple(_anct()[code]["lib_com"].split(", "))
        assert p.source.document == "004"
        # the contrat de ville gives no per-quartier irritants, opportunités or objectifs
        assert (p.irritants, p.opportunites, p.enjeux_prioritaires, p.objectifs) == ((), (), (), ())


def test_names_are_written_as_in_the_contrat_de_ville():
    assert _p("QN06216M").nom == "Saint-Elie – Fosse 13"
    assert _p("QN06216M").nom_officiel == "Quartier Saint-Elie - Fosse 13"
    assert _p("QN06228M").nom == "Calonne – Marichelles – Vent de Bises"
    assert _p("QN06228M").nom_officiel == "Calonne - Marichelles - Vent De Bise"
    assert _p("QN06234M").nom == "Du 3/15"
    assert _p("QN06225M").nom == "Grande Résidence"


def test_saint_elie_fosse_13_belongs_to_both_agglomerations():
    p = _p("QN06216M")
    assert set(p.epci) == {"CALL", "CABBALR"}
    assert p.communes == ("Douvrin", "Haisnes", "Hulluch")
    assert "DOUVVIN, HULLUCH, HAINES" in p.note
    assert {"200072460", CALL_SIREN} == set(_anct()["QN06216M"]["siren_epci"].split(", "))


def test_three_qpv_shared_with_the_cahc_say_so_and_carry_no_figure():
    for code in SHARED_WITH_CAHC:
        p = _p(code)
        assert p.epci == ("CALL",)
        assert "3 QPV à cheval entre la CAHC et la CALL" in p.note
        assert p.indicateurs == ()
    assert "La Plaine Du 7 (Courrières, Fouquières-lès-Lens, Montigny-en-Gohelle)" in _p("QN06243M").note


def test_population_2014_and_quartiers_2030():
    expected = {
        "QN06202M": (1500, 1500),  # Camus
        "QN06219M": (4200, 5200),  # République – Cité 4
        "QN06228M": (6000, 6300),  # Calonne – Marichelles – Vent de Bises
        "QN06234M": (1200, 2600),  # Du 3/15
        "QN06216M": (1500, 1600),  # Saint-Elie – Fosse 13
    }
    for code, (pop_2014, pop_2030) in expected.items():
        p = _p(code)
        assert p.indicateur("population_2014").valeur == pop_2014
        assert p.indicateur("population_quartiers_2030").valeur == pop_2030
        assert p.indicateur("population_quartiers_2030").libelle == "Population « Quartiers 2030 »"
    with_population = [c for c in CALL_CODES if _p(c).indicateur("population_2014")]
    assert len(with_population) == 19  # the table lists 19 QPV; the 3 shared with the CAHC are not in it
    assert sum(_p(c).indicateur("population_2014").valeur for c in with_population) == 47800
    assert sum(_p(c).indicateur("population_quartiers_2030").valeur for c in with_population) == 55000


def test_poverty_extremes_are_attached_to_their_quartier():
    saint_elie = _p("QN06216M").indicateur("taux_pauvrete")
    grande_residence = _p("QN06225M").indicateur("taux_pauvrete")
    assert (saint_elie.valeur, saint_elie.reference) == (53.9, 36.1)
    assert (grande_residence.valeur, grande_residence.reference) == (70.5, 36.1)
    assert "53,9% (Quartier Saint-Elie - Fosse 13)" in saint_elie.texte
    assert "70,5% (Grande Résidence)" in grande_residence.texte


def test_rsa_extremes_are_attached_to_their_quartier():
    trois_cites = _p("QN06231M").indicateur("taux_rsa")
    transvaal = _p("QN06221M").indicateur("taux_rsa")
    assert (trois_cites.valeur, trois_cites.reference) == (19.95, 20.4)
    assert (transvaal.valeur, transvaal.reference) == (34, 20.4)
    assert trois_cites.texte == "Mini : 19,95% pour les 3 cités ;"
    assert transvaal.texte == "Maxi : 34% pour la Cité Du Transvaal - Centre"


def test_employment_rate_extremes_are_attached_to_their_quartier():
    republique = _p("QN06219M").indicateur("taux_emploi_15_64")
    saint_elie = _p("QN06216M").indicateur("taux_emploi_15_64")
    assert (republique.valeur, republique.reference) == (30.7, 53.6)
    assert (saint_elie.valeur, saint_elie.reference) == (47.3, 53.6)
    assert "30,7% pour le quartier République – Cité ;" in republique.texte
    assert "République – Cité" in _p("QN06219M").note  # 004 drops the « 4 »


def test_quartiers_not_named_by_the_diagnostic_have_only_population():
    named = {"QN06216M", "QN06225M", "QN06231M", "QN06221M", "QN06219M"}
    for code in CALL_CODES - named - SHARED_WITH_CAHC:
        assert {i.cle for i in _p(code).indicateurs} == {"population_2014", "population_quartiers_2030"}


def test_every_quartier_text_is_verbatim_in_004():
    for code in CALL_CODES:
        for ind in _p(code).indicateurs:
            assert ind.source.document == "004"
            assert _in_seed(ind.texte), (code, ind.texte)


def test_call_frame_has_3_piliers_12_ambitions_2_transversaux():
    cadre = load_cadres()["CALL"]
    assert [e.titre.split(" :")[0] for e in cadre.enjeux] == ["PREVENIR - REPERER", "AGIR", "COOPERER"]
    assert [len(e.ambitions) for e in cadre.enjeux] == [4, 5, 3]
    assert cadre.enjeux[1].ambitions[4].titre == (
        "Faciliter l'accès à l'emploi et agir pour le développement économique dans les quartiers"
    )
    assert [t.titre for t in cadre.transversaux] == ["Participation des habitants", "Transition écologique"]
    assert len(cadre.transversaux[0].texte) == 3 and len(cadre.transversaux[1].texte) == 8
    assert (
        cadre.transversaux[0].texte[2]
        == "Former l'ensemble des professionnels et associations aux pratiques de participation"
    )
    texts = [e.titre for e in cadre.enjeux] + [a.titre for e in cadre.enjeux for a in e.ambitions]
    texts += [t for tr in cadre.transversaux for t in tr.texte]
    for text in texts:
        assert _in_seed(text), text


def test_call_frame_references():
    refs = load_cadres()["CALL"].references
    pauvrete = next(r for r in refs if r.valeur == 36.1)
    assert pauvrete.unite == "%" and pauvrete.millesime == "Taux de pauvreté à 60% revenu déclaré 2019"
    assert pauvrete.texte.startswith("36,1% des habitants de la CALL sont en situation de pauvreté")
    mediane_call = next(r for r in refs if r.valeur == 17020)
    mediane_qpv = next(r for r in refs if r.valeur == 10619)
    assert mediane_call.unite == mediane_qpv.unite == "€"
    assert mediane_call.texte == "17 020 €, c'est la médiane des revenus disponible 2020 pour la CALL"
    assert mediane_qpv.texte == "Pour les QPV, c'est 10 619€" and mediane_qpv.reference == 17020
    assert next(r for r in refs if r.cle == "taux_rsa" and r.reference is None).valeur == 20.4
    assert next(r for r in refs if r.cle == "taux_emploi_15_64" and r.reference is None).valeur == 53.6
    for r in refs:
        assert r.source.document == "004" and _in_seed(r.texte), r.texte
