"""RDS instances: backups kept (past the instance too), a final snapshot, deletion protection, tags on snapshots, storage
private and encrypted, connections only over TLS, logs in CloudWatch."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Policy, PolicyResource

from support import ADVISORY, MANDATORY, as_list, minimum_days, of_type, resource_policy, stack_policy

INSTANCE = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
SNAPSHOTS = ("aws:rds/snapshot:Snapshot", "aws:rds/clusterSnapshot:ClusterSnapshot")
# The parameter that makes each engine refuse connections without TLS, and the values that turn it on.
TLS_PARAMETERS = {
    "postgres": ("rds.force_ssl", {"1"}),
    "mysql": ("require_secure_transport", {"1", "ON"}),
    "mariadb": ("require_secure_transport", {"1", "ON"}),
    "sqlserver": ("rds.force_ssl", {"1"}),
}
# The logs each engine should publish to CloudWatch (Security Hub's RDS.36, RDS.40 and RDS.42 defaults).
LOG_EXPORTS = {
    "postgres": ("postgresql", "upgrade"),
    "mysql": ("audit", "error", "general", "slowquery"),
    "mariadb": ("audit", "error", "general", "slowquery"),
    "sqlserver": ("agent", "error"),
}
# What RDS keeps when backupRetentionPeriod is not set.
API_DEFAULT_RETENTION_DAYS = 1


def _retention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = props.get("backupRetentionPeriod")
    kept = API_DEFAULT_RETENTION_DAYS if days is None else int(days)
    if kept < config["minimumDays"]:
        shown = f"unset, so RDS keeps {kept} day" if days is None else f"{kept} days"
        yield (
            f"automated backups are kept {shown}; keep them at least {config['minimumDays']} days "
            "(set backupRetentionPeriod, the stack's dbBackupRetentionDays)"
        )


def _final_snapshot(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("skipFinalSnapshot") is True:
        yield "deleting the instance would take no final snapshot; set skipFinalSnapshot to false"
    if not props.get("finalSnapshotIdentifier"):
        yield "no finalSnapshotIdentifier is set, so no final snapshot can be named on deletion; set one"


def _keeps_automated_backups(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("deleteAutomatedBackups") is not False:
        yield (
            "deleting the instance would delete its automated backups with it (deleteAutomatedBackups defaults to "
            "true), and with them every point in time it could be restored to; set deleteAutomatedBackups to false"
        )


def engine_family(engine: Any) -> str:
    """`postgres`, `mysql`, `mariadb`, `sqlserver` … from an engine name like sqlserver-se."""
    return str(engine).split("-", 1)[0]


def _log_exports(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    wanted = LOG_EXPORTS.get(engine_family(props.get("engine")), ())
    missing = [log for log in wanted if log not in as_list(props.get("enabledCloudwatchLogsExports"))]
    if missing:
        yield (
            f"the database does not publish its {', '.join(missing)} logs to CloudWatch, so they are lost with the "
            "instance and cannot be alarmed on; add them to enabledCloudwatchLogsExports"
        )


def _tls_setting(group: PolicyResource | None, parameter: str) -> tuple[str | None, str]:
    """The value `group` gives `parameter`, and how a message says so."""
    if group is None:
        return None, "it uses no parameter group of this stack"
    values = [str(p.get("value")) for p in as_list(group.props.get("parameters")) if p.get("name") == parameter]
    if not values:
        return None, f"its parameter group does not set {parameter}"
    return values[-1], f"its parameter group sets {parameter} to {values[-1]}"


def _forces_tls(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    groups = {str(group.props.get("name")): group for group in of_type(resources, PARAMETER_GROUP)}
    for database in of_type(resources, INSTANCE):
        engine = engine_family(database.props.get("engine"))
        if engine not in TLS_PARAMETERS:
            continue
        parameter, on = TLS_PARAMETERS[engine]
        value, shown = _tls_setting(groups.get(str(database.props.get("parameterGroupName"))), parameter)
        if value not in on:
            yield (
                f"database {database.name} accepts connections without TLS ({shown}); give it a parameter group "
                f"with {parameter} {sorted(on)[0]}",
                database.urn,
            )


def _snapshot_private(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if "all" in [str(account).lower() for account in as_list(props.get("sharedAccounts"))]:
        yield "the snapshot is shared with every AWS account, and with it the whole database; remove all from sharedAccounts"


def _deletion_protection(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("deletionProtection") is not True:
        yield "the database can be deleted by any update; set deletionProtection to true (dbDeletionProtection)"


def _copy_tags(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("copyTagsToSnapshot") is not True:
        yield "snapshots would lose the instance's tags (owner, billing); set copyTagsToSnapshot to true"


def _encrypted(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("storageEncrypted") is not True:
        yield (
            "storage is not encrypted; set storageEncrypted to true "
            "(an existing instance needs a restore from an encrypted snapshot)"
        )


def _private(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("publiclyAccessible") is True:
        yield "the database is reachable from the internet; set publiclyAccessible to false and keep it in isolated subnets"


def policies() -> list[Policy]:
    return [
        resource_policy(
            "rds-backup-retention",
            "RDS keeps automated backups at least the minimum number of days.",
            [INSTANCE],
            _retention,
            MANDATORY,
            minimum_days(7, "Fewest days of automated backups."),
        ),
        resource_policy(
            "rds-final-snapshot", "RDS takes a named final snapshot on deletion.", [INSTANCE], _final_snapshot, MANDATORY
        ),
        resource_policy(
            "rds-keep-automated-backups",
            "Deleting an RDS instance keeps its automated backups.",
            [INSTANCE],
            _keeps_automated_backups,
            MANDATORY,
        ),
        resource_policy("rds-deletion-protection", "RDS refuses deletion.", [INSTANCE], _deletion_protection, ADVISORY),
        resource_policy("rds-copy-tags-to-snapshot", "RDS copies tags to snapshots.", [INSTANCE], _copy_tags, MANDATORY),
        resource_policy("rds-storage-encrypted", "RDS storage is encrypted.", [INSTANCE], _encrypted, ADVISORY),
        resource_policy("rds-not-public", "RDS is not publicly accessible.", [INSTANCE], _private, ADVISORY),
        resource_policy("rds-log-exports", "RDS publishes its engine's logs to CloudWatch.", [INSTANCE], _log_exports, ADVISORY),
        resource_policy("rds-snapshot-not-public", "RDS snapshots are not public.", SNAPSHOTS, _snapshot_private, ADVISORY),
        stack_policy("rds-force-ssl", "RDS accepts connections only over TLS.", _forces_tls, ADVISORY),
    ]
