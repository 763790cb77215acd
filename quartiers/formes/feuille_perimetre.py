"""The printable A4 sheet of a tested perimeter: standalone HTML (print CSS, SVG map extract), no external resource.

The map extract is drawn in Lambert-93 (EPSG:2154), north up, with the path drawing of quartiers/fiche.py.
Every text coming from a file (proposal names) is escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape

import shapely

from quartiers.fiche import svg_extract, svg_path
from quartiers.formats import fmt_ha, fmt_share
from quartiers.formes.bilan_perimetre import COMMUNES_NOTE, NON_CALCULABLE, SOURCES, Bilan, Reference
from quartiers.formes.carte import (
    STYLE_AJOUT,
    STYLE_BANDE_PROPOSITION,
    STYLE_LAISSE_HORS,
    STYLE_PROPOSITION,
    legend_entries,
)
from quartiers.maps import STYLE_BANDE, STYLE_QPV, STYLE_VOISIN
from quartiers.zones import band

SVG_WIDTH, SVG_HEIGHT = 640, 430
MARGIN_M = 80
PATTERNS = (
    "<defs>"
    '<pattern id="hachures-ajout" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    f'<rect width="8" height="8" fill="{STYLE_AJOUT["fillColor"]}" fill-opacity="0.45"/>'
    f'<line x1="0" y1="0" x2="0" y2="8" stroke="{STYLE_AJOUT["color"]}" stroke-width="2"/></pattern>'
    '<pattern id="croix-retrait" width="8" height="8" patternUnits="userSpaceOnUse">'
    '<rect width="8" height="8" fill="#fff" fill-opacity="0.7"/>'
    f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{STYLE_LAISSE_HORS["color"]}" stroke-width="1"/></pattern>'
    "</defs>"
)

# The print style of the A4 sheets of this package (perimeter and programme).
SHEET_STYLE = (
    "@page{size:A4 portrait;margin:10mm 12mm}"
    "body{font:9pt/1.3 sans-serif;color:#111;margin:0}h1{font-size:14pt;margin:0 0 2pt}"
    "h2{font-size:10.5pt;margin:5pt 0 2pt;border-bottom:1.5pt solid #000}"
    ".avertissement{font-weight:bold;border:1.5pt solid #000;padding:2pt 5pt;display:inline-block;margin:2pt 0}"
    # Everything within the printable width (chromium clips the rest): borders and padding inside each width
    # (the map's frame was 2 px past it), and a name from the file without spaces broken where it must be.
    "*{box-sizing:border-box}body{overflow-wrap:anywhere}"
    "svg.extrait{width:100%;height:auto;max-height:112mm;border:1px solid #555;display:block}"
    "table{border-collapse:collapse;width:100%;margin:2pt 0}td,th{border:1px solid #777;padding:1.5pt 3pt;"
    "text-align:left;vertical-align:top}th{background:#eee}"
    ".legende{columns:2;list-style:none;padding:0;margin:3pt 0;font-size:8pt}.legende li{break-inside:avoid}"
    ".legende svg{vertical-align:middle}.petit{font-size:8pt}ul.petit{margin:2pt 0;padding-left:12pt}"
    "section{break-inside:avoid}"
)


def _style_attributes(style: dict, fill: str | None = None) -> str:
    fill = fill or (style.get("fillColor", "none") if style.get("fill", True) else "none")
    return (
        f'fill="{fill}" fill-opacity="{1 if fill.startswith("url") else style.get("fillOpacity", 0)}" '
        f'stroke="{style["color"]}" stroke-width="{style["weight"]}" stroke-dasharray="{style.get("dashArray", "")}" '
        'fill-rule="evenodd"'
    )


def _scale_bar_metres(width_m: float) -> int:
    target = width_m / 4
    return max(step for step in (50, 100, 200, 250, 500, 1000, 2000, 5000) if step <= max(target, 50))


def map_svg(bilans: list[Bilan], reference: Reference) -> str:
    """Proposal, its band, added and left-out parts, official QPV and bands, commune limits; scale bar, north.

    The extract fits all of the proposal, its band and the QPV parts left out, with MARGIN_M around.
    """
    # Everything drawn for the proposal is in the frame: itself, its band and the QPV parts it leaves out.
    extent = shapely.union_all([g for b in bilans for g in (b.geometrie, b.bande, b.laisse_hors) if g is not None])
    minx, miny, maxx, maxy = extent.bounds
    bounds = (minx - MARGIN_M, miny - MARGIN_M, maxx + MARGIN_M, maxy + MARGIN_M)
    frame, scale, transform = svg_extract(bounds, SVG_WIDTH, SVG_HEIGHT)

    def path(geometry, style, fill=None) -> str:
        clipped = geometry.intersection(frame)
        if clipped.is_empty:
            return ""
        return f'<path d="{svg_path(clipped, transform)}" {_style_attributes(style, fill)}/>'

    shapes = []
    qpv = reference.qpv.iloc[reference.qpv.sindex.query(frame.buffer(300), predicate="intersects")]
    if len(qpv):
        for geometry in band(qpv).to_crs(reference.qpv.crs).geometry:
            shapes.append(path(geometry, STYLE_BANDE))
    for geometry, voisin in zip(qpv.geometry, qpv["voisin"], strict=True):
        shapes.append(path(geometry, STYLE_VOISIN if voisin else STYLE_QPV))
    communes = reference.communes.iloc[reference.communes.sindex.query(frame, predicate="intersects")]
    for geometry in communes.geometry:
        limits = geometry.boundary.intersection(frame)
        for line in getattr(limits, "geoms", [limits]):
            if line.geom_type == "LineString" and not line.is_empty:
                points = " L".join(f"{x:.1f},{y:.1f}" for x, y in (transform(*c) for c in line.coords))
                shapes.append(f'<path d="M{points}" fill="none" stroke="#444" stroke-dasharray="2 3"/>')
    for bilan in bilans:
        shapes.append(path(bilan.bande, STYLE_BANDE_PROPOSITION))
        shapes.append(path(bilan.laisse_hors, STYLE_LAISSE_HORS, "url(#croix-retrait)"))
        shapes.append(path(bilan.ajout, STYLE_AJOUT, "url(#hachures-ajout)"))
        shapes.append(path(bilan.geometrie, STYLE_PROPOSITION))
    bar_m = _scale_bar_metres(bounds[2] - bounds[0])
    bottom = SVG_HEIGHT - 12
    return (
        f'<svg class="extrait" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" '
        'aria-label="Extrait de carte : périmètre proposé, sa bande des 300 m, les QPV officiels et leurs bandes">'
        f'{PATTERNS}<rect width="100%" height="100%" fill="#f4f3ee"/>{"".join(shapes)}'
        f'<rect x="4" y="{bottom - 24}" width="{bar_m * scale + 16:.1f}" height="32" fill="#fff" fill-opacity="0.8"/>'
        f'<line x1="12" y1="{bottom}" x2="{12 + bar_m * scale:.1f}" y2="{bottom}" stroke="#000" stroke-width="3"/>'
        f'<text x="12" y="{bottom - 7}" font-size="12">{bar_m} m</text>'
        f'<text x="{SVG_WIDTH - 36}" y="22" font-size="14" font-weight="bold">N ↑</text></svg>'
    )


def _legend() -> str:
    fills = {id(STYLE_AJOUT): "url(#hachures-ajout)", id(STYLE_LAISSE_HORS): "url(#croix-retrait)"}
    items = []
    for style, label in legend_entries():
        fill = fills.get(id(style))
        items.append(
            f'<li><svg width="34" height="16" aria-hidden="true">{PATTERNS if fill else ""}'
            f'<rect x="2" y="2" width="30" height="12" {_style_attributes(style, fill)}/></svg> '
            f"{escape(label.replace('étiquette « + »', 'hachures').replace('étiquette « − »', 'croisillons'))}</li>"
        )
    return "<ul class='legende'>" + "".join(items) + "</ul>"


def _figures(bilan: Bilan) -> str:
    communes = ", ".join(f"{escape(c.nom)} {fmt_ha(c.surface_ha)}" for c in bilan.communes) or "aucune"
    qpv_rows = "".join(
        f"<tr><td>{escape(q.libelle)}{' — voisin' if q.voisin else ''}</td>"
        f"<td>{fmt_ha(q.surface_en_commun_ha)}</td><td>{fmt_share(q.part_du_qpv_pct)}</td>"
        f"<td>{fmt_ha(q.surface_qpv_hors_proposition_ha)}</td></tr>"
        for q in bilan.qpv
    )
    qpv_table = (
        "<table><tr><th>QPV 2024 recoupé</th><th>En commun</th><th>Part du QPV gardée</th>"
        f"<th>QPV laissé hors</th></tr>{qpv_rows}</table>"
        if bilan.qpv
        else "<p>Aucun QPV 2024 recoupé.</p>"
    )
    reached = ", ".join(escape(n) for n in bilan.bande_qpv) or "aucun"
    return (
        f"<h2>{escape(bilan.nom)}</h2><table class='chiffres'>"
        f"<tr><th>Surface</th><td>{fmt_ha(bilan.surface_ha)}</td>"
        f"<th>Hors de tout QPV (ajout)</th><td>{fmt_ha(bilan.surface_hors_qpv_ha)}</td></tr>"
        f"<tr><th>Bande des 300 m</th><td>{fmt_ha(bilan.surface_bande_300m_ha)}</td>"
        f"<th>Territoire CABBALR / CALL</th><td>{'non (hors territoire)' if bilan.hors_territoire else 'oui'}</td></tr>"
        f"<tr><th>Communes (surface)</th><td colspan='3'>{communes}</td></tr>"
        f"<tr><th>QPV atteints par sa bande</th><td colspan='3'>{reached}</td></tr></table>{qpv_table}"
    )


def sheet_html(bilans: list[Bilan], ensemble: Bilan | None, reference: Reference, messages: tuple[str, ...]) -> str:
    """A standalone A4 page: title, date, map extract with legend and scale, figures, sources, "indicatif"."""
    today = dt.date.today().strftime("%d/%m/%Y")
    names = ", ".join(b.nom for b in bilans)
    blocks = [_figures(b) for b in bilans] + ([_figures(ensemble)] if ensemble is not None else [])
    notes = "".join(f"<li>{escape(m)}</li>" for m in messages)
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>Périmètre proposé — {escape(names)}</title><style>{SHEET_STYLE}</style></head><body>"
        f"<h1>Périmètre proposé : {escape(names)}</h1>"
        f"<p>Carte Quartiers 2030 — comparaison avec la géographie prioritaire 2024-2030 — éditée le {today}. "
        "<span class='avertissement'>Document de travail — indicatif</span></p>"
        f"{map_svg(bilans, reference)}{_legend()}"
        + "".join(f"<section>{block}</section>" for block in blocks)
        + f"<p class='petit non-calculable'><b>À noter :</b> {escape(NON_CALCULABLE)}</p>"
        + (f"<p class='petit'><b>Fichier :</b></p><ul class='petit'>{notes}</ul>" if notes else "")
        + "<p class='petit'><b>Sources et millésimes :</b></p><ul class='petit'>"
        + "".join(f"<li>{escape(s)}</li>" for s in SOURCES)
        + f"<li>{escape(COMMUNES_NOTE)}</li>"
        "<li>Surfaces calculées en Lambert-93 (EPSG:2154), arrondies à 0,01 ha ; parts à 0,1 %.</li></ul>"
        "</body></html>"
    )
