"""Serve N app processes behind nginx (sticky sessions, websocket-aware): `make serve-multi PROCESSES=2`.

One Streamlit process runs every session's script in its own threads but in one Python process, so it
uses about one core. This starts PROCESSES copies of `streamlit run app.py` on consecutive ports and
Debian's nginx in front of them on PORT, from deploy/nginx.conf.template. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.appserver import start_app, stop_app, wait_healthy  # noqa: E402

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(listen: int, backends: list[int], run_dir: Path) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{port};" for port in backends)
    return TEMPLATE.read_text(encoding="utf-8").format(listen=listen, servers=servers, run_dir=run_dir)


@contextlib.contextmanager
def served(listen: int, processes: int, first_backend_port: int, log):
    """Start `processes` apps and nginx on `listen`; yield the base URL and the app processes; stop all on exit."""
    if not Path(NGINX).exists():
        raise RuntimeError("nginx is not installed: `make serve-multi` installs it (Debian package nginx).")
    backends = [first_backend_port + i for i in range(processes)]
    apps = [start_app(port, log) for port in backends]
    run_dir = Path(tempfile.mkdtemp(prefix="carte-nginx-"))
    # Started as root, nginx's workers run as another user: they must reach their cache and temporary
    # folders (created inside by nginx, for that user).
    run_dir.chmod(0o755)
    nginx = None
    try:
        for port, app in zip(backends, apps, strict=True):
            wait_healthy(app, f"http://127.0.0.1:{port}", 120, lambda: "see the server log")
        config = run_dir / "nginx.conf"
        config.write_text(nginx_config(listen, backends, run_dir), encoding="utf-8")
        nginx = subprocess.Popen([NGINX, "-c", str(config), "-p", str(run_dir)], stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{listen}"
        wait_healthy(nginx, base, 30, lambda: "nginx did not answer")
        yield base, apps
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for app in apps:
            stop_app(app)
        shutil.rmtree(run_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--first-backend-port", type=int, default=8601)
    args = parser.parse_args()
    with served(args.port, args.processes, args.first_backend_port, sys.stdout.buffer) as (base, _):
        print(f"Carte Quartiers 2030: {args.processes} processes behind nginx on {base} (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
