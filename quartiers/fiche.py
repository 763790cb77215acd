"""A printable fiche for one quartier: standalone HTML with an SVG map extract, its portrait and sources."""

from __future__ import annotations

import datetime as dt
from html import escape

import shapely
from shapely.geometry.base import BaseGeometry

from quartiers import settings
from quartiers.catalogue import Quartier
from quartiers.formats import fmt_quantity
from quartiers.perimeters import Layers
from quartiers.portraits import Document, Indicateur
from quartiers.zones import band

SVG_SIZE = 520


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


def _indicator_rows(indicateurs: tuple[Indicateur, ...]) -> str:
    rows = []
    for i in indicateurs:
        reference = fmt_quantity(i.reference, i.unite) + (f" ({i.reference_libelle})" if i.reference_libelle else "")
        source = f"doc. {i.source.document}, « {i.source.section} »" + (f" — {i.millesime}" if i.millesime else "")
        rows.append(
            f"<tr><td>{escape(i.libelle)}</td><td>{escape(fmt_quantity(i.valeur, i.unite))}"
            f"{escape(' (' + i.evolution + ')') if i.evolution else ''}</td>"
            f"<td>{escape(reference if i.reference is not None else '')}</td><td>{escape(source)}</td></tr>"
        )
    return "".join(rows)


def _cited_documents(portrait) -> set[str]:
    """Every document the portrait's blocks cite, not only its main one."""
    sources = [portrait.source] + [
        i.source for i in portrait.indicateurs + portrait.opportunites + portrait.enjeux_prioritaires
    ]
    sources += [i.source for i in portrait.irritants] + [o.source for o in portrait.objectifs]
    return {source.document for source in sources}


def fiche_html(quartier: Quartier, layers: Layers, documents: dict[str, Document]) -> str:
    """A standalone, printable HTML page (no external resource) for one quartier; every text is escaped."""
    p = quartier.portrait
    today = dt.date.today().strftime("%d/%m/%Y")
    body = [f"<h1>{escape(quartier.nom)}</h1>"]
    facts = [("Statut", quartier.statut), ("Code officiel 2024", quartier.code_qp or "aucun (pas de code officiel)")]
    if p and p.code_cite:
        facts.append(("Code cité dans la convention", p.code_cite))
    facts += [("Communes", ", ".join(quartier.communes)), ("Intercommunalité", ", ".join(quartier.epci))]
    if quartier.surface_ha is not None:
        facts.append(("Surface du périmètre 2024 (Lambert-93)", f"{fmt_quantity(quartier.surface_ha, 'ha')}"))
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
    if p and p.indicateurs:
        body.append(
            "<h2>Portrait statistique</h2><table><tr><th>Indicateur</th><th>Quartier</th><th>Référence</th><th>Source</th></tr>"
        )
        body.append(_indicator_rows(p.indicateurs) + "</table>")
    if p:
        for title, items, attr in (
            ("Les « irritants »", p.irritants, "titre"),
            ("Les « opportunités »", p.opportunites, "texte"),
            ("Les enjeux prioritaires", p.enjeux_prioritaires, "texte"),
        ):
            if items:
                body.append(f"<h2>{title} ({len(items)})</h2><ul>")
                for item in items:
                    detail = "".join(f"<p>{escape(d)}</p>" for d in getattr(item, "detail", ()))
                    body.append(f"<li>{escape(getattr(item, attr))}{detail}</li>")
                body.append("</ul>")
        if p.objectifs:
            body.append(
                "<h2>Objectifs opérationnels</h2><table><tr><th>Enjeu</th><th>Ambition</th><th>Objectif</th><th>Objectifs opérationnels</th></tr>"
            )
            for o in p.objectifs:
                ops = "".join(
                    f"<li>{escape(op.texte)}"
                    + ("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in op.items) + "</ul>" if op.items else "")
                    + "</li>"
                    for op in o.operationnels
                )
                body.append(
                    f"<tr><td>{escape(o.enjeu)}</td><td>{escape(o.ambition)}</td><td>{escape(o.objectif)}</td>"
                    f"<td>{'<ul>' + ops + '</ul>' if ops else '—'}</td></tr>"
                )
            body.append("</table>")
    cited = sorted(_cited_documents(p)) if p else []
    sources = "".join(f"<li>Document {escape(c)} : {escape(documents[c].titre)}</li>" for c in cited if c in documents)
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
    )
    return (
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Fiche — {escape(quartier.nom)}</title>"
        f"<style>{style}</style></head><body><p>Carte Quartiers 2030 — fiche éditée le {today}. Informations indicatives.</p>"
        + "".join(body)
        + "</body></html>"
    )
