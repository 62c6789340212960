"""aws_backup.py: recovery points kept long enough in encrypted vaults; every database selected and restore-tested."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, stack_violations, without

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
RULES = {
    "rules": [
        {"ruleName": "daily", "lifecycle": {"deleteAfter": 35}},
        {"ruleName": "monthly", "lifecycle": {"deleteAfter": 365}},
    ]
}
REQUIRED = {"required": True}

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


@pytest.mark.parametrize(("policy", "config"), [("database-backup-selection", None), ("database-restore-testing", REQUIRED)])
def test_production_passes(production_resources: list[PolicyResource], policy: str, config: dict | None) -> None:
    assert stack_violations(policy, production_resources, config) == []


def test_testing_passes(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("database-backup-selection", testing_resources) == []


def test_a_database_outside_every_backup_selection_is_flagged(production_resources: list[PolicyResource]) -> None:
    found = stack_violations(
        "database-backup-selection", without(production_resources, "aws:backup/selection:Selection", "-database")
    )
    assert found == ["database amy-production-db-instance is in no AWS Backup selection; add its ARN to the plan's selection"]


def test_restore_testing_is_demanded_only_where_required(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("database-restore-testing", testing_resources) == []
    [message] = stack_violations("database-restore-testing", testing_resources, REQUIRED)
    assert "no AWS Backup restore test covers database amy-testing-db-instance" in message
