"""Plain French sentences answering "ce lieu est-il en QPV ?" for one located point."""

from __future__ import annotations

from quartiers import settings
from quartiers.zones import HORS_AGGLOMERATIONS, Location

VINTAGE = (
    "Périmètres officiels de la géographie prioritaire 2024-2030 (décret n° 2023-1314 du 28 décembre 2023). "
    "Réponse indicative : seul l'outil officiel SIG Ville fait foi."
)


def distance_text(metres: int) -> str:
    """140 m, 1,2 km."""
    if metres < 1000:
        return f"{metres} m"
    return f"{metres / 1000:.1f} km".replace(".", ",")


def _quartier(loc: Location) -> str:
    text = f"{loc.nom_qp} ({loc.code_qp}, {loc.communes})"
    if loc.voisin:
        text += f" — {loc.contrat or 'QPV voisin, hors contrats CABBALR / CALL'}"
    return text


def describe(loc: Location) -> str:
    """One sentence for a citizen, with the distance to the limit and the contract concerned.

    The status comes from the geometry; outside CABBALR and CALL a remark is added, never substituted.
    """
    return _status_sentence(loc) + (f" {territory_remark(loc)}" if loc.hors_agglomerations else "")


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


def _status_sentence(loc: Location) -> str:
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
        return f"Ce point est dans le QPV {_quartier(loc)}, à {distance_text(loc.distance_limite_m)} de sa limite."
    if loc.statut == "limite":
        distance = distance_text(loc.distance_limite_m)
        if loc.limite == "qpv":
            side = "à l'intérieur" if loc.dans_qpv else "à l'extérieur"
            where = f"à {distance} de la limite du QPV {_quartier(loc)}, {side}"
        else:
            where = f"au bord de la bande des 300 m du QPV {_quartier(loc)} ({distance} de sa limite)"
        return (
            f"Ce point est à la limite : {where}. Les limites suivent souvent l'axe des rues : "
            "à confirmer avec l'outil officiel SIG Ville (sig.ville.gouv.fr)."
        )
    if loc.statut == "bande":
        return (
            f"Ce point est à {distance_text(loc.distance_limite_m)} de la limite du QPV {_quartier(loc)}, "
            f"dans la bande des {int(settings.BAND_METRES)} m."
        )
    return (
        f"Ce point est hors QPV et hors bande des {int(settings.BAND_METRES)} m "
        f"(QPV le plus proche : {_quartier(loc)} à {distance_text(loc.distance_limite_m)})."
    )


BAND_DISCLAIMER = (
    "Bande des 300 m indicative : CGI art. 278 sexies (TVA 5,5 %), bande de 300 m mesurée depuis la limite du "
    "quartier, calculée en Lambert-93 (EPSG:2154). Seul l'outil officiel SIG Ville fait foi."
)
