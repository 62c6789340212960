"""The policy pack's process (`policies/__main__.py`), started with the standard library alone, so that `bin/plan` can
start it before it imports anything else (tooling/cli.py); tooling/policy_check.py speaks to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACK = Path(__file__).resolve().parent.parent / "policies"


def start() -> subprocess.Popen[str]:
    """The pack, starting: it prints the port of its analyzer on its first line once it listens."""
    return subprocess.Popen(
        [sys.executable, "-u", str(PACK / "__main__.py")],
        cwd=PACK,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
