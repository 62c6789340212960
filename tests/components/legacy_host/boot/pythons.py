"""The Pythons the releases install, as the guest's uv downloads them from the host's `python_downloads` mirror.

The deploy runs `uv python install <python>` with the pinned uv (stack_config/releases.py) against
UV_PYTHON_INSTALL_MIRROR, which the boot test points at its own file server. uv takes python-build-standalone's
archives only, and checks each against the sha256 built into that uv: no other build of the same version will do,
and neither PyPI, npm nor Debian carries these. So the test serves them from a directory where someone who can
reach python-build-standalone's releases put them (`AMY_BOOT_PYTHONS`, by default `pythons/` in the boot cache), laid
out as the mirror is, `<release tag>/<archive>`; a deploy that needs one that is not there is skipped, naming it.

Which archive each Python is comes from the pinned uv itself (`uv python list --only-downloads`), run on the test's
side from the wheel the test's index holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

from stack_config import releases as shapes
from tests.components.legacy_host.boot.image import cache_root, cached

# The part of each download URL a mirror replaces (uv's own default and the host's).
UPSTREAM = "/python-build-standalone/releases/download/"
GUEST_PLATFORM = "linux-x86_64-gnu"


@dataclass(frozen=True)
class Pythons:
    """The directory served as the mirror, and the archive (relative to it) of each Python the releases need."""

    directory: Path
    archives: dict[str, str]

    def missing(self, python: str) -> str | None:
        """Why `python` cannot be installed in the guest, or None when its archive is there."""
        archive = self.archives.get(python)
        if archive is None:
            return f"uv {shapes.UV_VERSION} offers no download of CPython {python} for {GUEST_PLATFORM}"
        if not (self.directory / archive).is_file():
            return (
                f"CPython {python}: uv {shapes.UV_VERSION} installs only python-build-standalone's {archive} (checked against "
                f"its built-in sha256), which no source this machine reaches carries; put it at {self.directory / archive} "
                "(AMY_BOOT_PYTHONS) to deploy"
            )
        return None


def directory() -> Path:
    configured = os.environ.get("AMY_BOOT_PYTHONS")
    return Path(configured) if configured else cache_root() / "pythons"


def _uv(index: Path) -> Path:
    """The pinned uv's binary, out of its wheel in the test's index."""
    wheel = next((index / "files").glob(f"uv-{shapes.UV_VERSION}-*manylinux*x86_64*.whl"))

    def extract(target: Path) -> None:
        with zipfile.ZipFile(wheel) as archive:
            member = next(name for name in archive.namelist() if name.endswith(".data/scripts/uv"))
            (target / "uv").write_bytes(archive.read(member))
        (target / "uv").chmod(0o755)

    return cached(cache_root() / f"uv-{shapes.UV_VERSION}", extract) / "uv"


def pythons(index: Path) -> Pythons:
    """Where each release's Python is, as the guest's uv will ask the mirror for it."""
    uv = _uv(index)
    wanted = sorted({shape.python for shape in shapes.RELEASES})
    result = subprocess.run(
        [str(uv), "python", "list", "--only-downloads", "--all-versions", "--output-format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PATH": "/usr/bin:/bin", "UV_NO_CONFIG": "1", "HOME": str(cache_root())},
    )
    archives: dict[str, str] = {}
    for download in json.loads(result.stdout):
        for python in wanted:
            url = download.get("url") or ""
            if download["key"] == f"cpython-{python}-{GUEST_PLATFORM}" and UPSTREAM in url:
                archives[python] = urllib.parse.unquote(url.split(UPSTREAM, 1)[1])
    served = directory()
    served.mkdir(parents=True, exist_ok=True)
    return Pythons(served, archives)
