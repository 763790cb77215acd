"""Project-wide knobs: paths, coordinate reference systems, distances."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEODATA_DIR = ROOT / "geodata"
PORTRAITS_DIR = ROOT / "portraits"
SOURCES_DIR = PORTRAITS_DIR / "documents"  # verbatim copies of the five source documents (../shared/seeds)
STATIC_DIR = ROOT / "static"

QPV_FILE = GEODATA_DIR / "qpv2024_cabbalr_call.geojson"
QPV_VOISINS_FILE = GEODATA_DIR / "qpv2024_voisins.geojson"
COMMUNES_FILE = GEODATA_DIR / "communes_62_etalab2024_100m.geojson"
EPCI_FILE = GEODATA_DIR / "epci_cabbalr_call_etalab2024_100m.geojson"
QIC_FILE = GEODATA_DIR / "qic.geojson"
QPV_LISTE_ANCT_FILE = GEODATA_DIR / "qpv2024_liste_62_anct_par_commune.csv"  # ANCT list, code_qp → INSEE codes
FILOSOFI_FILE = GEODATA_DIR / "filosofi2021_communes_62.csv"  # Insee Filosofi 2021, one row per commune of the 62
NPNRU_FILE = GEODATA_DIR / "npnru_cabbalr_call.csv"  # the five QPV with a renewal project (NPNRU), with sources

# Leaflet is installed from the npm registry by `make setup` (see static/package.json) and served
# by Streamlit's static file server at /app/static/..., so the map needs no CDN.
LEAFLET_DIR = STATIC_DIR / "node_modules" / "leaflet" / "dist"
LEAFLET_URL = "/app/static/node_modules/leaflet/dist"
# The wheel scrolls the page, Ctrl + wheel (two fingers on a touch screen) moves the map: same origin.
GESTURE_HANDLING_DIR = STATIC_DIR / "node_modules" / "leaflet-gesture-handling" / "dist"
GESTURE_HANDLING_URL = "/app/static/node_modules/leaflet-gesture-handling/dist"

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"  # metric CRS for every distance, area and buffer
WEB_MERCATOR = "EPSG:3857"

BAND_METRES = 300.0  # CGI art. 278 sexies: TVA 5,5 % band measured from the QPV limit
NPNRU_BAND_METRES = 500.0  # CGI art. 278 sexies: ensembles near an NPNRU QPV (partly < 300 m, wholly < 500 m)
LIMIT_TOLERANCE_METRES = 10.0  # closer than this to a line, the answer is "à la limite"
DISPLAY_TOLERANCE_METRES = 1.0  # simplification of shapes sent to the browser only
DISPLAY_DECIMALS = 6  # ~0.1 m in latitude

EPCI = {
    "200072460": "CABBALR",
    "246200364": "CALL",
}
EPCI_NOMS = {
    "CABBALR": "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane",
    "CALL": "Communauté d'Agglomération de Lens-Liévin",
}
NEIGHBOUR_EPCI = {"246200299": "CAHC"}
NEIGHBOUR_EPCI_NOMS = {"CAHC": "Communauté d'Agglomération d'Hénin-Carvin"}

PERIMETRES_MILLESIME = "décret n° 2023-1314 du 28 décembre 2023 (géographie prioritaire 2024-2030)"
SIG_VILLE_URL = "https://sig.ville.gouv.fr/territoire/{code}"

FILOSOFI_LABEL = "Filosofi 2021, Insee, commune"
# As a reader sees it cited; the Sources page also names its file in geodata/ (QPV_LISTE_ANCT_FILE).
ANCT_LISTE_TITRE = "Liste officielle des quartiers prioritaires 2024 du Pas-de-Calais, par commune (ANCT, SIG Ville)"
