"""Starting the app like `make run` and driving Debian's chromium: shared by the browser test and the benchmark."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from quartiers.formes.carte import MAP_TITLE as PERIMETRE_TITLE
from quartiers.maps import MAP_TITLE, STYLE_QPV

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags, chromium keeps dialling Google hosts on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAP_IFRAME = f'iframe[title="{MAP_TITLE}"]'
PERIMETRE_IFRAME = f'iframe[title="{PERIMETRE_TITLE}"]'
ANY_MAP_IFRAME = "iframe[src*='streamlit_folium']"
QPV_PATHS = f"path.leaflet-interactive[stroke='{STYLE_QPV['color']}']"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_app(port: int, log: IO[bytes], script: str = "app.py") -> subprocess.Popen:
    """`streamlit run app.py` (or another script) with the Makefile's flags, from the project folder."""
    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.port", str(port), "--server.enableStaticServing", "true", "--server.headless", "true",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(process: subprocess.Popen, base_url: str, timeout_seconds: float, log_tail) -> None:
    """Poll /_stcore/health until it answers; raise RuntimeError with the log's end if the app dies or stalls."""
    deadline = time.monotonic() + timeout_seconds
    while not healthy(base_url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the app did not become healthy on {base_url}:\n{log_tail()}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)  # the pause between two polls; returns at once if the app dies


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
