"""The worker process that locates one large uploaded CSV, apart from the app's process.

Run as `python -m quartiers.worker`: reads a pickled (content: bytes, name: str, qpv: GeoDataFrame,
territory: GeoDataFrame | None) from standard input, writes a pickled `batch.ProcessedFile` to standard output.
A plain subprocess rather than multiprocessing: "spawn" re-imports the main module, which under Streamlit is
app.py, so each worker would run the whole app. Pickle only ever crosses between the app and its own child.
"""

from __future__ import annotations

import pickle
import sys

from quartiers.batch import process_upload
from quartiers.zones import Locator


def main() -> int:
    content, name, qpv, territory = pickle.load(sys.stdin.buffer)
    pickle.dump(process_upload(content, name, Locator(qpv, territory)), sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
