"""aws_backup.py: recovery points kept long enough in encrypted vaults; every database selected and restore-tested."""

from __future__ import annotations

from collections.abc import Callable

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
    replaced,
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
RULES = {
    "rules": [
        {"ruleName": "daily", "lifecycle": {"deleteAfter": 35}},
        {"ruleName": "monthly", "lifecycle": {"deleteAfter": 365}},
    ]
}
REQUIRED = {"required": True}
Mutation = Callable[[list[PolicyResource]], list[PolicyResource]]

PASSING = [
    Pass("backup-plan-retention", PLAN, RULES, {"minimumDays": 35}),
    Pass("backup-vault-encrypted", VAULT, {"kmsKeyArn": "arn:aws:kms:us-east-1:1:key/k"}),
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
