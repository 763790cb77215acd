"""The `python -m quartiers` command line: export a layer, locate points, check the portraits, test shapes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from quartiers.answers import VINTAGE, describe
from quartiers.batch import (
    MAX_BYTES,
    MAX_MEGABYTES,
    BatchError,
    locate_table,
    point_record,
    read_csv,
    to_csv_bytes,
)
from quartiers.couches_officielles import load_layers
from quartiers.exports import EXPORTABLE, ExportError, layer_geojson
from quartiers.portraits import PortraitError, load_cadres_checked, load_portraits
from quartiers.verbatim import load_sources, unfaithful_cadre_texts, unfaithful_texts
from quartiers.zones import Locator


class FrenchArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"Erreur : argument invalide ({message}).\n")


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(prog="python -m quartiers", description="Carte Quartiers 2030 en ligne de commande.")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="exporter une couche en GeoJSON")
    export.add_argument("layer", help=f"couche : {', '.join(EXPORTABLE)}")
    export.add_argument("output", type=Path, help="fichier GeoJSON à écrire")
    situer = commands.add_parser("situer", help="dire si des points sont en QPV ou dans la bande des 300 m")
    situer.add_argument("fichier", nargs="?", type=Path, help="CSV avec colonnes latitude et longitude")
    situer.add_argument("-o", "--output", type=Path, help="CSV résultat")
    situer.add_argument("--lat", type=float)
    situer.add_argument("--lon", type=float)
    commands.add_parser("verifier-portraits", help="valider les fichiers de portraits/")
    _add_perimetre_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "export":
        return _export(args.layer, args.output)
    if args.command == "situer":
        return _situer(args)
    if args.command == "perimetre":
        return _perimetre(args)
    if args.command == "importer-qic":
        return _importer_qic(args)
    if args.command == "programme":
        return _programme(args)
    return _check_portraits()


def _export(layer: str, output: Path) -> int:
    layers = load_layers()
    try:
        text = layer_geojson(layers, layer)
    except ExportError as exc:
        hint = (
            " Pour en ajouter un : python -m quartiers importer-qic (écrit geodata/qic.geojson)."
            if layer == "qic" and layers.qic is None
            else ""
        )
        print(f"Erreur : {exc}{hint}", file=sys.stderr)
        return 1
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"Erreur : impossible d'écrire {output} ({exc.strerror}).", file=sys.stderr)
        return 1
    print(f"Couche « {layer} » écrite dans {output}")
    return 0


def _locator() -> Locator | None:
    layers = load_layers()
    if layers.qpv is None:
        print("Erreur : " + " ".join(layers.problems), file=sys.stderr)
        return None
    return Locator(layers.qpv, layers.epci)


def _situer(args) -> int:
    if args.fichier is None:
        if args.lat is None or args.lon is None:
            print("Erreur : donner un fichier CSV, ou --lat et --lon.", file=sys.stderr)
            return 2
        if not (-90 <= args.lat <= 90 and -180 <= args.lon <= 180):
            print("Erreur : latitude entre -90 et 90, longitude entre -180 et 180 (degrés WGS84).", file=sys.stderr)
            return 2
        locator = _locator()
        if locator is None:
            return 1
        location = locator.locate(args.lat, args.lon)
        answer = point_record(location) | {  # as in the CSV result: code_qp only for a point concerned
            "reponse": describe(location),
            "avertissement": VINTAGE,
        }
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    if args.output is None:
        print("Erreur : indiquer le fichier résultat avec -o resultat.csv", file=sys.stderr)
        return 2
    try:
        content = read_limited(args.fichier)
        table = read_csv(content, args.fichier.name)
        locator = _locator()
        if locator is None:
            return 1
        result = locate_table(table, locator)
    except BatchError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Erreur : impossible de lire {args.fichier} ({exc.strerror}).", file=sys.stderr)
        return 1
    try:
        args.output.write_bytes(to_csv_bytes(result.frame, table.separator))
    except OSError as exc:
        print(f"Erreur : impossible d'écrire {args.output} ({exc.strerror}).", file=sys.stderr)
        return 1
    print(f"Résultat écrit dans {args.output} : {result.summary()}")
    if result.level == "error":
        print("Erreur : aucun point du fichier n'a pu être situé.", file=sys.stderr)
        return 1
    if result.level == "warning":
        print("Attention : " + result.summary(), file=sys.stderr)
    return 0


def _check_portraits() -> int:
    layers = load_layers()
    for problem in layers.problems:
        print(f"Attention : {problem}")
    portraits, errors = load_portraits()
    for error in errors:
        print(f"Erreur : {error}")
    unfaithful: list[str] = []
    sources = None
    try:
        sources = load_sources()
    except PortraitError as exc:
        errors.append(exc)
        print(f"Erreur : {exc} (fidélité aux sources non vérifiée)")
    except OSError as exc:
        errors.append(exc)
        print(
            f"Erreur : document source illisible : {Path(exc.filename or '').name} (fidélité aux sources non vérifiée)"
        )
    else:
        unfaithful = [message for portrait in portraits.values() for message in unfaithful_texts(portrait, sources)]
    cadres, cadre_errors = load_cadres_checked()
    if sources is not None:
        unfaithful += [message for cadre in cadres.values() for message in unfaithful_cadre_texts(cadre, sources)]
    for message in unfaithful:
        print(f"Erreur : {message}")
    for error in cadre_errors:
        print(f"Erreur : {error}")
    print(
        f"{len(portraits)} portraits valides, {len(errors)} fichiers écartés, {len(unfaithful)} textes non conformes "
        f"à leur source, cadres : {', '.join(cadres) or 'aucun'}."
    )
    return 1 if errors or unfaithful or cadre_errors else 0


def read_limited(path: Path) -> bytes:
    """The file's bytes, at most MAX_BYTES of them: a larger file or an endless stream (/dev/zero, a pipe) is
    refused (BatchError, French) after reading MAX_BYTES + 1 bytes, never read whole."""
    too_large = f"Le fichier {path.name} dépasse la taille maximale de {MAX_MEGABYTES} Mo."
    if path.stat().st_size > MAX_BYTES:
        raise BatchError(too_large)
    with path.open("rb") as stream:
        content = stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise BatchError(too_large)
    return content


def _add_perimetre_commands(commands) -> None:
    perimetre = commands.add_parser("perimetre", help="mesurer un périmètre proposé face aux QPV officiels")
    perimetre.add_argument("proposition", type=Path, help="GeoJSON, GeoPackage, Shapefile zippé ou KML")
    perimetre.add_argument("--json", action="store_true", help="résultat en JSON")
    perimetre.add_argument("-o", "--output", type=Path, help="GeoJSON résultat (proposition, bande, ajouts, retraits)")
    perimetre.add_argument("--couche", help="couche à lire dans un GeoPackage qui en contient plusieurs")
    programme = commands.add_parser(
        "programme", help="dire si un programme de logements est dans la zone des 300 m / 500 m (TVA réduite)"
    )
    programme.add_argument(
        "emprises", type=Path, help="emprises des bâtiments : GeoJSON, GeoPackage, Shapefile zippé ou KML"
    )
    programme.add_argument("--json", action="store_true", help="résultat en JSON")
    programme.add_argument(
        "-o", "--output", type=Path, help="GeoJSON résultat (emprises et verdicts, lignes utilisées)"
    )
    programme.add_argument("--couche", help="couche à lire dans un GeoPackage qui en contient plusieurs")
    qic = commands.add_parser("importer-qic", help="ajouter ou remplacer un QIC dans geodata/qic.geojson")
    qic.add_argument("fichier", type=Path, help="périmètre publié : GeoJSON, GeoPackage, Shapefile zippé ou KML")
    qic.add_argument("--nom", required=True)
    qic.add_argument("--commune", required=True)
    qic.add_argument("--source", required=True, help="acte ou fichier de publication")
    qic.add_argument("--date", required=True, help="date de l'acte, AAAA-MM-JJ")
    qic.add_argument("--couche", help="couche à lire dans un GeoPackage qui en contient plusieurs")
    qic.add_argument("--geodata", type=Path, help="dossier geodata/ à modifier (par défaut celui du projet)")


def _read_proposal_file(path: Path, layer: str | None, reader=None):
    """The file read by `reader` (lecture.read_proposal by default); ProposalError when it cannot be read."""
    from quartiers.formes.lecture import ProposalError, read_proposal

    try:
        data = read_limited(path)
    except BatchError as exc:
        raise ProposalError(str(exc)) from exc
    except OSError as exc:
        raise ProposalError(f"impossible de lire {path} ({exc.strerror}).") from exc
    return (reader or read_proposal)(data, path.name, layer=layer)


def _perimetre(args) -> int:
    from quartiers.couches_officielles import LayerError
    from quartiers.formats import fmt_ha, fmt_share
    from quartiers.formes.bilan_perimetre import assess, load_reference, result_geojson, result_json
    from quartiers.formes.lecture import ProposalError

    try:
        proposal = _read_proposal_file(args.proposition, args.couche)
        bilans = assess(proposal, load_reference())
    except (ProposalError, LayerError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    for message in proposal.messages:
        print(f"Attention : {message}", file=sys.stderr)
    if args.output is not None:
        try:
            args.output.write_text(result_geojson(bilans), encoding="utf-8")
        except OSError as exc:
            print(f"Erreur : impossible d'écrire {args.output} ({exc.strerror}).", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(result_json(bilans), ensure_ascii=False, indent=2))
        return 0
    for bilan in bilans:
        print(
            f"{bilan.nom} : {fmt_ha(bilan.surface_ha)}, bande des 300 m {fmt_ha(bilan.surface_bande_300m_ha)}, "
            f"hors QPV {fmt_ha(bilan.surface_hors_qpv_ha)}"
            + (" — hors territoire CABBALR / CALL" if bilan.hors_territoire else "")
        )
        for commune in bilan.communes:
            print(f"  commune {commune.nom} ({commune.code}) : {fmt_ha(commune.surface_ha)}")
        for q in bilan.qpv:
            print(
                f"  {q.nom_qp} ({q.code_qp}) : {fmt_ha(q.surface_en_commun_ha)} en commun, "
                f"{fmt_share(q.part_du_qpv_pct)} du QPV, {fmt_ha(q.surface_qpv_hors_proposition_ha)} du QPV hors proposition"
            )
    if args.output is not None:
        print(f"Résultat écrit dans {args.output}")
    return 0


def _programme(args) -> int:
    from quartiers.couches_officielles import LayerError
    from quartiers.formes.bilan_perimetre import load_reference
    from quartiers.formes.lecture import ProposalError
    from quartiers.formes.programme import (
        CONDITIONS,
        ProgrammeReference,
        assess_programme,
        phrases,
        read_programme,
        result_geojson,
        sources_npnru,
    )

    try:
        proposal = _read_proposal_file(args.emprises, args.couche, read_programme)
        reference = ProgrammeReference.build(load_reference())
        programme = assess_programme(proposal, reference)
    except (ProposalError, LayerError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    for message in proposal.messages:
        print(f"Attention : {message}", file=sys.stderr)
    if args.output is not None:
        try:
            args.output.write_text(result_geojson(programme, reference), encoding="utf-8")
        except OSError as exc:
            print(f"Erreur : impossible d'écrire {args.output} ({exc.strerror}).", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(programme.as_json(), ensure_ascii=False, indent=2))
        return 0
    for verdict in (*programme.batiments, programme.ensemble):
        print(verdict.nom)
        for line in phrases(verdict, reference):
            print(f"  {line}")
    print("Conditions :")
    for line in (*CONDITIONS, *sources_npnru(programme, reference)):
        print(f"  - {line}")
    if args.output is not None:
        print(f"Résultat écrit dans {args.output}")
    return 0


def _importer_qic(args) -> int:
    from quartiers.formats import fmt_ha
    from quartiers.formes.lecture import ProposalError
    from quartiers.qic import import_qic

    try:
        proposal = _read_proposal_file(args.fichier, args.couche)
        imported = import_qic(proposal, args.nom, args.commune, args.source, args.date, args.geodata)
    except ProposalError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    for message in imported.messages:
        print(f"Attention : {message}", file=sys.stderr)
    action = "remplacé" if imported.remplace else "ajouté"
    print(f"QIC « {imported.id} » {action} dans {imported.path} ({fmt_ha(imported.surface_ha)}).")
    return 0
