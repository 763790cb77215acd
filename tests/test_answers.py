"""The sentences that answer "ce lieu est-il en QPV ?", and the address service offline."""

import io
import json
from pathlib import Path

import pytest

from quartiers import answers
from quartiers.geocoding import GeocodingUnavailable, geocode, parse_ban_response
from quartiers.zones import Location

MONT_LIEBAUT = dict(
    code_qp="QN06208M", nom_qp="Quartier Du Mont Liébaut", communes="Béthune", contrat="Contrat de ville CABBALR"
)


def test_sentences_for_each_status():
    assert answers.describe(Location(statut="dans", dans_qpv=True, distance_limite_m=203, **MONT_LIEBAUT)) == (
        "Ce point est dans le QPV Quartier Du Mont Liébaut (QN06208M, Béthune), à 203 m de sa limite."
    )
    assert answers.describe(Location(statut="bande", distance_limite_m=140, **MONT_LIEBAUT)) == (
        "Ce point est à 140 m de la limite du QPV Quartier Du Mont Liébaut (QN06208M, Béthune), dans la bande des 300 m."
    )
    hors = answers.describe(Location(statut="hors", distance_limite_m=1234, **MONT_LIEBAUT))
    assert "hors QPV et hors bande des 300 m" in hors and "à 1,2 km" in hors
    limite = answers.describe(Location(statut="limite", limite="qpv", distance_limite_m=4, **MONT_LIEBAUT))
    assert "à la limite" in limite and "SIG Ville" in limite
    outside = answers.describe(
        Location(statut="hors", distance_limite_m=12000, hors_agglomerations=True, **MONT_LIEBAUT)
    )
    assert outside.startswith("Ce point est hors QPV et hors bande des 300 m")
    assert "Remarque : ce point est hors des agglomérations CABBALR et CALL." in outside
    band_outside = answers.describe(
        Location(statut="bande", distance_limite_m=120, hors_agglomerations=True, **MONT_LIEBAUT)
    )
    assert band_outside.startswith("Ce point est à 120 m de la limite du QPV Quartier Du Mont Liébaut")
    assert "dans la bande des 300 m" in band_outside and "hors des agglomérations CABBALR et CALL" in band_outside
    assert "SIG Ville" not in band_outside.split("Remarque")[1]  # the remark adds, it does not doubt the band


def test_neighbouring_qpv_says_which_contract():
    text = answers.describe(
        Location(
            statut="bande", code_qp="QN06246M", nom_qp="Nouméa", communes="Rouvroy", voisin=True, distance_limite_m=250
        )
    )
    assert "QPV voisin, hors contrats CABBALR / CALL" in text


def test_low_geocoding_score_is_uncertain():
    payload = {
        "features": [
            {
                "geometry": {"coordinates": [2.629, 50.518]},
                "properties": {"label": "Rue X 62400 Béthune", "score": 0.55},
            }
        ]
    }
    found = parse_ban_response(payload)
    assert found.lat == 50.518 and found.lon == 2.629 and not found.certain
    assert parse_ban_response({"features": []}) is None


def test_geocoding_offline_raises_a_french_message(monkeypatch):
    """An unreachable service (as on a closed network) is a French message, never a traceback."""
    monkeypatch.setattr("quartiers.geocoding.BAN_URL", "http://127.0.0.1:9/search/")
    with pytest.raises(GeocodingUnavailable, match="injoignable"):
        geocode("12 rue de la Gare, Béthune", timeout=2)


# --- BAN responses of each type (recorded format, see tests/fixtures/ban/README.md) --------------------------------

BAN = Path(__file__).parent / "fixtures" / "ban"


def ban(name: str) -> dict:
    return json.loads((BAN / f"{name}.json").read_text(encoding="utf-8"))


def test_a_house_number_with_a_good_score_is_answered():
    found = parse_ban_response(ban("housenumber"))
    assert (found.lat, found.lon, found.type) == (50.518, 2.629, "housenumber")
    assert found.certain and found.refusal() == ""
    assert found.summary() == "« 12 Rue des Essais 62400 Béthune » (type : numéro, score 0,97)"


@pytest.mark.parametrize(
    ("name", "type_label"), [("street", "rue"), ("locality", "lieu-dit"), ("municipality", "commune")]
)
def test_street_locality_and_municipality_are_imprecise(name, type_label):
    found = parse_ban_response(ban(name))
    assert found.score >= 0.8 and not found.certain  # a good score is not enough
    refusal = found.refusal()
    assert refusal.startswith("Adresse imprécise : précisez le numéro.")
    assert f"« {found.label} »" in refusal and f"type : {type_label}" in refusal


def test_a_house_number_with_a_low_score_is_uncertain():
    found = parse_ban_response(ban("housenumber_low"))
    assert not found.certain and found.refusal().startswith("Adresse incertaine")
    assert "score 0,55" in found.refusal()


def test_empty_and_malformed_answers():
    assert parse_ban_response(ban("empty")) is None
    for payload in ([], {"features": [{"geometry": None}]}, {"features": [{"geometry": {"coordinates": ["a"]}}]}):
        with pytest.raises(GeocodingUnavailable, match="Réponse inattendue"):
            parse_ban_response(payload)


def test_geocode_reads_the_service_answer(monkeypatch):
    """The whole geocode() path with a recorded answer in place of the network."""
    seen = []

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(url, timeout):
        seen.append(url)
        return Response((BAN / "street.json").read_bytes())

    monkeypatch.setattr("quartiers.geocoding.urllib.request.urlopen", urlopen)
    found = geocode("rue des essais, Béthune")
    assert found.type == "street" and not found.certain
    assert seen[0].startswith("https://api-adresse.data.gouv.fr/search/?q=rue+des+essais") and "limit=1" in seen[0]


def test_the_catalogue_name_comes_first_and_the_anct_name_in_parentheses():
    loc = Location(statut="dans", dans_qpv=True, distance_limite_m=203, **MONT_LIEBAUT)
    assert answers.describe(loc, "Mont Liébaut") == (
        "Ce point est dans le QPV Mont Liébaut (Quartier Du Mont Liébaut ; QN06208M, Béthune), à 203 m de sa limite."
    )
    same = Location(statut="bande", distance_limite_m=140, **(MONT_LIEBAUT | {"nom_qp": "Mont Liébaut"}))
    assert "du QPV Mont Liébaut (QN06208M, Béthune)," in answers.describe(same, "Mont Liébaut")  # said once


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 ligne traitée"),
        (1, "1 ligne traitée"),
        (2, "2 lignes traitées"),
        (200_000, "200\u202f000 lignes traitées"),
    ],
)
def test_counts_agree_in_number(n, expected):
    assert answers.count_text(n, "ligne traitée", "lignes traitées") == expected


def test_the_nearest_qpv_is_a_remark_only_for_hors():
    hors = Location(statut="hors", distance_limite_m=2512, **MONT_LIEBAUT)
    assert answers.nearest_remark(hors) == "QPV le plus proche : Quartier Du Mont Liébaut (QN06208M), à 2,5 km"
    assert answers.nearest_remark(Location(statut="bande", distance_limite_m=140, **MONT_LIEBAUT)) == ""
    assert answers.nearest_remark(Location(statut="invalide", motif="latitude absente")) == ""


@pytest.mark.parametrize(
    ("metres", "text"), [(0, "0 m"), (999, "999 m"), (1000, "1,0 km"), (2500, "2,5 km"), (7_455_312, "7 455,3 km")]
)
def test_distances_read_in_french_with_thousands_apart(metres, text):
    assert answers.distance_text(metres) == text
