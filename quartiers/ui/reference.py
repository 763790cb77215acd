"""Widgets of the Quartiers and Sources et méthode pages."""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from quartiers import portrait_html as ph
from quartiers import settings, tables
from quartiers.answers import BAND_DISCLAIMER
from quartiers.catalogue import Quartier
from quartiers.formats import fmt_number
from quartiers.ui.state import get_documents, md


def _french(value) -> str:
    return tables.EMPTY if value is None or pd.isna(value) else fmt_number(float(value))


def quartier_links(catalogue: dict[str, Quartier]) -> None:
    """Every quartier as a real link to its portrait, reachable with the keyboard, opening in the same tab."""
    presentation = st.query_params.get("presentation") == "1"
    quartiers = sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower()))
    st.html(ph.STYLE + ph.quartier_links(quartiers, presentation))


def quartiers_table(catalogue: dict[str, Quartier]) -> None:
    """The table of quartiers as HTML, sorted on the server by the column the user chooses (numbers as numbers,
    empty cells last and shown « — »); each quartier's name links to its portrait."""
    frame = tables.quartiers_table(catalogue)
    mesures, affichage = frame.attrs["mesures"], frame.attrs["affichage"]
    columns = [c for c in frame.columns if c != "Portrait"]
    sort_col, order_col = st.columns([3, 1])
    key = sort_col.selectbox("Trier le tableau par", columns, index=0, key="tri_quartiers")
    descending = order_col.toggle("Ordre décroissant", key="tri_decroissant")
    order = frame.sort_values(
        key, ascending=not descending, na_position="last", key=(lambda s: s.str.lower()) if key not in mesures else None
    ).index
    rows = []
    for index in order:
        cells = []
        for column in columns:
            value = frame.at[index, column]
            if column in mesures:
                cells.append(affichage.get((index, column)) or _french(value))
            else:
                cells.append(str(value))
        rows.append(cells)
    st.html(
        ph.STYLE
        + ph.data_table(
            "Tableau des quartiers : une colonne par mesure (indicateur — source ; millésime ; périmètre)",
            columns,
            rows,
            [frame.at[i, "Portrait"] for i in order],
            st.query_params.get("presentation") == "1",
        )
    )
    st.caption(
        "Chaque colonne de chiffres ne contient qu'une seule mesure : même indicateur, même source, même millésime, "
        "même périmètre (indiqués dans son en-tête). Un même indicateur mesuré autrement est dans une autre colonne : "
        "ne comparez pas deux colonnes entre elles. Sur un petit écran, faites défiler le tableau horizontalement."
    )


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
            "local », base communale, fichier geodata/filosofi2021_communes_62.csv), Licence Ouverte / Etalab 2.0. Revenu "
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
    st.header("Fiches officielles SIG Ville")
    lines = [
        f"- [{md(q.nom)} ({q.code_qp})]({settings.SIG_VILLE_URL.format(code=q.code_qp)})"
        for q in sorted(catalogue.values(), key=lambda q: q.code_qp or "")
        if q.code_qp
    ]
    st.markdown("\n".join(lines))
