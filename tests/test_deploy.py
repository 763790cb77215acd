"""The deployment's nginx configuration (deploy/nginx.conf.template) as scripts/serve_multi.py renders it."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit

from scripts.serve_multi import nginx_config

STREAMLIT_INDEX = Path(streamlit.__file__).parent / "static" / "index.html"


def test_nginx_serves_the_page_in_french_from_the_first_byte(tmp_path):
    """RGAA 8.3: nginx rewrites Streamlit's `<html lang="en">`, which the installed Streamlit really serves."""
    config = nginx_config(8080, [8501, 8502], tmp_path)
    rewrite = re.search(r"sub_filter '([^']+)' '([^']+)';", config)
    assert rewrite and rewrite.groups() == ('<html lang="en">', '<html lang="fr">')
    assert 'proxy_set_header Accept-Encoding "";' in config  # sub_filter cannot read a compressed answer
    assert rewrite.group(1) in STREAMLIT_INDEX.read_text(encoding="utf-8")
