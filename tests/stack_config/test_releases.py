"""AMY's releases: which shape each tag has, as its repository shows it, and how the host asks for one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stack_config import releases
from stack_config.releases import RELEASES, AppVersion, shape_of

# AMY's tags: how each release locks and installs its dependencies, whether it has django-rq, where its code is.
TAGS = {
    "v4.6.0": ("Pipfile.lock", "pipenv", True, "amy", "3.11"),
    "v4.6.3": ("Pipfile.lock", "pipenv", True, "amy", "3.11"),
    "v4.7.0": ("poetry.lock", "poetry", False, "amy", "3.12"),
    "v4.7.2": ("poetry.lock", "poetry", False, "amy", "3.12"),
    "v4.8.0": ("uv.lock", "uv", False, "src", "3.14"),
}


@pytest.mark.parametrize(("tag", "shape"), TAGS.items())
def test_each_release_installs_by_its_own_lockfile_with_the_python_it_needs(tag: str, shape: tuple) -> None:
    found = shape_of(AppVersion.parse(tag))  # type: ignore[arg-type]
    assert found is not None
    lockfile, tool, django_rq, code, python = shape
    assert (found.lockfile, found.tool, found.django_rq, found.code) == (lockfile, tool, django_rq, code)
    assert found.python.startswith(f"{python}.")


def test_poetry_is_the_version_amys_image_used() -> None:
    assert next(shape for shape in RELEASES if shape.tool == "poetry").tool_version == "2.0.0"


@pytest.mark.parametrize("tag", ["v4.5.9", "v4.7.3", "v4.8.1", "v4.9.0", "v5.0.0"])
def test_a_release_outside_the_table_has_no_shape(tag: str) -> None:
    assert shape_of(AppVersion.parse(tag)) is None  # type: ignore[arg-type]


def test_every_version_is_pinned_exactly_and_no_two_shapes_overlap() -> None:
    for shape in RELEASES:
        assert AppVersion.parse(shape.python) is not None, shape.python
        assert all(part.isdigit() for part in shape.tool_version.split(".")), shape.tool_version
        assert shape.last is None or (shape.last.major, shape.last.minor) == (shape.first.major, shape.first.minor)
    # A shape spans part of one minor version, and no two share one.
    assert len({(shape.first.major, shape.first.minor) for shape in RELEASES}) == len(RELEASES)
    assert releases.known() == "v4.6.x, v4.7.0–v4.7.2, v4.8.0"


def amy_release(*args: str) -> subprocess.CompletedProcess[str]:
    """The table as the host runs it: this very file, as a script."""
    return subprocess.run([sys.executable, str(Path(releases.__file__)), *args], capture_output=True, text=True, check=False)


def test_the_host_asks_the_same_table_one_field_at_a_time() -> None:
    assert amy_release("v4.7.2", "lockfile").stdout == "poetry.lock\n"
    assert amy_release("v4.7.2", "tool_version").stdout == "2.0.0\n"
    assert amy_release("4.6.3", "python").stdout == "3.11.18\n"
    assert amy_release("v4.8.0", "code").stdout == "src\n"
    assert amy_release("v4.8.0", "uv").stdout == f"{releases.UV_VERSION}\n"


def test_the_host_refuses_a_release_it_does_not_know_and_says_which_it_does() -> None:
    unknown = amy_release("v4.9.0", "lockfile")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert "v4.9.0 is not a release this host knows how to install; it knows v4.6.x, v4.7.0–v4.7.2, v4.8.0" in unknown.stderr
    assert amy_release("v4.7.2", "password").returncode == 2
    assert amy_release("v4.7.2\nx", "tool").returncode == 1


def test_the_table_imports_only_the_standard_library() -> None:
    """The host runs it with Ubuntu's python3 alone."""
    source = Path(releases.__file__).read_text()
    imports = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "re", "sys", "dataclasses", "datetime"}
    assert source.startswith("#!/usr/bin/python3\n")
