"""Plain French sentences answering "ce lieu est-il en QPV ?" for one located point."""

from __future__ import annotations

from quartiers import settings
from quartiers.formats import fmt_number
from quartiers.zones import HORS_AGGLOMERATIONS, Location

VINTAGE = (
    "Périmètres officiels de la géographie prioritaire 2024-2030 (décret n° 2023-1314 du 28 décembre 2023). "
    "Réponse indicative : seul l'outil officiel SIG Ville fait foi."
)


def distance_text(metres: int) -> str:
    """140 m, 1,2 km, 7 455,3 km (French thousands space)."""
    if metres < 1000:
        return f"{metres} m"
    return f"{fmt_number(metres / 1000, 1)} km"


def count_text(n: int, singular: str, plural: str) -> str:
    """A count with its words agreed in French: 0 or 1 take the singular ("1 ligne traitée", "2 lignes traitées").

    Thousands are separated by a narrow no-break space (200 000).
    """
    number = f"{n:,}".replace(",", "\u202f")
    return f"{number} {singular if abs(n) < 2 else plural}"


def _quartier(loc: Location, nom: str | None = None) -> str:
    """`nom` (the catalogue's, as in the portrait) first, then the ANCT name when different, code and communes."""
    official = loc.nom_qp or ""
    if nom and nom != official:
        text = f"{nom} ({official} ; {loc.code_qp}, {loc.communes})"
    else:
        text = f"{official} ({loc.code_qp}, {loc.communes})"
    if loc.voisin:
        text += f" — {loc.contrat or 'QPV voisin, hors contrats CABBALR / CALL'}"
    return text


def describe(loc: Location, nom: str | None = None) -> str:
    """One sentence for a citizen, with the distance to the limit and the contract concerned.

    `nom`: the quartier's name as the portrait and the catalogue give it ("Mont Liébaut"), shown before the ANCT
    name (`loc.nom_qp`, "Quartier Du Mont Liébaut") when different. The status comes from the geometry;
    outside CABBALR and CALL a remark is added, never substituted.
    """
    return _status_sentence(loc, nom) + (f" {territory_remark(loc)}" if loc.hors_agglomerations else "")


def territory_remark(loc: Location) -> str:
    """The French remark for a point outside CABBALR and CALL ("" inside)."""
    if not loc.hors_agglomerations:
        return ""
    remark = f"Remarque : ce point est {HORS_AGGLOMERATIONS}."
    if loc.statut == "hors":
        remark += (
            " Seuls les QPV de ces deux agglomérations et leurs voisins immédiats sont chargés ici : "
            "pour un autre territoire, consultez l'outil officiel SIG Ville (sig.ville.gouv.fr)."
        )
    return remark


def _status_sentence(loc: Location, nom: str | None) -> str:
    if loc.statut == "invalide":
        reason = f" ({loc.motif})" if loc.motif else ""
        return (
            f"Coordonnées invalides{reason} : la latitude et la longitude doivent être des nombres en degrés "
            "(ex. 50,518 et 2,629)."
        )
    if loc.code_qp is None:
        return (
            f"Ce point est hors QPV et hors bande des {int(settings.BAND_METRES)} m : il est très loin de tout "
            "quartier prioritaire connu ici."
        )
    if loc.statut == "dans":
        return f"Ce point est dans le QPV {_quartier(loc, nom)}, à {distance_text(loc.distance_limite_m)} de sa limite."
    if loc.statut == "limite":
        distance = distance_text(loc.distance_limite_m)
        if loc.limite == "qpv":
            side = "à l'intérieur" if loc.dans_qpv else "à l'extérieur"
            where = f"à {distance} de la limite du QPV {_quartier(loc, nom)}, {side}"
        else:
            where = f"au bord de la bande des 300 m du QPV {_quartier(loc, nom)} ({distance} de sa limite)"
        return (
            f"Ce point est à la limite : {where}. Les limites suivent souvent l'axe des rues : "
            "à confirmer avec l'outil officiel SIG Ville (sig.ville.gouv.fr)."
        )
    if loc.statut == "bande":
        return (
            f"Ce point est à {distance_text(loc.distance_limite_m)} de la limite du QPV {_quartier(loc, nom)}, "
            f"dans la bande des {int(settings.BAND_METRES)} m."
        )
    return (
        f"Ce point est hors QPV et hors bande des {int(settings.BAND_METRES)} m "
        f"(QPV le plus proche : {_quartier(loc, nom)} à {distance_text(loc.distance_limite_m)})."
    )


def nearest_remark(loc: Location) -> str:
    """For a point outside every QPV and band: "QPV le plus proche : NOM (CODE), à 2,5 km" ("" otherwise)."""
    if loc.statut != "hors" or loc.code_qp is None or loc.distance_limite_m is None:
        return ""
    return f"QPV le plus proche : {loc.nom_qp} ({loc.code_qp}), à {distance_text(loc.distance_limite_m)}"


BAND_DISCLAIMER = (
    "Bande des 300 m indicative : CGI art. 278 sexies (TVA 5,5 %), bande de 300 m mesurée depuis la limite du "
    "quartier, calculée en Lambert-93 (EPSG:2154). Seul l'outil officiel SIG Ville fait foi."
)
