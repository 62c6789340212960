"""The stack configuration: read once, validated whole, frozen.

Every key lives under the project namespace (`amy:`) and is declared, with its
type, description and default, in Pulumi.yaml. `load` turns the raw strings the
Pulumi CLI hands the program into `StackConfig`, or raises `StackConfigError`
listing every problem at once, before any resource is registered.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar, cast

import pulumi
from pulumi.runtime import config as runtime_config

NAMESPACE = "amy"

Layout = Literal["legacy", "ecs"]
CacheMode = Literal["none", "local", "elasticache"]
NatStrategy = Literal["none", "single", "one-per-az"]

LAYOUTS: tuple[Layout, ...] = ("legacy", "ecs")
CACHE_MODES: dict[str, tuple[CacheMode, ...]] = {
    # The host of the legacy layout runs its own Redis; ECS tasks need a managed one.
    "legacy": ("none", "local"),
    "ecs": ("none", "elasticache"),
}
NAT_STRATEGIES: tuple[NatStrategy, ...] = ("none", "single", "one-per-az")

# The values CloudWatch Logs accepts for a retention period.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
MIN_BACKUP_RETENTION_DAYS = 7
MAX_RDS_BACKUP_RETENTION_DAYS = 35
MIN_GP3_STORAGE_GB = 20
MAX_RDS_STORAGE_GB = 65536
MIN_POSTGRES_MAJOR = 13
# Burstable sizes below medium lack the memory AMY needs and Performance Insights.
DB_INSTANCE_CLASS = re.compile(
    r"^db\.(?:(?:t3|t4g)\.(?:medium|large|xlarge|2xlarge)"
    r"|(?:m5|m6g|m6i|m7g|m7i|r5|r6g|r6i|r7g|r7i)\.(?:large|xlarge|\d+xlarge))$"
)
DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d$")
APP_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
AMI_ID = re.compile(r"^ami-[0-9a-f]{8,17}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
# x86_64 families only: the host runs Ubuntu's amd64 image.
HOST_INSTANCE_TYPE = re.compile(
    r"^(?:t3|t3a|m5|m5a|m6i|m6a|m7i|m7a|c5|c6i|c7i|r5|r6i|r7i)\.(?:micro|small|medium|large|xlarge|\d+xlarge)$"
)
BACKUP_WINDOW = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
MAINTENANCE_WINDOW = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):(\d\d):(\d\d)-(mon|tue|wed|thu|fri|sat|sun):(\d\d):(\d\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


class StackConfigError(Exception):
    """The stack configuration has problems; `problems` lists each one."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        self.stack = stack
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"stack {stack!r}: {len(problems)} configuration problem(s):\n{lines}")


@dataclass(frozen=True)
class NetworkConfig:
    availability_zones: tuple[str, ...]
    vpc_cidr: str
    nat_strategy: NatStrategy


@dataclass(frozen=True)
class DnsConfig:
    zone_id: str
    zone_name: str
    domain: str
    static_domain: str


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


@dataclass(frozen=True)
class BackupConfig:
    daily_retention_days: int
    monthly_retention_days: int
    restore_testing: bool


@dataclass(frozen=True)
class HostConfig:
    """The legacy layout's EC2 host."""

    instance_type: str
    ami_id: str | None
    root_volume_gb: int
    certbot_email: str
    acme_directory: str
    repository: str


@dataclass(frozen=True)
class ServiceConfig:
    """The ecs layout's Fargate service."""

    cpu: int
    memory: int
    min_tasks: int
    max_tasks: int
    keep_images: int
    cache_node_type: str
    cache_snapshot_days: int


@dataclass(frozen=True)
class Adoption:
    """Existing AWS resources the first `pulumi up` imports instead of creating."""

    database: str | None = None
    database_subnet_group: str | None = None
    database_parameter_group: str | None = None
    dumps_bucket: str | None = None
    distribution: str | None = None
    instance: str | None = None
    elastic_ip: str | None = None


@dataclass(frozen=True)
class ExistingNetwork:
    """A VPC and subnets that exist already, used instead of creating a network."""

    vpc_id: str
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    isolated_subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class GitHubDeploys:
    """GitHub Actions' access to the stack's account through OIDC."""

    repository: str
    # None: the program creates the account's GitHub OIDC provider.
    oidc_provider_arn: str | None
    environment: str


@dataclass(frozen=True)
class AppVersion:
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"

    @property
    def slug(self) -> str:
        """The version as the operators name snapshots: `v4-7-2`."""
        return f"v{self.major}-{self.minor}-{self.patch}"


@dataclass(frozen=True)
class StackConfig:
    stack: str
    layout: Layout
    region: str
    network: NetworkConfig
    dns: DnsConfig
    database: DatabaseConfig
    backup: BackupConfig
    log_retention_days: int
    cache_mode: CacheMode
    protect_stateful_resources: bool
    app_version: AppVersion
    gunicorn_workers: int
    # Set with layout `legacy` only.
    host: HostConfig | None = None
    # Set with layout `ecs` only.
    service: ServiceConfig | None = None
    maintenance: bool = False
    email_attachments_bucket: str | None = None
    adoption: Adoption = field(default_factory=Adoption)
    existing_network: ExistingNetwork | None = None
    github: GitHubDeploys | None = None
    alarm_email: str | None = None

    @property
    def name_prefix(self) -> str:
        return f"amy-{self.stack}"


# Every key the program reads, and its Pulumi.yaml type.
KEY_TYPES: dict[str, str] = {
    "layout": "string",
    "region": "string",
    "availabilityZones": "array",
    "vpcCidr": "string",
    "natStrategy": "string",
    "domain": "string",
    "staticDomain": "string",
    "zoneId": "string",
    "zoneName": "string",
    "dbEngineVersion": "string",
    "dbInstanceClass": "string",
    "dbAllocatedStorageGb": "integer",
    "dbMaxAllocatedStorageGb": "integer",
    "dbMultiAz": "boolean",
    "dbBackupRetentionDays": "integer",
    "dbBackupWindow": "string",
    "dbMaintenanceWindow": "string",
    "dbDeletionProtection": "boolean",
    "backupDailyRetentionDays": "integer",
    "backupMonthlyRetentionDays": "integer",
    "backupRestoreTesting": "boolean",
    "logRetentionDays": "integer",
    "cacheMode": "string",
    "protectStatefulResources": "boolean",
    "appVersion": "string",
    "hostInstanceType": "string",
    "hostAmiId": "string",
    "hostRootVolumeGb": "integer",
    "gunicornWorkers": "integer",
    "certbotEmail": "string",
    "acmeDirectory": "string",
    "appRepository": "string",
    "taskCpu": "integer",
    "taskMemory": "integer",
    "minTasks": "integer",
    "maxTasks": "integer",
    "keepImages": "integer",
    "cacheNodeType": "string",
    "cacheSnapshotDays": "integer",
    "maintenance": "boolean",
    "emailAttachmentsBucket": "string",
    "dbIdentifier": "string",
    "dbMasterUsername": "string",
    "importIds": "array",
    "existingVpcId": "string",
    "existingPublicSubnetIds": "array",
    "existingPrivateSubnetIds": "array",
    "existingIsolatedSubnetIds": "array",
    "githubRepository": "string",
    "githubOidcProviderArn": "string",
    "githubEnvironment": "string",
    "alarmEmail": "string",
}
# What `importIds` may name, and the form of each id.
IMPORTABLE = {
    "database": re.compile(r"^[a-z][a-z0-9-]{0,62}$"),
    "databaseSubnetGroup": re.compile(r"^[a-z0-9][a-z0-9 ._-]{0,254}$"),
    "databaseParameterGroup": re.compile(r"^[a-z][a-z0-9-]{0,254}$"),
    "dumpsBucket": re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "distribution": re.compile(r"^E[A-Z0-9]{6,20}$"),
    "instance": re.compile(r"^i-[0-9a-f]{8,17}$"),
    "elasticIp": re.compile(r"^eipalloc-[0-9a-f]{8,17}$"),
}
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
OIDC_PROVIDER_ARN = re.compile(r"^arn:aws:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$")
DB_IDENTIFIER = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-)){0,62}(?<!-)$")
PG_USERNAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Fargate's CPU units and the memory (MiB) each allows.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
}
CACHE_NODE_TYPE = re.compile(r"^cache\.(?:t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(?:micro|small|medium|large|xlarge|\d+xlarge)$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

T = TypeVar("T")


class _Reader:
    """Parses raw config strings, collecting every problem instead of stopping at the first."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{NAMESPACE}:{key} {message}")

    def _get(self, key: str, parse: Callable[[str], T], kind: str) -> T | None:
        value = self.raw.get(f"{NAMESPACE}:{key}")
        if value is None:
            self.problem(key, f"is required ({kind}); set it with `pulumi config set {key} …`")
            return None
        try:
            return parse(value)
        except ValueError:
            self.problem(key, f"must be {kind}, got {value!r}")
            return None

    def string(self, key: str) -> str | None:
        return self._get(key, str, "a string")

    def integer(self, key: str) -> int | None:
        return self._get(key, int, "an integer")

    def boolean(self, key: str) -> bool | None:
        return self._get(key, _parse_bool, "true or false")

    def string_list(self, key: str) -> tuple[str, ...] | None:
        value = self.raw.get(f"{NAMESPACE}:{key}")
        if value is None:
            return None
        return self._get(key, _parse_string_list, "a list of strings")

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.string(key)
        if value is None:
            return None
        if value not in allowed:
            self.problem(key, f"must be one of {', '.join(allowed)}; got {value!r}")
            return None
        return value

    def bounded(self, key: str, low: int, high: int, unit: str = "") -> int | None:
        value = self.integer(key)
        if value is None:
            return None
        if not low <= value <= high:
            self.problem(key, f"must be between {low} and {high}{unit}; got {value}")
            return None
        return value


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(value)
    return lowered == "true"


def _parse_string_list(value: str) -> tuple[str, ...]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(value) from error
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        raise ValueError(value)
    return tuple(cast(list[str], parsed))


def _is_domain(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(DOMAIN_LABEL.match(label) for label in labels)


def _in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    return h * 60 + m if h < 24 and m < 60 else None


def _backup_window(reader: _Reader, key: str) -> tuple[int, int] | None:
    value = reader.string(key)
    if value is None:
        return None
    match = BACKUP_WINDOW.match(value)
    start = _minutes(*match.groups()[:2]) if match else None
    end = _minutes(*match.groups()[2:]) if match else None
    if start is None or end is None:
        reader.problem(key, f"must be a daily UTC window hh:mm-hh:mm, like 06:30-07:30; got {value!r}")
        return None
    if (end - start) % MINUTES_PER_DAY < 30:
        reader.problem(key, f"must last at least 30 minutes; got {value!r}")
        return None
    return start, end


def _maintenance_window(reader: _Reader, key: str) -> tuple[int, int] | None:
    value = reader.string(key)
    if value is None:
        return None
    match = MAINTENANCE_WINDOW.match(value)
    if match:
        start_day, start_h, start_m, end_day, end_h, end_m = match.groups()
        start_time, end_time = _minutes(start_h, start_m), _minutes(end_h, end_m)
        if start_time is not None and end_time is not None:
            start = WEEKDAYS.index(start_day) * MINUTES_PER_DAY + start_time
            end = WEEKDAYS.index(end_day) * MINUTES_PER_DAY + end_time
            if (end - start) % MINUTES_PER_WEEK < 30:
                reader.problem(key, f"must last at least 30 minutes; got {value!r}")
                return None
            return start, end
    reader.problem(key, f"must be a weekly UTC window ddd:hh:mm-ddd:hh:mm, like sun:08:00-sun:09:00; got {value!r}")
    return None


def _overlaps_daily(daily: tuple[int, int], weekly: tuple[int, int]) -> bool:
    """Whether a daily window meets a weekly one on any day."""
    weekly_length = (weekly[1] - weekly[0]) % MINUTES_PER_WEEK
    daily_length = (daily[1] - daily[0]) % MINUTES_PER_DAY
    for day in range(7):
        offset = (day * MINUTES_PER_DAY + daily[0] - weekly[0]) % MINUTES_PER_WEEK
        if offset < weekly_length or (MINUTES_PER_WEEK - offset) % MINUTES_PER_WEEK < daily_length:
            return True
    return False


def unknown_keys(raw: Mapping[str, str]) -> list[str]:
    """Problems for keys in the project namespace that the program does not read."""
    problems = []
    for full_key in sorted(raw):
        namespace, _, key = full_key.partition(":")
        if namespace == NAMESPACE and key not in KEY_TYPES:
            close = difflib.get_close_matches(key, KEY_TYPES, n=1)
            hint = f"; did you mean {NAMESPACE}:{close[0]}?" if close else ""
            problems.append(f"{full_key} is not a key this program reads{hint}")
    return problems


def load(stack: str, raw: Mapping[str, str]) -> StackConfig:
    """Validate the raw config of `stack` (keys like `amy:layout`) and return it typed."""
    reader = _Reader(raw)
    reader.problems.extend(unknown_keys(raw))

    layout = reader.choice("layout", LAYOUTS)
    region = reader.string("region")
    if region is not None and not REGION.match(region):
        reader.problem("region", f"must be an AWS region like us-east-1; got {region!r}")
        region = None

    network = _network(reader, layout, region)
    dns = _dns(reader)
    database = _database(reader, stack)
    backup = _backup(reader)

    log_retention_days = reader.integer("logRetentionDays")
    if log_retention_days is not None and log_retention_days not in LOG_RETENTION_DAYS:
        reader.problem(
            "logRetentionDays",
            f"must be a period CloudWatch Logs accepts ({', '.join(map(str, LOG_RETENTION_DAYS))}); got {log_retention_days}",
        )
    elif log_retention_days is not None and log_retention_days < MIN_BACKUP_RETENTION_DAYS:
        reader.problem("logRetentionDays", f"must be at least {MIN_BACKUP_RETENTION_DAYS} days; got {log_retention_days}")

    cache_mode = reader.choice("cacheMode", ("none", "local", "elasticache"))
    if layout is not None and cache_mode is not None and cache_mode not in CACHE_MODES[layout]:
        reader.problem(
            "cacheMode",
            f"must be one of {', '.join(CACHE_MODES[layout])} with layout {layout!r}; got {cache_mode!r}",
        )

    protect = reader.boolean("protectStatefulResources")
    app_version = _app_version(reader)
    gunicorn_workers = reader.bounded("gunicornWorkers", 1, 32, " workers")
    host = _host(reader) if layout == "legacy" else None
    adoption = _adoption(reader, layout)
    existing_network = _existing_network(reader)
    github = _github(reader, stack)
    alarm_email = reader.raw.get(f"{NAMESPACE}:alarmEmail")
    if alarm_email is not None and not EMAIL.match(alarm_email):
        reader.problem("alarmEmail", f"must be an e-mail address for the alarms; got {alarm_email!r}")
    service = _service(reader) if layout == "ecs" else None
    maintenance = reader.boolean("maintenance")
    attachments = reader.raw.get(f"{NAMESPACE}:emailAttachmentsBucket")
    if attachments is not None and not BUCKET_NAME.match(attachments):
        reader.problem("emailAttachmentsBucket", f"must be an S3 bucket name; got {attachments!r}")

    if reader.problems:
        raise StackConfigError(stack, reader.problems)
    # Each value was checked above; the casts only tell the type checker so.
    return StackConfig(
        stack=stack,
        layout=cast(Layout, layout),
        region=cast(str, region),
        network=cast(NetworkConfig, network),
        dns=cast(DnsConfig, dns),
        database=cast(DatabaseConfig, database),
        backup=cast(BackupConfig, backup),
        log_retention_days=cast(int, log_retention_days),
        cache_mode=cast(CacheMode, cache_mode),
        protect_stateful_resources=cast(bool, protect),
        app_version=cast(AppVersion, app_version),
        gunicorn_workers=cast(int, gunicorn_workers),
        host=host,
        service=service,
        maintenance=bool(maintenance),
        email_attachments_bucket=attachments,
        adoption=adoption,
        existing_network=existing_network,
        github=github,
        alarm_email=alarm_email,
    )


def _network(reader: _Reader, layout: str | None, region: str | None) -> NetworkConfig | None:
    zones = reader.string_list("availabilityZones")
    if zones is None and region is not None:
        zones = (f"{region}a", f"{region}b")
    if zones is not None and region is not None:
        wrong = [zone for zone in zones if not re.fullmatch(re.escape(region) + r"[a-z]", zone)]
        if wrong:
            reader.problem("availabilityZones", f"must be zones of region {region} like {region}a; got {', '.join(wrong)}")
        elif len(set(zones)) != 2 or len(zones) != 2:
            reader.problem("availabilityZones", f"must name exactly two distinct zones; got {list(zones)}")

    cidr = reader.string("vpcCidr")
    if cidr is not None:
        try:
            network = ipaddress.IPv4Network(cidr)
        except ValueError:
            reader.problem("vpcCidr", f"must be an IPv4 network like 10.0.0.0/16; got {cidr!r}")
        else:
            if not 16 <= network.prefixlen <= 22:
                reader.problem("vpcCidr", f"must have a prefix between /16 and /22 to hold six subnets; got /{network.prefixlen}")

    nat = reader.choice("natStrategy", NAT_STRATEGIES)
    if nat == "none" and layout == "ecs":
        reader.problem(
            "natStrategy", "must be single or one-per-az with layout 'ecs': tasks in private subnets pull images through NAT"
        )

    if zones is None or cidr is None or nat is None:
        return None
    return NetworkConfig(availability_zones=zones, vpc_cidr=cidr, nat_strategy=cast(NatStrategy, nat))


def _dns(reader: _Reader) -> DnsConfig | None:
    zone_id = reader.string("zoneId")
    if zone_id is not None and not ZONE_ID.match(zone_id):
        reader.problem("zoneId", f"must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ; got {zone_id!r}")
    zone_name = reader.string("zoneName")
    if zone_name is not None and not _is_domain(zone_name):
        reader.problem("zoneName", f"must be a lower-case DNS name like carpentries.org; got {zone_name!r}")
        zone_name = None
    names: dict[str, str | None] = {}
    for key in ("domain", "staticDomain"):
        name = reader.string(key)
        if name is None:
            names[key] = None
        elif not _is_domain(name):
            reader.problem(key, f"must be a lower-case DNS name like amy.carpentries.org; got {name!r}")
            names[key] = None
        elif zone_name is not None and not _in_zone(name, zone_name):
            reader.problem(key, f"must be inside the zone {zone_name}; got {name!r}")
            names[key] = None
        else:
            names[key] = name
    domain, static_domain = names["domain"], names["staticDomain"]
    if domain is not None and domain == static_domain:
        reader.problem("staticDomain", f"must differ from {NAMESPACE}:domain: the CDN fronts the application's own host")
    if zone_id is None or zone_name is None or domain is None or static_domain is None:
        return None
    return DnsConfig(zone_id=zone_id, zone_name=zone_name, domain=domain, static_domain=static_domain)


def _database(reader: _Reader, stack: str) -> DatabaseConfig | None:
    identifier = reader.raw.get(f"{NAMESPACE}:dbIdentifier", f"amy-{stack}")
    if not DB_IDENTIFIER.match(identifier):
        reader.problem("dbIdentifier", f"must be an RDS identifier (letters, digits, single hyphens); got {identifier!r}")
    username = reader.string("dbMasterUsername")
    if username is not None and not PG_USERNAME.match(username):
        reader.problem("dbMasterUsername", f"must be a PostgreSQL role name like amy; got {username!r}")
    engine_version = reader.string("dbEngineVersion")
    if engine_version is not None and not (engine_version.isdigit() and int(engine_version) >= MIN_POSTGRES_MAJOR):
        reader.problem(
            "dbEngineVersion",
            f"must be a PostgreSQL major version ≥ {MIN_POSTGRES_MAJOR} like '16' (minor upgrades are automatic); "
            f"got {engine_version!r}",
        )
    instance_class = reader.string("dbInstanceClass")
    if instance_class is not None and not DB_INSTANCE_CLASS.match(instance_class):
        reader.problem(
            "dbInstanceClass",
            "must be an RDS class of the t3/t4g (medium or larger), m5/m6g/m6i/m7g/m7i or r5/r6g/r6i/r7g/r7i families, "
            f"like db.t4g.medium; got {instance_class!r}",
        )
    storage = reader.bounded("dbAllocatedStorageGb", MIN_GP3_STORAGE_GB, MAX_RDS_STORAGE_GB, " GiB")
    max_storage = reader.bounded("dbMaxAllocatedStorageGb", MIN_GP3_STORAGE_GB, MAX_RDS_STORAGE_GB, " GiB")
    # RDS storage autoscaling needs a ceiling at least 10 % above the allocation.
    if storage is not None and max_storage is not None and max_storage * 10 < storage * 11:
        reader.problem(
            "dbMaxAllocatedStorageGb",
            f"must be at least 10% above {NAMESPACE}:dbAllocatedStorageGb ({storage}) for storage autoscaling; got {max_storage}",
        )
    multi_az = reader.boolean("dbMultiAz")
    retention = reader.bounded("dbBackupRetentionDays", MIN_BACKUP_RETENTION_DAYS, MAX_RDS_BACKUP_RETENTION_DAYS, " days")
    backup_window = _backup_window(reader, "dbBackupWindow")
    maintenance_window = _maintenance_window(reader, "dbMaintenanceWindow")
    if backup_window is not None and maintenance_window is not None and _overlaps_daily(backup_window, maintenance_window):
        reader.problem("dbMaintenanceWindow", f"must not overlap {NAMESPACE}:dbBackupWindow")
    deletion_protection = reader.boolean("dbDeletionProtection")

    values = (username, engine_version, instance_class, storage, max_storage, multi_az, retention,
              backup_window, maintenance_window, deletion_protection)  # fmt: skip
    if any(value is None for value in values):
        return None
    return DatabaseConfig(
        identifier=identifier,
        master_username=cast(str, username),
        engine_version=cast(str, engine_version),
        instance_class=cast(str, instance_class),
        allocated_storage_gb=cast(int, storage),
        max_allocated_storage_gb=cast(int, max_storage),
        multi_az=cast(bool, multi_az),
        backup_retention_days=cast(int, retention),
        backup_window=reader.raw[f"{NAMESPACE}:dbBackupWindow"],
        maintenance_window=reader.raw[f"{NAMESPACE}:dbMaintenanceWindow"],
        deletion_protection=cast(bool, deletion_protection),
    )


def _backup(reader: _Reader) -> BackupConfig | None:
    daily = reader.bounded("backupDailyRetentionDays", MIN_BACKUP_RETENTION_DAYS, 36500, " days")
    monthly = reader.bounded("backupMonthlyRetentionDays", MIN_BACKUP_RETENTION_DAYS, 36500, " days")
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


def _https_url(reader: _Reader, key: str) -> str | None:
    value = reader.string(key)
    if value is not None and not re.match(r"^https://[a-z0-9.-]+(?::\d+)?(?:/\S*)?$", value):
        reader.problem(key, f"must be an https:// URL; got {value!r}")
        return None
    return value


def _host(reader: _Reader) -> HostConfig | None:
    instance_type = reader.string("hostInstanceType")
    if instance_type is not None and not HOST_INSTANCE_TYPE.match(instance_type):
        reader.problem(
            "hostInstanceType",
            f"must be an x86_64 type (t3, t3a, m5-m7, c5-c7, r5-r7 families) like t3.medium; got {instance_type!r}",
        )
    ami_id = reader.raw.get(f"{NAMESPACE}:hostAmiId")
    if ami_id is not None and not AMI_ID.match(ami_id):
        reader.problem("hostAmiId", f"must be an AMI id like ami-0123456789abcdef0, or unset to look one up; got {ami_id!r}")
    root_volume = reader.bounded("hostRootVolumeGb", 20, 1024, " GiB")
    email = reader.string("certbotEmail")
    if email is not None and not EMAIL.match(email):
        reader.problem("certbotEmail", f"must be an e-mail address for Let's Encrypt's notices; got {email!r}")
    acme_directory = _https_url(reader, "acmeDirectory")
    repository = _https_url(reader, "appRepository")
    values = (instance_type, root_volume, email, acme_directory, repository)
    if any(value is None for value in values):
        return None
    return HostConfig(
        instance_type=cast(str, instance_type),
        ami_id=ami_id,
        root_volume_gb=cast(int, root_volume),
        certbot_email=cast(str, email),
        acme_directory=cast(str, acme_directory),
        repository=cast(str, repository),
    )


def _service(reader: _Reader) -> ServiceConfig | None:
    cpu = reader.integer("taskCpu")
    memory = reader.integer("taskMemory")
    if cpu is not None and cpu not in FARGATE_MEMORY:
        reader.problem("taskCpu", f"must be a Fargate CPU size ({', '.join(map(str, FARGATE_MEMORY))}); got {cpu}")
    elif cpu is not None and memory is not None and memory not in FARGATE_MEMORY[cpu]:
        allowed = FARGATE_MEMORY[cpu]
        reader.problem(
            "taskMemory", f"must be one Fargate allows with {cpu} CPU units ({allowed[0]}-{allowed[-1]} MiB); got {memory}"
        )
    min_tasks = reader.bounded("minTasks", 1, 50, " tasks")
    max_tasks = reader.bounded("maxTasks", 1, 50, " tasks")
    if min_tasks is not None and max_tasks is not None and max_tasks < min_tasks:
        reader.problem("maxTasks", f"must be at least {NAMESPACE}:minTasks ({min_tasks}); got {max_tasks}")
    keep_images = reader.bounded("keepImages", 5, 1000, " images")
    node_type = reader.string("cacheNodeType")
    if node_type is not None and not CACHE_NODE_TYPE.match(node_type):
        reader.problem("cacheNodeType", f"must be an ElastiCache node type like cache.t4g.small; got {node_type!r}")
    snapshot_days = reader.bounded("cacheSnapshotDays", 1, 35, " days")
    values = (cpu, memory, min_tasks, max_tasks, keep_images, node_type, snapshot_days)
    if any(value is None for value in values):
        return None
    return ServiceConfig(
        cpu=cast(int, cpu),
        memory=cast(int, memory),
        min_tasks=cast(int, min_tasks),
        max_tasks=cast(int, max_tasks),
        keep_images=cast(int, keep_images),
        cache_node_type=cast(str, node_type),
        cache_snapshot_days=cast(int, snapshot_days),
    )


def _adoption(reader: _Reader, layout: str | None) -> Adoption:
    entries = reader.string_list("importIds") or ()
    ids: dict[str, str] = {}
    for entry in entries:
        name, _, resource_id = entry.partition("=")
        if name not in IMPORTABLE:
            reader.problem("importIds", f"names {name!r}; importable are {', '.join(IMPORTABLE)} (as name=id)")
        elif not IMPORTABLE[name].match(resource_id):
            reader.problem("importIds", f"has {entry!r}, which is not an id of a {name}")
        elif name in ids:
            reader.problem("importIds", f"names {name} twice")
        else:
            ids[name] = resource_id
    if layout != "legacy" and ({"instance", "elasticIp"} & set(ids)):
        reader.problem("importIds", "imports the legacy host (instance, elasticIp) only with layout 'legacy'")
    return Adoption(
        database=ids.get("database"),
        database_subnet_group=ids.get("databaseSubnetGroup"),
        database_parameter_group=ids.get("databaseParameterGroup"),
        dumps_bucket=ids.get("dumpsBucket"),
        distribution=ids.get("distribution"),
        instance=ids.get("instance"),
        elastic_ip=ids.get("elasticIp"),
    )


def _existing_network(reader: _Reader) -> ExistingNetwork | None:
    vpc_id = reader.raw.get(f"{NAMESPACE}:existingVpcId")
    subnet_keys = ("existingPublicSubnetIds", "existingPrivateSubnetIds", "existingIsolatedSubnetIds")
    subnets = {key: reader.string_list(key) for key in subnet_keys}
    if vpc_id is None:
        for key, value in subnets.items():
            if value is not None:
                reader.problem(key, f"needs {NAMESPACE}:existingVpcId, the VPC the subnets are in")
        return None
    if not VPC_ID.match(vpc_id):
        reader.problem("existingVpcId", f"must be a VPC id like vpc-0123456789abcdef0; got {vpc_id!r}")
    for key, value in subnets.items():
        if value is None:
            reader.problem(key, f"is required with {NAMESPACE}:existingVpcId: two subnet ids, one per zone")
        elif len(value) != 2 or not all(SUBNET_ID.match(subnet) for subnet in value):
            reader.problem(key, f"must be two subnet ids like subnet-0123456789abcdef0; got {list(value)}")
    if any(value is None for value in subnets.values()):
        return None
    return ExistingNetwork(
        vpc_id=vpc_id,
        public_subnet_ids=cast(tuple[str, ...], subnets["existingPublicSubnetIds"]),
        private_subnet_ids=cast(tuple[str, ...], subnets["existingPrivateSubnetIds"]),
        isolated_subnet_ids=cast(tuple[str, ...], subnets["existingIsolatedSubnetIds"]),
    )


def _github(reader: _Reader, stack: str) -> GitHubDeploys | None:
    repository = reader.raw.get(f"{NAMESPACE}:githubRepository")
    provider = reader.raw.get(f"{NAMESPACE}:githubOidcProviderArn")
    environment = reader.raw.get(f"{NAMESPACE}:githubEnvironment", stack)
    if repository is None:
        if provider is not None:
            reader.problem("githubOidcProviderArn", f"needs {NAMESPACE}:githubRepository, the repository that deploys")
        return None
    if not GITHUB_REPOSITORY.match(repository):
        reader.problem("githubRepository", f"must be owner/name like carpentries/amy-infra; got {repository!r}")
    if provider is not None and not OIDC_PROVIDER_ARN.match(provider):
        reader.problem(
            "githubOidcProviderArn",
            f"must be the ARN of the account's token.actions.githubusercontent.com OIDC provider; got {provider!r}",
        )
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,255}", environment):
        reader.problem("githubEnvironment", f"must be a GitHub environment name like production; got {environment!r}")
    return GitHubDeploys(repository=repository, oidc_provider_arn=provider, environment=environment)


def _app_version(reader: _Reader) -> AppVersion | None:
    value = reader.string("appVersion")
    if value is None:
        return None
    match = APP_VERSION.match(value)
    if not match:
        reader.problem("appVersion", f"must be a release tag like v4.7.2; got {value!r}")
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return AppVersion(major, minor, patch)


def from_pulumi() -> StackConfig:
    """Load the running stack's config as the Pulumi CLI hands it to the program."""
    raw = {**pulumi.runtime.get_config_env(), **runtime_config.CONFIG.get()}
    return load(pulumi.get_stack(), {key: str(value) for key, value in raw.items()})
