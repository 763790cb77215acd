"""The perimeter page's map (quartiers/carte_proposition.py): official layers from static files, names, panes."""

from __future__ import annotations

import json

import pytest
from streamlit_folium import _get_map_string

from quartiers import maps
from quartiers.couches_officielles import load_layers
from quartiers.formes.bilan_perimetre import load_reference
from quartiers.formes.carte import REFERENCE_PANES, build_proposal_map, reference_layers


@pytest.fixture(scope="module")
def display():
    return maps.display_layers(load_layers())


@pytest.fixture(scope="module")
def named(display):
    return reference_layers(display, load_reference().noms)


def test_map_tooltips_name_qpv_as_in_the_app(display, named, tmp_path):
    names = {f["properties"]["code_qp"]: f["properties"]["nom_affiche"] for f in named.qpv["features"]}
    assert names["QN06209M"] == "3 Îlots (Quartier 3 ilôts)"
    bande = {f["properties"]["code_qp"]: f["properties"]["nom_affiche"] for f in named.bande["features"]}
    assert bande["QN06209M"] == "3 Îlots (Quartier 3 ilôts)"
    assert all(f["properties"]["nom_affiche"] for f in named.voisins["features"])
    assert display.qpv["features"][0]["properties"].keys() >= {"lib_qp"}
    assert "nom_affiche" not in display.qpv["features"][0]["properties"]  # the shared layers are not changed
    # The tooltips read that property (carte.js writes it as text).
    html = build_proposal_map(named, maps.publish_layers(named, tmp_path), with_tiles=False).get_root().render()
    assert '[["nom_affiche", "QPV"], ["code_qp", "Code"]]' in html


def test_only_the_layers_of_this_map_are_kept(display, named):
    assert (named.epci, named.qic, named.etiquettes) == (None, None, None)
    assert named.communes == display.communes and named.bounds == display.bounds


def test_proposal_map_uses_the_app_map_assets_and_presentation_class(named):
    normal = build_proposal_map(named, with_tiles=False).get_root().render()
    # The same assets as the Carte map, not a copy: its stylesheet and its one script file (carte.js inside).
    assert maps.MAP_ASSETS_URL + "/carte.css" in normal
    assert [url for _, url in maps.map_scripts()][0] in normal
    assert "window.carteQuartiers.init(" in normal and "window.carteQuartiers.extras(" in normal
    assert '"presentation": false' in normal
    presenting = build_proposal_map(named, with_tiles=False, presentation=True).get_root().render()
    assert '"presentation": true' in presenting  # carte.js then sets the class carte.css enlarges under
    assert f'"fontPx": {round(maps.LEGEND_FONT_PX * maps.PRESENTATION_SCALE)}' in presenting


def test_map_with_layer_urls_carries_no_geometry_and_shares_the_communes_file(display, named, tmp_path):
    """What every rerun of the page sends for the map is its script: the official layers are fetched by URL."""
    urls = maps.publish_layers(named, tmp_path, maps.STATIC_LAYERS_URL)
    assert set(urls) == {"qpv", "voisins", "bande", "communes"}
    # The communes are the Carte map's own file: a browser that has opened the Carte does not load them again.
    assert urls["communes"] == maps.publish_layers(display, tmp_path, maps.STATIC_LAYERS_URL)["communes"]
    fmap = build_proposal_map(named, urls, with_tiles=False)
    fmap.get_root().render()
    script = _get_map_string(fmap)
    for url in urls.values():
        assert url in script
    assert '"coordinates"' not in script and "FeatureCollection" not in script
    inline = build_proposal_map(named, with_tiles=False)
    inline.get_root().render()
    embedded = len(_get_map_string(inline).encode())
    assert len(script.encode()) < 25_000 < embedded
    published = sum(len(json.dumps(getattr(named, name), ensure_ascii=False)) for name in urls)
    assert embedded > 0.9 * published  # without URLs, the layers themselves are in the script


def test_official_layers_lie_under_the_drawings_in_the_same_order_as_on_the_carte():
    """Leaflet.draw and the proposal use the overlay pane (z-index 400): the official layers stay below it."""
    assert all(200 < z < 400 for z in REFERENCE_PANES.values())
    assert sorted(REFERENCE_PANES, key=REFERENCE_PANES.get) == sorted(maps.PANES, key=maps.PANES.get)
