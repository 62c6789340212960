"""The offline plan command: tree, counts, stable JSON, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stack_config import StackConfig
from tests.stacks import NO_SUCH_STACK, STACKS, config_of, plan_exit_status
from tooling import plan as plan_command

# The stacks that protect their stateful resources, which the plan marks.
PROTECTED = [stack for stack in STACKS if config_of(stack).protect_stateful_resources]


def test_plan_prints_the_component_tree_and_counts(
    stack: str, stack_config: StackConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan_command.main([stack]) == plan_exit_status(stack)
    out = capsys.readouterr().out
    assert f"pulumi:pulumi:Stack amy-{stack}" in out
    assert f"├─ amy:data:Database amy-{stack}-db" in out
    assert f"│  ├─ aws:rds/instance:Instance amy-{stack}-db-instance" in out
    assert "aws:cloudwatch/logGroup:LogGroup" in out
    counts = out.split("Resources by type:\n", 1)[1].split("\n\n", 1)[0]
    assert counts.splitlines()[-1].split()[0] == "total"
    assert f"Policies (policies/{stack}.json):" in out
    assert ("[protected]" in out) is stack_config.protect_stateful_resources


@pytest.mark.parametrize("stack", PROTECTED)
def test_protected_resources_are_marked(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_command.main([stack]) == plan_exit_status(stack)
    assert f"aws:rds/instance:Instance amy-{stack}-db-instance [protected]" in capsys.readouterr().out


@pytest.mark.parametrize("stack", PROTECTED)
def test_json_is_identical_across_runs(stack: str, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert plan_command.main([stack, "--json", str(first)]) == plan_exit_status(stack)
    assert plan_command.main([stack, "--json", str(second)]) == plan_exit_status(stack)
    assert first.read_bytes() == second.read_bytes()
    written = json.loads(first.read_text())
    instance = next(r for r in written["resources"] if r["type"] == "aws:rds/instance:Instance")
    assert instance["options"]["protect"] is True
    assert instance["inputs"]["backupRetentionPeriod"] == config_of(stack).database.backup_retention_days
    assert instance["parent"].endswith(f"amy:data:Database::amy-{stack}-db")


def test_bad_config_prints_every_problem_and_fails(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_run = plan_command.run
    monkeypatch.setattr(
        plan_command, "run", lambda stack, **kwargs: real_run(stack, {"amy:logRetentionDays": 2, "amy:zoneId": None}, **kwargs)
    )
    assert plan_command.main([stack]) == 1
    err = capsys.readouterr().err
    assert f"stack '{stack}': 2 configuration problem(s)" in err
    assert "amy:zoneId is required" in err
    assert "amy:logRetentionDays must be a period CloudWatch Logs accepts" in err


def test_unknown_stack_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        plan_command.main([NO_SUCH_STACK])
    assert raised.value.code == 2
    assert f"invalid choice: {NO_SUCH_STACK!r}" in capsys.readouterr().err
