"""The pack over the analyzer protocol, as the CLI drives it: every stack passes, weakened stacks fail by name."""

from __future__ import annotations

import pytest
from google.protobuf import empty_pb2

from tests.policies.pack import POLICIES
from tests.stacks import STACKS, config_of
from tooling import plan as plan_command
from tooling.harness import Plan, run
from tooling.policy_check import check, policy_config, policy_server


def test_the_pack_starts_and_lists_its_policies_over_the_protocol() -> None:
    with policy_server() as server:
        info = server.connect().GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "amy"
    assert {policy.name for policy in info.policies} == set(POLICIES)
    assert all(policy.description for policy in info.policies)


def test_committed_stacks_have_no_mandatory_violation(stack_plan: Plan) -> None:
    with policy_server() as server:
        verdict = check(server, stack_plan)
    assert verdict.mandatory == []


PROTECTED = [stack for stack in STACKS if config_of(stack).protect_stateful_resources]


@pytest.mark.parametrize("stack", PROTECTED)
def test_a_protected_stack_makes_every_policy_mandatory_and_pins_its_retention(stack: str) -> None:
    """Lowering a protected stack's retention below what its stack file keeps today fails until its policy config
    is lowered too, in the same reviewed change."""
    config, stack_config = policy_config(stack), config_of(stack)
    assert config["all"] == "mandatory"
    assert config["rds-backup-retention"] == {"minimumDays": stack_config.database.backup_retention_days}
    assert config["backup-plan-retention"] == {"minimumDays": stack_config.backup.daily_retention_days}
    assert config["log-group-retention"] == {"minimumDays": stack_config.log_retention_days}
    assert config["stateful-resources-protected"] == {"required": True}
    assert config["database-restore-testing"] == {"required": stack_config.backup.restore_testing}
    for required in ("backup-vault-locked", "backup-cross-region-copy", "dumps-bucket-object-lock"):
        assert config[required] == {"required": True}


@pytest.mark.parametrize("stack", PROTECTED)
def test_a_weakened_protected_stack_fails_with_the_policies_it_breaks(stack: str) -> None:
    stack_config = config_of(stack)
    weakened = run(
        stack,
        {
            "amy:dbBackupRetentionDays": 7,
            "amy:backupRestoreTesting": False,
            "amy:protectStatefulResources": False,
            "amy:logRetentionDays": 14,
            "amy:dbDeletionProtection": False,
        },
    )
    with policy_server() as server:
        verdict = check(server, weakened)
    assert {v.policy for v in verdict.mandatory} >= {
        "rds-backup-retention",
        "stateful-resources-protected",
        "log-group-retention",
        "rds-deletion-protection",
    }
    assert ("database-restore-testing" in {v.policy for v in verdict.mandatory}) is stack_config.backup.restore_testing
    retention = next(v for v in verdict.mandatory if v.policy == "rds-backup-retention")
    assert retention.urn.endswith(f"::{stack_config.name_prefix}-db-instance")
    # The engine sends the policy's config as protobuf doubles; the message still speaks in whole days.
    days = stack_config.database.backup_retention_days
    assert retention.message == (
        f"automated backups are kept 7 days; keep them at least {days} days "
        "(set backupRetentionPeriod, the stack's dbBackupRetentionDays)"
    )


@pytest.mark.usefixtures("accounts_checked")
def test_the_plan_prints_the_verdict_and_fails_on_a_mandatory_violation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    unprotected = next(stack for stack in STACKS if not config_of(stack).protect_stateful_resources)
    assert plan_command.main([unprotected]) == 0
    assert f"Policy pack: {len(POLICIES)} policies, 0 mandatory" in capsys.readouterr().out
    [protected, *_] = PROTECTED
    real_run = plan_command.run
    monkeypatch.setattr(
        plan_command, "run", lambda stack, **kwargs: real_run(stack, {"amy:protectStatefulResources": False}, **kwargs)
    )
    assert plan_command.main([protected]) == 1
    out = capsys.readouterr().out
    assert f"Policy pack: {len(POLICIES)} policies, " in out
    prefix = config_of(protected).name_prefix
    unprotected_lines = [line for line in out.splitlines() if line.startswith("  [stateful-resources-protected] ")]
    # The database, the dumps bucket, a key and vault in each region that keeps recovery points, the sessions' key,
    # and every log group (the audit record among them).
    names = ["backups-dumps", "backups-key", "backups-vault", "db-instance", "sessions-key", "sessions-log"]
    if config_of(protected).backup.copy_region is not None:
        names += ["backups-key-copy", "backups-vault-copy"]
    flagged = [line.split(" ")[3].removesuffix(":") for line in unprotected_lines]
    log_groups = [r.name for r in real_run(protected).of_type("aws:cloudwatch/logGroup:LogGroup")]
    assert sorted(flagged) == sorted({f"{prefix}-{name}" for name in names} | set(log_groups))
