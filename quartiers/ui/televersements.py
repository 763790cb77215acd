"""Uploads released when the session that made them is gone, measured by the browser test of uploads.

Streamlit keeps a closed tab's session for a reconnection (2 minutes), then forgets it without shutting it
down, so the bytes of its uploads (file uploader) and of its download buttons (media files) stay in the
server's memory until another session's shutdown happens to sweep them. One janitor thread per process looks
every `SWEEP_SECONDS` for sessions disconnected for more than `RELEASE_SECONDS` (closed, as Streamlit closes a
session) and for files whose session is already forgotten (released).

This reads Streamlit's runtime (pinned version, requirements.txt): `Runtime.instance()`, its session manager,
`uploaded_file_mgr.file_storage` and `media_file_mgr`. If those change, the janitor logs once and stops; the app
works on.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import streamlit as st

_LOGGER = logging.getLogger(__name__)
# Same as Streamlit's reconnection window: a phone that loses the network for a minute keeps its upload.
RELEASE_SECONDS = float(os.environ.get("CARTE_RELEASE_SECONDS", "120"))
SWEEP_SECONDS = min(15.0, max(1.0, RELEASE_SECONDS / 4))


def sweep(disconnected_since: dict[str, float], now: float) -> list[str]:
    """Close the sessions disconnected for RELEASE_SECONDS and release the files of those already forgotten.

    Closing a kept session (Streamlit's `close_session`: out of the reconnection store, then `shutdown`) drops its
    state and its upload and media files at once. Returns the ids released (one pass of the janitor).
    """
    from streamlit.runtime import Runtime

    runtime = Runtime.instance()
    sessions = runtime._session_mgr  # noqa: SLF001 — no public listing of sessions
    uploads = runtime.uploaded_file_mgr
    media = runtime.media_file_mgr
    active = {info.session.id for info in sessions.list_active_sessions()}
    kept = {info.session.id for info in sessions.list_sessions()} - active
    for session_id in list(disconnected_since):
        if session_id not in kept:
            del disconnected_since[session_id]
    for session_id in kept:
        disconnected_since.setdefault(session_id, now)
    released = [s for s in kept if now - disconnected_since[s] >= RELEASE_SECONDS]
    for session_id in released:
        sessions.close_session(session_id)
        disconnected_since.pop(session_id, None)
    holders = set(getattr(uploads, "file_storage", {})) | set(getattr(media, "_files_by_session_and_coord", {}))
    forgotten = [s for s in holders if s not in active and s not in kept]
    for session_id in forgotten:
        uploads.remove_session_files(session_id)
        media.clear_session_refs(session_id)
    if forgotten:
        media.remove_orphaned_files()
    return released + forgotten


def _janitor() -> None:
    from streamlit.runtime import Runtime

    disconnected_since: dict[str, float] = {}
    while Runtime.exists():  # no runtime under AppTest: nothing to sweep
        time.sleep(SWEEP_SECONDS)
        if not Runtime.exists():  # the runtime stopped while this thread slept (end of a test run)
            return
        try:
            released = sweep(disconnected_since, time.monotonic())
        except Exception:  # Streamlit's internals changed: say it once, never take the app down
            _LOGGER.exception("Libération des fichiers téléversés impossible : le nettoyage est arrêté.")
            return
        if released:
            _LOGGER.info("Fichiers libérés pour %d session(s) terminée(s).", len(released))


@st.cache_resource(show_spinner=False)
def start_janitor() -> threading.Thread:
    """The process's one janitor thread (started at the first page load, a daemon: it ends with the server)."""
    thread = threading.Thread(target=_janitor, name="carte-televersements", daemon=True)
    thread.start()
    return thread
