"""aws_backup.py: daily recovery points kept long enough in encrypted, locked vaults no update can empty, copied to
another region; every database selected and restore-tested."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from stack_config import StackConfig
from tests.policies.pack import (
    Fail,
    Pass,
    assert_flagged,
    assert_passes,
    case_ids,
    from_plan,
    named,
    replaced,
    resource,
    stack_fail,
    stack_pass,
    stack_violations,
    without,
)
from tests.stacks import STACKS, config_of, planned

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
SELECTION = "aws:backup/selection:Selection"
RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
DAILY = {"ruleName": "daily", "schedule": "cron(0 3 * * ? *)", "lifecycle": {"deleteAfter": 35}}
MONTHLY = {"ruleName": "monthly", "schedule": "cron(0 3 1 * ? *)", "lifecycle": {"deleteAfter": 365}}
RULES = {"rules": [DAILY, MONTHLY]}
ELSEWHERE = "arn:aws:backup:us-west-2:123456789012:backup-vault:amy-copies"
REQUIRED = {"required": True}
Mutation = Callable[[list[PolicyResource]], list[PolicyResource]]

PASSING = [
    Pass("backup-plan-retention", PLAN, RULES, {"minimumDays": 35}),
    Pass("backup-vault-encrypted", VAULT, {"kmsKeyArn": "arn:aws:kms:us-east-1:1:key/k"}),
    Pass("backup-vault-no-force-destroy", VAULT, {"forceDestroy": False}),
    Pass("backup-plan-daily", PLAN, RULES),
    Pass("backup-plan-daily", PLAN, {"rules": [{**DAILY, "schedule": "cron(30 */12 ? * * *)"}]}),
    Pass("backup-plan-daily", PLAN, {"rules": [{**DAILY, "schedule": "rate(12 hours)"}]}),
]

FAILING = [
    Fail(
        "backup-plan-retention",
        PLAN,
        {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 7}}]},
        "rule 'daily' deletes its points after 7 days",
        {"minimumDays": 35},
    ),
    Fail("backup-plan-retention", PLAN, {"rules": [{"ruleName": "daily"}]}, "sets no deleteAfter"),
    Fail("backup-vault-encrypted", VAULT, {}, "give it a customer managed key"),
    Fail("backup-vault-no-force-destroy", VAULT, {"forceDestroy": True}, "set forceDestroy to false"),
    Fail(
        "backup-plan-daily",
        PLAN,
        {"rules": [MONTHLY]},
        "no rule of the plan backs up every day (monthly cron(0 3 1 * ? *))",
    ),
    Fail("backup-plan-daily", PLAN, {"rules": [{**DAILY, "schedule": "cron(0 3 ? * SUN *)"}]}, "add a daily rule"),
    Fail("backup-plan-daily", PLAN, {"rules": [{**DAILY, "schedule": "rate(2 days)"}]}, "add a daily rule"),
    Fail("backup-plan-daily", PLAN, {}, "(no rule)"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)


@stack_pass("database-backup-selection")
def test_every_stack_selects_its_database_for_backup(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("database-backup-selection", stack_resources) == []


@stack_fail("database-backup-selection")
@pytest.mark.parametrize(
    "mutation",
    [
        lambda resources: without(resources, SELECTION, "-database"),
        lambda resources: replaced(resources, SELECTION, resources=["arn:aws:rds:us-east-1:123456789012:db:another"]),
    ],
    ids=["no-selection", "selection-of-another-database"],
)
def test_a_database_outside_every_backup_selection_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig, mutation: Mutation
) -> None:
    assert stack_violations("database-backup-selection", mutation(stack_resources)) == [
        f"database {stack_config.name_prefix}-db-instance is in no AWS Backup selection; add its ARN to the plan's selection"
    ]


def no_restore_test(config: StackConfig) -> str:
    return (
        f"no AWS Backup restore test covers database {config.name_prefix}-db-instance; "
        "turn on backupRestoreTesting so restores are proven"
    )


@stack_pass("database-restore-testing")
def test_every_stack_restore_tests_its_database_where_its_config_says(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    required = {"required": stack_config.backup.restore_testing}
    assert stack_violations("database-restore-testing", stack_resources, required) == []


@stack_fail("database-restore-testing")
def test_a_database_without_a_restore_test_is_flagged_only_where_required(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    untested = without(stack_resources, RESTORE_TESTING_SELECTION)
    assert stack_violations("database-restore-testing", untested) == []
    assert stack_violations("database-restore-testing", untested, REQUIRED) == [no_restore_test(stack_config)]


@stack_fail("database-restore-testing")
@pytest.mark.parametrize("stack", [stack for stack in STACKS if config_of(stack).backup.restore_testing])
def test_a_restore_test_of_another_database_does_not_count(stack: str) -> None:
    elsewhere = replaced(
        from_plan(planned(stack).registrations),
        RESTORE_TESTING_SELECTION,
        protectedResourceArns=["arn:aws:rds:us-east-1:123456789012:db:another"],
    )
    assert stack_violations("database-restore-testing", elsewhere, REQUIRED) == [no_restore_test(config_of(stack))]


def lock_of(vault: PolicyResource) -> PolicyResource:
    return resource(
        VAULT_LOCK,
        f"{vault.name}-lock",
        {"backupVaultName": vault.props["name"], "minRetentionDays": 7, "maxRetentionDays": 400, "changeableForDays": 3},
    )


@stack_pass("backup-vault-locked")
def test_a_locked_vault_passes(stack_resources: list[PolicyResource]) -> None:
    unlocked = without(stack_resources, VAULT_LOCK)
    locked = [*unlocked, *(lock_of(vault) for vault in stack_resources if vault.resource_type == VAULT)]
    assert stack_violations("backup-vault-locked", locked, REQUIRED) == []
    assert stack_violations("backup-vault-locked", stack_resources, REQUIRED) == []


@stack_fail("backup-vault-locked")
def test_a_vault_without_a_lock_is_flagged_where_required(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    vaults = [vault for vault in stack_resources if vault.resource_type == VAULT]
    unlocked = without(stack_resources, VAULT_LOCK)
    assert stack_violations("backup-vault-locked", unlocked) == []
    messages = stack_violations("backup-vault-locked", unlocked, REQUIRED)
    assert len(messages) == len(vaults)
    assert any(m.startswith(f"backup vault {stack_config.name_prefix}-backups-vault has no Vault Lock") for m in messages)
    lock_of_another = resource(VAULT_LOCK, "other-lock", {"backupVaultName": "another-vault"})
    assert stack_violations("backup-vault-locked", [*unlocked, lock_of_another], REQUIRED) == messages


def with_copies(resources: list[PolicyResource], copies: list[dict[str, Any]]) -> list[PolicyResource]:
    plan = named(resources, PLAN)
    return replaced(resources, PLAN, rules=[{**rule, "copyActions": copies} for rule in plan.props["rules"]])


def with_copy(resources: list[PolicyResource], destination: str | None) -> list[PolicyResource]:
    return with_copies(resources, [{"destinationVaultArn": destination}])


@stack_pass("backup-cross-region-copy")
@pytest.mark.parametrize("stack", [stack for stack in STACKS if config_of(stack).backup.copy_region])
def test_a_copy_vault_of_the_same_name_in_another_region_passes(stack: str) -> None:
    """Both vaults are named after the stack; the copy's region is its provider's, not the name's."""
    resources = from_plan(planned(stack).registrations)
    vaults = [vault for vault in resources if vault.resource_type == VAULT]
    assert len({vault.props["name"] for vault in vaults}) == 1 < len(vaults)
    assert stack_violations("backup-cross-region-copy", resources, REQUIRED) == []


@stack_pass("backup-cross-region-copy")
@pytest.mark.parametrize("destination", [ELSEWHERE, None], ids=["another-region", "vault-created-by-the-same-update"])
def test_a_plan_copying_to_another_region_passes(stack_resources: list[PolicyResource], destination: str | None) -> None:
    assert stack_violations("backup-cross-region-copy", with_copy(stack_resources, destination), REQUIRED) == []


@stack_fail("backup-cross-region-copy")
def test_a_plan_keeping_everything_in_one_region_is_flagged_where_required(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    same_region = f"arn:aws:backup:{stack_config.region}:123456789012:backup-vault:amy-copies"
    uncopied = with_copies(stack_resources, [])
    for resources in (uncopied, with_copy(stack_resources, same_region)):
        assert stack_violations("backup-cross-region-copy", resources) == []
        [message] = stack_violations("backup-cross-region-copy", resources, REQUIRED)
        assert message.startswith(f"backup plan {stack_config.name_prefix}-backups-plan keeps every recovery point")
