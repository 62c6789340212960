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
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"backupDailyRetentionDays": 3}, "amy:backupDailyRetentionDays must be between 7 and 36500 days; got 3"),
        (
            {"backupDailyRetentionDays": 35, "backupMonthlyRetentionDays": 30},
            "amy:backupMonthlyRetentionDays must be at least amy:backupDailyRetentionDays (35)",
        ),
    ],
)
def test_bad_backup_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
