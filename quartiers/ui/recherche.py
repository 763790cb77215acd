"""The search box: a quartier (any of its names or codes) or a commune, typed as people type.

Streamlit's selectbox filters without folding accents, so the box is a text field (committed while typing)
with a list of result buttons under it; matching is done by quartiers.search.
"""

from __future__ import annotations

import json
from html import escape

import streamlit as st

from quartiers.catalogue import Quartier
from quartiers.search import MAX_QUERY_CHARS, TOO_LONG_TEXT, Result, SearchIndex, too_long
from quartiers.ui import chrome
from quartiers.ui.state import get_catalogue, get_layers, md, request_view, select, select_commune

MAX_RESULTS = 8
FIELD = "recherche_saisie"
FIELD_LABEL = "Rechercher un quartier ou une commune"
_CLEAR = "recherche_vider"
_SHOWN = "recherche_selection_affichee"


@st.cache_resource
def get_index() -> SearchIndex:
    """Every quartier of the catalogue and every commune of the commune layer, folded once per server."""
    communes = get_layers().communes
    return SearchIndex(get_catalogue(), list(communes["nom"]) if communes is not None else [])


def _choose(result: Result) -> None:
    if result.kind == "commune":
        select_commune(result.key)
    else:
        select_commune(None)
        select(result.key)
    request_view()
    st.session_state[_CLEAR] = True
    st.rerun(scope="app")


def _result_label(result: Result) -> str:
    if result.kind == "quartier" and result.matched and result.matched not in result.label:
        return f"{result.label} (« {result.matched} »)"
    return result.label


@st.fragment
def _search_field() -> None:
    """Typing reruns only this fragment; choosing a result reruns the page."""
    query = st.text_input(
        FIELD_LABEL,
        key=FIELD,
        type="search",
        live=True,
        placeholder="Nom, code ou commune : liebaut, lievin, QP 06 20 57…",
        help="Les accents, les majuscules et les apostrophes ne comptent pas.",
        max_chars=MAX_QUERY_CHARS,
    )
    if not query or not query.strip():
        return
    if too_long(query):  # max_chars is the browser's; a client may send more
        chrome.announce(TOO_LONG_TEXT)
        return
    results = get_index().search(query)
    if not results:
        suggestions = get_index().suggest(query)
        if not suggestions:
            chrome.announce(
                f"Aucun quartier ni aucune commune ne correspond à « {query.strip()[:60]} ». "
                "Essayez une partie du nom (« liebaut »), un code (QN06208M) ou une commune. Pour une adresse, "
                "allez sur « Ce lieu est-il en QPV ? »."
            )
            return
        chrome.announce(
            f"Aucun nom ne correspond exactement à « {query.strip()[:60]} ». Vouliez-vous dire :",
        )
        shown = suggestions
    else:
        shown = results[:MAX_RESULTS]
        more = len(results) - len(shown)
        count = f"{len(results)} résultat{'s' if len(results) > 1 else ''}"
        chrome.announce(count + (f", les {len(shown)} premiers ci-dessous : précisez la recherche." if more else "."))
    with st.container(key="resultats_recherche"):
        # What Enter in the field needs to know (see `_open_on_enter`): which query these results answer, and
        # whether they are one result (not a suggestion), which Enter then opens.
        unique = "1" if results and len(results) == 1 else "0"
        st.html(
            f'<span class="recherche-reponse" data-requete="{escape(query.strip())}" data-unique="{unique}" hidden></span>'
        )
        for i, result in enumerate(shown):
            icon = ":material/location_city:" if result.kind == "commune" else ":material/home_pin:"
            key = f"resultat_{i}_{result.kind}_{result.key}"
            if st.button(_result_label(result), key=key, icon=icon, type="tertiary"):
                _choose(result)


def _open_on_enter() -> None:
    """Enter in the search field opens the result when there is exactly one, once the results shown are those
    of the text in the field (a search typed fast may still be running: wait up to 5 s for its answer)."""
    st.html(
        "<script>(function(){var w=window.parent||window,d=w.document;if(d.__rechercheEntree)return;"
        "d.__rechercheEntree=true;d.addEventListener('keydown',function(e){"
        f"if(e.key!=='Enter'||!e.target||e.target.getAttribute('aria-label')!=={json.dumps(FIELD_LABEL)})return;"
        "var field=e.target,start=Date.now();(function look(){var q=field.value.trim();"
        "var marks=[].slice.call(d.querySelectorAll('.recherche-reponse')).filter(function(m){"
        "return m.getAttribute('data-requete')===q;});"
        "if(!marks.length){if(Date.now()-start>5000)return;w.setTimeout(look,100);return;}"
        "if(marks[0].getAttribute('data-unique')!=='1')return;"
        "var box=marks[0].closest('.st-key-resultats_recherche'),b=box&&box.querySelector('button');"
        "if(b)b.click();})();},true);})();</script>",
        unsafe_allow_javascript=True,
    )


def commune_quartiers(nom: str) -> None:
    """The quartiers of the commune in the URL, each a link to its portrait (the presentation mode kept)."""
    index = get_index()
    commune = index.commune(nom)
    if commune is None:
        st.error(md(f"Commune inconnue : « {nom[:40]} ». Vérifiez le lien ou cherchez la commune par son nom."))
        return
    quartiers = index.quartiers_of(commune)
    if not quartiers:
        chrome.announce(f"{commune} : aucun quartier prioritaire ni quartier d'intérêt communautaire.")
        return
    count = f"{len(quartiers)} quartier{'s' if len(quartiers) > 1 else ''}"
    # Plain links (not st.page_link, which leaves the old address in the browser on the same page): each opens
    # the portrait at an address that can be shared, presentation mode kept.
    items = "".join(
        f'<li><a href="{escape(chrome.portrait_href(q.id))}" target="_self">{escape(q.nom)}</a>'
        f" ({escape(q.statut)}{escape(', ' + ', '.join(q.communes)) if len(q.communes) > 1 else ''})</li>"
        for q in quartiers
    )
    st.html(
        f'<nav class="quartiers-commune" aria-label="Quartiers de {escape(commune)}">'
        f'<p role="status"><strong>Quartiers de {escape(commune)}</strong> ({count})</p><ul>{items}</ul></nav>'
    )


def search_box(catalogue: dict[str, Quartier], quartier: Quartier | None) -> None:
    """Type a quartier or a commune; the map zooms to it, a quartier's portrait opens, a commune lists its quartiers."""
    # Empty the field once a result is chosen, and whenever the selection changed some other way (a click
    # on the map, Back, a link): the old query and its results would otherwise stay under a new portrait.
    shown = (quartier.id if quartier else None, st.query_params.get("commune"))
    if st.session_state.pop(_CLEAR, False) or st.session_state.get(_SHOWN, shown) != shown:
        st.session_state[FIELD] = ""
    st.session_state[_SHOWN] = shown
    _open_on_enter()
    _search_field()
    commune = st.query_params.get("commune")
    if commune and quartier is None:
        commune_quartiers(commune)
    if quartier is not None:
        chrome.skip_link("#portrait", f"Aller au portrait de {quartier.nom} (passer la carte)")
    else:
        chrome.skip_link("#choisissez-un-quartier", "Passer la carte")
