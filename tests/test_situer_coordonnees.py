"""Coordinates typed or pasted in the situer form (quartiers/coordonnees.py): pairs in one box, refusals, ranges."""

from __future__ import annotations

import pytest

from quartiers.coordonnees import NOT_NUMBERS, CoordinateError, number, parse_degrees, read_entry, split_pair


@pytest.mark.parametrize(
    "text",
    [
        "50.518, 2.629",  # the usual copy from a map site
        "50.518,2.629",
        "50.518 2.629",
        "50.518;2.629",
        "50.518 ; 2.629",
        "50,518 2,629",  # French decimal commas, space between
        "50,518; 2,629",
        "50,518, 2,629",
        "50,518,2,629",
        "50.518\t2.629",  # a spreadsheet's two cells
        "50.518\u00a02.629",
        "(50.518, 2.629)",
        "[50.518, 2.629]",
        "  50.518 ,  2.629  ",
        "50.518°, 2.629°",
    ],
)
def test_pasted_pairs_are_split(text):
    lat, lon = split_pair(text)
    assert (number(lat), number(lon)) == (50.518, 2.629)


def test_signs_and_the_typographic_minus():
    assert split_pair("-33.8688, 151.2093") == ("-33.8688", "151.2093")
    lat, lon = split_pair("\u22120,5 ; 50,2")
    assert (number(lat), number(lon)) == (-0.5, 50.2)


@pytest.mark.parametrize(
    "text",
    [
        "50.518",  # one number
        "50,518",  # one number, decimal comma
        "50.518, 2.629, 3",  # three numbers
        "50.5 2.6 3",
        "50.5;2.6;3",
        "50,518,2",  # ambiguous commas
        "abc",
        "abc, def",
        "Béthune, 62400",
        "50.518 nord 2.629 est",
        "1e3 2",  # no exponent
        "nan inf",
        "",
        None,
    ],
)
def test_not_a_pair(text):
    assert split_pair(text) is None


@pytest.mark.parametrize(
    ("raw", "value"), [("50.518", 50.518), ("50,518", 50.518), (" -0.5 ", -0.5), ("\u22122,6", -2.6), ("+3", 3.0)]
)
def test_one_number(raw, value):
    assert number(raw) == value


@pytest.mark.parametrize("raw", ["abc", "", None, "nan", "inf", "1e999", "1_000", "50.5.1", "50,5,1"])
def test_not_one_number(raw):
    assert number(raw) is None


def test_link_degrees_keep_their_range():
    assert parse_degrees("-90", -90, 90) == -90 and parse_degrees("91", -90, 90) is None


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("50.518, 2.629", ""), ("50.518, 2.629", "50.518, 2.629"), ("50,518 2,629", "  "), ("", "50.518;2.629")],
)
def test_a_pair_in_one_box_is_read(lat, lon):
    entry = read_entry(lat, lon)
    assert (entry.lat, entry.lon, entry.paire) == (50.518, 2.629, True)
    assert entry.lu() == "Coordonnées lues : latitude 50,518, longitude 2,629."


def test_one_number_per_box_is_not_a_pair():
    entry = read_entry("50,518", "2.629")
    assert (entry.lat, entry.lon, entry.paire) == (50.518, 2.629, False)


def test_a_pair_and_another_number_is_refused_saying_why():
    with pytest.raises(CoordinateError, match="la case Latitude contient déjà deux nombres"):
        read_entry("50.518, 2.629", "3")
    with pytest.raises(CoordinateError, match="la case Longitude contient déjà deux nombres"):
        read_entry("50.518", "50.518, 2.629")


@pytest.mark.parametrize(("lat", "lon"), [("abc", "2.629"), ("50.518", ""), ("50.5 2.6 3", ""), ("1e999", "2")])
def test_not_numbers_ask_for_two_numbers(lat, lon):
    with pytest.raises(CoordinateError) as error:
        read_entry(lat, lon)
    assert str(error.value) == NOT_NUMBERS


@pytest.mark.parametrize(
    ("lat", "lon", "said", "not_said"),
    [
        ("91", "2.629", "latitude entre -90 et 90 attendue, « 91 » saisi", "longitude"),
        ("50.518", "200", "longitude entre -180 et 180 attendue, « 200 » saisi", "latitude entre"),
        ("-90.5", "-180.5", "latitude entre -90 et 90 attendue, « -90.5 » saisi ; longitude entre -180", None),
        ("50.518, 200", "", "longitude entre -180 et 180 attendue, « 200 » saisi", "latitude entre"),
    ],
)
def test_out_of_range_says_which_and_the_range(lat, lon, said, not_said):
    with pytest.raises(CoordinateError) as error:
        read_entry(lat, lon)
    message = str(error.value)
    assert message.startswith("Coordonnées invalides : ") and said in message and "degrés WGS84" in message
    assert not_said is None or not_said not in message


@pytest.mark.parametrize(("lat", "lon"), [("-90", "-180"), ("90", "180"), ("0", "0")])
def test_the_bounds_are_accepted(lat, lon):
    entry = read_entry(lat, lon)
    assert (entry.lat, entry.lon) == (float(lat), float(lon))
