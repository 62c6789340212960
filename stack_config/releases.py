#!/usr/bin/python3
"""AMY's releases this program can run, and how each one installs: one table for the program and the host.

AMY changed how it locks its dependencies twice (its tags; AMY's own Dockerfile of each installs the same way):
v4.6.x with pipenv (Pipfile.lock, Python 3.11), v4.7.0 to v4.7.2 with poetry 2.0.0 (`poetry sync`, poetry.lock,
Python 3.12 or newer), v4.8.0 with uv (uv.lock, Python 3.14 or newer). v4.7.0 removed django-rq (its changelog:
"Remove redis dependency", #2753), and v4.8.0 moved the code from amy/ to src/; manage.py and config/ stay at the
repository's root in all of them. Stack config refuses an `appVersion` the legacy host cannot install and a cache
for a release without RQ; the legacy host runs this very file as `amy-release`, which its deploy asks how the
version it installs is shaped. So this file imports nothing but the standard library.

    amy-release VERSION FIELD    one field of VERSION's shape: lockfile, tool, tool_version, python, code or uv
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime

APP_VERSION = re.compile(r"v?([0-9]{1,6})\.([0-9]{1,6})\.([0-9]{1,6})")
# Every release installs under one pinned uv: it provides each release's Python (python-build-standalone's builds,
# alike for 3.11 to 3.14; Ubuntu 24.04 ships 3.12 alone and another minor version would take a third-party apt
# source) and runs pipenv and poetry at their pinned versions without installing them (`uvx --from poetry==2.0.0`).
# Each Python below is the newest patch release of its minor version that this uv offers (`uv python list`).
UV_VERSION = "0.13.9"


@dataclass(frozen=True, order=True)
class AppVersion:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, value: str) -> AppVersion | None:
        """`v4.7.2` or `4.7.2`; None for anything else."""
        match = APP_VERSION.fullmatch(value)
        return cls(*(int(part) for part in match.groups())) if match else None

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"

    @property
    def slug(self) -> str:
        """The version as the operators name snapshots: `v4-7-2`."""
        return f"v{self.major}-{self.minor}-{self.patch}"

    def snapshot_identifier(self, database: str, moment: datetime) -> str:
        """The pre-release snapshot's identifier: `vA-B-C-<database>-YYYY-MM-DD-HHMM`."""
        return f"{self.slug}-{database}-{moment:%Y-%m-%d-%H%M}"


@dataclass(frozen=True)
class ReleaseShape:
    """The releases from `first` to `last` (None: every later patch release of first's minor version)."""

    first: AppVersion
    last: AppVersion | None
    # The file the release locks its dependencies in, and the tool (at the version AMY's image used) that installs it.
    lockfile: str
    tool: str
    tool_version: str
    # The interpreter the release's virtualenv is made with.
    python: str
    # Where the release's packages are.
    code: str
    # Whether the release runs RQ workers (`manage.py rqworker`, `rqscheduler`) against Redis.
    django_rq: bool

    def __contains__(self, version: AppVersion) -> bool:
        if (version.major, version.minor) != (self.first.major, self.first.minor) or version < self.first:
            return False
        return self.last is None or version <= self.last

    def __str__(self) -> str:
        if self.last is None:
            return f"v{self.first.major}.{self.first.minor}.x" if self.first.patch == 0 else f"{self.first} and later"
        return str(self.first) if self.last == self.first else f"{self.first}–{self.last}"


RELEASES = (
    ReleaseShape(AppVersion(4, 6, 0), None, "Pipfile.lock", "pipenv", "2024.4.1", "3.11.18", "amy", django_rq=True),
    ReleaseShape(AppVersion(4, 7, 0), AppVersion(4, 7, 2), "poetry.lock", "poetry", "2.0.0", "3.12.16", "amy", django_rq=False),
    ReleaseShape(AppVersion(4, 8, 0), AppVersion(4, 8, 0), "uv.lock", "uv", UV_VERSION, "3.14.10", "src", django_rq=False),
)
FIELDS = ("lockfile", "tool", "tool_version", "python", "code")


def shape_of(version: AppVersion) -> ReleaseShape | None:
    return next((shape for shape in RELEASES if version in shape), None)


def known() -> str:
    """The releases in the table, for messages: `v4.6.x, v4.7.0–v4.7.2, v4.8.0`."""
    return ", ".join(map(str, RELEASES))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in (*FIELDS, "uv"):
        print(f"usage: amy-release VERSION {'|'.join((*FIELDS, 'uv'))}", file=sys.stderr)
        return 2
    version = AppVersion.parse(argv[0])
    shape = shape_of(version) if version else None
    if version is None or shape is None:
        print(f"amy-release: {argv[0]} is not a release this host knows how to install; it knows {known()}", file=sys.stderr)
        return 1
    print(UV_VERSION if argv[1] == "uv" else getattr(shape, argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
