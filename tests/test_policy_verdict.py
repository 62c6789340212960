"""The pack over the analyzer protocol, as the CLI drives it: both stacks pass, weakened stacks fail by name."""

from __future__ import annotations

import pytest
from google.protobuf import empty_pb2

from tests.policies.pack import POLICIES
from tooling import plan as plan_command
from tooling.harness import Plan, run
from tooling.policy_check import check, policy_config, policy_server


def test_the_pack_starts_and_lists_its_policies_over_the_protocol() -> None:
    with policy_server() as server:
        info = server.connect().GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "amy"
    assert {policy.name for policy in info.policies} == set(POLICIES)
    assert all(policy.description for policy in info.policies)


@pytest.mark.parametrize("stack", ["production", "testing"])
def test_committed_stacks_have_no_mandatory_violation(request: pytest.FixtureRequest, stack: str) -> None:
    plan: Plan = request.getfixturevalue(stack)
    with policy_server() as server:
        verdict = check(server, plan)
    assert verdict.mandatory == []


def test_production_makes_every_policy_mandatory_and_raises_thresholds() -> None:
    config = policy_config("production")
    assert config["all"] == "mandatory"
    assert config["rds-backup-retention"] == {"minimumDays": 35}
    assert config["stateful-resources-protected"] == {"required": True}


def test_a_weakened_production_fails_with_the_policies_it_breaks() -> None:
    weakened = run(
        "production",
        {
            "amy:dbBackupRetentionDays": 7,
            "amy:backupRestoreTesting": False,
            "amy:protectStatefulResources": False,
            "amy:logRetentionDays": 30,
            "amy:dbDeletionProtection": False,
        },
    )
    with policy_server() as server:
        verdict = check(server, weakened)
    assert {v.policy for v in verdict.mandatory} == {
        "rds-backup-retention",
        "database-restore-testing",
        "stateful-resources-protected",
        "log-group-retention",
        "rds-deletion-protection",
    }
    retention = next(v for v in verdict.mandatory if v.policy == "rds-backup-retention")
    assert retention.urn.endswith("::amy-production-db-instance")
    assert "kept 7 days; keep them at least 35" in retention.message


def test_the_plan_prints_the_verdict_and_fails_on_a_mandatory_violation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan_command.main(["testing"]) == 0
    assert "Policy pack: 35 policies, 0 mandatory" in capsys.readouterr().out
    real_run = plan_command.run
    monkeypatch.setattr(
        plan_command, "run", lambda stack, **kwargs: real_run(stack, {"amy:protectStatefulResources": False}, **kwargs)
    )
    assert plan_command.main(["production"]) == 1
    out = capsys.readouterr().out
    assert "Policy pack: 35 policies, 3 mandatory and 0 advisory violations\nmandatory:\n" in out
    assert "\n  [stateful-resources-protected] amy-production-db-instance: " in out
