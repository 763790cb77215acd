"""GeoJSON exports of the map layers, full precision, for QGIS and other GIS tools."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from quartiers import settings
from quartiers.couches_officielles import Layers
from quartiers.zones import band

EXPORTABLE = ("qpv", "bande300", "communes", "qic")
_LIST_COLUMNS = ("communes", "insee", "sirens", "epci")


class ExportError(ValueError):
    """A layer that cannot be exported; the message is French."""


def layer_frame(layers: Layers, name: str) -> gpd.GeoDataFrame:
    """The layer called `name` (qpv, bande300, communes, qic), in EPSG:4326, lists flattened to text."""
    if name not in EXPORTABLE:
        raise ExportError(f"Couche inconnue : « {name} ». Couches disponibles : {', '.join(EXPORTABLE)}.")
    if name == "qic" and layers.qic is None:
        raise ExportError(
            "Aucun périmètre de quartier d'intérêt communautaire (QIC) n'est publié : "
            "il n'y a pas de couche QIC à télécharger."
        )
    source = layers.qpv if name in ("qpv", "bande300") else getattr(layers, name)
    if source is None:
        raise ExportError(f"La couche « {name} » n'a pas pu être chargée : {' '.join(layers.problems)}")
    frame = band(source) if name == "bande300" else source.copy()
    if name == "bande300":
        frame["regle"] = (
            "Indicatif - CGI art. 278 sexies, TVA 5,5 % : bande de 300 m mesurée depuis la limite du quartier, "
            "calculée en Lambert-93 (EPSG:2154)"
        )
    for column in _LIST_COLUMNS:
        if column in frame.columns and name != "communes":
            frame[column] = frame[column].map(lambda values: ", ".join(values))
    for column in frame.columns:
        if column != frame.geometry.name and pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = _iso_dates(frame[column])
    return frame.to_crs(settings.WGS84)


def _iso_dates(values: pd.Series) -> pd.Series:
    """Dates read by pyogrio (e.g. the QIC `date` field) as ISO 8601 text, which JSON can hold; NaT -> None."""
    dated = values.dropna()
    with_time = bool((dated != dated.dt.normalize()).any())
    return values.map(lambda v: None if pd.isna(v) else (v.isoformat() if with_time else v.date().isoformat()))


def layer_geojson(layers: Layers, name: str) -> str:
    """The layer as GeoJSON text (RFC 7946, EPSG:4326)."""
    return layer_frame(layers, name).to_json(drop_id=True, ensure_ascii=False)
