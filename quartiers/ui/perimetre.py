"""Widgets of the "Tester un périmètre" page: the proposal (file or drawing), its figures, map layers, exports.

What is uploaded or drawn lives only in this session's state (st.session_state), never in a cache shared
between sessions nor on disk. The map's official layers are static files written once per process
(`maps.publish_layers`) and fetched once by the browser; a rerun re-sends only the proposal's layers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from quartiers import maps
from quartiers.couches_officielles import LayerError
from quartiers.formats import fmt_ha, fmt_number, fmt_share
from quartiers.formes import carte as carte_proposition
from quartiers.formes.bilan_perimetre import (
    COMMUNES_NOTE,
    ENSEMBLE,
    NON_CALCULABLE,
    Bilan,
    Reference,
    assess,
    assess_set,
    load_reference,
)
from quartiers.formes.lecture import (
    EXTENSIONS,
    FORMATS_TEXT,
    MAX_AREA_KM2,
    MAX_VERTICES,
    LayerChoiceNeeded,
    Proposal,
    ProposalError,
    accord,
    proposal_from_features,
    read_proposal,
)
from quartiers.maps import DisplayLayers
from quartiers.ui.state import get_display, md, publish_or_embed

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


def upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def file_input() -> tuple[bytes, str] | None:
    uploaded = st.file_uploader(
        "Déposer un fichier de périmètre",
        type=list(EXTENSIONS),
        key="proposition_fichier",
        help=f"{FORMATS_TEXT}. Taille maximale\u00a0: {upload_limit_mb()}\u00a0Mo.",
    )
    st.caption(
        md(
            f"Formats\u00a0: {FORMATS_TEXT}. Limites\u00a0: {upload_limit_mb()}\u00a0Mo par fichier, "
            f"{fmt_number(MAX_AREA_KM2)}\u00a0km² et {fmt_number(MAX_VERTICES)}\u00a0sommets par polygone."
            + " Le fichier n'est pas conservé\u00a0: il sert le temps de votre session."
        )
    )
    if uploaded is None:
        return None
    return uploaded.getvalue(), uploaded.name


def _layer_choice(digest: str) -> str | None:
    """The layer chosen for a file with several layers ("" while none is chosen); None for a one-layer file."""
    known = st.session_state.get("perimetre_couches")
    if not known or known[0] != digest:
        return None
    layers = known[1]
    st.warning(md(str(LayerChoiceNeeded(layers)).replace(" (option --couche en ligne de commande)", "")))
    chosen = st.selectbox("Couche à tester", layers, index=None, key="proposition_couche", placeholder="Choisir")
    return chosen or ""


def _memo(key: str, compute):
    """Keep the last assessment in this session only (a rerun for another widget does not recompute)."""
    memo = st.session_state.get("perimetre_memo")
    if memo is not None and memo[0] == key:
        return memo[1]
    value = compute()
    st.session_state["perimetre_memo"] = (key, value)
    return value


def _assess(origine: str, proposal: Proposal, reference: Reference) -> Resultat:
    bilans = assess(proposal, reference)
    ensemble = assess_set(proposal, reference) if len(bilans) > 1 else None
    return Resultat(origine, proposal, bilans, ensemble)


def current_result(reference: Reference | None) -> Resultat | None:
    """The uploaded file if any, else the polygons drawn on the map; errors shown in French."""
    if reference is None:
        st.error("Les périmètres officiels n'ont pas pu être chargés : aucune comparaison possible.")
        return None
    upload = file_input()
    try:
        if upload is not None:
            data, name = upload
            if (st.session_state.get(MAP_KEY) or {}).get("all_drawings"):
                st.caption("Un fichier est déposé : les polygones dessinés sur la carte ne sont pas pris en compte.")
            digest = hashlib.sha256(data).hexdigest()
            layer = _layer_choice(digest)
            if layer == "":
                return None
            try:
                return _memo(
                    f"fichier:{digest}:{layer}",
                    lambda: _assess("fichier", read_proposal(data, name, layer, upload_limit_mb()), reference),
                )
            except LayerChoiceNeeded as choice:
                # Remember the layers of this file, so that the choice stays on screen at every later run.
                st.session_state["perimetre_couches"] = (digest, choice.layers)
                st.rerun()
        drawings = (st.session_state.get(MAP_KEY) or {}).get("all_drawings") or []
        if not drawings:
            st.info(
                "Déposez un fichier, ou dessinez un ou plusieurs polygones sur la carte avec l'outil « polygone » "
                "ou « rectangle » (en haut à gauche de la carte). Le dessin se fait à la souris ou au doigt ; au clavier, "
                "déposez un fichier."
            )
            return None
        key = "dessin:" + hashlib.sha256(repr(drawings).encode()).hexdigest()
        return _memo(key, lambda: _assess("dessin", proposal_from_features(drawings), reference))
    except ProposalError as exc:
        st.error(md(str(exc)))
        return None


def _summary_frame(bilan: Bilan) -> pd.DataFrame:
    rows = [
        ("Surface du périmètre", fmt_ha(bilan.surface_ha)),
        ("Surface hors de tout QPV (ajout)", fmt_ha(bilan.surface_hors_qpv_ha)),
        ("Surface de QPV laissée hors", fmt_ha(bilan.surface_laissee_hors_ha)),
        ("Bande des 300 m (anneau)", fmt_ha(bilan.surface_bande_300m_ha)),
        ("Commune principale", bilan.commune_principale or "aucune"),
        ("Territoire CABBALR / CALL", "non (hors territoire)" if bilan.hors_territoire else "oui"),
    ]
    return pd.DataFrame(rows, columns=["Indicateur", "Valeur"]).set_index("Indicateur")


def figures(bilan: Bilan) -> None:
    """The figures of one proposal (or of the set) as tables; names from files shown as text."""
    st.subheader(md(bilan.nom))
    st.table(_summary_frame(bilan))
    if bilan.communes:
        st.markdown("**Communes couvertes**")
        st.table(
            pd.DataFrame(
                [(c.nom, c.code, fmt_ha(c.surface_ha)) for c in bilan.communes],
                columns=["Commune", "Code Insee", "Surface dans la commune"],
            ).set_index("Commune")
        )
        st.caption(COMMUNES_NOTE)
    if bilan.qpv:
        st.markdown("**QPV 2024 recoupés**")
        st.table(
            pd.DataFrame(
                [
                    (
                        q.libelle + (" — QPV voisin" if q.voisin else ""),
                        fmt_ha(q.surface_en_commun_ha),
                        fmt_share(q.part_du_qpv_pct),
                        fmt_ha(q.surface_qpv_hors_proposition_ha),
                    )
                    for q in bilan.qpv
                ],
                columns=["QPV", "Surface en commun", "Part du QPV gardée", "Surface du QPV laissée hors"],
            ).set_index("QPV")
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


def results(resultat: Resultat) -> None:
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
