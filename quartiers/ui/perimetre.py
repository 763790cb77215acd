"""Widgets of the "Tester un périmètre" page: the proposal (file or drawing), its figures, map layers, exports.

What is uploaded or drawn lives only in this session's state (st.session_state), never in a cache shared
between sessions nor on disk. The map's official layers are static files written once per process
(`maps.publish_layers`) and fetched once by the browser; a rerun re-sends only the proposal's layers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape

import streamlit as st

from quartiers import garde, maps
from quartiers import portrait_html as ph
from quartiers.couches_officielles import LayerError
from quartiers.formats import fmt_ha, fmt_share
from quartiers.formes import carte as carte_proposition
from quartiers.formes.bilan_perimetre import (
    COMMUNES_NOTE,
    ENSEMBLE,
    NON_CALCULABLE,
    Bilan,
    Reference,
    evaluate_drawing,
    evaluate_file,
    load_reference,
)
from quartiers.formes.lecture import (
    FORMATS_TEXT,
    LayerChoiceNeeded,
    Proposal,
    ProposalError,
    accord,
    limits_text,
)
from quartiers.maps import DisplayLayers
from quartiers.ui import chrome, rendered_map
from quartiers.ui.state import get_display, map_value, md, publish_or_embed

MAP_KEY = "carte_perimetre"
LAYOUT_KEY = "perimetre_disposition"  # the inputs and figures beside the map (chrome.map_first_styles)


@dataclass(frozen=True)
class Resultat:
    """The assessed proposal of this run: one Bilan per polygon, the set when there are several."""

    origine: str  # "fichier" or "dessin"
    proposal: Proposal
    bilans: list[Bilan]
    ensemble: Bilan | None


@st.cache_resource(show_spinner="Chargement des périmètres officiels…")
def get_reference() -> Reference | None:
    try:
        return load_reference()
    except LayerError:
        return None


@st.cache_resource(show_spinner="Préparation des couches de la carte…")
def map_layers() -> DisplayLayers:
    """The official layers of this page's map, QPV named as in the app (carte_proposition.reference_layers)."""
    reference = get_reference()
    return carte_proposition.reference_layers(get_display(), reference.noms if reference else None)


@st.cache_resource(show_spinner="Préparation des couches de la carte…", validate=maps.layer_files_present)
def layer_urls() -> dict[str, str]:
    """Layer name → URL of the static file of each of `map_layers()`, written once per process (again if deleted)."""
    return publish_or_embed(map_layers())


@st.cache_resource(show_spinner=False)
def rendered_proposal_map(presentation: bool, urls: tuple[tuple[str, str], ...]) -> rendered_map.RenderedMap:
    """This page's map without the proposal, as st_folium sends it: once per process for each mode and URLs."""
    return rendered_map.render(
        carte_proposition.build_proposal_map(map_layers(), dict(urls), presentation=presentation)
    )


def upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


@dataclass(frozen=True)
class Saisie:
    """The widgets and session slots of one shape test: « Tester un périmètre » or « Tester un programme »."""

    map_key: str
    prefix: str  # of this page's session_state slots
    label: str  # of the file uploader
    hint: str  # shown while nothing is uploaded or drawn
    limits: str = ""  # the caption's limits after the upload size


PERIMETRE = Saisie(
    map_key=MAP_KEY,
    prefix="perimetre",
    label="Déposer un fichier de périmètre",
    hint=(
        "Déposez un fichier, ou dessinez un ou plusieurs polygones sur la carte avec l'outil « polygone » "
        "ou « rectangle » (en haut à gauche de la carte). Le dessin se fait à la souris ou au doigt ; au clavier, "
        "déposez un fichier."
    ),
    limits=limits_text(),
)


def file_input(saisie: Saisie = PERIMETRE) -> tuple[bytes, str] | None:
    uploaded = st.file_uploader(
        saisie.label,
        # No `type=`: Streamlit would refuse another file with an English tooltip only; the reader refuses it in
        # French, naming the accepted formats (a visible error under the box).
        key="proposition_fichier" if saisie is PERIMETRE else f"{saisie.prefix}_fichier",
        help=f"{FORMATS_TEXT}. Taille maximale\u00a0: {upload_limit_mb()}\u00a0Mo.",
    )
    st.caption(
        md(
            f"Formats\u00a0: {FORMATS_TEXT}. Limites\u00a0: {upload_limit_mb()}\u00a0Mo par fichier, {saisie.limits}."
            + " Le fichier n'est pas conservé\u00a0: il sert le temps de votre session."
        )
    )
    if uploaded is None:
        return None
    return uploaded.getvalue(), uploaded.name


def _layer_choice(digest: str, saisie: Saisie = PERIMETRE) -> str | None:
    """The layer chosen for a file with several layers ("" while none is chosen); None for a one-layer file."""
    known = st.session_state.get(f"{saisie.prefix}_couches")
    if not known or known[0] != digest:
        return None
    layers = known[1]
    st.warning(md(str(LayerChoiceNeeded(layers)).replace(" (option --couche en ligne de commande)", "")))
    key = "proposition_couche" if saisie is PERIMETRE else f"{saisie.prefix}_couche"
    chosen = st.selectbox("Couche à tester", layers, index=None, key=key, placeholder="Choisir")
    return chosen or ""


def _memo(key: str, compute, saisie: Saisie = PERIMETRE):
    """Keep the last assessment in this session only (a rerun for another widget does not recompute)."""
    memo = st.session_state.get(f"{saisie.prefix}_memo")
    if memo is not None and memo[0] == key:
        return memo[1]
    value = compute()
    st.session_state[f"{saisie.prefix}_memo"] = (key, value)
    return value


def _assess(origine: str, job, *args) -> Resultat:
    """The proposal read and assessed in a bounded child process (quartiers.garde): a hostile or pathological
    shape costs this server at most GUARD_SECONDS and GUARD_MEMORY_MB, then gets a French message."""
    with st.spinner("Calcul du périmètre…"):
        evaluation = garde.run(job, *args)
    return Resultat(origine, evaluation.proposal, evaluation.bilans, evaluation.ensemble)


def _focus_once(key: str, saisie: Saisie) -> None:
    """After a new upload, by keyboard too, the focus goes to what it produced (its results, or its error), once per
    file: slots `<prefix>_focus` (to do) and `<prefix>_focalise` (the file and layer already given the focus)."""
    if st.session_state.get(f"{saisie.prefix}_focalise") != key:
        st.session_state[f"{saisie.prefix}_focalise"] = key
        st.session_state[f"{saisie.prefix}_focus"] = True


def take_focus(saisie: Saisie) -> bool:
    """True once after a new upload: the caller moves the focus to the results it shows."""
    return bool(st.session_state.pop(f"{saisie.prefix}_focus", False))


def current_input(saisie: Saisie, from_file, from_drawing):
    """What `from_file(data, name, layer, max_mb)` or `from_drawing(features)` make of the uploaded file, else
    of the shapes drawn on the map; None while there is none, errors shown in French (ProposalError, GuardError)."""
    upload = file_input(saisie)
    try:
        if upload is not None:
            data, name = upload
            if map_value(saisie.map_key, "all_drawings"):
                st.caption("Un fichier est déposé : les polygones dessinés sur la carte ne sont pas pris en compte.")
            digest = hashlib.sha256(data).hexdigest()
            layer = _layer_choice(digest, saisie)
            if layer == "":
                return None
            _focus_once(f"fichier:{digest}:{layer}", saisie)
            try:
                return _memo(
                    f"fichier:{digest}:{layer}", lambda: from_file(data, name, layer, upload_limit_mb()), saisie
                )
            except LayerChoiceNeeded as choice:
                # Remember the layers of this file, so that the choice stays on screen at every later run.
                st.session_state[f"{saisie.prefix}_couches"] = (digest, choice.layers)
                st.rerun()
        st.session_state.pop(f"{saisie.prefix}_focalise", None)  # the same file dropped again is a new upload
        drawings = map_value(saisie.map_key, "all_drawings") or []
        if not drawings:
            st.info(saisie.hint)
            return None
        key = "dessin:" + hashlib.sha256(repr(drawings).encode()).hexdigest()
        return _memo(key, lambda: from_drawing(drawings), saisie)
    except (ProposalError, garde.GuardError) as exc:
        error_key = f"{saisie.prefix}_erreur"
        with st.container(key=error_key):
            st.error(md(str(exc)))
        if st.session_state.pop(f"{saisie.prefix}_focus", False):
            chrome.bring_into_view(None, focus=True, selector=f".st-key-{error_key}")
        return None


def current_result(reference: Reference | None) -> Resultat | None:
    """The uploaded file if any, else the polygons drawn on the map; errors shown in French."""
    if reference is None:
        st.error("Les périmètres officiels n'ont pas pu être chargés : aucune comparaison possible.")
        return None
    return current_input(
        PERIMETRE,
        lambda data, name, layer, max_mb: _assess("fichier", evaluate_file, data, name, layer, max_mb),
        lambda drawings: _assess("dessin", evaluate_drawing, drawings),
    )


def _summary_rows(bilan: Bilan) -> list[tuple[str, str]]:
    return [
        ("Surface du périmètre", fmt_ha(bilan.surface_ha)),
        ("Surface hors de tout QPV (ajout)", fmt_ha(bilan.surface_hors_qpv_ha)),
        ("Surface de QPV laissée hors", fmt_ha(bilan.surface_laissee_hors_ha)),
        ("Bande des 300 m (anneau)", fmt_ha(bilan.surface_bande_300m_ha)),
        ("Commune principale", bilan.commune_principale or "aucune"),
        ("Territoire CABBALR / CALL", "non (hors territoire)" if bilan.hors_territoire else "oui"),
    ]


def table_html(caption: str, columns: list[str], rows: list[tuple[str, ...]]) -> str:
    """A result table with its caption (RGAA 5.4), column headers and each row's first cell as its header;
    every text escaped (names come from the visitor's file)."""
    head = "".join(f"<th scope='col'>{escape(c)}</th>" for c in columns)
    body = "".join(
        f"<tr><th scope='row'>{escape(row[0])}</th>" + "".join(f"<td>{escape(v)}</td>" for v in row[1:]) + "</tr>"
        for row in rows
    )
    return (
        f"<table class='qp-table tableau-perimetre'><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def figures(bilan: Bilan) -> None:
    """The figures of one proposal (or of the set) as tables with captions; names from files shown as text."""
    st.subheader(md(bilan.nom))
    st.html(ph.STYLE + table_html(f"Chiffres : {bilan.nom}", ["Indicateur", "Valeur"], _summary_rows(bilan)))
    if bilan.communes:
        st.html(
            ph.STYLE
            + table_html(
                f"Communes couvertes : {bilan.nom}",
                ["Commune", "Code Insee", "Surface dans la commune"],
                [(c.nom, c.code, fmt_ha(c.surface_ha)) for c in bilan.communes],
            )
        )
        st.caption(COMMUNES_NOTE)
    if bilan.qpv:
        st.html(
            ph.STYLE
            + table_html(
                f"QPV 2024 recoupés : {bilan.nom}",
                ["QPV", "Surface en commun", "Part du QPV gardée", "Surface du QPV laissée hors"],
                [
                    (
                        q.libelle + (" — QPV voisin" if q.voisin else ""),
                        fmt_ha(q.surface_en_commun_ha),
                        fmt_share(q.part_du_qpv_pct),
                        fmt_ha(q.surface_qpv_hors_proposition_ha),
                    )
                    for q in bilan.qpv
                ],
            )
        )
    else:
        st.markdown("Aucun QPV 2024 recoupé.")
    st.markdown(
        md(
            "Sa bande des 300 m atteint : "
            + (", ".join(bilan.bande_qpv) if bilan.bande_qpv else "aucun QPV officiel")
            + " ; communes : "
            + (", ".join(bilan.bande_communes) or "aucune")
            + "."
        )
    )


def comparison_sentence(count: int, origine: str) -> str:
    """« 1 polygone dessiné comparé aux QPV 2024 officiels. », « 2 polygones du fichier déposé comparés … »."""
    if origine == "fichier":
        subject = f"{accord(count, 'polygone')} du fichier déposé"
    else:
        subject = accord(count, "polygone dessiné", "polygones dessinés")
    return f"{subject} {'comparé' if count == 1 else 'comparés'} aux QPV 2024 officiels."


RESULTS_ID = "resultats"


def results(resultat: Resultat) -> None:
    st.header("Résultats", anchor=RESULTS_ID)
    if take_focus(PERIMETRE):
        chrome.bring_into_view(RESULTS_ID, focus=True)
    st.success(md(comparison_sentence(len(resultat.bilans), resultat.origine)))
    for message in resultat.proposal.messages:
        st.warning(md(message), icon="⚠️")
    for bilan in resultat.bilans:
        figures(bilan)
    if resultat.ensemble is not None:
        figures(resultat.ensemble)
        st.caption(md(f"« {ENSEMBLE} » : leur réunion, les recouvrements comptés une fois."))
    st.info(NON_CALCULABLE)


def downloads(resultat: Resultat, reference: Reference) -> None:
    """The GeoJSON result and the A4 sheet, each built only when its button is pressed (deferred downloads)."""
    from quartiers.formes.bilan_perimetre import result_geojson
    from quartiers.formes.feuille_perimetre import sheet_html

    left, right = st.columns(2)
    left.download_button(
        "Résultat (GeoJSON)",
        lambda: result_geojson(resultat.bilans),
        file_name="perimetre_propose.geojson",
        mime="application/geo+json",
        help="Proposition, sa bande des 300 m, ajouts et QPV laissés hors, avec leurs chiffres (EPSG:4326).",
        on_click="ignore",
    )
    right.download_button(
        "Fiche A4 imprimable (HTML)",
        lambda: sheet_html(resultat.bilans, resultat.ensemble, reference, resultat.proposal.messages),
        file_name="perimetre_propose_fiche_A4.html",
        mime="text/html",
        help="Ouvrir dans le navigateur puis imprimer (A4) ou enregistrer en PDF.",
        on_click="ignore",
    )


def text_legend() -> None:
    with st.expander("Légende de la carte (texte)"):
        for _, label in carte_proposition.legend_entries():
            st.markdown("- " + md(label))
