"""Command line: `python -m quartiers export|situer|verifier-portraits ...`."""

import sys

from quartiers.cli import main

sys.exit(main())
