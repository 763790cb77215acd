"""The portrait panel of one quartier, the intercommunal frame, and the printable fiche.

The panel is a few elements: each section is one escaped HTML fragment from quartiers.portrait_html
(the same renderer as the printable fiche), not one Streamlit element per bullet.
"""

from __future__ import annotations

import json
from html import escape

import streamlit as st

from quartiers import portrait_html as ph
from quartiers import settings
from quartiers.catalogue import Quartier
from quartiers.filosofi import CommuneFilosofi, FilosofiError, commune_references, load_filosofi
from quartiers.formats import fmt_value, source_line
from quartiers.npnru import npnru_fact
from quartiers.portraits import Cadre, Portrait
from quartiers.ui.state import get_cadres, get_documents, get_layers, md

NO_PORTRAIT = (
    "Portrait détaillé non disponible : aucune convention d'application communale de ce quartier ne figure "
    "dans les documents sources. Seules les informations ci-dessous sont connues."
)


@st.cache_resource
def get_filosofi() -> tuple[dict[str, CommuneFilosofi], str | None]:
    """Insee Filosofi 2021 per commune, or a French message naming the file when it cannot be used."""
    try:
        communes, problems = load_filosofi()
    except FilosofiError as exc:
        return {}, str(exc)
    return communes, (" ; ".join(problems) if problems else None)


def portrait_header(quartier: Quartier) -> None:
    """The quartier's name, key facts and the printable fiche: what sits beside the map."""
    portrait = quartier.portrait
    st.header(quartier.nom, anchor="portrait")
    st.html(
        f"<div role='status' aria-live='polite' style='{ph.VISUALLY_HIDDEN}'>"
        f"Portrait affiché : {escape(quartier.nom)}</div>"
    )
    # Key figures first (status, communes, population, surfaces), then the codes: beside the map, on the first
    # screen of a projector, the figures are what a room reads.
    facts = [f"**Statut :** {md(_statut_label(quartier))}", f"**Communes :** {md(', '.join(quartier.communes))}"]
    population = _population(portrait)
    if population:
        where = (
            f"{ph.cell_reference(population)} ; périmètre : {population.mesure.perimetre}"
            if population.tableau
            else f"{ph.quote_text(population)} ({population.mesure.millesime} ; {population.mesure.perimetre})"
        )
        facts.append(f"**Population :** {md(fmt_value(population))} — {md(where)}")
    for label, value in ph.surfaces(quartier):
        facts.append(f"**{md(label)} :** {md(value)}")
    renouvellement = npnru_fact(quartier.code_qp)  # after the key figures: its source is long
    if renouvellement:
        facts.append(f"**Renouvellement urbain (NPNRU) :** {md(renouvellement)}")
    if quartier.code_qp:
        facts.append(f"**Code officiel 2024 :** {md(quartier.code_qp)}")
    if portrait and portrait.code_cite:
        facts.append(f"**Code cité dans la convention :** {md(portrait.code_cite)}")
    if quartier.nom_officiel and quartier.nom_officiel != quartier.nom:
        facts.append(f"**Nom officiel (ANCT) :** {md(quartier.nom_officiel)}")
    if quartier.epci:
        facts.append(f"**Intercommunalité :** {md(', '.join(quartier.epci))}")
    if quartier.surface_ha is None and quartier.statut == "QIC":
        facts.append("**Périmètre :** non publié (aucun périmètre de QIC n'est disponible)")
    if quartier.statut == "QIC":
        facts.append(QIC_IS_NO_QPV)
    st.markdown("  \n".join(facts))
    if quartier.code_qp:
        st.markdown(f"[Fiche officielle SIG Ville]({settings.SIG_VILLE_URL.format(code=quartier.code_qp)})")
    if not quartier.voisin and portrait is not None:
        fiche_print(quartier)
        fiche_download(quartier)


def _population(portrait: Portrait | None):
    if portrait is None:
        return None
    for cle in ("population", "population_quartiers_2030"):
        indicateur = portrait.indicateur(cle)
        if indicateur is not None:
            return indicateur
    return None


def portrait_body(quartier: Quartier) -> None:
    """Everything else the sources say about the quartier, as text first, with its source under each block."""
    portrait = quartier.portrait
    if quartier.voisin:
        st.info(
            "QPV d'une agglomération voisine, hors contrats CABBALR / CALL : ses données ne figurent pas dans nos sources."
        )
        commune_reference(quartier)
        return
    if portrait is None:
        st.info("Aucune fiche n'a pu être chargée pour ce quartier (fichier de portrait absent ou écarté).")
        commune_reference(quartier)
        return
    if portrait.note:
        with st.expander("Remarques sur la source de ce portrait"):
            st.caption(md(portrait.note))
    if not portrait.portrait_detaille:
        st.info(NO_PORTRAIT)
    documents = get_documents()
    _statistics(portrait)
    commune_reference(quartier)
    sections = []
    for title, items, html in (
        ("Les « irritants » : principales problématiques", portrait.irritants, ph.irritants_list(portrait.irritants)),
        ("Les « opportunités » : atouts et ressources", portrait.opportunites, ph.elements_list(portrait.opportunites)),
        (
            "Les enjeux prioritaires pour la commune",
            portrait.enjeux_prioritaires,
            ph.elements_list(portrait.enjeux_prioritaires),
        ),
    ):
        if items:
            first = items[0].source
            sections.append(
                f"<h3 class='qp-h'>{escape(title)} ({len(items)})</h3>{html}"
                f"<p class='qp-source'>{escape(source_line(documents, first.document, first.section))}</p>"
            )
    if sections:
        st.html(ph.STYLE + "".join(sections))
    _objectives(portrait)
    st.caption(md(source_line(documents, portrait.source.document, portrait.source.section)))
    cadres_for(quartier)


# For a resident who found a QIC in the search: what it is not (the app's geography, not a source's words).
QIC_IS_NO_QPV = (
    "**Ce n'est pas un quartier prioritaire (QPV)** : un quartier d'intérêt communautaire n'a ni code ni "
    "périmètre publiés par l'ANCT, et la carte ne trace la bande des 300 m qu'autour des QPV."
)


def _statut_label(quartier: Quartier) -> str:
    return {
        "QPV": "Quartier prioritaire de la politique de la ville (QPV)",
        "QIC": "Quartier d'intérêt communautaire (QIC)",
        "QPV voisin": "QPV voisin, hors contrats CABBALR / CALL",
    }.get(quartier.statut, quartier.statut)


def _statistics(portrait: Portrait) -> None:
    if not portrait.indicateurs:
        return
    st.subheader("Portrait statistique")
    st.html(
        ph.STYLE
        + ph.rate_bars(portrait.indicateurs)
        + "<p>Chaque chiffre du quartier avec la phrase (ou la ligne de tableau) de la source, son millésime et son "
        "périmètre :</p>" + ph.indicators_list(portrait.indicateurs, get_documents())
    )


def commune_reference(quartier: Quartier) -> None:
    """Filosofi 2021 of the quartier's commune(s), clearly the commune's figure; a French message if unusable."""
    if not quartier.insee:
        return
    communes, error = get_filosofi()
    fichier = f"geodata/{settings.FILOSOFI_FILE.name}"
    references = commune_references(quartier.insee, quartier.communes, communes, fichier) if not error else []
    st.subheader("Repère : la commune (Insee, Filosofi 2021)")
    st.html(
        ph.STYLE
        + f"<p>{escape(ph.filosofi_intro(quartier.portrait))}</p>"
        + ph.filosofi_list(references, error if not communes else None)
    )
    if error and communes:
        st.caption(md(error))


def _objectives(portrait: Portrait) -> None:
    if not portrait.objectifs:
        return
    st.subheader("Objectifs opérationnels")
    st.caption(
        "Par enjeu, puis ambition de la stratégie intercommunale, puis objectif ; une cellule vide dans la "
        "convention reste vide ici. Ouvrez un enjeu pour voir son arbre."
    )
    st.html(ph.STYLE + ph.objectifs_tree(portrait.objectifs, get_documents()))


def cadre_panel(cadre: Cadre) -> None:
    """The intercommunal frame: references, enjeux or piliers, ambitions, transversal axes."""
    with st.expander(f"Cadre intercommunal du contrat de ville — {cadre.epci}"):
        st.html(ph.STYLE + ph.cadre_html(cadre, get_documents()))


def _fiche(quartier: Quartier) -> str:
    from quartiers.fiche import fiche_html

    communes, error = get_filosofi()
    fichier = f"geodata/{settings.FILOSOFI_FILE.name}"
    references = commune_references(quartier.insee, quartier.communes, communes, fichier) if not error else []
    return fiche_html(
        quartier, get_layers(), get_documents(), communes=references, communes_error=error if not communes else None
    )


def fiche_print(quartier: Quartier) -> None:
    """« Imprimer la fiche »: one click opens the browser's print dialog on the fiche (built only then, in a
    hidden frame of the page); the fiche's own print rules make it two columns in print type sizes."""
    if not st.button("Imprimer la fiche", key="imprimer_fiche", icon=":material/print:"):
        return
    st.session_state["impressions_fiche"] = st.session_state.get("impressions_fiche", 0) + 1
    # The fiche as a JSON string with no "<" (Streamlit's sanitiser drops a script holding "<" and a letter).
    html = json.dumps(_fiche(quartier)).replace("<", "\\u003c")
    st.html(
        f"<script>/* {st.session_state['impressions_fiche']} */(function(){{var w=window.parent||window,d=w.document;"
        "[].slice.call(d.querySelectorAll('iframe.fiche-a-imprimer')).forEach(function(f){f.remove();});"
        "var f=d.createElement('iframe');f.className='fiche-a-imprimer';f.setAttribute('aria-hidden','true');"
        "f.tabIndex=-1;f.title='Fiche à imprimer';"
        "f.style.cssText='position:fixed;left:-10px;top:0;width:1px;height:1px;border:0;opacity:0';"
        "f.onload=function(){try{f.contentWindow.focus();f.contentWindow.print();}catch(e){}};"
        f"f.srcdoc={html};d.body.appendChild(f);}})();</script>",
        unsafe_allow_javascript=True,
    )


def fiche_download(quartier: Quartier) -> None:
    """The printable fiche, built only when the button is pressed (a deferred download): a click on the map
    that opens the portrait does not pay for it."""

    def build() -> str:
        return _fiche(quartier)

    st.download_button(
        "Fiche imprimable (HTML, à ouvrir puis imprimer)",
        build,
        file_name=f"fiche-{quartier.id}.html",
        mime="text/html",
        key="fiche",
        on_click="ignore",
    )


def cadres_for(quartier: Quartier) -> None:
    cadres, _ = get_cadres()
    for epci in quartier.epci:
        if epci in cadres:
            cadre_panel(cadres[epci])
