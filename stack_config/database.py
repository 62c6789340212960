"""The RDS database: its identity, size, backups and the windows RDS works in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack_config import catalogue
from stack_config.backups import AWS_BACKUP_DAILY_START_WINDOW
from stack_config.reader import MIN_RETENTION_DAYS, NAMESPACE, Reader, shown

# RDS keeps automated backups 1 to 35 days; AMY's operators keep at least a week.
MAX_RDS_BACKUP_RETENTION_DAYS = 35
MIN_GP3_STORAGE_GB = 20
MAX_RDS_STORAGE_GB = 65536
MIN_POSTGRES_MAJOR = 13
# Burstable sizes below medium lack the memory AMY needs and Performance Insights.
DB_INSTANCE_CLASS = re.compile(
    r"^db\.(?:(?:t3|t4g)\.(?:medium|large|xlarge|2xlarge)"
    r"|(?:m5|m6g|m6i|m7g|m7i|r5|r6g|r6i|r7g|r7i)\.(?:large|xlarge|[0-9]+xlarge))$"
)
DB_IDENTIFIER = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-)){0,62}(?<!-)$")
# RDS's master user: 1 to 16 letters, digits or underscores, a letter first (CreateDBInstance's MasterUsername);
# lower-case, as PostgreSQL folds unquoted names.
PG_USERNAME = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
BACKUP_WINDOW = re.compile(r"^([0-9][0-9]):([0-9][0-9])-([0-9][0-9]):([0-9][0-9])$")
MAINTENANCE_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([0-9][0-9]):([0-9][0-9])-(mon|tue|wed|thu|fri|sat|sun):([0-9][0-9]):([0-9][0-9])$"
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# RDS refuses windows shorter than this.
MIN_WINDOW_MINUTES = 30

KEYS = {
    "dbIdentifier": "string",
    "dbMasterUsername": "string",
    "dbEngineVersion": "string",
    "dbInstanceClass": "string",
    "dbAllocatedStorageGb": "integer",
    "dbMaxAllocatedStorageGb": "integer",
    "dbMultiAz": "boolean",
    "dbBackupRetentionDays": "integer",
    "dbBackupWindow": "string",
    "dbMaintenanceWindow": "string",
    "dbDeletionProtection": "boolean",
}


@dataclass(frozen=True)
class DatabaseConfig:
    identifier: str
    master_username: str
    engine_version: str
    instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    multi_az: bool
    backup_retention_days: int
    backup_window: str
    maintenance_window: str
    deletion_protection: bool

    @property
    def parameter_group_family(self) -> str:
        return f"postgres{self.engine_version}"


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    return h * 60 + m if h < 24 and m < 60 else None


def backup_window(reader: Reader, key: str) -> tuple[int, int] | None:
    """A daily window as minutes after midnight (start, end)."""
    value = reader.string(key)
    if value is None:
        return None
    match = BACKUP_WINDOW.fullmatch(value)
    start = _minutes(*match.groups()[:2]) if match else None
    end = _minutes(*match.groups()[2:]) if match else None
    if start is None or end is None:
        reader.problem(key, f"must be a daily UTC window hh:mm-hh:mm, like 06:30-07:30; got {shown(value)}")
        return None
    if (end - start) % MINUTES_PER_DAY < MIN_WINDOW_MINUTES:
        reader.problem(key, f"must last at least {MIN_WINDOW_MINUTES} minutes; got {shown(value)}")
        return None
    return start, end


def maintenance_window(reader: Reader, key: str) -> tuple[int, int] | None:
    """A weekly window as minutes after Monday midnight (start, end)."""
    value = reader.string(key)
    if value is None:
        return None
    match = MAINTENANCE_WINDOW.fullmatch(value)
    if match:
        start_day, start_h, start_m, end_day, end_h, end_m = match.groups()
        start_time, end_time = _minutes(start_h, start_m), _minutes(end_h, end_m)
        if start_time is not None and end_time is not None:
            start = WEEKDAYS.index(start_day) * MINUTES_PER_DAY + start_time
            end = WEEKDAYS.index(end_day) * MINUTES_PER_DAY + end_time
            if (end - start) % MINUTES_PER_WEEK < MIN_WINDOW_MINUTES:
                reader.problem(key, f"must last at least {MIN_WINDOW_MINUTES} minutes; got {shown(value)}")
                return None
            return start, end
    reader.problem(key, f"must be a weekly UTC window ddd:hh:mm-ddd:hh:mm, like sun:08:00-sun:09:00; got {shown(value)}")
    return None


def clock(window: tuple[int, int]) -> str:
    """A daily window as RDS writes it: `06:30-07:30`."""
    return "-".join(f"{minutes // 60 % 24:02d}:{minutes % 60:02d}" for minutes in window)


def overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two daily windows meet, either of them possibly running past midnight."""
    first_length = (first[1] - first[0]) % MINUTES_PER_DAY
    second_length = (second[1] - second[0]) % MINUTES_PER_DAY
    return (second[0] - first[0]) % MINUTES_PER_DAY < first_length or (first[0] - second[0]) % MINUTES_PER_DAY < second_length


def overlaps_daily(daily: tuple[int, int], weekly: tuple[int, int]) -> bool:
    """Whether a daily window meets a weekly one on any day."""
    weekly_length = (weekly[1] - weekly[0]) % MINUTES_PER_WEEK
    daily_length = (daily[1] - daily[0]) % MINUTES_PER_DAY
    for day in range(7):
        offset = (day * MINUTES_PER_DAY + daily[0] - weekly[0]) % MINUTES_PER_WEEK
        if offset < weekly_length or (MINUTES_PER_WEEK - offset) % MINUTES_PER_WEEK < daily_length:
            return True
    return False


def database(reader: Reader, name_prefix: str) -> DatabaseConfig | None:
    identifier = reader.optional("dbIdentifier")
    if identifier is None:
        identifier = name_prefix
    if not DB_IDENTIFIER.fullmatch(identifier):
        reader.problem("dbIdentifier", f"must be an RDS identifier (letters, digits, single hyphens); got {shown(identifier)}")
    username = reader.matching(
        "dbMasterUsername", PG_USERNAME, "a PostgreSQL role name of 1-16 letters, digits or underscores, like amy"
    )
    if username is not None and (username in catalogue.postgres_reserved_words() or username.startswith("rds")):
        # RDS refuses the engine's reserved words, and keeps the rds prefix for its own roles (rdsadmin, rds_superuser).
        reader.problem("dbMasterUsername", f"is a name PostgreSQL or RDS reserves; got {shown(username)}")
        username = None
    engine_version = reader.string("dbEngineVersion")
    if engine_version is not None and not (
        re.fullmatch(r"[1-9][0-9]{0,2}", engine_version) and int(engine_version) >= MIN_POSTGRES_MAJOR
    ):
        reader.problem(
            "dbEngineVersion",
            f"must be a PostgreSQL major version ≥ {MIN_POSTGRES_MAJOR} like '16' (minor upgrades are automatic); "
            f"got {shown(engine_version)}",
        )
    instance_class = reader.matching(
        "dbInstanceClass",
        DB_INSTANCE_CLASS,
        "an RDS class of the t3/t4g (medium or larger), m5/m6g/m6i/m7g/m7i or r5/r6g/r6i/r7g/r7i families, like db.t4g.medium",
    )
    # An RDS class is an EC2 instance type behind `db.`: a size EC2 does not have, RDS does not either.
    if instance_class is not None and instance_class.removeprefix("db.") not in catalogue.ec2_instance_types():
        reader.problem("dbInstanceClass", f"names a size its family does not have; got {shown(instance_class)}")
        instance_class = None
    storage = reader.bounded("dbAllocatedStorageGb", MIN_GP3_STORAGE_GB, MAX_RDS_STORAGE_GB, " GiB")
    max_storage = reader.bounded("dbMaxAllocatedStorageGb", MIN_GP3_STORAGE_GB, MAX_RDS_STORAGE_GB, " GiB")
    # RDS storage autoscaling needs a ceiling at least 10 % above the allocation.
    if storage is not None and max_storage is not None and max_storage * 10 < storage * 11:
        reader.problem(
            "dbMaxAllocatedStorageGb",
            f"must be at least 10% above {NAMESPACE}:dbAllocatedStorageGb ({storage}) for storage autoscaling; got {max_storage}",
        )
    multi_az = reader.boolean("dbMultiAz")
    retention = reader.bounded("dbBackupRetentionDays", MIN_RETENTION_DAYS, MAX_RDS_BACKUP_RETENTION_DAYS, " days")
    daily = backup_window(reader, "dbBackupWindow")
    # Either backup leaves the instance `backing-up` while it runs, and then neither the other backup nor a
    # release's snapshot (CreateDBSnapshot wants the instance `available`) can start: keep RDS's window clear of
    # the hour in which AWS Backup may start its job.
    if daily is not None and overlaps(daily, AWS_BACKUP_DAILY_START_WINDOW):
        reader.problem(
            "dbBackupWindow",
            f"must not overlap AWS Backup's daily start window {clock(AWS_BACKUP_DAILY_START_WINDOW)} UTC; "
            f"got {shown(reader.raw[f'{NAMESPACE}:dbBackupWindow'])}",
        )
    weekly = maintenance_window(reader, "dbMaintenanceWindow")
    if daily is not None and weekly is not None and overlaps_daily(daily, weekly):
        reader.problem("dbMaintenanceWindow", f"must not overlap {NAMESPACE}:dbBackupWindow")
    deletion_protection = reader.boolean("dbDeletionProtection")

    if (
        username is None
        or engine_version is None
        or instance_class is None
        or storage is None
        or max_storage is None
        or multi_az is None
        or retention is None
        or daily is None
        or weekly is None
        or deletion_protection is None
    ):
        return None
    return DatabaseConfig(
        identifier=identifier,
        master_username=username,
        engine_version=engine_version,
        instance_class=instance_class,
        allocated_storage_gb=storage,
        max_allocated_storage_gb=max_storage,
        multi_az=multi_az,
        backup_retention_days=retention,
        backup_window=reader.raw[f"{NAMESPACE}:dbBackupWindow"],
        maintenance_window=reader.raw[f"{NAMESPACE}:dbMaintenanceWindow"],
        deletion_protection=deletion_protection,
    )
