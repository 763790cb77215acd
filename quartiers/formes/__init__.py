"""Shapes that a person brings: a proposed perimeter or building footprints, uploaded or drawn on a map.

One home for that concern, used by « Tester un périmètre » and « Tester un programme »:
`lecture` reads and validates an uploaded file or a drawing once, at the edge (Lambert-93, EPSG:2154);
`bilan_perimetre` assesses a proposed perimeter against the official layers; `carte` draws a shape over
the official layers; `feuille_perimetre` is its printable A4 sheet. For a housing programme (building footprints):
`programme` (the 300 m / 500 m rule of CGI art. 278 sexies), `carte_programme` (its map layers),
`feuille_programme` (its A4 sheet).
"""
