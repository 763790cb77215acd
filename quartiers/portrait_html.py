"""A portrait's sections as escaped HTML fragments: pure functions shared by the panel and the printable fiche.

Every text read from a file goes through `html.escape`. Lists are real nested lists: one `<ul>` per
section, and for the objectifs one `<details>` per enjeu holding ambition → objectif → objectifs
opérationnels → their sub-items as nested `<ul>`/`<li>`.
"""

from __future__ import annotations

from html import escape
from itertools import groupby

from quartiers.catalogue import Quartier
from quartiers.filosofi import ReferenceCommune, Valeur
from quartiers.formats import (
    data_source,
    document_title,
    fmt_number,
    fmt_quantity,
    fmt_reference,
    fmt_value,
    source_line,
)
from quartiers.portraits import Cadre, Document, Element, Indicateur, Irritant, Objectif, Portrait
from quartiers.settings import FILOSOFI_LABEL

SURFACE_2024 = "Surface du périmètre 2024"
SURFACE_2024_NOTE = "calculée en Lambert-93 (EPSG:2154) sur le tracé officiel ANCT du décret n° 2023-1314"
SURFACE_CONVENTION = "Surface de l'ancien périmètre, selon la convention"
SECRET = "secret statistique (Insee)"
VISUALLY_HIDDEN = (
    "position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);"
    "white-space:nowrap;border:0"
)

STYLE = (
    "<style>"
    ".qp-liste{margin:.2rem 0 .8rem 1.2rem;padding:0}.qp-liste li{margin:.25rem 0}"
    ".qp-liste ul{margin:.2rem 0 .2rem 1.4rem;padding:0}"
    ".qp-detail{margin:.2rem 0}.qp-cite,.qp-source{font-size:.9em;color:#333}"
    ".qp-enjeu{margin:.4rem 0;border:1px solid #888;border-radius:.3rem;padding:.3rem .6rem}"
    ".qp-enjeu summary{font-weight:600;cursor:pointer}"
    ".qp-table{border-collapse:collapse;width:100%;font-size:.95em}"
    ".qp-table th,.qp-table td{border:1px solid #999;padding:.3rem .4rem;text-align:left;vertical-align:top}"
    ".qp-table caption{text-align:left;font-weight:600;margin:.3rem 0}"
    ".qp-ligne{width:auto;max-width:100%;margin:.4rem 0 .2rem 0}"
    ".qp-ligne caption{font-weight:400;font-size:.9em;caption-side:top}"
    ".qp-ligne th,.qp-ligne td{overflow-wrap:anywhere}.qp-ligne tbody th{font-weight:400}"
    ".qp-ligne td{font-weight:600}.qp-ligne+br{display:none}"
    ".qp-h{font-size:1.5rem;font-weight:600;line-height:1.2;margin:1.5rem 0 .75rem 0}"
    ".qp-large{min-width:40rem}.qp-chiffres li{margin:.2rem 0 .7rem 0}"
    ".qp-quartiers th,.qp-quartiers td{min-width:6.5rem}"
    ".qp-quartiers thead th{position:sticky;top:0;background:#f0f0f0;z-index:2;font-size:.85em}"
    ".qp-quartiers tbody th{position:sticky;left:0;background:#fff;z-index:1}"
    ".qp-quartiers thead th:first-child{left:0;z-index:3}"
    ".barre{margin:0 0 .6rem 0}.barre-libelle{font-weight:600}"
    ".barre-ligne{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);align-items:center;gap:.5rem}"
    ".barre-nom{font-size:.9em}.barre-fond{display:block;background:#eee;height:.9rem;border:1px solid #777}"
    ".barre-q{display:block;height:100%;background:#b3261e}.barre-r{display:block;height:100%;"
    "background:repeating-linear-gradient(45deg,#1d3f8f 0 4px,#5b7bc4 4px 8px)}"
    # A bar is its colour: printed even when the browser leaves backgrounds out (its default).
    ".barre-fond,.barre-q,.barre-r{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "</style>"
)


def _e(text: str | None) -> str:
    return escape(text or "")


def indicator_label(indicateur: Indicateur) -> str:
    """The indicator's label, with what a surface measures (the old perimeter, as the convention says)."""
    if indicateur.cle == "surface":
        return SURFACE_CONVENTION
    return indicateur.libelle


EMPTY_CELL = "(case vide)"


def row_caption(indicateur: Indicateur, documents: dict[str, Document]) -> str:
    """« Ligne « Camus » du tableau de la section « … » — document 004 : <titre> »."""
    tableau, source = indicateur.tableau, indicateur.source
    titre = document_title(documents, source.document)
    return f"Ligne « {tableau.ligne} » du tableau de la section « {source.section} » — document {source.document}" + (
        f" : {titre}" if titre else ""
    )


def quote_text(indicateur: Indicateur) -> str:
    """The source's words for a figure, in plain text: « the sentence », or for a table row each cell under its
    column header: « ligne « Camus » du tableau « … » : Libellé QP : Camus ; Commune : ANGRES ; … »."""
    tableau = indicateur.tableau
    if tableau is None:
        return f"« {indicateur.texte} »"
    cells = " ; ".join(f"{header} : {cell or EMPTY_CELL}" for header, cell in tableau.paires)
    return (
        f"ligne « {tableau.ligne} » du tableau de la section « {indicateur.source.section} » "
        f"(document {indicateur.source.document}) — {cells}"
    )


def cell_reference(indicateur: Indicateur) -> str:
    """Where a figure sits in a quoted table: « colonne Population 2014, ligne « Camus » du tableau de la section
    « … » (document 004) »; for a sentence, the sentence in quotes."""
    tableau = indicateur.tableau
    if tableau is None:
        return f"« {indicateur.texte} »"
    return (
        f"colonne {tableau.colonne}, ligne « {tableau.ligne} » du tableau de la section « {indicateur.source.section} »"
        f" (document {indicateur.source.document})"
    )


def row_table(indicateur: Indicateur, documents: dict[str, Document]) -> str:
    """A quoted table row as a small table: one line per column of the source (its header as printed, then the
    cell), so that it reads on a 390 px phone as on a projector; the caption names the document and section."""
    tableau = indicateur.tableau
    rows = "".join(
        f"<tr><th scope='row'>{_e(header)}</th><td>{_e(cell) or _e(EMPTY_CELL)}</td></tr>"
        for header, cell in tableau.paires
    )
    return (
        f"<table class='qp-table qp-ligne'><caption>{_e(row_caption(indicateur, documents))}</caption>"
        f"<thead><tr><th scope='col'>Colonne du tableau</th><th scope='col'>Ligne «&nbsp;{_e(tableau.ligne)}&nbsp;»</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _same_row(a: Indicateur | None, b: Indicateur) -> bool:
    return (
        a is not None
        and a.tableau is not None
        and b.tableau is not None
        and ((a.tableau.colonnes, a.tableau.cellules, a.source) == (b.tableau.colonnes, b.tableau.cellules, b.source))
    )


def measure_note(indicateur: Indicateur, documents: dict[str, Document]) -> str:
    """« Source : … — millésime — périmètre : … » for one figure."""
    mesure = indicateur.mesure
    return (
        source_line(documents, indicateur.source.document, indicateur.source.section, mesure.millesime)
        + f" — source des données : {data_source(documents, mesure.source)} — périmètre : {mesure.perimetre}"
    )


def indicators_table(
    indicateurs: tuple[Indicateur, ...], documents: dict[str, Document], caption: str, value_header: str = "Quartier"
) -> str:
    """A table: indicator, value (with its sign if a change), reference, the source's own words (a sentence, or a
    table row cell by cell under its headers: `quote_text`), source."""
    if not indicateurs:
        return ""
    rows = "".join(
        "<tr>"
        f"<th scope='row'>{_e(indicator_label(i))}</th>"
        f"<td>{_e(fmt_value(i))}{_e(' (' + i.evolution + ')') if i.evolution else ''}</td>"
        f"<td>{_e(fmt_reference(i)) or '—'}</td>"
        f"<td>{_e(quote_text(i))}</td>"
        f"<td class='qp-source'>{_e(measure_note(i, documents))}</td>"
        "</tr>"
        for i in indicateurs
    )
    return scroll_region(
        caption,
        f"<table class='qp-table qp-large'><caption>{_e(caption)}</caption>"
        f"<thead><tr><th scope='col'>Indicateur</th><th scope='col'>{_e(value_header)}</th>"
        "<th scope='col'>Référence</th><th scope='col'>Phrase ou ligne de tableau de la source</th>"
        "<th scope='col'>Source, millésime et périmètre</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
    )


def scroll_region(label: str, content: str) -> str:
    """A wide table in a region that scrolls sideways on a narrow screen (and with the keyboard)."""
    return (
        f"<div role='region' aria-label='{escape(label, quote=True)}' tabindex='0' style='overflow-x:auto'>"
        f"{content}</div>"
    )


def indicators_list(indicateurs: tuple[Indicateur, ...], documents: dict[str, Document]) -> str:
    """One list item per figure: label, value with its qualifiers, reference, the source's sentence, its source.

    The same content as `indicators_table`, laid out for a narrow panel or a phone. When every figure has the
    same source, vintage and perimeter, that line is said once under the list instead of under each figure.
    A figure quoted from a table row gets that row as a small labelled table (`row_table`), shown once for
    consecutive figures of the same row.
    """
    if not indicateurs:
        return ""
    notes = [measure_note(i, documents) for i in indicateurs]
    shared = notes[0] if len(set(notes)) == 1 else None
    items = "".join(
        f"<li><strong>{_e(indicator_label(i))} :</strong> {_e(fmt_value(i))}"
        f"{_e(' (' + i.evolution + ')') if i.evolution else ''}"
        + (f" — référence : {_e(fmt_reference(i))}" if i.reference is not None else "")
        + _quote_html(i, previous, documents)
        + ("" if shared else f"<br><span class='qp-source'>{_e(note)}</span>")
        + "</li>"
        for previous, i, note in zip((None, *indicateurs), indicateurs, notes, strict=False)
    )
    after = f"<p class='qp-source'>Pour chacun de ces chiffres : {_e(shared)}</p>" if shared else ""
    return f"<ul class='qp-liste qp-chiffres'>{items}</ul>{after}"


def _quote_html(indicateur: Indicateur, previous: Indicateur | None, documents: dict[str, Document]) -> str:
    """The sentence in quotes; a table row as a small table, shown once for consecutive figures of that row."""
    if indicateur.tableau is None:
        return f"<br>« {_e(indicateur.texte)} »"
    if _same_row(previous, indicateur):
        return f"<br>Même ligne du tableau, ci-dessus : colonne {_e(indicateur.tableau.colonne)}."
    return row_table(indicateur, documents)


def rate_bars(indicateurs: tuple[Indicateur, ...]) -> str:
    """Bars, quartier against its reference, for rates that have one; the numbers are text beside each bar."""
    rows = []
    for i in indicateurs:
        if not i.is_rate or i.reference is None:
            continue
        reference_name = f"Référence ({i.reference_libelle})" if i.reference_libelle else "Référence"
        rows.append(
            f"<li class='barre'><span class='barre-libelle'>{_e(i.libelle)}</span>"
            f"<span class='barre-ligne'><span class='barre-nom'>Quartier : {_e(fmt_value(i))}</span>"
            f"<span class='barre-fond' aria-hidden='true'><span class='barre-q' style='width:{i.valeur:.1f}%'></span></span></span>"
            f"<span class='barre-ligne'><span class='barre-nom'>{_e(reference_name)} : "
            f"{_e(fmt_quantity(i.reference, i.unite))}</span>"
            f"<span class='barre-fond' aria-hidden='true'><span class='barre-r' style='width:{i.reference:.1f}%'></span></span></span>"
            "</li>"
        )
    if not rows:
        return ""
    return (
        "<ul class='qp-barres' style='list-style:none;padding:0' "
        "aria-label='Chaque taux du quartier et sa référence, en barres et en chiffres'>" + "".join(rows) + "</ul>"
    )


def irritants_list(irritants: tuple[Irritant, ...]) -> str:
    """One list: each irritant's title, its paragraphs and the footnoted sources it cites."""
    items = []
    for irritant in irritants:
        detail = "".join(f"<p class='qp-detail'>{_e(p)}</p>" for p in irritant.detail)
        cites = (
            f"<p class='qp-cite'>Source citée par le document : {_e(' ; '.join(irritant.sources_citees))}</p>"
            if irritant.sources_citees
            else ""
        )
        items.append(f"<li><strong>{_e(irritant.titre)}</strong>{detail}{cites}</li>")
    return f"<ul class='qp-liste'>{''.join(items)}</ul>" if items else ""


def elements_list(elements: tuple[Element, ...]) -> str:
    """One list of plain items (opportunités, enjeux prioritaires)."""
    return f"<ul class='qp-liste'>{''.join(f'<li>{_e(e.texte)}</li>' for e in elements)}</ul>" if elements else ""


def _item_with_sublist(text: str, subitems: tuple[str, ...]) -> str:
    """<li>text</li>, with its sub-items as a nested <ul> when there are any; every text escaped."""
    sublist = "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in subitems) + "</ul>" if subitems else ""
    return f"<li>{_e(text)}{sublist}</li>"


def _objectif_item(row: Objectif) -> str:
    label = _e(row.objectif) if row.objectif else "(non précisé)"
    if not row.operationnels:
        ops = "<ul><li><em>Aucun objectif opérationnel indiqué dans la convention.</em></li></ul>"
    else:
        ops = "<ul>" + "".join(_item_with_sublist(op.texte, op.items) for op in row.operationnels) + "</ul>"
    return f"<li class='qp-objectif'>Objectif : {label}{ops}</li>"


def objectifs_tree(objectifs: tuple[Objectif, ...], documents: dict[str, Document], open_all: bool = False) -> str:
    """One `<details>` per enjeu, holding one nested list: ambition → objectif → opérationnels → sub-items."""
    enjeux: dict[str, list[Objectif]] = {}
    for objectif in objectifs:
        enjeux.setdefault(objectif.enjeu, []).append(objectif)
    blocks = []
    for enjeu, rows in enjeux.items():
        filled = sum(1 for r in rows if r.operationnels)
        items = "".join(
            f"<li class='qp-ambition'>Ambition : {_e(ambition) if ambition else '(non précisée)'}"
            f"<ul>{''.join(_objectif_item(r) for r in group)}</ul></li>"
            for ambition, group in groupby(rows, key=lambda r: r.ambition)  # consecutive rows, source order
        )
        source = source_line(documents, rows[0].source.document, rows[0].source.section)
        blocks.append(
            f"<details class='qp-enjeu'{' open' if open_all else ''}><summary>{_e(enjeu)} — {filled} objectif(s) "
            f"renseigné(s) sur {len(rows)}</summary><ul class='qp-liste qp-arbre'>{items}</ul>"
            f"<p class='qp-source'>{_e(source)}</p></details>"
        )
    return "".join(blocks)


def _filosofi_value(valeur: Valeur, unite: str) -> str:
    if valeur.secret:
        return SECRET
    if valeur.valeur is None:
        return "—"
    return fmt_quantity(valeur.valeur, unite)


def filosofi_list(references: list[ReferenceCommune], error: str | None) -> str:
    """The commune reference: each commune's median income and poverty rate (the commune's, not the quartier's)."""
    if error:
        return f"<p class='qp-cite'>{_e(error)}</p>"
    items = []
    for ref in references:
        if ref.donnees is None:
            items.append(f"<li>{_e(ref.probleme)}</li>")
            continue
        items.append(
            f"<li><strong>{_e(ref.nom)}</strong> ({_e(ref.code)}) : revenu disponible médian "
            f"{_e(_filosofi_value(ref.donnees.mediane, '€'))} par an et par unité de consommation ; "
            f"taux de pauvreté (seuil 60 %) {_e(_filosofi_value(ref.donnees.taux_pauvrete, '%'))} — "
            f"{_e(FILOSOFI_LABEL)}</li>"
        )
    return f"<ul class='qp-liste'>{''.join(items)}</ul>" if items else ""


def filosofi_intro(portrait: Portrait | None) -> str:
    """What the commune's Filosofi figures are, said against what the portrait above shows (rates or none)."""
    if portrait is not None and any(i.unite == "%" for i in portrait.indicateurs):
        return (
            "Chiffres de toute la commune (Insee, Filosofi 2021), pas du quartier : à ne pas comparer aux taux du "
            "quartier ci-dessus, qui viennent d'autres sources, millésimes et périmètres."
        )
    return (
        "Chiffres de toute la commune (Insee, Filosofi 2021), pas du quartier : les sources utilisées ici ne "
        "donnent pas de taux pour ce quartier."
    )


def surfaces(quartier: Quartier) -> list[tuple[str, str]]:
    """Both surfaces, each labelled with what it measures: (label, value and what it is)."""
    facts = []
    if quartier.surface_ha is not None:
        facts.append((SURFACE_2024, f"{fmt_number(quartier.surface_ha)} ha ({SURFACE_2024_NOTE})"))
    portrait = quartier.portrait
    surface = portrait.indicateur("surface") if portrait else None
    if surface is not None:
        facts.append(
            (
                SURFACE_CONVENTION,
                f"{fmt_value(surface)} ({quote_text(surface)} ; {surface.mesure.millesime})",
            )
        )
    return facts


def cadre_html(cadre: Cadre, documents: dict[str, Document]) -> str:
    """The intercommunal frame: reference figures headed by what they cover, then the enjeux tree."""
    parts = []
    if cadre.note:
        parts.append(f"<p class='qp-cite'>{_e(cadre.note)}</p>")
    agglo = tuple(i for i in cadre.references if not (i.perimetre or "").startswith("ensemble des QPV"))
    qpv = tuple(i for i in cadre.references if (i.perimetre or "").startswith("ensemble des QPV"))
    parts.append(indicators_table(agglo, documents, "Références de l'agglomération", value_header="Agglomération"))
    parts.append(
        indicators_table(qpv, documents, "Ensemble des QPV de l'agglomération", value_header="Ensemble des QPV")
    )
    enjeux = "".join(
        f"<li><strong>{_e(enjeu.titre)}</strong><ul>"
        + "".join(_item_with_sublist(a.titre, a.objectifs) for a in enjeu.ambitions)
        + "</ul></li>"
        for enjeu in cadre.enjeux
    )
    if enjeux:
        parts.append(f"<ul class='qp-liste'>{enjeux}</ul>")
    for axe in cadre.transversaux:
        parts.append(
            f"<p><strong>Axe ou priorité transversale : {_e(axe.titre)}</strong></p>"
            f"<ul class='qp-liste'>{''.join(f'<li>{_e(t)}</li>' for t in axe.texte)}</ul>"
        )
    parts.append(f"<p class='qp-source'>{_e(source_line(documents, cadre.source.document, cadre.source.section))}</p>")
    return "".join(parts)


def cited_documents(portrait: Portrait) -> list[str]:
    """Every document the portrait's blocks cite, not only its main one, sorted."""
    sources = [portrait.source] + [
        i.source for i in portrait.indicateurs + portrait.opportunites + portrait.enjeux_prioritaires
    ]
    sources += [i.source for i in portrait.irritants] + [o.source for o in portrait.objectifs]
    return sorted({source.document for source in sources})


def quartier_links(quartiers: list[Quartier], presentation: bool) -> str:
    """Every quartier as a real link to its portrait (same tab), keeping presentation mode in the URL."""
    suffix = "&presentation=1" if presentation else ""
    items = "".join(
        f"<li><a href='/?quartier={escape(q.id, quote=True)}{suffix}' target='_self'>{_e(q.nom)}</a> "
        f"<span class='qp-cite'>({_e(q.statut)}{', ' + _e(q.code_qp) if q.code_qp else ''} — "
        f"{_e(', '.join(q.communes))})</span></li>"
        for q in quartiers
    )
    return (
        "<nav aria-label='Portraits des quartiers'><ul class='qp-liens' style='columns:18rem;margin:0;padding-left:1.2rem'>"
        f"{items}</ul></nav>"
    )


# Up to this width the comparison is read as blocks (one per figure), wider as tables.
COMPARISON_STYLE = (
    "<style>.qp-comparaison-blocs{display:none}.qp-blocs{list-style:none;padding:0;margin:.3rem 0}"
    ".qp-blocs > li{border-top:1px solid #999;padding:.4rem 0}.qp-blocs ul{margin:.2rem 0 0 1rem;padding:0}"
    ".qp-blocs p{margin:0}.qp-blocs li{overflow-wrap:anywhere}"
    "@media (max-width: 640px){.qp-comparaison-blocs{display:block}"
    ".qp-comparaison-blocs + [role='region']{display:none}}</style>"
)


def comparison_html(
    names: list[str], rows: list[tuple[str, str, list[str]]], apart: list[tuple[str, str, str, str]]
) -> str:
    """Comparable figures side by side (one row per whole measure), then those that have no equivalent.

    `rows`: (figure label, « source ; millésime ; périmètre », one cell per quartier in `names` order);
    `apart`: (quartier, figure label, value, « source ; millésime ; périmètre »).
    """
    parts = [COMPARISON_STYLE]
    if rows:
        head = "".join(f"<th scope='col'>{_e(n)}</th>" for n in names)
        body = "".join(
            f"<tr><th scope='row'>{_e(label)}</th><td class='qp-source'>{_e(measure)}</td>"
            + "".join(f"<td>{_e(c)}</td>" for c in cells)
            + "</tr>"
            for label, measure, cells in rows
        )
        # On a phone, one block per figure with each quartier's value under it: nothing to scroll sideways.
        blocks = "".join(
            f"<li><p class='qp-bloc-titre'><strong>{_e(label)}</strong></p><p class='qp-source'>{_e(measure)}</p><ul>"
            + "".join(f"<li>{_e(n)} : <strong>{_e(c)}</strong></li>" for n, c in zip(names, cells, strict=False))
            + "</ul></li>"
            for label, measure, cells in rows
        )
        parts.append(
            "<div class='qp-comparaison-blocs'><p><strong>Chiffres comparables</strong> : même indicateur, même source, "
            f"même millésime, même périmètre</p><ul class='qp-blocs'>{blocks}</ul></div>"
        )
        parts.append(
            scroll_region(
                "Chiffres comparables",
                "<table class='qp-table qp-large'><caption>Chiffres comparables : même indicateur, même source, même "
                f"millésime, même périmètre</caption><thead><tr><th scope='col'>Chiffre</th><th scope='col'>Source ; "
                f"millésime ; périmètre</th>{head}</tr></thead><tbody>{body}</tbody></table>",
            )
        )
    if apart:
        body = "".join(
            f"<tr><th scope='row'>{_e(q)}</th><td>{_e(label)}</td><td>{_e(value)}</td><td class='qp-source'>{_e(m)}</td></tr>"
            for q, label, value, m in apart
        )
        blocks = "".join(
            f"<li><strong>{_e(q)}</strong> — {_e(label)} : <strong>{_e(value)}</strong>"
            f"<br><span class='qp-source'>{_e(m)}</span></li>"
            for q, label, value, m in apart
        )
        parts.append(
            "<div class='qp-comparaison-blocs'><p><strong>Chiffres sans équivalent comparable</strong> parmi les quartiers "
            f"choisis (autre source, millésime ou périmètre) : à lire séparément</p><ul class='qp-blocs'>{blocks}</ul></div>"
        )
        parts.append(
            scroll_region(
                "Chiffres sans équivalent comparable",
                "<table class='qp-table qp-large'><caption>Chiffres sans équivalent comparable parmi les quartiers "
                "choisis (autre source, millésime ou périmètre) : à lire séparément</caption><thead><tr>"
                "<th scope='col'>Quartier</th><th scope='col'>Chiffre</th><th scope='col'>Valeur</th>"
                f"<th scope='col'>Source ; millésime ; périmètre</th></tr></thead><tbody>{body}</tbody></table>",
            )
        )
    return "".join(parts)
