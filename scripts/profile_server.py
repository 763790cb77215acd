"""Where the server's CPU goes on a page load and on a click (not a test): `make profile`.

Starts the app in a process whose script runs are wrapped in cProfile (only the script thread: the
websocket's serialisation and the HTTP server run elsewhere and are counted by the process CPU figures of
`make benchmark`), opens the Carte page LOADS times and clicks a quartier LOADS times over the websocket,
then prints the top lines of the merged profile of the page loads and of the clicks, and the script
thread's CPU per run (min / median / max; time.thread_time, so other processes on the machine barely
change it, unlike wall time).

`python scripts/profile_server.py [--loads N] [--top N] [--script app.py] [--perimetre]`; with --perimetre,
the "Tester un périmètre" page is opened and a drawn square assessed (reported as "click").
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILE_DIR = "CARTE_PROFILE_DIR"


def serve(port: int, script: str) -> None:
    """Run `streamlit run script` in this process, each script run profiled into $CARTE_PROFILE_DIR."""
    import cProfile
    import itertools
    import time

    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.web import cli

    out = Path(os.environ[PROFILE_DIR])
    numbers = itertools.count()
    original = ScriptRunner._run_script

    def profiled(self, rerun_data):
        widgets = rerun_data.widget_states.widgets if rerun_data.widget_states is not None else []
        kind = "click" if rerun_data.fragment_id_queue or len(widgets) else "load"
        profile = cProfile.Profile()
        cpu = time.thread_time()
        profile.enable()
        try:
            return original(self, rerun_data)
        finally:
            profile.disable()
            cpu = time.thread_time() - cpu
            number = next(numbers)
            profile.dump_stats(out / f"{number:04d}-{kind}.prof")
            with (out / "runs.jsonl").open("a", encoding="utf-8") as runs:
                runs.write(json.dumps({"run": number, "kind": kind, "cpu_s": cpu}) + "\n")

    ScriptRunner._run_script = profiled
    sys.argv = [
        "streamlit", "run", script, "--server.port", str(port),
        "--server.enableStaticServing", "true", "--server.headless", "true",
    ]  # fmt: skip
    sys.exit(cli.main())


def top_lines(files: list[Path], top: int, sort: str) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(*map(str, files), stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    text = buffer.getvalue()
    return text[text.index("   ncalls") :] if "   ncalls" in text else text


def main() -> int:
    import subprocess

    from scripts.appserver import free_port, stop_app, wait_healthy
    from scripts.benchmark import Session, connect, drawn_square, quartiers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--script", default="app.py")
    parser.add_argument("--perimetre", action="store_true", help="profile the perimeter page and its test")
    args = parser.parse_args()
    targets = list(quartiers().items())
    out = Path(tempfile.mkdtemp(prefix="carte-profile-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), args.script],
        cwd=ROOT,
        env={**os.environ, PROFILE_DIR: str(out)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def tail() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")[-3000:]

    async def visits(count: int) -> None:
        for user in range(count):
            async with connect(base, user) as ws:
                session = Session(ws)
                if args.perimetre:
                    _, (_, lat, lon, _) = targets[0]
                    await session.run("", page_name="perimetre")
                    await session.map_value({"all_drawings": [drawn_square(lat, lon, user)]})
                    continue
                await session.run("")
                if "map" in session.state:
                    _, (name, _, _, feature) = targets[user % len(targets)]
                    await session.click(0, feature)

    try:
        wait_healthy(server, base, 120, tail)
        asyncio.run(visits(2))  # warm-up: caches filled, layers published
        for stale in out.glob("*"):
            stale.unlink()
        asyncio.run(visits(args.loads))
    finally:
        stop_app(server)
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text().splitlines()]
    for kind in ("load", "click"):
        files = sorted(out.glob(f"*-{kind}.prof"))
        if not files:
            continue
        cpu = [run["cpu_s"] * 1000 for run in runs if run["kind"] == kind]
        print(
            f"\n=== {args.script}: {kind}, {len(files)} runs; script thread CPU min / median / max "
            f"{min(cpu):.0f} / {statistics.median(cpu):.0f} / {max(cpu):.0f} ms (under cProfile) ==="
        )
        print(top_lines(files, args.top, "cumulative"))
        print(top_lines(files, args.top, "tottime"))
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(main())
