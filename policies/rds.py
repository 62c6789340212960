"""RDS instances: backups kept, a final snapshot, deletion protection, tags on snapshots, storage private and encrypted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, MANDATORY, minimum_days, resource_policy

INSTANCE = "aws:rds/instance:Instance"
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


def policies() -> list[ResourceValidationPolicy]:
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
        resource_policy("rds-deletion-protection", "RDS refuses deletion.", [INSTANCE], _deletion_protection, ADVISORY),
        resource_policy("rds-copy-tags-to-snapshot", "RDS copies tags to snapshots.", [INSTANCE], _copy_tags, MANDATORY),
        resource_policy("rds-storage-encrypted", "RDS storage is encrypted.", [INSTANCE], _encrypted, ADVISORY),
        resource_policy("rds-not-public", "RDS is not publicly accessible.", [INSTANCE], _private, ADVISORY),
    ]
