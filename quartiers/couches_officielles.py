"""Reading and validating the committed layers of geodata/; everything returned in EPSG:4326."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.validation import explain_validity, make_valid

from quartiers import settings

QPV_COLUMNS = ("code_qp", "lib_qp", "insee_com", "lib_com", "siren_epci")
COMMUNE_COLUMNS = ("code", "nom", "siren_epci_2026")
EPCI_COLUMNS = ("code", "nom")
QIC_COLUMNS = ("id", "nom", "commune", "source", "date")


class LayerError(ValueError):
    """A layer file that cannot be used; the message is French and names the file."""


@dataclass(frozen=True)
class Layers:
    """All map layers; a layer that failed to load is None and explained in `problems`."""

    qpv: gpd.GeoDataFrame | None
    communes: gpd.GeoDataFrame | None
    epci: gpd.GeoDataFrame | None
    qic: gpd.GeoDataFrame | None
    problems: tuple[str, ...] = field(default=())

    def quartier_codes(self) -> tuple[str, ...]:
        """Codes of the QPV of the two contracts (neighbours excluded)."""
        if self.qpv is None:
            return ()
        return tuple(self.qpv.loc[~self.qpv["voisin"], "code_qp"])


def split_multi(value: object) -> list[str]:
    """Split an ANCT multi-value field such as "62119, 62848" into a list."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()]


def read_layer(path: Path, required_columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Read a vector file with pyogrio, check its columns, return it in EPSG:4326."""
    if not path.exists():
        raise LayerError(f"Fichier de couche introuvable : {path.name}")
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError, RuntimeError) as exc:
        raise LayerError(f"Fichier de couche illisible : {path.name} (format non reconnu ou fichier abîmé)") from exc
    missing = [column for column in required_columns if column not in gdf.columns]
    if missing:
        raise LayerError(f"Colonnes manquantes dans {path.name} : {', '.join(missing)}")
    if gdf.empty:
        raise LayerError(f"Le fichier {path.name} ne contient aucun objet.")
    if gdf.crs is None:
        gdf = gdf.set_crs(settings.WGS84)
    return gdf.to_crs(settings.WGS84)


def repair_geometries(gdf: gpd.GeoDataFrame, label: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Repair invalid geometries with make_valid and drop empty ones; say what was done, in French."""
    messages = []
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].copy()
    invalid = ~gdf.geometry.is_valid
    for index in gdf.index[invalid]:
        reason = explain_validity(gdf.geometry[index])
        name = gdf.loc[index, label]
        messages.append(f"Géométrie invalide réparée automatiquement ({name} : {reason}).")
    if invalid.any():
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].apply(make_valid)
    return gdf, messages


def load_qpv(path: Path | None = None, voisins_path: Path | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The QPV 2024 of both contracts, plus the neighbouring QPV flagged `voisin`."""
    path = path or settings.QPV_FILE
    voisins_path = voisins_path or settings.QPV_VOISINS_FILE
    frames = []
    messages: list[str] = []
    for source, voisin in ((path, False), (voisins_path, True)):
        if source is None:
            continue
        try:
            gdf = read_layer(source, QPV_COLUMNS)
        except LayerError as exc:
            if voisin:
                messages.append(str(exc))
                continue
            raise
        gdf["voisin"] = voisin
        frames.append(gdf)
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=settings.WGS84)
    if gdf["code_qp"].duplicated().any():
        duplicates = ", ".join(sorted(set(gdf.loc[gdf["code_qp"].duplicated(), "code_qp"])))
        raise LayerError(f"Codes de quartier en double dans {path.name} : {duplicates}")
    gdf, repaired = repair_geometries(gdf, "code_qp")
    gdf["communes"] = gdf["lib_com"].map(split_multi)
    gdf["insee"] = gdf["insee_com"].map(split_multi)
    gdf["sirens"] = gdf["siren_epci"].map(split_multi)
    gdf["epci"] = gdf["sirens"].map(lambda sirens: [settings.EPCI[s] for s in sirens if s in settings.EPCI])
    gdf["contrat"] = [
        "QPV voisin, hors contrats CABBALR / CALL ("
        + ", ".join(settings.NEIGHBOUR_EPCI.get(s, s) for s in sirens)
        + ")"
        if voisin
        else "Contrat de ville " + " et ".join(epci)
        for voisin, sirens, epci in zip(gdf["voisin"], gdf["sirens"], gdf["epci"], strict=True)
    ]
    return gdf, messages + repaired


def load_communes(path: Path | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Member communes of CABBALR and CALL (Etalab 2024, generalised at 100 m), with their EPCI."""
    path = path or settings.COMMUNES_FILE
    gdf = read_layer(path, COMMUNE_COLUMNS)
    gdf = gdf[gdf["siren_epci_2026"].fillna("").astype(str).isin(settings.EPCI)].copy()
    if gdf.empty:
        raise LayerError(f"Aucune commune de la CABBALR ou de la CALL dans {path.name}")
    gdf["epci"] = gdf["siren_epci_2026"].map(settings.EPCI)
    return repair_geometries(gdf, "nom")


def load_epci(path: Path | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The two EPCI outlines, with their short name (CABBALR, CALL)."""
    path = path or settings.EPCI_FILE
    gdf = read_layer(path, EPCI_COLUMNS)
    gdf["epci"] = gdf["code"].astype(str).map(settings.EPCI)
    return repair_geometries(gdf, "nom")


def load_qic(path: Path | None = None) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    """QIC perimeters if a published file exists; (None, []) when there is none (the normal case)."""
    path = path or settings.QIC_FILE
    if not path.exists():
        return None, []
    gdf = read_layer(path, QIC_COLUMNS)
    gdf["id"] = gdf["id"].astype(str).str.strip().str.lower()
    # pyogrio reads ISO dates as datetimes; the layer keeps them as text, as published.
    gdf["date"] = gdf["date"].map(
        lambda d: d.date().isoformat() if hasattr(d, "date") and not isinstance(d, str) else d
    )
    return repair_geometries(gdf, "nom")


def load_layers() -> Layers:
    """Load every layer; one failing layer does not prevent the others."""
    problems: list[str] = []
    loaded = {}
    for name, loader in (("qpv", load_qpv), ("communes", load_communes), ("epci", load_epci), ("qic", load_qic)):
        try:
            loaded[name], messages = loader()
        except LayerError as exc:
            loaded[name], messages = None, [str(exc)]
        problems.extend(messages)
    return Layers(problems=tuple(problems), **loaded)


def qpv_codes(path: Path | None = None) -> frozenset[str] | None:
    """The QPV codes of the contracts' perimeter file, read without geometries; None when it cannot be read.

    None (rather than an empty set) lets callers skip code checks: the unreadable file is reported once,
    by load_layers, instead of once per portrait that cites a code.
    """
    path = path or settings.QPV_FILE
    try:
        frame = pyogrio.read_dataframe(path, columns=["code_qp"], read_geometry=False)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError, RuntimeError):
        return None
    if "code_qp" not in frame.columns:
        return None
    return frozenset(frame["code_qp"].dropna().astype(str))
