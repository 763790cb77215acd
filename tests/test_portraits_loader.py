"""The portrait loader: every real file valid and faithful to its source; broken files set aside, in French."""

import dataclasses
import re
import shutil

import pytest

from quartiers import couches_officielles, settings
from quartiers.portraits import PortraitError, load_cadres, load_documents, load_portraits
from quartiers.verbatim import load_sources, portrait_texts, unfaithful_texts


@pytest.fixture(scope="module")
def loaded():
    return load_portraits()


@pytest.fixture(scope="module")
def sources():
    return load_sources()


def test_every_real_portrait_is_valid(loaded):
    _, errors = loaded
    assert errors == []


def test_every_qpv_of_the_perimeters_has_a_record(loaded):
    portraits, _ = loaded
    codes = {p.code_qp for p in portraits.values() if p.code_qp}
    assert couches_officielles.qpv_codes() <= codes


def test_eight_full_portraits_from_the_three_conventions(loaded):
    portraits, _ = loaded
    detailed = {p.id for p in portraits.values() if p.portrait_detaille}
    assert detailed == {"QN06255M", "QN06208M", "QN06209M", "catorive", "QN06204M", "QN06205M", "QN06215M", "QN06206M"}


def test_every_text_is_verbatim_from_its_document(loaded, sources):
    portraits, _ = loaded
    assert [m for p in portraits.values() for m in unfaithful_texts(p, sources)] == []
    assert sum(len(portrait_texts(p)) for p in portraits.values()) > 400


def test_a_paraphrase_is_caught(loaded, sources):
    portraits, _ = loaded
    mont_liebaut = portraits["QN06208M"]
    paraphrased = dataclasses.replace(
        mont_liebaut,
        opportunites=(dataclasses.replace(mont_liebaut.opportunites[0], texte="Un quartier plein d'atouts"),),
    )
    messages = unfaithful_texts(paraphrased, sources)
    assert len(messages) == 1 and "opportunites.texte" in messages[0] and "document 002" in messages[0]


def test_sources_are_the_documents_given_to_the_project():
    """portraits/documents/ holds unchanged copies of ../shared/seeds (when that folder is beside the project)."""
    shared = settings.ROOT.parent / "shared" / "seeds"
    if not shared.exists():
        pytest.skip("../shared/seeds is not beside this clone")
    for document in load_documents().values():
        assert (settings.SOURCES_DIR / document.fichier).read_bytes() == (shared / document.fichier).read_bytes()


def test_each_indicator_value_is_printed_in_its_own_sentence(loaded):
    """46.1 must come from a sentence that prints "46,1": no figure rounded or retyped differently."""
    portraits, _ = loaded
    for portrait in portraits.values():
        for i in portrait.indicateurs:
            printed = f"{i.valeur:.2f}".rstrip("0").rstrip(".").replace(".", ",")
            digits = re.sub(r"[\s\u202f\u00a0]", "", i.texte)
            assert printed in digits or printed.replace(",", ".") in digits, (
                portrait.fichier,
                i.libelle,
                printed,
                i.texte,
            )


def test_cadres_are_loaded_for_both_agglomerations():
    cadres = load_cadres()
    assert set(cadres) == {"CABBALR", "CALL"}


def _valid_text(nom='"Mont Liébaut"', code='"QN06208M"', valeur="46.1"):
    return (
        f'id = "QN06208M"\nnom = {nom}\nstatut = "QPV"\ncode_qp = {code}\ncommunes = ["Béthune"]\nepci = ["CABBALR"]\n'
        '[source]\ndocument = "002"\nsection = "Projet de quartier"\n'
        f'[[indicateurs]]\nlibelle = "Taux de pauvreté"\nvaleur = {valeur}\nunite = "%"\ntexte = "Taux de pauvreté : 46,1%"\n'
        'source = { document = "002", section = "Portrait statistique" }\n'
    )


@pytest.mark.parametrize(
    "content,field,words",
    [
        ('id = "QN06208M"\nnom = "Mont Liébaut\n', "(syntaxe)", "mal formé"),
        (_valid_text().replace('nom = "Mont Liébaut"\n', ""), "nom", "obligatoire"),
        (_valid_text(valeur="146.1"), "indicateurs[1].valeur", "entre 0 et 100"),
        (_valid_text(valeur='"46,1 %"'), "indicateurs[1].valeur", "nombre"),
        (_valid_text(code='"QN06299M"'), "code_qp", "absent des périmètres"),
        (_valid_text(nom='"<script>alert(1)</script>"'), "nom", "HTML"),
        (_valid_text(nom='"Mont <b>Liébaut</b>"'), "nom", "HTML"),
    ],
    ids=["syntaxe", "champ-manquant", "taux-hors-bornes", "taux-texte", "code-inconnu", "script", "balise"],
)
def test_a_broken_file_is_reported_and_the_others_still_load(tmp_path, content, field, words):
    shutil.copy(settings.PORTRAITS_DIR / "QN06209M.toml", tmp_path / "QN06209M.toml")
    shutil.copy(settings.PORTRAITS_DIR / "catorive.toml", tmp_path / "catorive.toml")
    (tmp_path / "QN06208M.toml").write_text(content, encoding="utf-8")
    portraits, errors = load_portraits(tmp_path)
    assert set(portraits) == {"QN06209M", "catorive"}
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, PortraitError) and isinstance(error, ValueError)
    assert error.fichier == "QN06208M.toml" and error.champ == field
    assert "QN06208M.toml" in str(error) and words in str(error)


def test_the_valid_sample_itself_loads(tmp_path):
    (tmp_path / "QN06208M.toml").write_text(_valid_text(), encoding="utf-8")
    portraits, errors = load_portraits(tmp_path)
    assert errors == [] and portraits["QN06208M"].indicateurs[0].valeur == 46.1


def test_file_name_must_match_id(tmp_path):
    (tmp_path / "QN06209M.toml").write_text(_valid_text(), encoding="utf-8")
    _, errors = load_portraits(tmp_path)
    assert errors[0].champ == "id" and "nom du fichier" in str(errors[0])


def test_non_utf8_file_is_reported(tmp_path):
    (tmp_path / "QN06208M.toml").write_bytes(_valid_text().encode("latin-1"))
    _, errors = load_portraits(tmp_path)
    assert "UTF-8" in str(errors[0])
