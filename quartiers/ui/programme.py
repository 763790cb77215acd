"""Widgets of the « Tester un programme » page: the footprints (file or drawing), the verdicts, conditions, exports.

Reads the input with the perimeter test's widgets (`perimetre.current_input`) and draws on its map; what is
uploaded or drawn lives only in this session's state. Texts from files go through `md` (escaped).
"""

from __future__ import annotations

import streamlit as st

from quartiers import garde
from quartiers import portrait_html as ph
from quartiers.formats import fmt_number, fmt_share
from quartiers.formes.lecture import limits_text
from quartiers.formes.programme import (
    CONDITIONS,
    ENSEMBLE,
    MAX_BATIMENTS,
    MAX_SURFACE_HA,
    Programme,
    ProgrammeReference,
    Verdict,
    evaluate_drawing,
    evaluate_file,
    phrases,
    result_geojson,
    sources_npnru,
)
from quartiers.ui import chrome
from quartiers.ui.perimetre import Saisie, current_input, get_reference, table_html, take_focus
from quartiers.ui.state import md

MAP_KEY = "carte_programme"
REPONSE_ID = "reponse-programme"
SAISIE = Saisie(
    map_key=MAP_KEY,
    prefix="programme",
    label="Déposer les emprises des bâtiments",
    hint=(
        "Déposez un fichier des emprises au sol des bâtiments, ou dessinez-les sur la carte avec l'outil "
        "« polygone » ou « rectangle » (en haut à gauche de la carte), un bâtiment par polygone. Le dessin se fait "
        "à la souris ou au doigt ; au clavier, déposez un fichier."
    ),
    limits=f"{limits_text()}, {fmt_number(MAX_BATIMENTS)}\u00a0bâtiments, {fmt_number(MAX_SURFACE_HA)}\u00a0ha par bâtiment",
)


@st.cache_resource(show_spinner="Préparation des lignes des 300 m et des 500 m…")
def get_programme_reference() -> ProgrammeReference | None:
    reference = get_reference()
    return ProgrammeReference.build(reference) if reference is not None else None


def _assess(origine: str, job, *args) -> tuple[str, Programme]:
    """The footprints read and assessed in a bounded child process (quartiers.garde), as the perimeter test does."""
    with st.spinner("Calcul du programme…"):
        return origine, garde.run(job, *args)


def current_programme(ref: ProgrammeReference | None) -> tuple[str, Programme] | None:
    """("fichier" or "dessin", the assessed programme), or None while nothing usable is given."""
    if ref is None:
        st.error("Les périmètres officiels n'ont pas pu être chargés : aucune réponse possible.")
        return None
    return current_input(
        SAISIE,
        lambda data, name, layer, max_mb: _assess("fichier", evaluate_file, data, name, layer, max_mb),
        lambda drawings: _assess("dessin", evaluate_drawing, drawings),
    )


def _verdict_box(verdict: Verdict, ref: ProgrammeReference, heading: str) -> None:
    yes = verdict.regle_a or verdict.regle_b
    box = st.success if yes and not verdict.a_la_limite else (st.warning if verdict.a_la_limite else st.info)
    summary = "dans la zone" if yes else "hors de la zone"
    if verdict.a_la_limite:
        summary += ", à la limite"
    lines = [f"**{md(verdict.nom)}** — {heading} {summary}"] + [f"- {md(line)}" for line in phrases(verdict, ref)]
    box("\n".join(lines))


def verdicts(origine: str, programme: Programme, ref: ProgrammeReference) -> None:
    """The ensemble's verdict first, then each building's, each with its rules (a) and (b) in words."""
    count = len(programme.batiments)
    source = "du fichier déposé" if origine == "fichier" else ("dessiné" if count == 1 else "dessinés")
    st.markdown(f"{fmt_number(count)} {'bâtiment' if count == 1 else 'bâtiments'} {source}.")
    for message in programme.messages:
        st.warning(md(message), icon="⚠️")
    st.header("Réponse", anchor=REPONSE_ID)
    if take_focus(SAISIE):  # a new upload, by keyboard too: the focus goes to its answer
        chrome.bring_into_view(REPONSE_ID, focus=True)
    if count > 1:  # one building is its own ensemble: one answer, not two identical ones
        _verdict_box(programme.ensemble, ref, "l'ensemble immobilier est")
    for verdict in programme.batiments:
        _verdict_box(verdict, ref, "ce bâtiment est")
    st.caption(md(CONDITIONS[-1]))


def _yes_no(value: bool | None) -> str:
    return "sans objet" if value is None else ("oui" if value else "non")


def figures(programme: Programme) -> None:
    """The figures behind the verdicts, one row per building then the ensemble."""
    rows = [
        (
            v.nom,
            _yes_no(v.regle_a),
            _yes_no(v.regle_b),
            v.quartier or "aucun à moins de 500 m",
            f"{fmt_number(v.distance_max_m)} m",
            fmt_share(v.part_300m_pct) if v.nom != ENSEMBLE else "",
            fmt_share(v.part_500m_pct) if v.nom != ENSEMBLE else "",
            "oui" if v.a_la_limite else "non",
        )
        for v in (*programme.batiments, programme.ensemble)
    ]
    columns = ["Bâtiment", "Règle (a)", "Règle (b)", "QPV qui décide", "Point le plus éloigné",
               "À moins de 300 m", "À moins de 500 m", "À la limite"]  # fmt: skip
    st.markdown("**Les chiffres**")
    st.html(ph.STYLE + table_html("Chiffres du programme, bâtiment par bâtiment", columns, rows))
    st.caption(
        "« Point le plus éloigné » : distance à la limite du QPV qui décide du point de l'emprise le plus loin de "
        "lui (0 m dans le QPV). Parts de l'emprise à moins de 300 m des QPV et à moins de 500 m du quartier en "
        "renouvellement urbain (ou des QPV quand aucun n'est à moins de 500 m)."
    )


def conditions(programme: Programme, ref: ProgrammeReference) -> None:
    st.markdown("**Conditions de cette réponse**")
    for line in (*CONDITIONS, *sources_npnru(programme, ref)):
        st.markdown("- " + md(line))


def downloads(programme: Programme, ref: ProgrammeReference) -> None:
    """The GeoJSON result and the A4 sheet, each built only when its button is pressed."""
    from quartiers.formes.feuille_programme import sheet_html

    left, right = st.columns(2)
    left.download_button(
        "Résultat (GeoJSON)",
        lambda: result_geojson(programme, ref),
        file_name="programme.geojson",
        mime="application/geo+json",
        help="Emprises avec leurs chiffres et verdicts, points les plus éloignés, lignes des 300 m et 500 m (EPSG:4326).",
        on_click="ignore",
    )
    right.download_button(
        "Fiche A4 imprimable (HTML)",
        lambda: sheet_html(programme, ref),
        file_name="programme_fiche_A4.html",
        mime="text/html",
        help="Ouvrir dans le navigateur puis imprimer (A4) ou enregistrer en PDF.",
        on_click="ignore",
    )


def text_legend() -> None:
    from quartiers.formes.carte_programme import legend_entries

    with st.expander("Légende de la carte (texte)"):
        for _, label in legend_entries():
            st.markdown("- " + md(label))
