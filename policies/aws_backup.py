"""AWS Backup: recovery points kept long enough in encrypted vaults, the database covered and restore-tested."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Policy, PolicyResource

from rds import INSTANCE
from support import MANDATORY, as_list, minimum_days, of_type, required_flag, resource_policy, stack_policy

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
SELECTION = "aws:backup/selection:Selection"
RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"


def _rule_retention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for rule in as_list(props.get("rules")):
        days = (rule.get("lifecycle") or {}).get("deleteAfter")
        if days is None:
            yield f"rule {rule.get('ruleName')!r} sets no deleteAfter; keep its points at least {config['minimumDays']} days"
        elif int(days) < config["minimumDays"]:
            yield (
                f"rule {rule.get('ruleName')!r} deletes its points after {days} days; keep them at least "
                f"{config['minimumDays']} days (lifecycle.deleteAfter, the stack's backupDailyRetentionDays)"
            )


def _vault_encrypted(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("kmsKeyArn"):
        yield "the vault names no KMS key; give it a customer managed key (kmsKeyArn) so recovery points are under your control"


def _database_arn(database: PolicyResource) -> str | None:
    return database.props.get("arn")


def _covered(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    selected = {arn for selection in of_type(resources, SELECTION) for arn in as_list(selection.props.get("resources"))}
    for database in of_type(resources, INSTANCE):
        if _database_arn(database) not in selected:
            yield (f"database {database.name} is in no AWS Backup selection; add its ARN to the plan's selection", database.urn)


def _restore_tested(resources: list[PolicyResource], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if not config["required"]:
        return
    tested = {
        arn
        for selection in of_type(resources, RESTORE_TESTING_SELECTION)
        if selection.props.get("protectedResourceType") == "RDS"
        for arn in as_list(selection.props.get("protectedResourceArns"))
    }
    for database in of_type(resources, INSTANCE):
        if _database_arn(database) not in tested:
            yield (
                f"no AWS Backup restore test covers database {database.name}; "
                "turn on backupRestoreTesting so restores are proven",
                database.urn,
            )


def policies() -> list[Policy]:
    return [
        resource_policy(
            "backup-plan-retention",
            "Every AWS Backup rule keeps recovery points at least the minimum number of days.",
            [PLAN],
            _rule_retention,
            MANDATORY,
            minimum_days(7, "Fewest days a recovery point is kept."),
        ),
        resource_policy(
            "backup-vault-encrypted", "AWS Backup vaults are encrypted with a KMS key.", [VAULT], _vault_encrypted, MANDATORY
        ),
        stack_policy("database-backup-selection", "Every database is in an AWS Backup selection.", _covered, MANDATORY),
        stack_policy(
            "database-restore-testing",
            "Where required, an AWS Backup restore test covers every database.",
            _restore_tested,
            MANDATORY,
            required_flag("Whether the stack must restore-test its databases."),
        ),
    ]
