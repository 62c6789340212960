"""What every `command:local:Command` the program runs must be: the same from any checkout and machine, run with the
project's virtualenv, and runnable as `pulumi up` runs it (a shell in the project directory)."""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tooling.harness import ROOT, Registration


def runner(command: Registration) -> tuple[list[str], str]:
    """The interpreter's command line up to `-m`, and the module it runs."""
    words = shlex.split(command.inputs["create"])
    flag = words.index("-m")
    return words[:flag], words[flag + 1]


def assert_names_nothing_of_this_machine(command: Registration) -> None:
    """No absolute path, home or variable, nor this checkout or interpreter: planned elsewhere, the input is the same
    and the command does not run again."""
    create = command.inputs["create"]
    assert not any(word.startswith(("/", "~", "$")) for word in shlex.split(create)), create
    for machine_specific in {sys.executable, str(Path(sys.executable).resolve()), str(ROOT), str(Path.home())}:
        assert machine_specific not in create, machine_specific
    assert "dir" not in command.inputs


def assert_runs_with_the_projects_virtualenv(command: Registration) -> None:
    """`pulumi up` runs the program, and so the command, with Pulumi.yaml's virtualenv, relative to the project."""
    interpreter, _ = runner(command)
    virtualenv = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    assert interpreter == [f"{virtualenv}/bin/python"]


def assert_runs_the_module_beside(command: Registration, component_file: str | None, script: str) -> None:
    """The module the command runs is `script`, beside the component that makes the command."""
    _, module = runner(command)
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    assert component_file is not None
    assert Path(spec.origin) == Path(component_file).with_name(script)


def assert_stops_at_its_first_setting(command: Registration) -> None:
    """Run as `pulumi up` runs it (a shell, in the project directory) but with an empty environment: the runner is
    found and imported, and stops only at the first setting it needs."""
    result = subprocess.run(
        ["/bin/sh", "-c", command.inputs["create"]],
        cwd=ROOT,
        env={},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "No module named" not in result.stderr, result.stderr
    assert "not found" not in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("KeyError: 'AWS_REGION'"), result.stderr
