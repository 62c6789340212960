"""AWS Backup: how long daily and monthly recovery points live, and whether restores are tested."""

from __future__ import annotations

from dataclasses import dataclass

from stack_config.reader import MIN_RETENTION_DAYS, NAMESPACE, Reader

# AWS Backup keeps a recovery point at most 100 years.
MAX_BACKUP_RETENTION_DAYS = 36500

KEYS = {"backupDailyRetentionDays": "integer", "backupMonthlyRetentionDays": "integer", "backupRestoreTesting": "boolean"}


@dataclass(frozen=True)
class BackupConfig:
    daily_retention_days: int
    monthly_retention_days: int
    restore_testing: bool


def backups(reader: Reader) -> BackupConfig | None:
    daily = reader.bounded("backupDailyRetentionDays", MIN_RETENTION_DAYS, MAX_BACKUP_RETENTION_DAYS, " days")
    monthly = reader.bounded("backupMonthlyRetentionDays", MIN_RETENTION_DAYS, MAX_BACKUP_RETENTION_DAYS, " days")
    if daily is not None and monthly is not None and monthly < daily:
        reader.problem(
            "backupMonthlyRetentionDays",
            f"must be at least {NAMESPACE}:backupDailyRetentionDays ({daily}): monthly points outlive daily ones; got {monthly}",
        )
        monthly = None
    restore_testing = reader.boolean("backupRestoreTesting")
    if daily is None or monthly is None or restore_testing is None:
        return None
    return BackupConfig(daily_retention_days=daily, monthly_retention_days=monthly, restore_testing=restore_testing)
