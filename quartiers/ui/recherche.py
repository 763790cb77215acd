"""The search box: a quartier (any of its names or codes) or a commune, typed as people type."""

from __future__ import annotations

import streamlit as st

from quartiers.catalogue import Quartier
from quartiers.ui.state import get_catalogue, get_layers, request_view, select


def search_options(catalogue: dict[str, Quartier]) -> dict[str, str]:
    """Search labels → value: "q:<id>" for a quartier, "c:<commune>" for a commune."""
    options = {}
    for quartier in sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower())):
        suffix = " — QPV voisin" if quartier.voisin else (" — QIC" if quartier.statut == "QIC" else "")
        options[f"{quartier.label}{suffix}"] = f"q:{quartier.id}"
    communes = get_layers().communes
    if communes is not None:
        for nom in sorted(communes["nom"]):
            options[f"Commune : {nom}"] = f"c:{nom}"
    return options


def _on_search() -> None:
    value = st.session_state.get("recherche")
    if not value:
        return
    target = search_options(get_catalogue()).get(value, "")
    if target.startswith("q:"):
        st.session_state["vue_commune"] = None
        select(target[2:])
    elif target.startswith("c:"):
        st.session_state["vue_commune"] = target[2:]
        select(None)
    request_view()


def search_box(catalogue: dict[str, Quartier], quartier: Quartier | None) -> None:
    """Type a quartier or a commune; the map zooms to it and a quartier's portrait opens."""
    labels = search_options(catalogue)
    options = list(labels)
    current = next((label for label, v in labels.items() if quartier and v == f"q:{quartier.id}"), None)
    st.selectbox(
        "Rechercher un quartier ou une commune",
        options,
        index=options.index(current) if current in options else None,
        placeholder="Tapez un nom : Mont Liébaut, Lens, Catorive…",
        key="recherche",
        on_change=_on_search,
    )
