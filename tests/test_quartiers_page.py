"""The Quartiers page through AppTest: the table sorts numbers as numbers, empty cells last, read « — »."""

from __future__ import annotations

import re
from html import unescape

import pytest
from streamlit.testing.v1 import AppTest

from quartiers import settings
from quartiers.portraits import load_portraits

APP = str(settings.ROOT / "app.py")


pytestmark = pytest.mark.usefixtures("fresh_caches")


def table_rows(at: AppTest) -> list[list[str]]:
    body = next(h.proto.body for h in at.get("html") if "Tableau des quartiers" in h.proto.body)
    rows = []
    for row in re.findall(r"<tr><th scope='row'>(.*?)</tr>", body):
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)) for c in re.split(r"</t[hd]><t[hd][^>]*>", row)])
    return rows


def test_sorting_by_the_sigville_poverty_rate_puts_the_highest_first_and_the_empty_last():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/quartiers.py").run()
    options = at.selectbox(key="tri_quartiers").options
    column = next(o for o in options if o.startswith("Taux de pauvreté (%) — sigville"))
    at.selectbox(key="tri_quartiers").set_value(column).run()
    at.toggle(key="tri_decroissant").set_value(True).run()
    assert not at.exception
    rows = table_rows(at)
    index = options.index(column)
    # expected order read from the portrait files: every sigville 2022 poverty rate, highest first
    portraits, _ = load_portraits()
    rates = sorted(
        (
            (i.valeur, p.nom)
            for p in portraits.values()
            for i in p.indicateurs
            if i.cle == "taux_pauvrete" and i.source_donnees == "sigville"
        ),
        reverse=True,
    )
    assert [r[0] for r in rows[: len(rates)]] == [nom for _, nom in rates]
    assert rows[0][index] == "46,1"
    assert all(r[index] == "—" for r in rows[len(rates) :])  # empty cells last, shown « — »
    assert len(rows) == 42
