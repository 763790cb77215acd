"""GDAL locked down for a public server, once, before pyogrio loads GDAL's drivers (`apply`, from quartiers/__init__).

A visitor's file is only ever opened by the driver of the format we accept (GeoPackage, Shapefile, KML) after
its content has been confirmed (quartiers/formes/lecture.py); GeoJSON is parsed without GDAL. This module is the
second lock: every other driver is deregistered (`GDAL_SKIP` is read when GDAL registers its drivers, hence the
environment variable set before the first `import pyogrio`), so that no file, whatever it says, can be read as a
virtual dataset (OGR_VRT, VRT), a processing pipeline (GDALG), a network service (WFS, OAPIF, HTTP...) or run a
program (GPSBabel); network reads through /vsicurl/ and its kin are limited to a file name that cannot exist, and
SQLite-based formats may not open other datasets from their triggers or views.

Allowed drivers: GeoJSON (the committed layers of geodata/), GPKG, ESRI Shapefile, KML, LIBKML and MEM.
"""

from __future__ import annotations

import os

ALLOWED_DRIVERS = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile", "KML", "LIBKML", "MEM"})

# Every other vector-capable driver of the pinned pyogrio wheel (GDAL 3.12), plus the raster VRT.
# Names with a space cannot be written in GDAL_SKIP; `MapInfo File` is refused by lecture.py's content checks.
SKIPPED_DRIVERS = (
    "ADBC AIVector AVCBin AVCE00 AmigoCloud CSV CSW Carto DGN DXF EDIGEO EEDA ESRIJSON Elasticsearch FlatGeobuf "
    "GDALG GML GPSBabel GPX GTFS GeoJSONSeq GeoRSS HTTP Idrisi JML JSONFG LVBAG MBTiles MVT MapML MiraMonVector "
    "NGW OAPIF ODS OGCAPI OGR_GMT OGR_PDS OGR_VRT OSM OpenFileGDB PCIDSK PDF PDS4 PGDUMP PLSCENES PMTiles S57 "
    "SQLite SXF Selafin TopoJSON VDV VFK VICAR WAsP WFS XLSX VRT WMS WMTS STACTA STACIT DAAS EEDAI PLMOSAIC"
)

CONFIG = {
    "GDAL_SKIP": SKIPPED_DRIVERS,
    # /vsicurl/, /vsis3/... may only fetch this name, which no URL has: no read reaches the network.
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/aucune-adresse-autorisee",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".aucune-extension-autorisee",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO",
    "ALLOW_VIRTUAL_OGR_FROM_TRIGGER_AND_VIEW": "NO",
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "GDAL_VRT_ENABLE_RAWRASTERBAND": "NO",
    "CPL_ALLOW_VSISTDIN": "NO",
    "OGR_SHAPE_ALLOW_NON_FINITE_COORDINATES": "NO",
    "PROJ_NETWORK": "OFF",  # PROJ grids are never downloaded
}


def apply() -> None:
    """Set the configuration in the environment (read by GDAL when it registers drivers and at each use)."""
    for name, value in CONFIG.items():
        os.environ[name] = value


def check_loaded() -> None:
    """Raise RuntimeError if GDAL was loaded before `apply` (a driver outside ALLOWED_DRIVERS is registered).

    Also sets the options through pyogrio, for the ones GDAL reads at each use.
    """
    import pyogrio

    pyogrio.set_gdal_config_options({k: v for k, v in CONFIG.items() if k != "GDAL_SKIP"})
    extra = set(pyogrio.list_drivers()) - ALLOWED_DRIVERS - {"MapInfo File"}
    if extra:
        raise RuntimeError(
            "GDAL a été chargé avant sa configuration de sécurité (pilotes présents : "
            + ", ".join(sorted(extra))
            + ") : importez quartiers avant pyogrio."
        )
