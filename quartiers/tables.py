"""Indicator tables and the list of quartiers as data frames: pure pandas, no Streamlit."""

from __future__ import annotations

import pandas as pd

from quartiers.catalogue import Quartier
from quartiers.formats import fmt_quantity, source_line
from quartiers.portraits import Document, Indicateur

TABLE_INDICATORS = {
    "taux_pauvrete": "Taux de pauvreté (%)",
    "taux_emploi_15_64": "Taux d'emploi 15-64 ans (%)",
    "part_parc_social": "Parc social (%)",
    "ips": "IPS",
}


def _population(quartier: Quartier) -> float | None:
    if quartier.portrait is None:
        return None
    for cle in ("population", "population_quartiers_2030"):
        indicateur = quartier.portrait.indicateur(cle)
        if indicateur is not None:
            return indicateur.valeur
    return None


def quartiers_table(catalogue: dict[str, Quartier]) -> pd.DataFrame:
    """Every quartier with statut, communes, EPCI, area, population and main indicators, linked to its portrait."""
    rows = []
    for q in sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower())):
        portrait = q.portrait
        row = {
            "Quartier": q.nom,
            "Statut": q.statut,
            "Code": q.code_qp or "",
            "Communes": ", ".join(q.communes),
            "Intercommunalité": ", ".join(q.epci) if q.epci else "hors contrats",
            "Surface 2024 (ha)": q.surface_ha,
            "Population": _population(q),
            "Portrait détaillé": "oui" if portrait and portrait.portrait_detaille else "non",
        }
        for cle, label in TABLE_INDICATORS.items():
            indicateur = portrait.indicateur(cle) if portrait else None
            row[label] = indicateur.valeur if indicateur else None
        row["Portrait"] = f"/?quartier={q.id}"
        rows.append(row)
    return pd.DataFrame(rows)


def comparable_ids(catalogue: dict[str, Quartier]) -> list[str]:
    """Quartiers that have at least one figure to compare."""
    return [
        q.id for q in sorted(catalogue.values(), key=lambda q: q.nom.lower()) if q.portrait and q.portrait.indicateurs
    ]


def comparison_table(quartiers: list[Quartier]) -> pd.DataFrame:
    """Indicators in rows, quartiers in columns; the agglomeration reference stays beside each value."""
    labels: dict[str, dict[str, str]] = {}
    for q in quartiers:
        for i in q.portrait.indicateurs:
            key = i.cle or i.libelle
            value = fmt_quantity(i.valeur, i.unite)
            if i.reference is not None:
                value += f" (réf. {fmt_quantity(i.reference, i.unite)})"
            labels.setdefault(key, {"Indicateur": i.libelle})[q.nom] = value
    return pd.DataFrame(list(labels.values())).set_index("Indicateur").fillna("—")


def indicator_table(indicateurs: tuple[Indicateur, ...], documents: dict[str, Document]) -> pd.DataFrame:
    """One row per indicator: value, reference beside it, source and vintage."""
    return pd.DataFrame(
        {
            "Indicateur": [i.libelle for i in indicateurs],
            "Quartier": [
                fmt_quantity(i.valeur, i.unite) + (f" ({i.evolution})" if i.evolution else "") for i in indicateurs
            ],
            "Référence": [
                (fmt_quantity(i.reference, i.unite) + (f" ({i.reference_libelle})" if i.reference_libelle else ""))
                if i.reference is not None
                else ""
                for i in indicateurs
            ],
            "Source et millésime": [
                source_line(documents, i.source.document, i.source.section, i.millesime) for i in indicateurs
            ],
        }
    )
