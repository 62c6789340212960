"""AWS Backup: how long each stack keeps daily and monthly recovery points, and whether restores are tested."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import BackupConfig, StackConfig
from tests.stack_config.support import declared, problems


def test_each_stack_backups_are_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.backup == BackupConfig(
        daily_retention_days=declared(stack, "backupDailyRetentionDays"),
        monthly_retention_days=declared(stack, "backupMonthlyRetentionDays"),
        restore_testing=declared(stack, "backupRestoreTesting"),
        lock_mode=declared(stack, "backupLockMode"),
        lock_cooling_off_days=declared(stack, "backupLockCoolingOffDays"),
        copy_region=declared(stack, "backupCopyRegion"),
        copy_vault_arn=declared(stack, "backupCopyVaultArn"),
        break_glass_role=declared(stack, "breakGlassRoleName"),
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"backupDailyRetentionDays": 3}, "amy:backupDailyRetentionDays must be between 7 and 36500 days; got 3"),
        (
            {"backupDailyRetentionDays": 35, "backupMonthlyRetentionDays": 30},
            "amy:backupMonthlyRetentionDays must be at least amy:backupDailyRetentionDays (35)",
        ),
        ({"backupLockMode": "strict"}, "amy:backupLockMode must be one of compliance, governance"),
        (
            {"backupLockMode": "compliance", "backupLockCoolingOffDays": None},
            "amy:backupLockCoolingOffDays is required with backupLockMode compliance",
        ),
        ({"backupLockMode": "compliance", "backupLockCoolingOffDays": 2}, "amy:backupLockCoolingOffDays must be between 3"),
        (
            {"backupLockMode": "governance", "backupLockCoolingOffDays": 7},
            "amy:backupLockCoolingOffDays applies only with backupLockMode compliance",
        ),
        ({"backupCopyRegion": "us-moon-1"}, "amy:backupCopyRegion must be an AWS region"),
        ({"backupCopyRegion": "us-east-1"}, "amy:backupCopyRegion"),
        ({"backupCopyVaultArn": "arn:aws:backup:us-east-1:12:backup-vault:x"}, "amy:backupCopyVaultArn must be"),
        ({"breakGlassRoleName": "break glass"}, "amy:breakGlassRoleName must be"),
    ],
)
def test_bad_backup_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
