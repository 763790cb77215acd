"""Widgets of the Quartiers and Sources et méthode pages."""

from __future__ import annotations

import streamlit as st

from quartiers import settings
from quartiers.answers import BAND_DISCLAIMER
from quartiers.catalogue import Quartier
from quartiers.ui.state import get_documents, md


def quartiers_table_columns() -> dict:
    return {
        "Portrait": st.column_config.LinkColumn("Portrait", display_text="Voir"),
        "Surface 2024 (ha)": st.column_config.NumberColumn(format="%.1f"),
        "Population": st.column_config.NumberColumn(format="%d"),
    }


def sources_page(catalogue: dict[str, Quartier]) -> None:
    documents = get_documents()
    st.header("Documents sources des portraits")
    st.markdown(
        "Chaque chiffre et chaque phrase des portraits vient de l'un de ces documents, mot pour mot, avec la section "
        "citée sous chaque bloc. Quand un quartier n'a pas de convention communale, l'application le dit et ne comble pas le vide."
    )
    for document in documents.values():
        st.markdown(f"- **Document {md(document.code)}** : {md(document.titre)}")
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
    st.header("Fiches officielles SIG Ville")
    lines = [
        f"- [{md(q.nom)} ({q.code_qp})]({settings.SIG_VILLE_URL.format(code=q.code_qp)})"
        for q in sorted(catalogue.values(), key=lambda q: q.code_qp or "")
        if q.code_qp
    ]
    st.markdown("\n".join(lines))
