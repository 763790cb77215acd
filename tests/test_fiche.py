"""The printable fiche: standalone, escaped, with the map extract, figures and sources."""

import dataclasses
from html import unescape

import pytest

from quartiers import couches_officielles
from quartiers.catalogue import build_catalogue
from quartiers.fiche import fiche_html
from quartiers.portraits import Source, load_documents, load_portraits


@pytest.fixture(scope="module")
def context():
    layers = couches_officielles.load_layers()
    portraits, _ = load_portraits()
    return layers, build_catalogue(layers.qpv, layers.qic, portraits), load_documents()


def test_fiche_of_mont_liebaut(context):
    layers, catalogue, documents = context
    html = fiche_html(catalogue["QN06208M"], layers, documents)
    assert html.startswith("<!doctype html><html lang='fr'>")
    assert "<svg" in html and "200 m" in html  # map extract with a scale bar
    assert "46,1 %" in html and "18,8 %" in html
    assert "Convention d'application communale — Commune de Béthune" in unescape(html)
    assert "http" not in html.split("Fiche officielle")[0].replace(
        "https://sig.ville.gouv.fr", ""
    )  # no external resource


def test_fiche_of_catorive_has_no_map_but_says_why(context):
    layers, catalogue, documents = context
    html = fiche_html(catalogue["catorive"], layers, documents)
    assert "Pas de périmètre publié" in html and "maison d'arrêt" in unescape(html)


def test_fiche_escapes_text(context):
    layers, catalogue, documents = context
    tampered = dataclasses.replace(catalogue["QN06208M"], nom="<script>alert(1)</script>")
    html = fiche_html(tampered, layers, documents)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_fiche_lists_every_document_its_blocks_cite(context):
    """A figure taken from another document than the portrait's main one gets that document in the sources."""
    layers, catalogue, documents = context
    quartier = catalogue["QN06208M"]
    figure = dataclasses.replace(quartier.portrait.indicateurs[0], source=Source(document="001", section="x"))
    portrait = dataclasses.replace(quartier.portrait, indicateurs=(figure,))
    html = unescape(fiche_html(dataclasses.replace(quartier, portrait=portrait), layers, documents))
    assert f"Document 002 : {documents['002'].titre}" in html
    assert f"Document 001 : {documents['001'].titre}" in html
