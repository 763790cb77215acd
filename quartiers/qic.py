"""Importing a QIC perimeter published by the agglomeration into geodata/qic.geojson (format: geodata/SOURCES.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from quartiers import settings
from quartiers.formes import geojson
from quartiers.formes.lecture import Proposal, ProposalError

QIC_FILENAME = settings.QIC_FILE.name


@dataclass(frozen=True)
class ImportedQic:
    """What was written: the QIC id, whether it replaced an existing one, its area (ha, Lambert-93), notes."""

    id: str
    remplace: bool
    surface_ha: float
    path: Path
    messages: tuple[str, ...]


def qic_id(nom: str) -> str:
    """Readable id from a name: lower case, no accents, words joined by "-" ("Catorive" -> "catorive")."""
    plain = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _check_fields(nom: str, commune: str, source: str, date: str) -> str:
    for label, value in (("nom", nom), ("commune", commune), ("source", source)):
        if not value.strip():
            raise ProposalError(f"Le champ « {label} » est vide.")
    try:
        dt.date.fromisoformat(date)
    except ValueError as exc:
        raise ProposalError(f"Date invalide : « {date} » (attendu AAAA-MM-JJ, par exemple 2025-01-15).") from exc
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ProposalError(f"Date invalide : « {date} » (attendu AAAA-MM-JJ, par exemple 2025-01-15).")
    identifier = qic_id(nom)
    if not identifier:
        raise ProposalError(f"Nom inutilisable comme identifiant : « {nom} ».")
    return identifier


FILE_MODE = 0o644  # readable by the app's user, as the rest of geodata/


def _read_features(path: Path) -> list[dict]:
    """The features of an existing qic.geojson, each checked as GeoJSON; ProposalError (French) if any is broken."""
    if not path.exists():
        return []
    try:
        data = path.read_bytes()
        geojson.parse(data, geojson.Limits(vertices=10_000_000, parts=100_000, objects=100_000))
        collection = json.loads(data.decode("utf-8-sig"))
        features = collection["features"]
        if not all(isinstance((f or {}).get("properties"), dict) for f in features):
            raise geojson.GeoJsonError("un objet n'a pas de propriétés")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = f" ({exc})" if isinstance(exc, geojson.GeoJsonError) else ""
        raise ProposalError(
            f"Le fichier existant {path.name} est illisible{reason} : corrigez-le ou retirez-le avant d'importer."
        ) from exc
    return list(features)


def _geodata_folder(geodata_dir: Path | None) -> Path:
    folder = geodata_dir or settings.GEODATA_DIR
    if folder.exists() and not folder.is_dir():
        raise ProposalError(f"« {folder} » n'est pas un dossier : --geodata attend le dossier geodata/ à modifier.")
    return folder


def import_qic(
    proposal: Proposal, nom: str, commune: str, source: str, date: str, geodata_dir: Path | None = None
) -> ImportedQic:
    """Add or replace (same id) one QIC in `geodata_dir`/qic.geojson, all polygons of `proposal` as one feature.

    The file is a GeoJSON FeatureCollection in EPSG:4326 with properties id, nom, commune, source, date;
    it is written atomically. Raises ProposalError for empty fields, a bad date or an unreadable existing file.
    """
    identifier = _check_fields(nom, commune, source, date)
    path = _geodata_folder(geodata_dir) / QIC_FILENAME
    features = _read_features(path)
    geometry_l93 = shapely.union_all(proposal.frame.geometry.values)
    geometry = gpd.GeoSeries([geometry_l93], crs=settings.LAMBERT93).to_crs(settings.WGS84).iloc[0]
    feature = {
        "type": "Feature",
        "properties": {
            "id": identifier,
            "nom": nom.strip(),
            "commune": commune.strip(),
            "source": source.strip(),
            "date": date,
        },
        "geometry": mapping(geometry),
    }
    kept = [f for f in features if str((f.get("properties") or {}).get("id", "")).strip().lower() != identifier]
    replaced = len(kept) != len(features)
    text = json.dumps({"type": "FeatureCollection", "features": [*kept, feature]}, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, FILE_MODE)  # mkstemp makes it private (0600): the app could not read it
        os.replace(temporary, path)
    except OSError as exc:
        raise ProposalError(f"Impossible d'écrire {path} ({exc.strerror}).") from exc
    return ImportedQic(identifier, replaced, round(geometry_l93.area / 10_000, 2), path, proposal.messages)
