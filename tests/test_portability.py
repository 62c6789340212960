"""The plan is the same from any checkout and interpreter path: nothing the program registers names the
machine it was planned on (a migration command that did re-ran migrations from every other machine)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stacks import STACKS, plan_exit_status, planned
from tooling.harness import ROOT


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second checkout of the tracked files, in another directory, using the same virtualenv by another path."""
    copy = tmp_path_factory.mktemp("another checkout") / "amy-infra"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    (copy / ".venv").symlink_to(Path(sys.prefix))
    return copy


@pytest.mark.parametrize("stack", STACKS)
def test_a_stack_plans_the_same_from_another_checkout(elsewhere: Path, stack: str, tmp_path: Path) -> None:
    written = tmp_path / "plan.json"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    result = subprocess.run(
        [str(elsewhere / ".venv" / "bin" / "python"), "-m", "tooling.plan", stack, "--json", str(written)],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == plan_exit_status(stack), result.stderr
    there = json.loads(written.read_text())
    here = json.loads(json.dumps(planned(stack).as_json()))
    assert str(elsewhere) not in written.read_text()
    assert there["resources"] == here["resources"]
