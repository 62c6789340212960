"""The offline plan command: tree, counts, stable JSON, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tooling import plan as plan_command


def test_plan_prints_the_component_tree_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_command.main(["testing"]) == 0
    out = capsys.readouterr().out
    assert "pulumi:pulumi:Stack amy-testing" in out
    assert "├─ amy:data:Database amy-testing-db" in out
    assert "│  ├─ aws:rds/instance:Instance amy-testing-db-instance" in out
    assert "aws:cloudwatch/logGroup:LogGroup" in out
    counts = out.split("Resources by type:\n", 1)[1].split("\n\n", 1)[0]
    assert counts.splitlines()[-1].split()[0] == "total"


def test_protected_resources_are_marked(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_command.main(["production"]) == 0
    assert "aws:rds/instance:Instance amy-production-db-instance [protected]" in capsys.readouterr().out


def test_json_is_identical_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert plan_command.main(["production", "--json", str(first)]) == 0
    assert plan_command.main(["production", "--json", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    written = json.loads(first.read_text())
    instance = next(r for r in written["resources"] if r["type"] == "aws:rds/instance:Instance")
    assert instance["options"]["protect"] is True
    assert instance["inputs"]["backupRetentionPeriod"] == 35
    assert instance["parent"].endswith("amy:data:Database::amy-production-db")


def test_bad_config_prints_every_problem_and_fails(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real_run = plan_command.run
    monkeypatch.setattr(
        plan_command, "run", lambda stack, **kwargs: real_run(stack, {"amy:logRetentionDays": 2, "amy:zoneId": None}, **kwargs)
    )
    assert plan_command.main(["testing"]) == 1
    err = capsys.readouterr().err
    assert "stack 'testing': 2 configuration problem(s)" in err
    assert "amy:zoneId is required" in err
    assert "amy:logRetentionDays must be a period CloudWatch Logs accepts" in err


def test_unknown_stack_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        plan_command.main(["staging"])
    assert raised.value.code == 2
    assert "invalid choice: 'staging'" in capsys.readouterr().err
