"""The situer form through AppTest: what is wrong with refused coordinates, pairs pasted in one box, the map
after a refused entry, the « Me localiser » warning, the verdict box, no-break spaces in the pages' French."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from quartiers.couches_officielles import load_layers
from quartiers.maps import display_layers
from quartiers.ui.situer import LOCATE_REFUSED, POINT_ZOOM
from tests.apptest_text import shown_text

APP = str(settings.ROOT / "app.py")

pytestmark = pytest.mark.usefixtures("fresh_caches")


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{name}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, lat: str, lon: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Latitude").set_value(lat)
    next(t for t in at.text_input if t.label == "Longitude").set_value(lon)
    next(b for b in at.button if b.label == "Situer ce point").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fields(at: AppTest) -> dict[str, str]:
    return {t.label: t.value for t in at.text_input if t.label in ("Latitude", "Longitude")}


def map_args(at: AppTest) -> dict:
    (component,) = [c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")]
    return json.loads(component.proto.json_args)


# --- 1. out of range: say which value and the range ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "said"),
    [
        ("91", "2.629", "latitude entre -90 et 90 attendue, « 91 » saisi"),
        ("50.518", "200", "longitude entre -180 et 180 attendue, « 200 » saisi"),
        ("-91", "-181", "latitude entre -90 et 90 attendue, « -91 » saisi ; longitude entre -180 et 180"),
    ],
)
def test_out_of_range_coordinates_say_what_is_wrong(lat, lon, said):
    at = submit(page("situer"), lat, lon)
    (error,) = [e.value.replace("\\", "") for e in at.error]
    assert error.startswith("Coordonnées invalides : ") and said in error and "degrés WGS84" in error
    assert "saisissez deux nombres" not in error  # two numbers were typed
    assert "Aucun lieu choisi" in shown_text(at) and "lat" not in at.query_params


# --- 2. a pair pasted in the latitude box ----------------------------------------------------------------------


@pytest.mark.parametrize("pasted", ["50.518, 2.629", "50,518 2,629", "50.518;2.629", "(50.518, 2.629)"])
def test_a_pair_pasted_in_the_latitude_box_is_split_and_answered(pasted):
    at = submit(page("situer"), pasted, "")
    assert not at.error
    assert "Coordonnées lues : latitude 50,518, longitude 2,629." in [i.value for i in at.info]
    assert "Ce point est dans le QPV Mont Liébaut" in shown_text(at)
    assert fields(at) == {"Latitude": "50.518000", "Longitude": "2.629000"}
    assert at.query_params["lat"] in ("50.518000", ["50.518000"])


def test_a_pair_pasted_in_both_boxes_or_over_the_same_point_is_split():
    at = submit(page("situer", lat="50.518", lon="2.629"), "50.518, 2.629", "50.518, 2.629")
    assert not at.error and fields(at) == {"Latitude": "50.518000", "Longitude": "2.629000"}
    assert any(i.value.startswith("Coordonnées lues") for i in at.info)
    at = submit(at, "50.2910", "2.7775")  # typed one number per box: no « lues » note
    assert not any(i.value.startswith("Coordonnées lues") for i in at.info)


def test_a_pair_with_another_number_in_the_longitude_box_is_refused_saying_why():
    at = submit(page("situer"), "50.518, 2.629", "3")
    (error,) = [e.value.replace("\\", "") for e in at.error]
    assert "la case Latitude contient déjà deux nombres" in error
    assert fields(at) == {"Latitude": "50.518, 2.629", "Longitude": "3"}  # what was typed stays


@pytest.mark.parametrize("pasted", ["50.518, 2.629, 3", "50.518", "abc, def"])
def test_three_numbers_one_number_or_text_are_not_a_pair(pasted):
    at = submit(page("situer"), pasted, "")
    assert [e.value for e in at.error] == [
        "Coordonnées invalides : saisissez deux nombres, par exemple 50.518 et 2.629."
    ]


# --- 3. the map after a refused entry ---------------------------------------------------------------------------


def test_after_swapped_then_invalid_coordinates_the_map_returns_to_the_territory():
    (south, west), (north, east) = display_layers(load_layers()).bounds
    at = submit(page("situer"), "2.629", "50.518")  # swapped: a point in the sea off Africa
    assert map_args(at)["center"] == [2.629, 50.518]
    at = submit(at, "abc", "xyz")
    view = map_args(at)
    assert view["center"] is not None, "the map stays on the point whose answer is gone"
    lat, lon = view["center"]
    assert south < lat < north and west < lon < east and view["zoom"] < POINT_ZOOM
    at = submit(at, "50.518", "2.629")  # a valid point again: the map goes to it
    assert map_args(at)["center"] == [50.518, 2.629] and map_args(at)["zoom"] == POINT_ZOOM


def test_the_first_view_is_the_map_s_own():
    """Without any point the map keeps the view it fits to its size (no view asked)."""
    assert map_args(page("situer"))["center"] is None


# --- 4. « Me localiser » refused ---------------------------------------------------------------------------------


def _nodes(at: AppTest) -> list:
    return [node for node in at.main if getattr(node, "type", None) in ("html", "markdown")]


def test_refused_location_is_a_warning_with_the_next_step_below_it():
    at = page("situer")
    assert LOCATE_REFUSED.endswith("Saisissez une adresse ou des coordonnées ci-dessous.")
    nodes = _nodes(at)
    locate = next(i for i, n in enumerate(nodes) if n.type == "html" and "me-localiser" in n.proto.body)
    body = nodes[locate].proto.body
    assert "role='alert'" in body and json.dumps(LOCATE_REFUSED) in body
    assert "Position refusée ou indisponible." not in body  # the bare sentence of before
    # « ci-dessous » is true: both forms come after the button.
    after = [n.value for n in nodes[locate + 1 :] if n.type == "markdown"]
    assert "**Saisir des coordonnées (degrés, WGS84)**" in after
    assert "**Chercher une adresse (nécessite internet)**" in after


# --- 5. the verdict box (its size in a room is checked in a browser) -------------------------------------------


def test_the_verdict_is_a_status_box_apart_from_its_sentence():
    at = page("situer", lat="50.518", lon="2.629")
    (box,) = [h.proto.body for h in at.get("html") if 'class="verdict ' in h.proto.body]
    assert 'role="status"' in box and "verdict-dans" in box
    assert '<p class="verdict-titre">Dans un QPV</p>' in box
    assert "Ce point est dans le QPV Mont Liébaut" in box


# --- 6. no-break spaces ------------------------------------------------------------------------------------------

BREAKABLE = re.compile(r" [?!:;]|\d (?:m|Mo|km²|ha|%)(?![\w])")


@pytest.mark.parametrize("name", ["situer", "perimetre"])
def test_titles_and_intros_never_break_before_punctuation_or_a_unit(name):
    at = page(name)
    title = at.title[0].value
    intro = next(m.value for m in at.markdown if len(m.value) > 80)
    captions = [c.value for c in at.caption if c.value.startswith("Formats")]
    texts = [title, intro, *captions]
    for text in texts:
        assert not BREAKABLE.search(text), (text, BREAKABLE.search(text))
    if name == "situer":
        assert title.endswith("300\u00a0m\u00a0?")
    else:
        assert intro.endswith("300\u00a0m.") and "20\u00a0Mo par fichier" in captions[0]
