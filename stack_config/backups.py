"""AWS Backup: how long daily and monthly recovery points live, and whether restores are tested."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast, get_args

from stack_config import catalogue
from stack_config.reader import MIN_RETENTION_DAYS, NAMESPACE, Reader, shown

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

# How recovery points and dumps are locked against deletion. Compliance: no one, root included, may delete them
# or shorten their retention, and once the cooling-off has passed the vault's lock cannot be removed (AWS Backup
# Vault Lock; S3 Object Lock's COMPLIANCE mode). Governance: principals with the bypass permission still may.
LockMode = Literal["compliance", "governance"]
LOCK_MODES: tuple[LockMode, ...] = get_args(LockMode)
# AWS Backup wants a compliance lock's cooling-off (ChangeableForDays) of at least 3 days.
COOLING_OFF_DAYS = (3, 36500)
KEYS = {
    "backupDailyRetentionDays": "integer",
    "backupMonthlyRetentionDays": "integer",
    "backupRestoreTesting": "boolean",
    "backupLockMode": "string",
    "backupLockCoolingOffDays": "integer",
    "backupCopyRegion": "string",
    "backupCopyVaultArn": "string",
    "breakGlassRoleName": "string",
}
COPY_VAULT_ARN = re.compile(r"arn:aws:backup:[a-z0-9-]+:[0-9]{12}:backup-vault:[A-Za-z0-9_-]{2,50}")
ROLE_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")


@dataclass(frozen=True)
class BackupConfig:
    daily_retention_days: int
    monthly_retention_days: int
    restore_testing: bool
    lock_mode: LockMode = "governance"
    # Days a compliance lock can still be removed; None in governance mode.
    lock_cooling_off_days: int | None = None
    # A second region the recovery points are copied to, under a key and vault of their own.
    copy_region: str | None = None
    # A vault in another account the recovery points are copied to, under that vault's key.
    copy_vault_arn: str | None = None
    # The role that alone may disable or delete the backups' key or change its policy.
    break_glass_role: str = "amy-break-glass"


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
    mode = reader.choice("backupLockMode", LOCK_MODES)
    cooling_off = reader.optional("backupLockCoolingOffDays")
    cooling_off_days = reader.bounded("backupLockCoolingOffDays", *COOLING_OFF_DAYS, " days") if cooling_off is not None else None
    if mode == "compliance" and cooling_off is None:
        reader.problem(
            "backupLockCoolingOffDays",
            "is required with backupLockMode compliance: the days during which the lock can still be removed (3 or more)",
        )
    if mode == "governance" and cooling_off is not None:
        reader.problem("backupLockCoolingOffDays", "applies only with backupLockMode compliance")
    copy_region = reader.optional("backupCopyRegion")
    if copy_region is not None and copy_region not in catalogue.regions():
        reader.problem("backupCopyRegion", f"must be an AWS region like us-west-2; got {shown(copy_region)}")
    copy_vault = reader.matching("backupCopyVaultArn", COPY_VAULT_ARN, "a backup vault's ARN in another account", required=False)
    break_glass = reader.matching("breakGlassRoleName", ROLE_NAME, "an IAM role name", required=False)
    if daily is None or monthly is None or restore_testing is None or mode is None:
        return None
    return BackupConfig(
        daily_retention_days=daily,
        monthly_retention_days=monthly,
        restore_testing=restore_testing,
        lock_mode=cast(LockMode, mode),
        lock_cooling_off_days=cooling_off_days,
        copy_region=copy_region,
        copy_vault_arn=copy_vault,
        break_glass_role=break_glass or "amy-break-glass",
    )
