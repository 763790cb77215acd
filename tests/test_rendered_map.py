"""The map rendered once per process reaches the component exactly as st_folium would have sent it."""

import re

import pytest
import streamlit_folium

from quartiers import couches_officielles, maps
from quartiers.ui import rendered_map

# folium names each element by a random hex id; st_folium's own key (generate_js_hash) ignores them too.
_RANDOM_ID = re.compile(r"_[0-9a-f]{32}")


@pytest.fixture(scope="module")
def display():
    return maps.display_layers(couches_officielles.load_layers())


def _sent(monkeypatch, call) -> dict:
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    call()
    sent.pop("on_change")
    return {name: _RANDOM_ID.sub("", value) if isinstance(value, str) else value for name, value in sent.items()}


@pytest.mark.parametrize("quartier", [None, "QN06208M"])
def test_show_sends_what_st_folium_sends(monkeypatch, display, quartier):
    urls = {"qpv": "/app/static/couches/qpv-0123.geojson"}
    options = {
        "key": "carte",
        "height": maps.MAP_HEIGHT_PX,
        "returned_objects": ["last_active_drawing", "last_object_clicked_count"],
        "zoom": 14,
        "center": (50.52, 2.64),
    }
    expected = _sent(
        monkeypatch,
        lambda: streamlit_folium.st_folium(
            maps.build_map(display, urls),
            use_container_width=True,
            feature_group_to_add=maps.selected_quartier_group(quartier),
            **options,
        ),
    )
    rendered = rendered_map.render(maps.build_map(display, urls))
    group = rendered_map.feature_group_script(maps.selected_quartier_group, quartier)
    assert _sent(monkeypatch, lambda: rendered_map.show(rendered, feature_group=group, **options)) == expected
    assert _sent(monkeypatch, lambda: rendered_map.show(rendered, feature_group=group, **options)) == expected


def test_show_sends_what_st_folium_sends_for_the_perimeter_map_and_a_proposal(monkeypatch, display):
    from shapely.geometry import box

    from quartiers.formes import carte as carte_proposition
    from quartiers.formes.bilan_perimetre import assess, load_reference
    from quartiers.formes.lecture import proposal_from_features

    square = {"type": "Feature", "properties": {}, "geometry": box(2.625, 50.515, 2.632, 50.519).__geo_interface__}
    bilans = assess(proposal_from_features([square]), load_reference())
    layers = carte_proposition.reference_layers(display, None)
    urls = {"qpv": "/app/static/couches/qpv-0123.geojson"}
    options = {
        "key": "carte_perimetre",
        "height": carte_proposition.MAP_HEIGHT_PX,
        "returned_objects": ["all_drawings"],
    }
    expected = _sent(
        monkeypatch,
        lambda: streamlit_folium.st_folium(
            carte_proposition.build_proposal_map(layers, urls),
            use_container_width=True,
            feature_group_to_add=carte_proposition.result_group(bilans),
            **options,
        ),
    )
    rendered = rendered_map.render(carte_proposition.build_proposal_map(layers, urls))
    group = rendered_map.group_script(carte_proposition.result_group(bilans))
    assert _sent(monkeypatch, lambda: rendered_map.show(rendered, feature_group=group, **options)) == expected
