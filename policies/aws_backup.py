"""AWS Backup: daily recovery points, kept long enough in encrypted, locked vaults that an update cannot empty, copied
to another region; the database covered and restore-tested."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Policy, PolicyResource

from rds import INSTANCE
from support import MANDATORY, as_list, minimum_days, of_type, required_flag, resource_policy, stack_policy

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
SELECTION = "aws:backup/selection:Selection"
RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
# cron(minutes hours day-of-month month day-of-week year): daily when every day of every month qualifies.
CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$")
RATE = re.compile(r"^rate\((\d+) (minutes?|hours?|days?)\)$")
HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


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


def _no_force_destroy(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("forceDestroy") is True:
        yield (
            "forceDestroy lets deleting the vault delete every recovery point in it; set forceDestroy to false "
            "(to retire a vault, delete its recovery points on purpose first)"
        )


def runs_daily(schedule: Any) -> bool:
    """Whether an AWS Backup schedule expression starts a backup at least once every day."""
    if cron := CRON.match(str(schedule)):
        _minutes, _hours, day_of_month, month, day_of_week, _year = cron.groups()
        return day_of_month in ("*", "?") and month == "*" and day_of_week in ("*", "?")
    if rate := RATE.match(str(schedule)):
        return int(rate[1]) * HOURS[rate[2].rstrip("s")] <= 24
    return False


def _daily(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    rules = as_list(props.get("rules"))
    if not any(runs_daily(rule.get("schedule")) for rule in rules):
        schedules = ", ".join(f"{rule.get('ruleName')} {rule.get('schedule')}" for rule in rules) or "no rule"
        yield (
            f"no rule of the plan backs up every day ({schedules}); a loss would cost more than a day of data: "
            "add a daily rule, like cron(0 3 * * ? *)"
        )


def _locked(resources: list[PolicyResource], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if not config["required"]:
        return
    locked = {str(lock.props.get("backupVaultName")) for lock in of_type(resources, VAULT_LOCK)}
    for vault in of_type(resources, VAULT):
        if str(vault.props.get("name")) not in locked:
            yield (
                f"backup vault {vault.name} has no Vault Lock, so anyone allowed to delete recovery points (or a "
                "stolen deploy role) can empty it; add a VaultLockConfiguration for it with the plan's retention",
                vault.urn,
            )


def _region(arn: Any) -> str | None:
    parts = str(arn).split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" else None


def _home_region(resource: PolicyResource) -> str | None:
    """The region a resource is made in: its provider's, else its ARN's."""
    provider = resource.provider
    region = provider.props.get("region") if provider is not None else None
    return str(region) if isinstance(region, str) else _region(resource.props.get("arn"))


def _copied_elsewhere(resources: list[PolicyResource], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if not config["required"]:
        return
    for plan in of_type(resources, PLAN):
        copied = False
        # A rule's target vault is in the plan's own region; vaults of one name may be in several regions.
        source = _home_region(plan)
        for rule in as_list(plan.props.get("rules")):
            for copy in as_list(rule.get("copyActions")):
                # A vault the same update creates has no ARN yet in a preview: the copy is there, its region unknown.
                destination = _region(copy.get("destinationVaultArn"))
                copied = copied or destination is None or destination != source
        if not copied:
            yield (
                f"backup plan {plan.name} keeps every recovery point in one region, so a regional outage or a "
                "mistake in that region's vault loses them all; add a copyActions entry to a vault in another region",
                plan.urn,
            )


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
        resource_policy(
            "backup-vault-no-force-destroy",
            "Deleting an AWS Backup vault never deletes its recovery points.",
            [VAULT],
            _no_force_destroy,
            MANDATORY,
        ),
        resource_policy("backup-plan-daily", "Every AWS Backup plan backs up every day.", [PLAN], _daily, MANDATORY),
        stack_policy(
            "backup-vault-locked",
            "Where required, every AWS Backup vault has a Vault Lock.",
            _locked,
            MANDATORY,
            required_flag("Whether the stack must lock its backup vaults."),
        ),
        stack_policy(
            "backup-cross-region-copy",
            "Where required, every AWS Backup plan copies its recovery points to another region.",
            _copied_elsewhere,
            MANDATORY,
            required_flag("Whether the stack must copy its recovery points to another region."),
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
