"""Carte Quartiers 2030: the politique de la ville geography of CABBALR and CALL."""

from quartiers import gdal_config

gdal_config.apply()  # before anything imports pyogrio: GDAL reads its driver list once, when it registers them
