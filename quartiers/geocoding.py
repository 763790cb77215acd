"""Addresses to coordinates through the national address service (Base Adresse Nationale), when online."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

BAN_URL = "https://api-adresse.data.gouv.fr/search/"
MIN_SCORE = 0.8  # below this, the address is "incertaine" and never answered as in/out
TIMEOUT_SECONDS = 4.0


class GeocodingUnavailable(RuntimeError):
    """The address service cannot be reached (no network); the message is French."""


@dataclass(frozen=True)
class Geocoded:
    label: str
    lat: float
    lon: float
    score: float

    @property
    def certain(self) -> bool:
        return self.score >= MIN_SCORE


def parse_ban_response(payload: dict) -> Geocoded | None:
    """The best match of a BAN GeoJSON answer, or None when nothing matched."""
    features = payload.get("features") or []
    if not features:
        return None
    best = features[0]
    lon, lat = best["geometry"]["coordinates"]
    properties = best.get("properties", {})
    return Geocoded(
        label=str(properties.get("label", "")), lat=float(lat), lon=float(lon), score=float(properties.get("score", 0))
    )


def geocode(address: str, timeout: float = TIMEOUT_SECONDS) -> Geocoded | None:
    """Geocode one address with the BAN; raise GeocodingUnavailable when offline."""
    query = urllib.parse.urlencode({"q": address, "limit": 1})
    try:
        with urllib.request.urlopen(f"{BAN_URL}?{query}", timeout=timeout) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise GeocodingUnavailable(
            "Le service national d'adresses (BAN) est injoignable (pas de connexion internet ?). "
            "Cliquez plutôt sur la carte ou saisissez des coordonnées."
        ) from exc
    return parse_ban_response(payload)
