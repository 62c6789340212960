"""`config.wsgi`, the module gunicorn runs, as in AMY: the application's code is in amy/ or src/."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / code) for code in ("src", "amy") if (ROOT / code).is_dir()]

from fakeamy.web import application  # noqa: E402

__all__ = ["application"]
