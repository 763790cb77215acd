"""Broken data files through AppTest: one French message naming the file and the field, the rest works.

Each test copies geodata/ and portraits/ to a temporary folder, breaks one file there, points settings at the
copy (monkeypatch) and opens every page.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from tests.apptest_text import shown_text

APP = str(settings.ROOT / "app.py")
PAGES = ("pages/carte.py", "pages/situer.py", "pages/quartiers.py", "pages/sources.py")


pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A private copy of the data files, with settings pointing at it."""
    geodata = tmp_path / "geodata"
    shutil.copytree(settings.GEODATA_DIR, geodata)
    portraits = tmp_path / "portraits"
    shutil.copytree(settings.PORTRAITS_DIR, portraits)
    for name in ("QPV_FILE", "QPV_VOISINS_FILE", "COMMUNES_FILE", "EPCI_FILE", "QIC_FILE"):
        monkeypatch.setattr(settings, name, geodata / getattr(settings, name).name)
    monkeypatch.setattr(settings, "GEODATA_DIR", geodata)
    monkeypatch.setattr(settings, "PORTRAITS_DIR", portraits)
    monkeypatch.setattr(settings, "SOURCES_DIR", portraits / "documents")
    return tmp_path


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/carte.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    return at


def warnings(at: AppTest) -> list[str]:
    return [w.value.replace("\\", "") for w in at.warning]


def every_page_works(**params) -> dict[str, AppTest]:
    return {page: open_page(page, **params) for page in PAGES}


def _drop_property(path, name: str) -> None:
    layer = json.loads(path.read_text(encoding="utf-8"))
    for feature in layer["features"]:
        feature["properties"].pop(name, None)
    path.write_text(json.dumps(layer), encoding="utf-8")


def test_qpv_layer_without_code_qp(data):
    _drop_property(data / "geodata" / settings.QPV_FILE.name, "code_qp")
    pages = every_page_works()
    for page, at in pages.items():
        shown = warnings(at)
        assert len(shown) == 1, (page, shown)  # one box, not one per portrait
        assert f"Colonnes manquantes dans {settings.QPV_FILE.name} : code_qp" in shown[0]
        assert "Portrait écarté" not in shown[0]
    situer = open_page("pages/situer.py", lat="50.518", lon="2.629")
    assert any("périmètres des QPV n'ont pas pu être chargés" in e.value for e in situer.error)
    fiche = open_page("pages/carte.py", quartier="QN06208M")  # the portrait still opens from its file
    assert fiche.header[0].value == "Mont Liébaut"


def test_unreadable_qpv_file_gives_one_message(data):
    (data / "geodata" / settings.QPV_FILE.name).write_text("{ pas du json", encoding="utf-8")
    for page, at in every_page_works().items():
        shown = warnings(at)
        assert len(shown) == 1 and shown[0].count(settings.QPV_FILE.name) == 1, (page, shown)
        assert "Fichier de couche illisible" in shown[0] and str(data) not in shown[0]  # no server path


def test_missing_epci_layer_keeps_the_answers(data):
    (data / "geodata" / settings.EPCI_FILE.name).unlink()
    every_page_works()
    at = open_page("pages/situer.py", lat="50.518", lon="2.629")
    assert any(settings.EPCI_FILE.name in w for w in warnings(at))
    assert "Ce point est dans le QPV" in shown_text(at)


def test_documents_toml_syntax_error(data):
    (data / "portraits" / "documents.toml").write_text('[documents.000\ntitre = "x"', encoding="utf-8")
    for page, at in every_page_works().items():
        shown = warnings(at)
        assert len(shown) == 1, (page, shown)
        assert "documents.toml — champ « (syntaxe) » : fichier mal formé" in shown[0]
    fiche = open_page("pages/carte.py", quartier="QN06208M")
    assert fiche.header[0].value == "Mont Liébaut"
    assert any("Source : document" in c.value for c in fiche.caption)  # cited by number, without the title


def test_documents_toml_without_a_title(data):
    path = data / "portraits" / "documents.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('titre = "Contrat de Ville de', 'nom = "'), "utf-8")
    at = open_page("pages/sources.py")
    assert any(
        "documents.toml — champ « documents.004.titre » : champ obligatoire absent ou vide" in w for w in warnings(at)
    )


def test_a_portrait_failing_validation_leaves_the_comparison_working(data):
    path = data / "portraits" / "QN06209M.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('statut = "QPV"', 'statut = "ZUS"', 1), encoding="utf-8")
    at = open_page("pages/quartiers.py")
    assert any("QN06209M.toml — champ « statut »" in w for w in warnings(at))
    # Its portrait is set aside, but its computed 2024 surface still compares: the comparison is drawn.
    removable = [b.key for b in at.button if (b.key or "").startswith("comparer_retirer_")]
    assert removable == ["comparer_retirer_QN06208M", "comparer_retirer_QN06209M"]
    comparison = next(
        h.proto.body for h in at.get("html") if "Surface" in h.proto.body and "Mont Liébaut" in h.proto.body
    )
    assert "Quartier 3 ilôts" in comparison  # 3 Îlots under its ANCT name, its portrait being set aside
    assert not at.exception


def test_no_portrait_at_all(data):
    for path in (data / "portraits").glob("*.toml"):
        if path.name != "documents.toml":
            path.unlink()
    pages = every_page_works()
    # Without portraits only the computed 2024 surfaces remain to compare: every QPV of the layer, no QIC.
    at = pages["pages/quartiers.py"]
    at.text_input(key="comparer_saisie").input("catorive")
    at.button(key="comparer_ajouter").click().run()
    assert any("Aucun quartier à comparer ne correspond à « catorive »" in h.proto.body for h in at.get("html"))
    at.text_input(key="comparer_saisie").input("grande residence")
    at.button(key="comparer_ajouter").click().run()
    # the QIC has no figure without its portrait; a QPV still has its computed surface, and is added alone
    assert at.query_params["comparer"] == "QN06208M,QN06209M,QN06225M"
    assert open_page("pages/carte.py", quartier="QN06208M").header


def test_malformed_cadre_switches_off_only_that_frame(data):
    (data / "portraits" / "cadres" / "call.toml").write_text("epci = ", encoding="utf-8")
    for page, at in every_page_works().items():
        assert any("Cadre intercommunal écarté : cadres/call.toml" in w for w in warnings(at)), page
    assert open_page("pages/carte.py", quartier="QN06208M").header[0].value == "Mont Liébaut"


def test_missing_communes_and_qpv_voisins_are_reported_once_each(data):
    (data / "geodata" / settings.COMMUNES_FILE.name).unlink()
    (data / "geodata" / settings.QPV_VOISINS_FILE.name).unlink()
    at = every_page_works()["pages/carte.py"]
    shown = warnings(at)
    assert len(shown) == 1
    assert shown[0].count(settings.COMMUNES_FILE.name) == 1 and shown[0].count(settings.QPV_VOISINS_FILE.name) == 1


def test_layer_files_that_cannot_be_written_leave_the_maps_working(tmp_path, monkeypatch):
    """static/couches/ read-only (a locked-down server): both maps embed their layers instead; no traceback."""
    from quartiers import maps
    from quartiers.ui import state

    blocked = tmp_path / "couches"
    blocked.write_text("a file where the folder should be")  # mkdir fails with a real OSError
    monkeypatch.setattr(state, "publish_layers", lambda display: maps.publish_layers(display, directory=blocked))
    for page in ("pages/carte.py", "pages/perimetre.py"):
        at = open_page(page, quartier="QN06208M")
        maps_shown = [c for c in at.get("component_instance") if "folium" in c.proto.component_name]
        assert len(maps_shown) == 1, page
        script = maps_shown[0].proto.json_args
        # The layers are in the script; only the map's script file may still come from static/couches/.
        assert "coordinates" in script and not re.search(r"/app/static/couches/[^\"]*\.geojson", script), page
