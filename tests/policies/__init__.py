"""Tests of the policy pack, one module per module of policies/.

The pack's modules import one another from policies/, as the CLI runs them, so this package puts policies/
on the path before any of its modules imports them."""

import sys
from pathlib import Path

PACK = str(Path(__file__).resolve().parents[2] / "policies")
if PACK not in sys.path:
    sys.path.insert(0, PACK)
