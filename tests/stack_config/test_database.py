"""The database: identity, size, retention, and the daily backup and weekly maintenance windows that must not meet."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import DatabaseConfig, StackConfig
from stack_config.database import backup_window, clock, maintenance_window, overlaps, overlaps_daily
from stack_config.reader import Reader
from tests.stack_config.support import declared, loaded, problems

DAY = 24 * 60


def at(day: int, hours: int, minutes: int = 0) -> int:
    """Minutes after Monday midnight; day 0 is Monday."""
    return day * DAY + hours * 60 + minutes


def test_each_stack_database_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.database == DatabaseConfig(
        identifier=declared(stack, "dbIdentifier") or f"amy-{stack}",
        master_username=declared(stack, "dbMasterUsername"),
        engine_version=declared(stack, "dbEngineVersion"),
        instance_class=declared(stack, "dbInstanceClass"),
        allocated_storage_gb=declared(stack, "dbAllocatedStorageGb"),
        max_allocated_storage_gb=declared(stack, "dbMaxAllocatedStorageGb"),
        multi_az=declared(stack, "dbMultiAz"),
        backup_retention_days=declared(stack, "dbBackupRetentionDays"),
        backup_window=declared(stack, "dbBackupWindow"),
        maintenance_window=declared(stack, "dbMaintenanceWindow"),
        deletion_protection=declared(stack, "dbDeletionProtection"),
    )
    assert stack_config.database.parameter_group_family == f"postgres{declared(stack, 'dbEngineVersion')}"


@pytest.mark.parametrize(
    ("backups", "maintenance"),
    [
        ("06:30-07:30", "mon:07:30-mon:08:00"),
        ("06:30-07:30", "mon:06:00-mon:06:30"),
        ("23:30-00:30", "sun:08:00-sun:09:00"),
        ("23:30-00:30", "mon:00:30-mon:01:00"),
    ],
)
def test_windows_that_only_touch_are_accepted(backups: str, maintenance: str) -> None:
    database = loaded(dbBackupWindow=backups, dbMaintenanceWindow=maintenance).database
    assert (database.backup_window, database.maintenance_window) == (backups, maintenance)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06:30-07:30", (at(0, 6, 30), at(0, 7, 30))),
        ("00:00-00:30", (0, 30)),
        ("23:30-00:30", (at(0, 23, 30), 30)),
    ],
)
def test_a_backup_window_is_minutes_after_midnight(raw: str, expected: tuple[int, int]) -> None:
    reader = Reader({"amy:dbBackupWindow": raw})
    assert backup_window(reader, "dbBackupWindow") == expected
    assert reader.problems == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mon:00:00-mon:00:30", (0, 30)),
        ("sun:08:00-sun:09:00", (at(6, 8), at(6, 9))),
        ("tue:23:30-wed:00:30", (at(1, 23, 30), at(2, 0, 30))),
        ("sun:23:30-mon:00:30", (at(6, 23, 30), 30)),
    ],
)
def test_a_maintenance_window_is_minutes_after_monday_midnight(raw: str, expected: tuple[int, int]) -> None:
    reader = Reader({"amy:dbMaintenanceWindow": raw})
    assert maintenance_window(reader, "dbMaintenanceWindow") == expected
    assert reader.problems == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("23:50-00:10", "must last at least 30 minutes"),
        ("24:00-01:00", "must be a daily UTC window"),
        ("6:30-7:30", "must be a daily UTC window"),
    ],
)
def test_a_bad_backup_window_is_named(raw: str, expected: str) -> None:
    reader = Reader({"amy:dbBackupWindow": raw})
    assert backup_window(reader, "dbBackupWindow") is None
    assert len(reader.problems) == 1
    assert reader.problems[0].startswith(f"amy:dbBackupWindow {expected}")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sun:23:50-mon:00:10", "must last at least 30 minutes"),
        ("sun:08:00-sun:08:15", "must last at least 30 minutes"),
        ("sun:24:00-mon:01:00", "must be a weekly UTC window"),
        ("fun:08:00-fun:09:00", "must be a weekly UTC window"),
    ],
)
def test_a_bad_maintenance_window_is_named(raw: str, expected: str) -> None:
    reader = Reader({"amy:dbMaintenanceWindow": raw})
    assert maintenance_window(reader, "dbMaintenanceWindow") is None
    assert len(reader.problems) == 1
    assert reader.problems[0].startswith(f"amy:dbMaintenanceWindow {expected}")


@pytest.mark.parametrize(
    ("daily", "weekly", "overlap"),
    [
        # 06:30-07:30 every day against one hour on one day.
        ((at(0, 6, 30), at(0, 7, 30)), (at(6, 8), at(6, 9)), False),
        ((at(0, 6, 30), at(0, 7, 30)), (at(1, 7), at(1, 8)), True),
        ((at(0, 6, 30), at(0, 7, 30)), (at(2, 6), at(2, 7)), True),
        ((at(0, 6, 30), at(0, 7, 30)), (at(3, 6, 45), at(3, 7)), True),
        ((at(0, 6, 30), at(0, 7, 30)), (at(0, 7, 30), at(0, 8)), False),
        ((at(0, 6, 30), at(0, 7, 30)), (at(0, 6), at(0, 6, 30)), False),
        # A weekly window across midnight that swallows the daily one.
        ((at(0, 6, 30), at(0, 7, 30)), (at(5, 23), at(6, 7)), True),
        # A daily window across midnight: Sunday night's runs into Monday.
        ((at(0, 23, 30), at(0, 0, 30)), (at(0, 0), at(0, 0, 30)), True),
        ((at(0, 23, 30), at(0, 0, 30)), (at(6, 23), at(6, 23, 30)), False),
        ((at(0, 23, 30), at(0, 0, 30)), (at(0, 0, 30), at(0, 1)), False),
        # A weekly window across the week's end.
        ((at(0, 0), at(0, 0, 30)), (at(6, 23), at(0, 1)), True),
        ((at(0, 2), at(0, 3)), (at(6, 23), at(0, 1)), False),
        ((at(0, 23, 30), at(0, 0, 30)), (at(6, 23, 45), at(0, 0, 15)), True),
    ],
)
def test_a_daily_window_overlaps_a_weekly_one_on_any_day(daily: tuple[int, int], weekly: tuple[int, int], overlap: bool) -> None:
    assert overlaps_daily(daily, weekly) is overlap


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ((at(0, 3), at(0, 4)), (at(0, 3, 30), at(0, 4, 30)), True),
        ((at(0, 3, 30), at(0, 4, 30)), (at(0, 3), at(0, 4)), True),
        ((at(0, 2), at(0, 5)), (at(0, 3), at(0, 4)), True),
        ((at(0, 3), at(0, 4)), (at(0, 3, 15), at(0, 3, 45)), True),
        # Windows that only touch do not meet.
        ((at(0, 2, 30), at(0, 3)), (at(0, 3), at(0, 4)), False),
        ((at(0, 4), at(0, 4, 30)), (at(0, 3), at(0, 4)), False),
        ((at(0, 6, 30), at(0, 7, 30)), (at(0, 3), at(0, 4)), False),
        # Across midnight.
        ((at(0, 23, 30), at(0, 3, 15)), (at(0, 3), at(0, 4)), True),
        ((at(0, 23, 30), at(0, 0, 30)), (at(0, 0), at(0, 1)), True),
        ((at(0, 23, 30), at(0, 0, 30)), (at(0, 3), at(0, 4)), False),
    ],
)
def test_two_daily_windows_overlap_when_they_share_a_minute(
    first: tuple[int, int], second: tuple[int, int], overlap: bool
) -> None:
    assert overlaps(first, second) is overlap


def test_a_daily_window_reads_as_rds_writes_it() -> None:
    assert clock((at(0, 3), at(0, 4))) == "03:00-04:00"
    assert clock((at(0, 23, 30), at(0, 0, 30))) == "23:30-00:30"


@pytest.mark.parametrize("raw", ["03:00-03:30", "02:30-03:30", "03:59-04:30", "02:00-05:00", "23:30-03:15"])
def test_the_rds_backup_window_must_keep_clear_of_the_hour_aws_backup_may_start_in(raw: str) -> None:
    """Either backup leaves the instance `backing-up`, when the other and a release's snapshot cannot start; AWS
    Backup starts at 03:00 UTC or, retrying, any time until its 60-minute start window closes."""
    expected = f"amy:dbBackupWindow must not overlap AWS Backup's daily start window 03:00-04:00 UTC; got {raw!r}"
    assert expected in problems(dbBackupWindow=raw)


@pytest.mark.parametrize("raw", ["02:30-03:00", "04:00-04:30", "06:30-07:30", "23:30-00:30"])
def test_an_rds_backup_window_beside_aws_backups_start_window_is_accepted(raw: str) -> None:
    assert loaded(dbBackupWindow=raw).database.backup_window == raw


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"dbIdentifier": "Amy--db"}, "amy:dbIdentifier must be an RDS identifier"),
        ({"dbMasterUsername": "1admin"}, "amy:dbMasterUsername must be a PostgreSQL role name"),
        ({"dbBackupRetentionDays": 1}, "amy:dbBackupRetentionDays must be between 7 and 35 days; got 1"),
        ({"dbBackupRetentionDays": 36}, "amy:dbBackupRetentionDays must be between 7 and 35 days; got 36"),
        ({"dbBackupRetentionDays": "seven"}, "amy:dbBackupRetentionDays must be an integer, got 'seven'"),
        ({"dbInstanceClass": "t3.medium"}, "amy:dbInstanceClass must be an RDS class"),
        ({"dbInstanceClass": "db.x2g.large"}, "amy:dbInstanceClass must be an RDS class"),
        ({"dbInstanceClass": "db.t3.micro"}, "amy:dbInstanceClass must be an RDS class"),
        ({"dbAllocatedStorageGb": -20}, "amy:dbAllocatedStorageGb must be between 20 and 65536 GiB; got -20"),
        ({"dbMaxAllocatedStorageGb": -1}, "amy:dbMaxAllocatedStorageGb must be between 20 and 65536 GiB; got -1"),
        (
            {"dbAllocatedStorageGb": 100, "dbMaxAllocatedStorageGb": 105},
            "amy:dbMaxAllocatedStorageGb must be at least 10% above amy:dbAllocatedStorageGb (100)",
        ),
        ({"dbEngineVersion": "16.4"}, "amy:dbEngineVersion must be a PostgreSQL major version"),
        ({"dbEngineVersion": "9"}, "amy:dbEngineVersion must be a PostgreSQL major version"),
        ({"dbMultiAz": "yes"}, "amy:dbMultiAz must be true or false, got 'yes'"),
        ({"dbBackupWindow": "25:00-26:00"}, "amy:dbBackupWindow must be a daily UTC window"),
        ({"dbBackupWindow": "06:30-06:45"}, "amy:dbBackupWindow must last at least 30 minutes"),
        ({"dbMaintenanceWindow": "sunday 08:00"}, "amy:dbMaintenanceWindow must be a weekly UTC window"),
        (
            {"dbBackupWindow": "06:30-07:30", "dbMaintenanceWindow": "tue:07:00-tue:08:00"},
            "amy:dbMaintenanceWindow must not overlap amy:dbBackupWindow",
        ),
        (
            {"dbBackupWindow": "06:30-07:30", "dbMaintenanceWindow": "sat:23:00-sun:07:00"},
            "amy:dbMaintenanceWindow must not overlap amy:dbBackupWindow",
        ),
        (
            {"dbBackupWindow": "23:30-00:30", "dbMaintenanceWindow": "mon:00:00-mon:00:30"},
            "amy:dbMaintenanceWindow must not overlap amy:dbBackupWindow",
        ),
    ],
)
def test_bad_database_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
