"""The list of quartiers and the comparison as data frames: pure pandas, no Streamlit.

A figure is an (indicator, source, vintage, perimeter) tuple (`Indicateur.mesure`). Two values share a
column of the Quartiers table, or a row of the comparison, only if the whole tuple is equal. A comparison row
names its source, vintage and perimeter; a table column's short title ends in a key (« [B] ») that the table's
legend (`attrs["cles"]`) spells out. `df.attrs["mesures"]` maps every figure column (table) or row label
(comparison) to its `Mesure`, so that tests and the UI can check it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quartiers.catalogue import Quartier, normalise_id
from quartiers.formats import fmt_number, fmt_reference, fmt_value, qualifier
from quartiers.portraits import Indicateur, Mesure

NO_COMPARABLE = "aucun chiffre des sources n'est comparable entre ces quartiers"
# Said instead when the 2024 surface (computed by the app on the official perimeters) is the only shared row.
ONLY_SURFACE = NO_COMPARABLE + " : seule la surface 2024, calculée sur les tracés officiels, l'est"
EMPTY = "—"

# Indicators shown in the Quartiers table, in this order, with a short label and unit.
TABLE_INDICATORS = {
    "population": "Population (hab.)",
    "population_2014": "Population 2014 (hab.)",
    "population_quartiers_2030": "Population « Quartiers 2030 » (hab.)",
    "surface": "Surface de l'ancien périmètre (ha)",
    "taux_pauvrete": "Taux de pauvreté (%)",
    "taux_emploi_15_64": "Taux d'emploi 15-64 ans (%)",
    "part_parc_social": "Parc social (%)",
    "ips": "IPS",
}
SURFACE_2024 = Mesure(
    indicateur="surface_2024",
    source="calcul sur le tracé ANCT",
    millesime="géographie prioritaire 2024 (décret n° 2023-1314)",
    perimetre="périmètre 2024, calculé en Lambert-93",
)
SURFACE_2024_LABEL = "Surface du périmètre 2024 (ha)"
# What a qualified cell of the Quartiers table means (the legend says it under the table).
ENVIRON = "≈"
QUALIFIER_NOTES = {
    ENVIRON: "« environ » dans la source",
    "mini – maxi": (
        "la source donne ce chiffre comme le plus bas (mini) ou le plus haut (maxi) des quartiers qu'elle compare"
    ),
}


@dataclass(frozen=True)
class SourceKey:
    """A short key for one (source, vintage, perimeter) triple: the columns that share it share a key.

    `mesure` is the first column's measure: its source, vintage and perimeter (and `label`) are the key's.
    """

    cle: str  # "A", "B"...
    mesure: Mesure

    source = property(lambda self: self.mesure.source)
    millesime = property(lambda self: self.mesure.millesime)
    perimetre = property(lambda self: self.mesure.perimetre)
    label = property(lambda self: self.mesure.label)  # « source ; millésime ; périmètre »


def column_name(label: str, key: SourceKey) -> str:
    """« Taux de pauvreté (%) [B] »: the indicator and the key of its (source, vintage, perimeter) in the legend."""
    return f"{label} [{key.cle}]"


def _key_letter(n: int) -> str:
    return chr(ord("A") + n) if n < 26 else f"A{n - 25}"


def _measures(catalogue: dict[str, Quartier]) -> dict[Mesure, list[str]]:
    """Every (cle) measure of TABLE_INDICATORS found in the portraits, with the ids that have it."""
    found: dict[Mesure, list[str]] = {}
    for q in catalogue.values():
        for i in q.portrait.indicateurs if q.portrait else ():
            if i.cle in TABLE_INDICATORS and q.id not in found.get(i.mesure, ()):
                found.setdefault(i.mesure, []).append(q.id)
    order = list(TABLE_INDICATORS)
    return dict(sorted(found.items(), key=lambda kv: (order.index(kv[0].indicateur), -len(kv[1]), kv[0])))


def _figures(quartier: Quartier, mesure: Mesure) -> list[Indicateur]:
    if quartier.portrait is None:
        return []
    return [i for i in quartier.portrait.indicateurs if i.mesure == mesure]


def cell_text(figures: list[Indicateur]) -> str | None:
    """A figure of the Quartiers table as the source qualifies it, without the unit (the column title has it).

    « ≈ 3 300 » for « environ 3 300 »; « 70,5 (maxi) »; « 53,9 – 70,5 (mini – maxi) » when one quartier has
    both; « +56 » for a variation. None when the bare number says exactly what the source says.
    """
    if not figures:
        return None
    words = {qualifier(i): i for i in figures}
    if "mini" in words and "maxi" in words:
        return f"{fmt_number(words['mini'].valeur)} – {fmt_number(words['maxi'].valeur)} (mini – maxi)"
    figure = figures[0]
    word = qualifier(figure)
    text = fmt_number(figure.valeur)
    if figure.variation and figure.valeur > 0:
        text = "+" + text
    if word == "environ":
        return f"{ENVIRON} {text}"
    if word:
        return f"{text} ({word})"
    return text if figure.variation else None


def quartiers_table(catalogue: dict[str, Quartier]) -> pd.DataFrame:
    """Every quartier: its name, one column per figure measure (both surfaces included), then its identity.

    Column titles are short: the indicator and a key (« Population (hab.) [A] »). `attrs["cles"]` lists the
    SourceKey of every key (the legend), `attrs["mesures"]` maps each figure column to its whole Mesure, and
    `attrs["cle_colonne"]` each figure column to its key. Empty cells are None (shown as « — »); numbers stay
    numbers for sorting. `attrs["affichage"]` maps (row, column) to the figure as the source qualifies it
    (« ≈ 2 600 », « 70,5 (maxi) », see `cell_text`) wherever the bare number would say more or less.
    """
    measures = [SURFACE_2024, *_measures(catalogue)]
    keys: dict[tuple[str, str, str], SourceKey] = {}
    for m in measures:
        triple = (m.source, m.millesime, m.perimetre)
        if triple not in keys:
            keys[triple] = SourceKey(_key_letter(len(keys)), m)
    labels = {SURFACE_2024.indicateur: SURFACE_2024_LABEL, **TABLE_INDICATORS}
    columns: dict[str, Mesure] = {}
    key_of: dict[str, SourceKey] = {}
    for m in measures:  # one column per whole tuple
        key = keys[(m.source, m.millesime, m.perimetre)]
        name = column_name(labels[m.indicateur], key)
        columns[name], key_of[name] = m, key
    surface_column = next(iter(columns))
    rows, shown = [], {}
    for q in sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower())):
        portrait = q.portrait
        # The figures right after the name (what an élu compares, and what a projector shows without
        # scrolling sideways), then what identifies the quartier.
        row = {"Quartier": q.nom, surface_column: q.surface_ha}
        for name, mesure in list(columns.items())[1:]:
            figures = _figures(q, mesure)
            row[name] = min(i.valeur for i in figures) if figures else None
            text = cell_text(figures)
            if text is not None:
                shown[(len(rows), name)] = text
        row |= {
            "Statut": q.statut,
            "Code": q.code_qp or EMPTY,
            "Communes": ", ".join(q.communes),
            "Intercommunalité": ", ".join(q.epci) if q.epci else "hors contrats",
            "Portrait détaillé": "oui" if portrait and portrait.portrait_detaille else "non",
            "Portrait": f"/?quartier={q.id}",
        }
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs["mesures"] = columns
    frame.attrs["cle_colonne"] = key_of
    frame.attrs["cles"] = list(keys.values())
    frame.attrs["affichage"] = shown
    return frame


def parse_ids(raw: str | None, catalogue: dict[str, Quartier]) -> tuple[list[str], list[str]]:
    """The quartiers of a comma-separated list of ids (« QN06208M,qn06209m »): known ids in order, once each,
    and the values that name no quartier, as typed (cut to 40 characters)."""
    ids, unknown = [], []
    for value in (raw or "").split(","):
        if not value.strip():
            continue
        quartier_id = normalise_id(value)
        if quartier_id in catalogue:
            if quartier_id not in ids:
                ids.append(quartier_id)
        else:
            unknown.append(value.strip()[:40])
    return ids, unknown


def comparable_ids(catalogue: dict[str, Quartier]) -> list[str]:
    """Quartiers that have at least one figure (their own, or a computed 2024 surface)."""
    return [
        q.id
        for q in sorted(catalogue.values(), key=lambda q: q.nom.lower())
        if (q.portrait and q.portrait.indicateurs) or q.surface_ha is not None
    ]


@dataclass(frozen=True)
class Comparison:
    """Rows of figures shared by at least two of the chosen quartiers, and what cannot be compared."""

    table: pd.DataFrame  # index « indicateur — source ; millésime ; périmètre », one column per quartier
    apart: pd.DataFrame  # figures only one chosen quartier has: quartier, indicateur, valeur, source
    message: str | None  # NO_COMPARABLE (or ONLY_SURFACE) when no figure of the sources is shared
    rows: tuple[tuple[str, str, list[str]], ...] = ()  # (figure, measure label, cells), for HTML
    names: tuple[str, ...] = ()


def _cell(indicateur: Indicateur) -> str:
    text = fmt_value(indicateur)
    reference = fmt_reference(indicateur)
    return text + (f" — réf. {reference}" if reference else "")


def comparison(quartiers: list[Quartier]) -> Comparison:
    """Side by side only what is comparable: same indicator, source, vintage and perimeter."""
    by_measure: dict[Mesure, dict[str, tuple[str, Indicateur | None]]] = {}
    labels: dict[Mesure, str] = {}
    for q in quartiers:
        if q.surface_ha is not None:
            by_measure.setdefault(SURFACE_2024, {})[q.nom] = (fmt_number(q.surface_ha) + " ha", None)
            labels[SURFACE_2024] = "Surface du périmètre 2024"
        for i in q.portrait.indicateurs if q.portrait else ():
            by_measure.setdefault(i.mesure, {}).setdefault(q.nom, (_cell(i), i))
            labels.setdefault(
                i.mesure, "Surface de l'ancien périmètre, selon la convention" if i.cle == "surface" else i.libelle
            )
    names = [q.nom for q in quartiers]
    shared = {m: v for m, v in by_measure.items() if len(v) >= 2}
    rows, mesures, html_rows = [], {}, []
    for mesure, values in shared.items():
        label = f"{labels[mesure]} — {mesure.label}"
        mesures[label] = mesure
        html_rows.append((labels[mesure], mesure.label, [values.get(n, (EMPTY,))[0] for n in names]))
        rows.append(
            {"Chiffre (source ; millésime ; périmètre)": label, **{n: values.get(n, (EMPTY,))[0] for n in names}}
        )
    table = pd.DataFrame(rows, columns=["Chiffre (source ; millésime ; périmètre)", *names])
    table = table.set_index("Chiffre (source ; millésime ; périmètre)")
    table.attrs["mesures"] = mesures
    apart_rows = [
        {"Quartier": nom, "Chiffre": labels[m], "Valeur": value, "Source ; millésime ; périmètre": m.label}
        for m, values in by_measure.items()
        if len(values) < 2
        for nom, (value, _) in values.items()
    ]
    apart = pd.DataFrame(apart_rows, columns=["Quartier", "Chiffre", "Valeur", "Source ; millésime ; périmètre"])
    from_sources = [m for m in shared if m != SURFACE_2024]  # the 2024 surface is computed, not from a source
    if len(quartiers) < 2 or from_sources:
        message = None
    else:
        message = ONLY_SURFACE if SURFACE_2024 in shared else NO_COMPARABLE
    return Comparison(table=table, apart=apart, message=message, rows=tuple(html_rows), names=tuple(names))


def comparison_table(quartiers: list[Quartier]) -> pd.DataFrame:
    """The comparable rows only (see `comparison`)."""
    return comparison(quartiers).table
