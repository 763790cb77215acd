"""The printable A4 sheet of a tested programme, in the family of the perimeter sheet (same print style).

Standalone HTML, no external resource: title, date, map extract (Lambert-93, north up) with legend and scale,
the verdicts in words, the figures, the conditions and sources. Every text coming from a file is escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from quartiers.fiche import svg_extract, svg_path
from quartiers.formats import fmt_number, fmt_share
from quartiers.formes.carte_programme import (
    STYLE_BATIMENT,
    STYLE_LIGNE_300M,
    STYLE_LIGNE_500M,
    STYLE_POINT,
    legend_entries,
)
from quartiers.formes.feuille_perimetre import SHEET_STYLE, SVG_HEIGHT, SVG_WIDTH, _scale_bar_metres, _style_attributes
from quartiers.formes.programme import CONDITIONS, ENSEMBLE, Programme, ProgrammeReference, lignes, phrases
from quartiers.maps import STYLE_BANDE, STYLE_COMMUNE, STYLE_QPV, STYLE_VOISIN

MIN_MARGIN_M = 120
PROGRAMME_STYLE = (
    "svg.extrait{max-height:78mm}.verdict{border:1.2pt solid #000;padding:1pt 4pt;margin:2pt 0;font-size:8.5pt}"
    ".verdict p{margin:0.5pt 0}ul.petit li{font-size:7.5pt}"
)


def map_svg(programme: Programme, ref: ProgrammeReference) -> str:
    """Footprints, QPV, the 300 m and 500 m lines and the farthest points, with scale bar and north."""
    ensemble = programme.ensemble
    reach = max(MIN_MARGIN_M, min(ensemble.distance_max_exacte_m + 60, 560))
    bounds = ensemble.geometrie.buffer(reach).bounds
    frame, scale, transform = svg_extract(bounds, SVG_WIDTH, SVG_HEIGHT)

    def path(geometry, style) -> str:
        clipped = geometry.intersection(frame)
        if clipped.is_empty:
            return ""
        return f'<path d="{svg_path(clipped, transform)}" {_style_attributes(style)}/>'

    def line(geometry, style) -> str:
        clipped = geometry.intersection(frame)
        parts = [g for g in getattr(clipped, "geoms", [clipped]) if g.geom_type == "LineString" and not g.is_empty]
        return "".join(
            '<path d="M' + " L".join(f"{x:.1f},{y:.1f}" for x, y in (transform(*c) for c in part.coords)) + '" '
            f'fill="none" stroke="{style["color"]}" stroke-width="{style["weight"]}" '
            f'stroke-dasharray="{style["dashArray"]}"/>'
            for part in parts
        )

    qpv = ref.reference.qpv
    shapes = [
        path(geometry, STYLE_VOISIN if voisin else STYLE_QPV)
        for geometry, voisin in zip(
            qpv.geometry.iloc[qpv.sindex.query(frame, predicate="intersects")],
            qpv["voisin"].iloc[qpv.sindex.query(frame, predicate="intersects")],
            strict=True,
        )
    ]
    shapes += [line(geom, STYLE_LIGNE_300M if kind == "ligne_300m" else STYLE_LIGNE_500M)
               for kind, _, geom in lignes(programme, ref)]  # fmt: skip
    labels = []
    for verdict in programme.batiments:
        shapes.append(path(verdict.geometrie, STYLE_BATIMENT))
        if verdict.point_le_plus_loin is not None:
            x, y = transform(*verdict.point_le_plus_loin)
            shapes.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{STYLE_POINT["fillColor"]}" stroke="#000" '
                'stroke-width="2"/>'
            )
            labels.append(
                f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" font-size="11" font-weight="bold" paint-order="stroke" '
                f'stroke="#fff" stroke-width="3">{fmt_number(verdict.distance_max_m)} m</text>'
            )
    bar_m = _scale_bar_metres(bounds[2] - bounds[0])
    bottom = SVG_HEIGHT - 12
    return (
        f'<svg class="extrait" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" '
        'aria-label="Extrait de carte : emprises des bâtiments, QPV, lignes des 300 m et des 500 m">'
        f'<rect width="100%" height="100%" fill="#f4f3ee"/>{"".join(shapes)}{"".join(labels)}'
        f'<rect x="4" y="{bottom - 24}" width="{bar_m * scale + 16:.1f}" height="32" fill="#fff" fill-opacity="0.8"/>'
        f'<line x1="12" y1="{bottom}" x2="{12 + bar_m * scale:.1f}" y2="{bottom}" stroke="#000" stroke-width="3"/>'
        f'<text x="12" y="{bottom - 7}" font-size="12">{bar_m} m</text>'
        f'<text x="{SVG_WIDTH - 36}" y="22" font-size="14" font-weight="bold">N ↑</text></svg>'
    )


def _legend() -> str:
    items = []
    for style, label in legend_entries():
        if style in (STYLE_BANDE, STYLE_COMMUNE):  # not drawn on the sheet: its lines say where 300 m ends
            continue
        shape = (
            '<circle cx="17" cy="8" r="5" fill="#fff" stroke="#000" stroke-width="2"/>'
            if style is STYLE_POINT
            else f'<rect x="2" y="2" width="30" height="12" {_style_attributes(style)}/>'
        )
        # On paper: no hover, and the lines carry no label (the legend's pattern tells them apart).
        label = re.sub(r", (son nom au survol|étiquette « [35]00 m »)", "", label)
        items.append(f'<li><svg width="34" height="16" aria-hidden="true">{shape}</svg> {escape(label)}</li>')
    return "<ul class='legende'>" + "".join(items) + "</ul>"


def _yes_no(value: bool | None) -> str:
    return "sans objet" if value is None else ("oui" if value else "non")


def _table(programme: Programme) -> str:
    rows = "".join(
        f"<tr><td>{escape(v.nom)}</td><td>{_yes_no(v.regle_a)}</td><td>{_yes_no(v.regle_b)}</td>"
        f"<td>{escape(v.quartier or 'aucun à moins de 500 m')}</td><td>{fmt_number(v.distance_max_m)} m</td>"
        f"<td>{fmt_share(v.part_300m_pct) if v.nom != ENSEMBLE else ''}</td>"
        f"<td>{fmt_share(v.part_500m_pct) if v.nom != ENSEMBLE else ''}</td>"
        f"<td>{'oui' if v.a_la_limite else 'non'}</td></tr>"
        for v in (*programme.batiments, programme.ensemble)
    )
    return (
        "<table><tr><th>Bâtiment</th><th>Règle (a)</th><th>Règle (b)</th><th>QPV qui décide</th>"
        "<th>Point le plus éloigné</th><th>À moins de 300 m</th><th>À moins de 500 m</th><th>À la limite</th></tr>"
        f"{rows}</table>"
    )


def sheet_html(programme: Programme, ref: ProgrammeReference) -> str:
    """A standalone A4 page: title, date, map extract, verdicts, figures, conditions, "indicatif"."""
    from quartiers.formes.programme import sources_npnru

    today = dt.date.today().strftime("%d/%m/%Y")
    names = ", ".join(v.nom for v in programme.batiments)
    # The ensemble in full; each building's rule (b) alone is in the table (rule (b) is about the ensemble).
    ensemble = "".join(f"<p>{escape(line)}</p>" for line in phrases(programme.ensemble, ref))
    buildings = "".join(
        f"<p><b>{escape(v.nom)}</b> — "
        + " ".join(escape(line) for line in phrases(v, ref) if not line.startswith("Règle (b)"))
        + "</p>"
        for v in programme.batiments
    )
    verdicts = (
        f"<div class='verdict'><p><b>{escape(programme.ensemble.nom)}</b></p>{ensemble}</div>"
        f"<div class='verdict'>{buildings}</div>"
    )
    notes = "".join(f"<li>{escape(m)}</li>" for m in programme.messages)
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>Programme — {escape(names)}</title><style>{SHEET_STYLE}{PROGRAMME_STYLE}</style></head><body>"
        "<h1>Un programme de logements est-il dans la zone ?</h1>"
        f"<p>{escape(names)} — Carte Quartiers 2030, article 278 sexies du CGI, QPV 2024-2030 — éditée le {today}. "
        "<span class='avertissement'>Réponse indicative</span></p>"
        f"{map_svg(programme, ref)}{_legend()}<section>{verdicts}</section><section>{_table(programme)}</section>"
        + (f"<p class='petit'><b>Fichier :</b></p><ul class='petit'>{notes}</ul>" if notes else "")
        + "<p class='petit'><b>Conditions et sources :</b></p><ul class='petit'>"
        + "".join(f"<li>{escape(s)}</li>" for s in (*CONDITIONS, *sources_npnru(programme, ref)))
        + "</ul></body></html>"
    )
