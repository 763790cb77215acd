"""Addresses to coordinates through the national address service (Base Adresse Nationale), when online.

The BAN answers a GeoJSON FeatureCollection (https://adresse.data.gouv.fr/outils/api-doc/adresse): each
feature has a Point in WGS84 (lon, lat) and properties `label`, `score` (0-1) and `type`
(housenumber | street | locality | municipality). Only a house number with a score of at least
MIN_SCORE is precise enough to answer "dans / hors QPV".
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

BAN_URL = "https://api-adresse.data.gouv.fr/search/"
MAX_ADDRESS_CHARS = 200
MAX_ANSWER_BYTES = 1_000_000  # one result asked: a longer answer is not the BAN's
MIN_SCORE = 0.8  # below this, the address is "incertaine" and never answered as in/out
PRECISE_TYPE = "housenumber"
TIMEOUT_SECONDS = 4.0

TYPE_LABELS = {
    "housenumber": "numéro",
    "street": "rue",
    "locality": "lieu-dit",
    "municipality": "commune",
}


class GeocodingUnavailable(RuntimeError):
    """The address service cannot be reached or answered nonsense; the message is French."""


@dataclass(frozen=True)
class Geocoded:
    """The best BAN match: label, WGS84 position (degrees), score 0-1, BAN type."""

    label: str
    lat: float
    lon: float
    score: float
    type: str = PRECISE_TYPE

    @property
    def certain(self) -> bool:
        """Good enough to answer in/out: a house number with a score >= MIN_SCORE."""
        return self.type == PRECISE_TYPE and self.score >= MIN_SCORE

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type or "inconnu")

    def summary(self) -> str:
        """« label » (type : numéro, score 0,97) — what was matched, shown beside every answer."""
        score = f"{self.score:.2f}".replace(".", ",")
        return f"« {self.label} » (type : {self.type_label}, score {score})"

    def refusal(self) -> str:
        """Why this match does not give an in/out answer, in French ("" when it does)."""
        if self.certain:
            return ""
        if self.type != PRECISE_TYPE:
            return (
                f"Adresse imprécise : précisez le numéro. La Base Adresse Nationale a trouvé {self.summary()}, "
                "qui désigne une rue, un lieu-dit ou une commune entière, pas un bâtiment : nous ne répondons "
                "pas « dans » ou « hors » QPV sur ce résultat."
            )
        minimum = f"{MIN_SCORE:.1f}".replace(".", ",")
        return (
            f"Adresse incertaine : {self.summary()}, score inférieur à {minimum}. Nous ne répondons pas sur une "
            "adresse incertaine : précisez-la (numéro, rue, commune) ou cliquez sur la carte."
        )


def parse_ban_response(payload: object) -> Geocoded | None:
    """The best match of a BAN GeoJSON answer, or None when nothing matched.

    Raises GeocodingUnavailable (French message) when the answer is not a BAN FeatureCollection.
    """
    if not isinstance(payload, dict):
        raise GeocodingUnavailable("Réponse inattendue du service national d'adresses (BAN).")
    features = payload.get("features") or []
    if not features:
        return None
    try:
        best = features[0]
        lon, lat = (float(v) for v in best["geometry"]["coordinates"][:2])
        properties = best.get("properties") or {}
        score = float(properties.get("score", 0))
        kind = str(properties.get("type", ""))
        label = str(properties.get("label", ""))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise GeocodingUnavailable("Réponse inattendue du service national d'adresses (BAN).") from exc
    if not (math.isfinite(lat) and math.isfinite(lon) and math.isfinite(score)):
        raise GeocodingUnavailable("Réponse inattendue du service national d'adresses (BAN).")
    return Geocoded(label=label, lat=lat, lon=lon, score=score, type=kind)


def geocode(address: str, timeout: float = TIMEOUT_SECONDS) -> Geocoded | None:
    """Geocode one address with the BAN; raise GeocodingUnavailable when offline, ValueError (French) when too long."""
    if len(address) > MAX_ADDRESS_CHARS:
        raise ValueError(f"Adresse trop longue : {MAX_ADDRESS_CHARS} caractères au plus (numéro, rue, commune).")
    query = urllib.parse.urlencode({"q": address, "limit": 1})
    try:
        with urllib.request.urlopen(f"{BAN_URL}?{query}", timeout=timeout) as response:
            payload = json.loads(response.read(MAX_ANSWER_BYTES).decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise GeocodingUnavailable(
            "Le service national d'adresses (BAN) est injoignable (pas de connexion internet ?). "
            "Cliquez plutôt sur la carte ou saisissez des coordonnées."
        ) from exc
    return parse_ban_response(payload)
