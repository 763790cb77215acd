"""The portrait panel of one quartier, the intercommunal frame, and the printable fiche."""

from __future__ import annotations

from html import escape

import streamlit as st

from quartiers import settings
from quartiers.catalogue import Quartier
from quartiers.formats import fmt_number, fmt_quantity, source_line
from quartiers.portraits import Cadre, Indicateur, Portrait
from quartiers.tables import indicator_table
from quartiers.ui.state import get_cadres, get_documents, get_layers, md

NO_PORTRAIT = (
    "Portrait détaillé non disponible : aucune convention d'application communale de ce quartier ne figure "
    "dans les documents sources. Seules les informations ci-dessous sont connues."
)


def rate_bars(indicateurs: tuple[Indicateur, ...]) -> str:
    """Horizontal bars, quartier against the agglomeration, for rates that have a reference (HTML, escaped)."""
    rows = []
    for i in indicateurs:
        if not i.is_rate or i.reference is None:
            continue
        rows.append(
            "<div class='barre'>"
            f"<div class='barre-libelle'>{escape(i.libelle)}</div>"
            f"<div class='barre-ligne'><span class='barre-nom'>Quartier</span><span class='barre-fond'>"
            f"<span class='barre-q' style='width:{i.valeur:.1f}%'></span></span><b>{escape(fmt_quantity(i.valeur, i.unite))}</b></div>"
            f"<div class='barre-ligne'><span class='barre-nom'>Agglo.</span><span class='barre-fond'>"
            f"<span class='barre-r' style='width:{i.reference:.1f}%'></span></span>{escape(fmt_quantity(i.reference, i.unite))}</div>"
            "</div>"
        )
    if not rows:
        return ""
    style = (
        "<style>.barre{margin:0 0 .6rem 0}.barre-libelle{font-weight:600}.barre-ligne{display:flex;align-items:center;gap:.5rem}"
        ".barre-nom{width:5.5rem;font-size:.9em}.barre-fond{flex:1;background:#eee;height:.9rem;border:1px solid #999}"
        ".barre-q{display:block;height:100%;background:#b3261e}.barre-r{display:block;height:100%;"
        "background:repeating-linear-gradient(45deg,#1d3f8f 0 4px,#5b7bc4 4px 8px)}</style>"
    )
    return (
        style
        + "<div role='img' aria-label='Barres : chaque taux du quartier comparé à la référence'>"
        + "".join(rows)
        + "</div>"
    )


def portrait_header(quartier: Quartier) -> None:
    """The quartier's name, key facts and the printable fiche: what sits beside the map."""
    portrait = quartier.portrait
    st.header(quartier.nom, anchor="portrait")
    facts = [f"**Statut :** {md(_statut_label(quartier))}"]
    if quartier.code_qp:
        facts.append(f"**Code officiel 2024 :** {md(quartier.code_qp)}")
    if portrait and portrait.code_cite:
        facts.append(f"**Code cité dans la convention :** {md(portrait.code_cite)}")
    if quartier.nom_officiel and quartier.nom_officiel != quartier.nom:
        facts.append(f"**Nom officiel (ANCT) :** {md(quartier.nom_officiel)}")
    facts.append(f"**Communes :** {md(', '.join(quartier.communes))}")
    if quartier.epci:
        facts.append(f"**Intercommunalité :** {md(', '.join(quartier.epci))}")
    if quartier.surface_ha is not None:
        facts.append(
            f"**Surface du périmètre 2024 :** {md(fmt_number(quartier.surface_ha))} ha (calculée en Lambert-93)"
        )
    elif quartier.statut == "QIC":
        facts.append("**Périmètre :** non publié (aucun périmètre de QIC n'est disponible)")
    st.markdown("  \n".join(facts))
    if quartier.code_qp:
        st.markdown(f"[Fiche officielle SIG Ville]({settings.SIG_VILLE_URL.format(code=quartier.code_qp)})")
    if not quartier.voisin and portrait is not None:
        fiche_download(quartier)


def portrait_body(quartier: Quartier) -> None:
    """Everything else the sources say about the quartier, as text first, with its source under each block."""
    portrait = quartier.portrait
    if quartier.voisin:
        st.info(
            "QPV d'une agglomération voisine, hors contrats CABBALR / CALL : ses données ne figurent pas dans nos sources."
        )
        return
    if portrait is None:
        st.info("Aucune fiche n'a pu être chargée pour ce quartier (fichier de portrait absent ou écarté).")
        return
    if portrait.note:
        with st.expander("Remarques sur la source de ce portrait"):
            st.caption(md(portrait.note))
    if not portrait.portrait_detaille:
        st.info(NO_PORTRAIT)
    _statistics(portrait)
    _list_section("Les « irritants » : principales problématiques", portrait.irritants, irritant=True)
    _list_section("Les « opportunités » : atouts et ressources", portrait.opportunites)
    _list_section("Les enjeux prioritaires pour la commune", portrait.enjeux_prioritaires)
    _objectives(portrait)
    st.caption(md(source_line(get_documents(), portrait.source.document, portrait.source.section)))
    cadres_for(quartier)


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
    bars = rate_bars(portrait.indicateurs)
    if bars:
        st.html(bars)
    st.dataframe(indicator_table(portrait.indicateurs, get_documents()), hide_index=True, width="stretch")
    millesimes = sorted({i.millesime for i in portrait.indicateurs if i.millesime})
    if millesimes:
        st.caption(md("Millésime indiqué par la source : " + " ; ".join(millesimes)))


def _list_section(title: str, items, irritant: bool = False) -> None:
    if not items:
        return
    st.subheader(f"{title} ({len(items)})")
    for item in items:
        if irritant:
            st.markdown(f"- **{md(item.titre)}**")
            for paragraph in item.detail:
                st.markdown(md(paragraph))
            if item.sources_citees:
                st.caption(md(" ; ".join(item.sources_citees)))
        else:
            st.markdown(f"- {md(item.texte)}")
    first = items[0].source
    st.caption(md(source_line(get_documents(), first.document, first.section)))


def _objectives(portrait: Portrait) -> None:
    if not portrait.objectifs:
        return
    st.subheader("Objectifs opérationnels")
    st.caption(
        "Par enjeu, puis ambition de la stratégie intercommunale, puis objectif ; une cellule vide dans la convention reste vide ici."
    )
    enjeux: dict[str, list] = {}
    for objectif in portrait.objectifs:
        enjeux.setdefault(objectif.enjeu, []).append(objectif)
    for enjeu, rows in enjeux.items():
        filled = sum(1 for r in rows if r.operationnels)
        with st.expander(f"{enjeu} — {filled} objectif(s) renseigné(s) sur {len(rows)}"):
            ambition = None
            for row in rows:
                if row.ambition != ambition:
                    ambition = row.ambition
                    st.markdown(f"**Ambition : {md(ambition)}**" if ambition else "**Ambition : (non précisée)**")
                st.markdown(f"- Objectif : {md(row.objectif) if row.objectif else '(non précisé)'}")
                if not row.operationnels:
                    st.markdown("    - *Aucun objectif opérationnel indiqué dans la convention.*")
                for op in row.operationnels:
                    st.markdown(f"    - {md(op.texte)}")
                    for item in op.items:
                        st.markdown(f"        - {md(item)}")
            st.caption(md(source_line(get_documents(), rows[0].source.document, rows[0].source.section)))


def cadre_panel(cadre: Cadre) -> None:
    """The intercommunal frame: references, enjeux or piliers, ambitions, transversal axes."""
    with st.expander(f"Cadre intercommunal du contrat de ville — {cadre.epci}"):
        if cadre.note:
            st.caption(md(cadre.note))
        if cadre.references:
            st.markdown("**Références de l'agglomération**")
            st.dataframe(indicator_table(cadre.references, get_documents()), hide_index=True, width="stretch")
        for enjeu in cadre.enjeux:
            st.markdown(f"**{md(enjeu.titre)}**")
            for ambition in enjeu.ambitions:
                st.markdown(f"- {md(ambition.titre)}")
                for objectif in ambition.objectifs:
                    st.markdown(f"    - {md(objectif)}")
        for axe in cadre.transversaux:
            st.markdown(f"**Axe ou priorité transversale : {md(axe.titre)}**")
            for paragraph in axe.texte:
                st.markdown(f"- {md(paragraph)}")
        st.caption(md(source_line(get_documents(), cadre.source.document, cadre.source.section)))


def fiche_download(quartier: Quartier) -> None:
    from quartiers.fiche import fiche_html

    html = fiche_html(quartier, get_layers(), get_documents())
    st.download_button(
        "Fiche imprimable (HTML, à ouvrir puis imprimer)",
        html,
        file_name=f"fiche-{quartier.id}.html",
        mime="text/html",
        key="fiche",
    )


def cadres_for(quartier: Quartier) -> None:
    cadres, _ = get_cadres()
    for epci in quartier.epci:
        if epci in cadres:
            cadre_panel(cadres[epci])
