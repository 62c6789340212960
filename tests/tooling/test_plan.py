"""The offline plan command: tree, counts, stable JSON, clear errors, and the account's report after the verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stack_config import StackConfig
from tests.stacks import NO_SUCH_STACK, STACKS, config_of
from tooling import account
from tooling import plan as plan_command
from tooling.account import BadName, Claimant, Report
from tooling.harness import Plan

# The stacks that protect their stateful resources, which the plan marks.
PROTECTED = [stack for stack in STACKS if config_of(stack).protect_stateful_resources]
# These tests see the plan alone: the account check finds nothing (tests/tooling/test_account.py tests the real one).
pytestmark = pytest.mark.usefixtures("accounts_checked")


def test_plan_prints_the_component_tree_and_counts(
    stack: str, stack_config: StackConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan_command.main([stack]) == 0
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
    assert plan_command.main([stack]) == 0
    assert f"aws:rds/instance:Instance amy-{stack}-db-instance [protected]" in capsys.readouterr().out


@pytest.mark.parametrize("stack", PROTECTED)
def test_json_is_identical_across_runs(stack: str, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert plan_command.main([stack, "--json", str(first)]) == 0
    assert plan_command.main([stack, "--json", str(second)]) == 0
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


def test_the_account_gets_the_stack_every_other_stack_and_every_move(
    stack: str, accounts_checked: list[dict[str, Plan]], tmp_path: Path
) -> None:
    written = tmp_path / "plan.json"
    assert plan_command.main([stack, "--json", str(written)]) == 0
    [plans] = accounts_checked
    assert set(plans) == set(account.variants())
    assert plans[stack].as_json() == json.loads(written.read_text())


def test_the_accounts_report_follows_the_verdict_and_a_problem_fails(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    balancer = Claimant(stack, "urn:lb", "aws:lb/loadBalancer:LoadBalancer", "lb", (stack,))
    over_long = BadName("load balancer", "lb-xxxxxxx", "is 33 characters, over the limit of 32", True, balancer)
    report = Report(identities=1, collisions=(), over_long=(over_long,), malformed=(), unmodelled=())
    monkeypatch.setattr(account, "check", lambda plans: report)
    assert plan_command.main([stack]) == 1
    out = capsys.readouterr().out
    after_the_verdict = out.split(f"Policies (policies/{stack}.json):\n", 1)[1]
    assert after_the_verdict.splitlines()[-2:] == [
        "account: 1 identities, 0 collisions, 1 over-long names, 0 malformed names",
        f"  over-long: {over_long}",
    ]


def test_a_variant_the_program_refuses_fails_the_account(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = account.Variant("testing", {"amy:logRetentionDays": "2"})
    monkeypatch.setattr(account, "variants", lambda: {stack: account.Variant(stack, {}), "testing, short logs": refused})
    assert plan_command.main([stack]) == 1
    assert "account: cannot plan testing, short logs: stack 'testing': 1 configuration problem(s)" in capsys.readouterr().out
