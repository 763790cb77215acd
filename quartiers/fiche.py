"""A printable fiche for one quartier: standalone HTML with an SVG map extract, its portrait and sources."""

from __future__ import annotations

import datetime as dt
from html import escape

import shapely
from shapely.geometry.base import BaseGeometry

from quartiers import portrait_html as ph
from quartiers import settings
from quartiers.catalogue import Quartier
from quartiers.couches_officielles import Layers
from quartiers.filosofi import ReferenceCommune
from quartiers.formats import document_title
from quartiers.npnru import npnru_fact
from quartiers.portraits import ANCT, Document
from quartiers.zones import band

SVG_SIZE = 520
# Printed: two columns in print type sizes (the A4 sheet holds about twice the screen page), the map extract
# a column wide, nothing dropped (folded objectives print open: `objectifs_tree(open_all=True)`).
PRINT_STYLE = (
    "@page{size:A4;margin:10mm 11mm}"
    "@media print{body{max-width:none;margin:0;font-size:8pt;line-height:1.28}"
    "h1{font-size:15pt;margin:0 0 1.5mm}h2{font-size:10pt;margin:2.5mm 0 1mm;break-after:avoid}"
    "p{margin:.8mm 0}ul{margin:.8mm 0;padding-left:4mm}li{margin:.3mm 0}"
    ".colonnes{column-count:2;column-gap:6mm}"
    ".colonnes svg{width:100%;height:auto;max-height:80mm;break-inside:avoid}"
    "table,.qp-table{font-size:7pt}td,th,.qp-table th,.qp-table td{padding:.6mm 1mm}"
    "td,th{overflow-wrap:anywhere}.qp-liste{margin:.5mm 0 .5mm 3.5mm}.qp-liste li{margin:.3mm 0}"
    ".qp-enjeu{margin:1mm 0;padding:.5mm 1.5mm}.legende{font-size:7pt}}"
)


def svg_path(geometry: BaseGeometry, transform) -> str:
    """SVG path data of a (multi)polygon's rings; `transform(x, y)` maps Lambert-93 metres to SVG units."""
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            points = " L".join(f"{x:.1f},{y:.1f}" for x, y in (transform(cx, cy) for cx, cy in ring.coords))
            parts.append(f"M{points} Z")
    return " ".join(parts)


def svg_extract(bounds: tuple[float, float, float, float], width: float, height: float):
    """The frame and transform of a map extract: `bounds` (Lambert-93 metres) fitted, centred, in width × height.

    Returns (frame, scale, transform): `frame` the Lambert-93 box the extract shows (to clip shapes with),
    `scale` in SVG units per metre, `transform(x, y)` mapping metres to SVG units, north up.
    """
    minx, miny, maxx, maxy = bounds
    scale = min(width / (maxx - minx), height / (maxy - miny))
    offset_x = (width - (maxx - minx) * scale) / 2
    offset_y = (height - (maxy - miny) * scale) / 2
    frame = shapely.box(
        minx - offset_x / scale, miny - offset_y / scale, maxx + offset_x / scale, maxy + offset_y / scale
    )

    def transform(x, y):
        return (x - minx) * scale + offset_x, (maxy - y) * scale + offset_y

    return frame, scale, transform


def map_svg(quartier: Quartier, layers: Layers) -> str:
    """The quartier, its 300 m band and the commune outlines, drawn in Lambert-93, north up, with a scale bar."""
    if layers.qpv is None or not quartier.has_perimeter or quartier.code_qp is None:
        return "<p><em>Pas de périmètre publié : pas d'extrait de carte.</em></p>"
    selected = layers.qpv[layers.qpv["code_qp"] == quartier.code_qp]
    metric = selected.to_crs(settings.LAMBERT93)
    ring = band(selected).to_crs(settings.LAMBERT93)
    minx, miny, maxx, maxy = ring.total_bounds
    margin = 100
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    scale = SVG_SIZE / max(maxx - minx, maxy - miny)

    def transform(x, y):
        return (x - minx) * scale, (maxy - y) * scale

    communes = ""
    if layers.communes is not None:
        frame = shapely.box(minx, miny, maxx, maxy)
        for geometry in layers.communes.to_crs(settings.LAMBERT93).geometry:
            # Only the commune limits that cross the extract, not the edges of the clipping frame.
            limits = geometry.boundary.intersection(frame)
            for line in getattr(limits, "geoms", [limits]):
                if line.geom_type == "LineString" and not line.is_empty:
                    points = " L".join(f"{x:.1f},{y:.1f}" for x, y in (transform(*c) for c in line.coords))
                    communes += f'<path d="M{points}" fill="none" stroke="#444" stroke-dasharray="3 3"/>'
    bar_m = 200
    return (
        f'<svg viewBox="0 0 {SVG_SIZE} {SVG_SIZE}" width="{SVG_SIZE}" height="{SVG_SIZE}" role="img" '
        f'aria-label="Extrait de carte : périmètre 2024 du quartier {escape(quartier.nom)} et sa bande des 300 m">'
        f'<rect width="100%" height="100%" fill="#f4f3ee"/>{communes}'
        f'<path d="{svg_path(ring.geometry.iloc[0], transform)}" fill="#f0a040" fill-opacity="0.25" stroke="#9c4a00" stroke-dasharray="8 6" fill-rule="evenodd"/>'
        f'<path d="{svg_path(metric.geometry.iloc[0], transform)}" fill="#d2402f" fill-opacity="0.4" stroke="#8e1b10" stroke-width="2" fill-rule="evenodd"/>'
        f'<line x1="10" y1="{SVG_SIZE - 15}" x2="{10 + bar_m * scale:.1f}" y2="{SVG_SIZE - 15}" stroke="#000" stroke-width="3"/>'
        f'<text x="10" y="{SVG_SIZE - 22}" font-size="12">{bar_m} m</text>'
        f'<text x="{SVG_SIZE - 20}" y="20" font-size="14" font-weight="bold">N ↑</text></svg>'
    )


def fiche_html(
    quartier: Quartier,
    layers: Layers,
    documents: dict[str, Document],
    communes: list[ReferenceCommune] | None = None,
    communes_error: str | None = None,
) -> str:
    """A standalone, printable HTML page (no external resource) for one quartier; every text is escaped.

    `communes` are the Insee Filosofi 2021 references of its communes (see quartiers.filosofi); when
    `communes_error` is given, that French message replaces them.
    """
    p = quartier.portrait
    today = dt.date.today().strftime("%d/%m/%Y")
    body = [f"<h1>{escape(quartier.nom)}</h1>"]
    facts = [("Statut", quartier.statut), ("Code officiel 2024", quartier.code_qp or "aucun (pas de code officiel)")]
    if quartier.nom_officiel:
        facts.append(("Nom officiel (ANCT)", quartier.nom_officiel))
    if p and p.code_cite:
        facts.append(("Code cité dans la convention", p.code_cite))
    if renouvellement := npnru_fact(quartier.code_qp):
        facts.append(("Renouvellement urbain (NPNRU)", renouvellement))
    facts += [("Communes", ", ".join(quartier.communes)), ("Intercommunalité", ", ".join(quartier.epci))]
    facts += ph.surfaces(quartier)
    body.append("<ul>" + "".join(f"<li><b>{escape(k)} :</b> {escape(v)}</li>" for k, v in facts) + "</ul>")
    body.append(map_svg(quartier, layers))
    body.append(
        "<p class='legende'>Légende : aplat rouge trait plein = périmètre QPV 2024 (ANCT, décret n° 2023-1314) ; "
        "tirets orange = bande des 300 m, indicative (CGI art. 278 sexies), calculée en Lambert-93 ; "
        "pointillés = communes (contours généralisés à 100 m).</p>"
    )
    if p is None or not p.portrait_detaille:
        body.append(
            "<p><b>Portrait détaillé non disponible :</b> aucune convention d'application communale de ce quartier "
            "ne figure dans les documents sources.</p>"
        )
    if p and p.note:
        body.append(f"<h2>Remarques sur la source</h2><p>{escape(p.note)}</p>")
    if p and p.indicateurs:
        body.append("<h2>Portrait statistique</h2>")
        body.append(ph.rate_bars(p.indicateurs))
        body.append(
            ph.indicators_table(
                p.indicateurs,
                documents,
                "Chiffres du quartier, avec la phrase de la source, son millésime et son périmètre",
            )
        )
    if communes or communes_error:
        body.append("<h2>Repère : la commune (Insee, Filosofi 2021)</h2>")
        body.append(f"<p>{escape(ph.filosofi_intro(p))}</p>" + ph.filosofi_list(communes or [], communes_error))
    if p:
        for title, items, html in (
            ("Les « irritants »", p.irritants, ph.irritants_list(p.irritants)),
            ("Les « opportunités »", p.opportunites, ph.elements_list(p.opportunites)),
            ("Les enjeux prioritaires", p.enjeux_prioritaires, ph.elements_list(p.enjeux_prioritaires)),
        ):
            if items:
                body.append(f"<h2>{title} ({len(items)})</h2>{html}")
        if p.objectifs:
            body.append("<h2>Objectifs opérationnels</h2>" + ph.objectifs_tree(p.objectifs, documents, open_all=True))
    cited = ph.cited_documents(p) if p else []
    sources = "".join(
        f"<li>{'Document ' + escape(c) + ' : ' if c != ANCT else ''}{escape(document_title(documents, c) or '')}</li>"
        for c in cited
        if document_title(documents, c)
    )
    footnotes = sorted({s for i in (p.irritants if p else ()) for s in i.sources_citees})
    sources += "".join(f"<li>Source citée par le document : {escape(f)}</li>" for f in footnotes)
    if communes or communes_error:
        sources += (
            "<li>Insee, Filosofi 2021, base communale (geodata/filosofi2021_communes_62.csv), Licence Ouverte 2.0.</li>"
        )
    body.append(
        "<h2>Sources</h2><ul>"
        + sources
        + "<li>Périmètres : ANCT (SIG Ville), QPV 2024, Licence Ouverte 2.0 ; communes : Etalab 2024 / IGN ADMIN EXPRESS.</li>"
        + (
            f"<li>Fiche officielle : {escape(settings.SIG_VILLE_URL.format(code=quartier.code_qp))}</li>"
            if quartier.code_qp
            else ""
        )
        + "</ul>"
    )
    style = (
        "body{font-family:sans-serif;max-width:60rem;margin:1rem auto;color:#111;line-height:1.4}"
        "table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border:1px solid #777;padding:.3rem;vertical-align:top}"
        "h2{border-bottom:2px solid #8e1b10;page-break-after:avoid}tr{page-break-inside:avoid}.legende{font-size:.85rem}"
    ) + PRINT_STYLE
    return (
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Fiche — {escape(quartier.nom)}</title>"
        f"<style>{ph.STYLE.removeprefix('<style>').removesuffix('</style>')}{style}</style></head><body>"
        f"<p>Carte Quartiers 2030 — fiche éditée le {today}. Informations indicatives.</p>"
        + body[0]
        + "<div class='colonnes'>"
        + "".join(body[1:])
        + "</div></body></html>"
    )
