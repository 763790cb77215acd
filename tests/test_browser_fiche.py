"""The printable fiche as a browser prints it: chromium's PDF, rasterised by poppler (installed by `make browser`)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from quartiers import couches_officielles
from quartiers.catalogue import build_catalogue
from quartiers.fiche import fiche_html
from quartiers.portraits import load_documents, load_portraits

pytestmark = pytest.mark.browser

QUARTIER_RED = (0xB3, 0x26, 0x1E)  # .barre-q in quartiers/portrait_html.py


def _red_pixels(ppm_path) -> int:
    """Pixels within a few units of the quartier bar's red, in a binary PPM page written by pdftoppm."""
    data = ppm_path.read_bytes()
    # P6 header: magic, width, height, maxval, each followed by whitespace.
    parts = data.split(maxsplit=4)
    pixels = parts[4]
    count = 0
    for i in range(0, len(pixels) - 2, 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        if abs(r - QUARTIER_RED[0]) < 12 and abs(g - QUARTIER_RED[1]) < 12 and abs(b - QUARTIER_RED[2]) < 12:
            count += 1
    return count


def test_printed_fiche_keeps_its_rate_bars_with_backgrounds_off(browser, tmp_path):
    """Grande Résidence's poverty bar printed with the browser's default (no background graphics)."""
    layers = couches_officielles.load_layers()
    portraits, _ = load_portraits()
    catalogue = build_catalogue(layers.qpv, layers.qic, portraits)
    html = tmp_path / "fiche.html"
    html.write_text(fiche_html(catalogue["QN06225M"], layers, load_documents()), encoding="utf-8")
    page = browser.new_page()
    page.goto(html.as_uri())
    assert page.locator(".barre-q").count() >= 1
    pdf = tmp_path / "fiche.pdf"
    page.pdf(path=pdf, format="A4", print_background=False)
    page.close()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: `make browser` installs poppler-utils"
    subprocess.run([pdftoppm, "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    red = sum(_red_pixels(page_image) for page_image in tmp_path.glob("page*.ppm"))
    assert red > 20, "the quartier's bar printed empty"
