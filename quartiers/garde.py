"""One visitor's expensive job run in a child process that is stopped at its time or memory bound.

`run(function, *args)` pickles a module-level function of `quartiers` and its arguments to a fresh
`python -m quartiers.garde`, which caps its own address space and CPU time before running it, and returns
its result (or raises the exception it raised, such as a ProposalError with its French message). When the
child passes `seconds` of wall time it is killed; when it runs out of memory it ends; either way `GuardError`
says so in French, and the app's process, which only waited, is left as it was.

Pickle only ever crosses between the app and its own child; the child runs only functions of `quartiers`.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from quartiers import settings

GUARD_SECONDS = 10.0  # wall time of one job, child start included
GUARD_MEMORY_MB = 600  # resident memory of the child (about 180 MB once its libraries are loaded)
ADDRESS_SPACE_MB = 4_096  # hard backstop between two checks (the libraries alone map about 1.5 GB)
POLL_SECONDS = 0.05
MAX_JOBS = 2  # guarded children at once in one app process (2 cores); the next visitors wait, then are told
_slots = threading.BoundedSemaphore(MAX_JOBS)


class GuardError(RuntimeError):
    """A job stopped at its bound; the message is French and says what to do."""


def _resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def run(function, *args, seconds: float = GUARD_SECONDS, memory_mb: int = GUARD_MEMORY_MB):
    """`function(*args)` in a bounded child process; its result, or the exception it raised.

    The child is killed when it passes `seconds` of wall time or `memory_mb` of resident memory (checked every
    50 ms). At most MAX_JOBS children run at once per process, so N visitors cost at most MAX_JOBS × memory_mb:
    a job that waits `seconds` for its turn is refused. Raises GuardError then, or when the child fails without a
    Python exception.
    """
    if not getattr(function, "__module__", "").startswith("quartiers."):
        raise ValueError("only functions of the quartiers package run in the guarded child")
    if not _slots.acquire(timeout=seconds):
        raise GuardError(
            "Le serveur traite déjà d'autres calculs de ce type : réessayez dans quelques secondes "
            "(votre fichier n'est pas en cause)."
        )
    try:
        return _run(function, args, seconds, memory_mb)
    finally:
        _slots.release()


def _run(function, args: tuple, seconds: float, memory_mb: int):
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    with tempfile.TemporaryFile() as job, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pickle.dump((function, args), job, protocol=pickle.HIGHEST_PROTOCOL)
        job.seek(0)
        child = subprocess.Popen(
            [sys.executable, "-m", "quartiers.garde", str(ADDRESS_SPACE_MB), str(int(seconds) + 1)],
            stdin=job,
            stdout=out,
            stderr=err,
            cwd=settings.ROOT,
            env=environment,
        )
        start, peak, stopped = time.monotonic(), 0.0, None
        while child.poll() is None:
            peak = max(peak, _resident_mb(child.pid))
            if peak > memory_mb:
                stopped = "memory"
            elif time.monotonic() - start > seconds:
                stopped = "time"
            if stopped:
                child.kill()
                child.wait()
                break
            time.sleep(POLL_SECONDS)
        if stopped == "time" or child.returncode == -signal.SIGXCPU:
            raise GuardError(
                f"Calcul arrêté au bout de {seconds:.0f} secondes : la forme est trop complexe pour être traitée "
                "ici (contour très découpé ou très détaillé). Simplifiez-la dans votre SIG puis recommencez."
            )
        err.seek(0)
        errors = err.read()
        if stopped == "memory" or b"MemoryError" in errors or b"bad_alloc" in errors:
            raise GuardError(
                f"Calcul arrêté : il demandait plus de {memory_mb} Mo de mémoire. Simplifiez la forme dans votre SIG "
                "(moins de sommets, moins de parties) puis recommencez."
            )
        if child.returncode != 0:
            raise GuardError("Le calcul a échoué sur le serveur. Réessayez ; si cela se reproduit, signalez-le.")
        out.seek(0)
        status, value = pickle.load(out)
    if status == "ok":
        return value
    raise value


def _child(memory_mb: int, cpu_seconds: int) -> int:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    function, args = pickle.loads(sys.stdin.buffer.read())
    if not function.__module__.startswith("quartiers."):
        return 2
    try:
        outcome = ("ok", function(*args))
    except MemoryError:
        print("MemoryError", file=sys.stderr)
        return 3
    except Exception as exc:  # handed back to the app, which raises it where it called `run`
        outcome = ("error", exc)
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(_child(int(sys.argv[1]), int(sys.argv[2])))
