"""Carte Quartiers 2030: the politique de la ville geography of CABBALR and CALL."""
