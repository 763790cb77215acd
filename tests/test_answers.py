"""The sentences that answer "ce lieu est-il en QPV ?", and the address service offline."""

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
