"""AWS Backup: how long daily and monthly recovery points live, and whether restores are tested."""

from __future__ import annotations

from dataclasses import dataclass

from stack_config.reader import MIN_RETENTION_DAYS, NAMESPACE, Reader

# AWS Backup keeps a recovery point at most 100 years.
MAX_BACKUP_RETENTION_DAYS = 36500
# AWS Backup starts the database's daily job (and on the 1st the monthly one) at 03:00 UTC, in minutes after
# midnight: after the nightly quiet hours, before the RDS backup window. A job that cannot start at once is
# retried until its start window closes (StartWindowMinutes, which AWS Backup wants to be 60 or more), so it may
# start any time in the hour after, and the database is `backing-up` while it runs.
AWS_BACKUP_START = 3 * 60
AWS_BACKUP_START_WINDOW_MINUTES = 60
# The same as a daily window (start, end) in minutes after midnight UTC.
AWS_BACKUP_DAILY_START_WINDOW = (AWS_BACKUP_START, AWS_BACKUP_START + AWS_BACKUP_START_WINDOW_MINUTES)

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
