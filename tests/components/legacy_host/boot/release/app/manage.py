#!/usr/bin/env python3
"""AMY's manage.py as the boot test's fake releases have it: the commands amy-deploy and the RQ units run."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT / code) for code in ("src", "amy") if (ROOT / code).is_dir()]

from fakeamy.commands import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
