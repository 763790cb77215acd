"""Widgets of the Quartiers and Sources et méthode pages."""

from __future__ import annotations

import dataclasses
from html import escape

import pandas as pd
import streamlit as st

from quartiers import portrait_html as ph
from quartiers import settings, tables
from quartiers.answers import BAND_DISCLAIMER
from quartiers.catalogue import Quartier
from quartiers.formats import data_source, fmt_number
from quartiers.npnru import LIMITES as NPNRU_LIMITES
from quartiers.npnru import npnru_sites
from quartiers.search import MAX_QUERY_CHARS, TOO_LONG_TEXT, Result, too_long
from quartiers.ui import chrome
from quartiers.ui.recherche import get_index
from quartiers.ui.state import get_catalogue, get_documents, md


def _french(value) -> str:
    return tables.EMPTY if value is None or pd.isna(value) else fmt_number(float(value))


def quartier_links(catalogue: dict[str, Quartier]) -> None:
    """Every quartier as a real link to its portrait, reachable with the keyboard, opening in the same tab."""
    presentation = st.query_params.get("presentation") == "1"
    quartiers = sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower()))
    st.html(ph.STYLE + ph.quartier_links(quartiers, presentation))


_TABLE_STYLE = (
    "<style>"
    ".qp-liste-cles{margin:.2rem 0 .6rem 0;font-size:.9em;overflow-wrap:anywhere;display:grid;"
    "grid-template-columns:max-content minmax(0,1fr);gap:.2rem .7rem}"
    ".qp-liste-cles dt{font-weight:600}.qp-liste-cles dd{margin:0}"
    ".qp-tableau{overflow:auto;max-height:85vh;max-width:100%}"
    ".qp-tableau .qp-quartiers thead th{font-size:.8em;line-height:1.25;min-width:6.5rem;vertical-align:bottom}"
    ".qp-tableau .qp-quartiers tbody th{min-width:14rem}"
    ".qp-tableau .qp-quartiers td.qp-n{white-space:nowrap;text-align:right}"
    ".qp-tableau .qp-quartiers td.qp-nw{white-space:nowrap;min-width:0}"
    ".qp-tableau .qp-quartiers td.qp-c{min-width:13rem}"
    ".qp-tableau abbr{text-decoration:none;white-space:nowrap}"
    "@media (max-width:640px){.qp-tableau .qp-quartiers tbody th,.qp-tableau .qp-quartiers td.qp-c{min-width:9rem}}"
    "</style>"
)


def _key_text(key: tables.SourceKey) -> str:
    """« source ; millésime ; périmètre » of a key as a reader reads it (a document named with its title)."""
    return " ; ".join((data_source(get_documents(), key.source), key.millesime, key.perimetre))


def _legend(frame: pd.DataFrame, legend_id: str) -> str:
    """Every key of the table's column titles with its whole (source, vintage, perimeter), and what ≈, mini and
    maxi mean; the columns under each key are named."""
    items = []
    for key in frame.attrs["cles"]:
        names = [c for c, k in frame.attrs["cle_colonne"].items() if k == key]
        items.append(
            f"<dt>[{escape(key.cle)}]</dt><dd>source : {escape(data_source(get_documents(), key.source))} ; "
            f"millésime : {escape(key.millesime)} ; "
            f"périmètre : {escape(key.perimetre)} — <span class='qp-cols'>colonnes : "
            f"{escape(', '.join(n.rsplit(' [', 1)[0] for n in names))}</span></dd>"
        )
    notes = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in tables.QUALIFIER_NOTES.items())
    return (
        f"<div id='{legend_id}'><p class='qp-cite'><strong>Légende du tableau</strong> : la lettre entre crochets de "
        "chaque titre de colonne renvoie à la source, au millésime et au périmètre de ses chiffres.</p>"
        f"<dl class='qp-liste-cles'>{''.join(items)}</dl><dl class='qp-liste-cles'>{notes}<dt>{tables.EMPTY}</dt>"
        "<dd>pas de chiffre dans les sources pour ce quartier</dd></dl></div>"
    )


def _table_html(
    frame: pd.DataFrame, order: list, columns: list[str], caption: str, legend_id: str, sort: tuple[str, bool]
) -> str:
    """The table as HTML: short column titles whose key carries the whole tuple as its title, sticky first column,
    figures right-aligned; each quartier's name links to its portrait (presentation mode kept)."""
    mesures, affichage, key_of = frame.attrs["mesures"], frame.attrs["affichage"], frame.attrs["cle_colonne"]
    suffix = "&presentation=1" if st.query_params.get("presentation") == "1" else ""
    readable = {key.cle: _key_text(key) for key in frame.attrs["cles"]}
    head = []
    for column in columns:
        key = key_of.get(column)
        # ARIA: the column the table is sorted by says so, and in which order.
        sorted_by = f" aria-sort='{'descending' if sort[1] else 'ascending'}'" if column == sort[0] else ""
        if key is None:
            head.append(f"<th scope='col'{sorted_by}>{escape(column)}</th>")
            continue
        label = column.rsplit(" [", 1)[0]
        head.append(
            f"<th scope='col'{sorted_by}>{escape(label)} <abbr title='{escape(readable[key.cle], quote=True)}'>"
            f"[{escape(key.cle)}]<span style='{ph.VISUALLY_HIDDEN}'> : {escape(readable[key.cle])}</span></abbr></th>"
        )
    body = []
    for index in order:
        name = escape(str(frame.at[index, columns[0]]))
        link = escape(frame.at[index, "Portrait"] + suffix, quote=True)
        cells = [f"<th scope='row'><a href='{link}' target='_self'>{name}</a></th>"]
        for column in columns[1:]:
            if column in mesures:
                value = frame.at[index, column]
                cells.append(f"<td class='qp-n'>{escape(affichage.get((index, column)) or _french(value))}</td>")
            else:
                kind = "qp-c" if column == "Communes" else "qp-nw"  # the only text long enough to wrap
                cells.append(f"<td class='{kind}'>{escape(str(frame.at[index, column])) or tables.EMPTY}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div class='qp-tableau' role='region' aria-label='{escape(caption, quote=True)}' tabindex='0'>"
        f"<table class='qp-table qp-quartiers' aria-describedby='{legend_id}'><caption>{escape(caption)}</caption>"
        f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


_SORTED = "tri_change"


def _on_sort() -> None:
    st.session_state[_SORTED] = True


def sort_message(column: str, descending: bool) -> str:
    """What a screen reader hears after a new sort: « Tableau trié par Communes, ordre croissant. »"""
    return f"Tableau trié par {column}, ordre {'décroissant' if descending else 'croissant'}."


def quartiers_table(catalogue: dict[str, Quartier]) -> None:
    """The table of quartiers as HTML, sorted on the server by the column the user chooses (numbers as numbers,
    empty cells last and shown « — »), its legend of source keys just above it; each quartier's name links to
    its portrait."""
    frame = tables.quartiers_table(catalogue)
    mesures = frame.attrs["mesures"]
    columns = [c for c in frame.columns if c != "Portrait"]
    sort_col, order_col = st.columns([3, 1])
    key = sort_col.selectbox("Trier le tableau par", columns, index=0, key="tri_quartiers", on_change=_on_sort)
    descending = order_col.toggle("Ordre décroissant", key="tri_decroissant", on_change=_on_sort)
    if st.session_state.pop(_SORTED, False):
        chrome.announce(sort_message(key.rsplit(" [", 1)[0], descending))
    order = frame.sort_values(
        key, ascending=not descending, na_position="last", key=(lambda s: s.str.lower()) if key not in mesures else None
    ).index
    caption = "Tableau des quartiers : une colonne par mesure ; la lettre entre crochets renvoie à la légende"
    legend_id = "legende-tableau-quartiers"
    st.html(
        ph.STYLE
        + _TABLE_STYLE
        + _legend(frame, legend_id)
        + _table_html(frame, list(order), columns, caption, legend_id, (key, descending))
    )
    st.caption(
        "Chaque colonne de chiffres ne contient qu'une seule mesure : même indicateur, même source, même millésime, "
        "même périmètre (sa lettre dans la légende). Un même indicateur mesuré autrement est dans une autre colonne : "
        "ne comparez pas deux colonnes entre elles. Faites défiler le tableau horizontalement pour voir tous les chiffres."
    )


COMPARER = "comparer"  # ?comparer=QN06208M,QN06209M : the quartiers compared, in order
DEFAULT_COMPARISON = ("QN06208M", "QN06209M")
MAX_CHOICES = 8
_FIELD = "comparer_saisie"
_PENDING = "comparer_plusieurs"  # the query whose several results are listed, one button each
_MESSAGE = "comparer_message"
_SUGGESTED = "(suggestion)"  # Result.matched of a name proposed despite a typo
_FOCUS = "comparer_focus"  # an add, a removal or a search just ran: the focus goes to its message
_MESSAGE_ID = "comparer-message"


def _compared() -> list[str]:
    raw = st.query_params.get(COMPARER)
    if raw is None:
        return list(DEFAULT_COMPARISON)
    return tables.parse_ids(raw, get_catalogue())[0]


def _write(ids: list[str]) -> None:
    st.query_params[COMPARER] = ",".join(ids)


def _add(quartier_id: str) -> None:
    st.session_state[_FOCUS] = True
    ids = _compared()
    if quartier_id not in ids:
        _write([*ids, quartier_id])
    st.session_state[_PENDING] = None
    st.session_state[_MESSAGE] = f"{get_catalogue()[quartier_id].nom} ajouté à la comparaison."


def _remove(quartier_id: str) -> None:
    st.session_state[_FOCUS] = True
    _write([i for i in _compared() if i != quartier_id])
    st.session_state[_MESSAGE] = f"{get_catalogue()[quartier_id].nom} retiré de la comparaison."


def _on_submit() -> None:
    """Enter (or « Ajouter ») adds the one quartier that matches best, never several; if several match
    equally well, they are listed and the user picks one."""
    st.session_state[_FOCUS] = True
    query = (st.session_state.get(_FIELD) or "").strip()
    st.session_state[_FIELD] = ""
    st.session_state[_PENDING] = None
    if not query:
        st.session_state[_MESSAGE] = "Tapez le nom ou le code d'un quartier, puis Entrée."
        return
    if too_long(query):  # max_chars is the browser's; a client may send more
        st.session_state[_MESSAGE] = TOO_LONG_TEXT
        return
    ids = _compared()
    found = _choices(query)
    best_alone = len(found) == 1 or (len(found) > 1 and found[0].score > found[1].score)
    if not found:
        st.session_state[_MESSAGE] = (
            f"Aucun quartier à comparer ne correspond à « {query[:60]} ». Essayez une partie du nom ou un code."
        )
    elif best_alone and found[0].key in ids:  # what was typed is already compared: nothing else is added
        st.session_state[_MESSAGE] = f"{get_catalogue()[found[0].key].nom} : quartier déjà dans la comparaison."
    elif best_alone and not _is_suggestion(found[0]):
        _add(found[0].key)
    elif all(r.key in ids for r in found):
        st.session_state[_MESSAGE] = f"« {query[:60]} » : quartiers déjà dans la comparaison."
    else:
        st.session_state[_PENDING] = query


def _choices(query: str) -> list[Result]:
    """The comparable quartiers a query names, best first: as the map's search finds them or, when it finds
    none, the closest names despite a typo (`SearchIndex.suggest`, marked by `_is_suggestion`)."""
    comparable = set(tables.comparable_ids(get_catalogue()))
    found = [r for r in get_index().search(query) if r.kind == "quartier" and r.key in comparable]
    if found:
        return found
    suggested = [r for r in get_index().suggest(query, limit=MAX_CHOICES) if r.kind == "quartier"]
    return [dataclasses.replace(r, matched=_SUGGESTED) for r in suggested if r.key in comparable]


def _is_suggestion(result: Result) -> bool:
    return result.matched == _SUGGESTED


def comparison_chooser(catalogue: dict[str, Quartier]) -> list[Quartier]:
    """The quartiers to compare, kept in the URL (?comparer=…): each removable with a button, one added at a
    time from a field searched like the map's search (accents, case and apostrophes do not count)."""
    comparable = tables.comparable_ids(catalogue)
    raw = st.query_params.get(COMPARER)
    ids, unknown = tables.parse_ids(raw, catalogue) if raw is not None else (list(DEFAULT_COMPARISON), [])
    if unknown:
        shown = ", ".join(f"« {u} »" for u in unknown)
        st.warning(
            md(f"Quartier inconnu dans le lien, ignoré : {shown}. Ajoutez les quartiers avec le champ ci-dessous.")
        )
    without = [catalogue[i].nom for i in ids if i not in comparable]
    if without:
        st.warning(md(f"Aucun chiffre à comparer dans les sources pour : {', '.join(without)}."))
    ids = [i for i in ids if i in comparable]
    message = st.session_state.pop(_MESSAGE, None)
    focus = st.session_state.pop(_FOCUS, False)
    if message:
        chrome.announce(message, element_id=_MESSAGE_ID)
        if focus:
            chrome.bring_into_view(_MESSAGE_ID, focus=True)
    if ids:
        st.markdown(f"**Quartiers comparés ({len(ids)})** — un bouton par quartier pour le retirer :")
        row = st.container(horizontal=True, key="comparer_choisis")  # wraps onto more rows on a phone
        for quartier_id in ids:
            row.button(
                f"Retirer {catalogue[quartier_id].nom}",
                key=f"comparer_retirer_{quartier_id}",
                icon=":material/close:",
                on_click=_remove,
                args=(quartier_id,),
                help=f"Retirer {catalogue[quartier_id].label} de la comparaison",
            )
    else:
        st.markdown("Aucun quartier choisi : ajoutez-en au moins deux pour les comparer.")
    with st.form("comparer_ajout", border=False, enter_to_submit=True):
        st.text_input(
            "Ajouter un quartier à la comparaison",
            key=_FIELD,
            placeholder="Nom ou code : cite 2, liebaut, QN06226M…",
            max_chars=MAX_QUERY_CHARS,
            help="Les accents, les majuscules et les apostrophes ne comptent pas. Entrée ajoute le quartier qui "
            "correspond le mieux ; si plusieurs correspondent autant, choisissez dans la liste.",
        )
        st.form_submit_button("Ajouter", key="comparer_ajouter", on_click=_on_submit)
    pending = st.session_state.get(_PENDING)
    if pending:
        results = [r for r in _choices(pending) if r.key not in ids]
        shown = results[:MAX_CHOICES]
        more = f" (les {len(shown)} premiers : précisez la recherche)" if len(results) > len(shown) else ""
        if results and _is_suggestion(results[0]):
            chrome.announce(
                f"Aucun nom ne correspond exactement à « {pending[:60]} ». Vouliez-vous dire :", element_id=_MESSAGE_ID
            )
        else:
            chrome.announce(
                f"{len(results)} quartiers correspondent à « {pending[:60]} »{more} : choisissez celui à ajouter.",
                element_id=_MESSAGE_ID,
            )
        if focus and not message:
            chrome.bring_into_view(_MESSAGE_ID, focus=True)
        st.html(
            "<style>.st-key-comparer_resultats{gap:.1rem}.st-key-comparer_resultats button,"
            ".st-key-comparer_resultats button *{justify-content:flex-start;text-align:left}</style>"
        )
        choices = st.container(key="comparer_resultats")
        for result in shown:
            choices.button(
                f"Ajouter {result.label}",
                key=f"comparer_ajouter_{result.key}",
                icon=":material/add:",
                type="tertiary",
                on_click=_add,
                args=(result.key,),
            )
    return [catalogue[i] for i in ids]


def comparison(quartiers: list[Quartier]) -> None:
    """Only comparable figures side by side; the others listed apart with their source."""
    result = tables.comparison(quartiers)
    if result.message:
        st.warning(f"{md(' et '.join(q.nom for q in quartiers))} : {result.message}.")
    apart = [tuple(r) for r in result.apart.itertuples(index=False)]
    st.html(
        ph.STYLE
        + ph.comparison_html(list(result.names), list(result.rows), apart)
        + f"<p class='qp-cite'>{escape(ph.SURFACE_2024)} : {escape(ph.SURFACE_2024_NOTE)}. "
        f"{escape(ph.SURFACE_CONVENTION)} : chiffre imprimé dans la convention, sur l'ancien périmètre.</p>"
    )


def sources_page(catalogue: dict[str, Quartier]) -> None:
    documents = get_documents()
    st.header("Documents sources des portraits")
    st.markdown(
        "Chaque chiffre et chaque phrase des portraits vient de l'un de ces documents, mot pour mot, avec la section "
        "citée sous chaque bloc. Quand un quartier n'a pas de convention communale, l'application le dit et ne comble pas le vide."
    )
    for document in documents.values():
        st.markdown(f"- **Document {md(document.code)}** : {md(document.titre)}")
    st.markdown(
        md(
            f"Les quartiers qu'aucun de ces documents ne nomme citent la {settings.ANCT_LISTE_TITRE}, "
            "Licence Ouverte / Etalab 2.0."
        )
    )
    st.header("Comparer des chiffres")
    st.markdown(
        md(
            "Un chiffre se lit avec son indicateur, sa source, son millésime et son périmètre. Les taux des conventions "
            "de la CABBALR (« données sigville 2022 basées sur l'ancien périmètre »), ceux du contrat de ville de la CALL "
            "(par exemple « Taux de pauvreté à 60% revenu déclaré 2019 ») et ceux de l'Insee pour une commune ne mesurent "
            "pas la même chose : l'application ne les met jamais dans une même colonne ni sur une même ligne de "
            "comparaison. Deux surfaces sont données : celle du périmètre 2024, calculée en Lambert-93 sur le tracé "
            "officiel, et celle qu'imprime la convention, qui porte sur l'ancien périmètre."
        )
    )
    st.markdown(
        md(
            f"Repère communal : {settings.FILOSOFI_LABEL} (« Revenus et pauvreté des ménages aux niveaux national et "
            "local », base communale, département du Pas-de-Calais), Licence Ouverte / Etalab 2.0. Revenu "
            "disponible médian par unité de consommation et taux de pauvreté au seuil de 60 %, pour toute la commune et "
            "non pour le quartier ; « secret statistique (Insee) » quand l'Insee ne publie pas la valeur."
        )
    )
    st.header("Couches de la carte")
    st.markdown(
        md(
            "Périmètres des QPV 2024 : ANCT (SIG Ville), jeu « Quartiers prioritaires de la politique de la ville (QPV) », "
            f"{settings.PERIMETRES_MILLESIME} ; Licence Ouverte / Etalab 2.0 ; tracé officiel non simplifié pour les calculs."
        )
    )
    st.markdown(
        md(
            "QPV voisins : 4 QPV de la Communauté d'Agglomération d'Hénin-Carvin (CAHC) situés à moins de 1 km du territoire. "
            "Ils relèvent d'autres contrats, mais leur bande des 300 m entre dans des communes de la CALL : ils sont pris en "
            "compte pour dire si un lieu est en QPV ou dans une bande."
        )
    )
    st.markdown(
        md(
            "Communes et limites d'agglomération : Etalab « contours administratifs » 2024 (IGN ADMIN EXPRESS COG 2024), "
            "version généralisée à 100 m ; Licence Ouverte 2.0. Ces contours sont approximatifs : ils servent de repère."
        )
    )
    st.markdown(
        md(
            "Quartiers d'intérêt communautaire (QIC) : aucun périmètre n'est publié. Le QIC Catorive (Béthune) a un portrait "
            "mais pas de tracé ; il est accessible par la recherche et la liste des quartiers."
        )
    )
    st.markdown(
        md("Périmètres 2015 : non trouvés dans les sources ; les portraits « basés sur l'ancien périmètre » le disent.")
    )
    st.header("La bande des 300 m")
    st.markdown(md(BAND_DISCLAIMER))
    st.markdown(
        md(
            "Méthode : pour chaque QPV, zone tampon de 300 m autour du tracé officiel, calculée en Lambert-93 (EPSG:2154, "
            "en mètres) puis reprojetée en WGS84 pour l'affichage ; le QPV lui-même est retiré de sa bande. Jamais en degrés "
            "ni en Web Mercator, qui fausseraient les distances. Les distances affichées sont arrondies au mètre ; à moins de "
            "10 m d'une limite, la réponse indique « à la limite » et renvoie à l'outil officiel."
        )
    )
    st.header("Quartiers en renouvellement urbain (NPNRU) et règle des 500 m")
    st.markdown(md(NPNRU_LIMITES + f" Fichier geodata/{settings.NPNRU_FILE.name}."))
    for site in npnru_sites().values():
        st.markdown("- " + md(f"{site.lib_qp} ({site.code_qp}) : {site.libelle} — {site.source}"))
    st.markdown(
        md(
            "Méthode de « Tester un programme » : pour chaque bâtiment, distance à la limite officielle non simplifiée "
            "des QPV de points de son emprise (le contour tous les mètres et une grille intérieure), en Lambert-93 ; "
            "règle (a) : entièrement dans un QPV ou à moins de 300 m ; règle (b) : ensemble en partie à moins de 300 m "
            "et entièrement à moins de 500 m d'un quartier en renouvellement urbain. Réponse indicative : seule "
            "l'administration fiscale apprécie l'éligibilité."
        )
    )
    st.header("Fiches officielles SIG Ville")
    lines = [
        f"- [{md(q.nom)} ({q.code_qp})]({settings.SIG_VILLE_URL.format(code=q.code_qp)})"
        for q in sorted(catalogue.values(), key=lambda q: q.code_qp or "")
        if q.code_qp
    ]
    st.markdown("\n".join(lines))
