"""After a page's first run the loaded heap is frozen once, so that Streamlit's collection after each run is short."""

import gc

from quartiers.ui import state


def test_the_heap_is_frozen_once_per_page(monkeypatch):
    collections = []
    monkeypatch.setattr(state, "_settled_pages", set())
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or 0)
    try:
        state.settle_heap("accueil")
        frozen = gc.get_freeze_count()
        state.settle_heap("accueil")
        state.settle_heap("situer")
    finally:
        gc.unfreeze()
    assert frozen > 0
    assert len(collections) == 2  # once for each page, not once per run
