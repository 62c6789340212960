"""The whole stack's config: the layout and what every section reads, loaded at once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, cast, get_args

from stack_config import adoption, audit, backups, cache, catalogue, database, delivery, dns, network, settings, web
from stack_config.adoption import AdoptionConfig
from stack_config.backups import BackupConfig
from stack_config.cache import CacheMode, ElastiCacheConfig
from stack_config.database import DatabaseConfig
from stack_config.delivery import GitHubConfig
from stack_config.dns import DnsConfig
from stack_config.files import NAMESPACES
from stack_config.network import ExistingNetworkConfig, NetworkConfig
from stack_config.reader import (
    BUCKET_NAME,
    MIN_RETENTION_DAYS,
    NAMESPACE,
    PRINTABLE,
    SHOWN_LENGTH,
    Reader,
    StackConfigError,
    shown,
)
from stack_config.releases import AppVersion
from stack_config.web import HostConfig, ServiceConfig

Layout = Literal["legacy", "ecs"]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)
# The values CloudWatch Logs accepts for a retention period.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# The longest name_prefix-based name is the target group `amy-<stack>-web`, which ELB allows 32 characters.
MAX_STACK_NAME = 32 - len(f"{NAMESPACE}--web")
STACK_NAME = re.compile(rf"[a-z](?:[a-z0-9]|-(?!-)){{0,{MAX_STACK_NAME - 1}}}(?<!-)")
KEYS = {
    "layout": "string",
    "region": "string",
    "protectStatefulResources": "boolean",
    "logRetentionDays": "integer",
    "alarmEmail": "string",
    "emailAttachmentsBucket": "string",
}
# Every key the program reads, and its Pulumi.yaml type.
KEY_TYPES: dict[str, str] = {
    **KEYS,
    **network.KEYS,
    **dns.KEYS,
    **database.KEYS,
    **backups.KEYS,
    **cache.KEYS,
    **web.KEYS,
    **adoption.KEYS,
    **delivery.KEYS,
    **settings.KEYS,
    **audit.KEYS,
}


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
    # Set with cacheMode `elasticache` only.
    elasticache: ElastiCacheConfig | None = None
    email_attachments_bucket: str | None = None
    # The optional AMY settings operators keep in Parameter Store for this stack.
    optional_settings: tuple[str, ...] = ()
    adoption: AdoptionConfig = field(default_factory=AdoptionConfig)
    existing_network: ExistingNetworkConfig | None = None
    github: GitHubConfig | None = None
    alarm_email: str | None = None
    # The stack makes the account's CloudTrail trail.
    cloud_trail: bool = False
    # The stack sets the region's Session Manager preferences (legacy layout only: sessions are on its host).
    session_preferences: bool = False

    @property
    def name_prefix(self) -> str:
        """What every name the stack gives in the account starts with: `amy-<stack>`."""
        return name_prefix(self.stack)

    @property
    def rq_workers(self) -> bool:
        """Whether the stack runs AMY's RQ worker and scheduler: only where it has Redis for them."""
        return self.cache_mode != "none"


def name_prefix(stack: str) -> str:
    return f"{NAMESPACE}-{stack}"


def unknown_keys(raw: Mapping[str, str]) -> list[str]:
    """Problems for keys the program does not read: misspelt ones of the project, and other namespaces."""
    problems = []
    for full_key in sorted(raw):
        namespace, _, key = full_key.partition(":")
        if namespace == NAMESPACE and key not in KEY_TYPES:
            close = difflib.get_close_matches(key, KEY_TYPES, n=1)
            hint = f"; did you mean {NAMESPACE}:{close[0]}?" if close else ""
            problems.append(f"{_named(full_key)} is not a key this program reads{hint}")
        elif namespace not in NAMESPACES:
            hint = f"; did you mean {NAMESPACE}:{key}?" if key in KEY_TYPES else ""
            problems.append(f"{_named(full_key)} is in no namespace this program reads ({', '.join(NAMESPACES)}){hint}")
    return problems


def _named(key: str) -> str:
    """A key as a problem names it: as written where it is plain, quoted and cut where it is not."""
    return key if PRINTABLE.fullmatch(key) and len(key) <= SHOWN_LENGTH else shown(key)


def _keys_without_effect(reader: Reader, explicit: Collection[str], layout: str | None, mode: str | None) -> None:
    """Keys of the other layout, or of ElastiCache without it, would do nothing: a stack file that sets them says
    something the stack does not do."""
    owners = {
        **dict.fromkeys((*web.HOST_KEYS, "sessionManagerPreferences"), ("legacy", "layout", layout)),
        **dict.fromkeys(web.SERVICE_KEYS, ("ecs", "layout", layout)),
        **dict.fromkeys(cache.ELASTICACHE_KEYS, ("elasticache", "cacheMode", mode)),
    }
    for full_key in sorted(explicit):
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE or key not in owners:
            continue
        wanted, setting, actual = owners[key]
        if actual is not None and actual != wanted:
            reader.problem(
                key,
                f"applies only with {setting} {wanted}, and this stack's {setting} is {actual}: remove it "
                f"(set it in the change that switches {setting})",
            )


def _region(reader: Reader) -> str | None:
    region = reader.string("region")
    if region is not None and region not in catalogue.regions():
        close = difflib.get_close_matches(region, sorted(catalogue.regions()), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        reader.problem(
            "region",
            f"must be an AWS region (botocore lists {len(catalogue.regions())}), like us-east-1; got {shown(region)}{hint}",
        )
        return None
    return region


def _log_retention_days(reader: Reader) -> int | None:
    days = reader.integer("logRetentionDays")
    if days is not None and days not in LOG_RETENTION_DAYS:
        reader.problem(
            "logRetentionDays",
            f"must be a period CloudWatch Logs accepts ({', '.join(map(str, LOG_RETENTION_DAYS))}); got {days}",
        )
        return None
    if days is not None and days < MIN_RETENTION_DAYS:
        reader.problem("logRetentionDays", f"must be at least {MIN_RETENTION_DAYS} days; got {days}")
        return None
    return days


def load(stack: str, raw: Mapping[str, str], explicit: Collection[str] = (), file_problems: Sequence[str] = ()) -> StackConfig:
    """Validate the raw config of `stack` (keys like `amy:layout`) and return it typed. `explicit` are the keys the
    stack file sets (the rest are Pulumi.yaml's defaults), `file_problems` what reading the files found."""
    reader = Reader(raw)
    reader.problems.extend(file_problems)
    if not STACK_NAME.fullmatch(stack):
        # `amy-<stack>` names the stack's resources, up to `amy-<stack>-web` for a 32-character target group.
        reader.problems.append(
            f"the stack's name {shown(stack)} must be 1-{MAX_STACK_NAME} lower-case letters, digits or single hyphens, "
            "a letter first: it names the stack's resources"
        )
        raise StackConfigError(stack, reader.problems)
    reader.problems.extend(unknown_keys(raw))

    layout = reader.choice("layout", LAYOUTS)
    region = _region(reader)
    network_config = network.network(reader, layout, region)
    dns_config = dns.dns(reader)
    database_config = database.database(reader, name_prefix(stack))
    backup_config = backups.backups(reader)
    log_retention_days = _log_retention_days(reader)
    app_version = web.app_version(reader, layout)
    mode = cache.cache_mode(reader, layout, app_version)
    elasticache = cache.elasticache(reader) if mode == "elasticache" else None
    protect = reader.boolean("protectStatefulResources")
    gunicorn_workers = web.gunicorn_workers(reader)
    host = web.host(reader) if layout == "legacy" else None
    service = web.service(reader) if layout == "ecs" else None
    adoption_config = adoption.adoption(reader, layout, dns_config, database_config.identifier if database_config else None)
    existing_network = network.existing_network(reader)
    github = delivery.github(reader, stack)
    alarm_email = reader.email("alarmEmail", "for the alarms", required=False)
    attachments = reader.matching("emailAttachmentsBucket", BUCKET_NAME, "an S3 bucket name", required=False)
    optional = settings.optional_settings(reader)
    cloud_trail = audit.cloud_trail(reader)
    session_preferences = audit.session_manager_preferences(reader)
    _keys_without_effect(reader, explicit, layout, mode)

    if backup_config is not None and backup_config.copy_region is not None and backup_config.copy_region == region:
        reader.problem(
            "backupCopyRegion", f"must differ from {NAMESPACE}:region: a copy in the same region survives nothing more"
        )
    if app_version is not None and database_config is not None:
        snapshot = app_version.snapshot_identifier(database_config.identifier, datetime(2000, 1, 1, tzinfo=UTC))
        if len(snapshot) > web.SNAPSHOT_IDENTIFIER_LIMIT:
            reader.problem(
                "appVersion",
                f"with dbIdentifier {database_config.identifier} makes a release snapshot identifier of {len(snapshot)} "
                f"characters; RDS takes {web.SNAPSHOT_IDENTIFIER_LIMIT}",
            )
    if reader.problems:
        raise StackConfigError(stack, reader.problems)
    # Each value was checked above; the casts only tell the type checker so.
    return StackConfig(
        stack=stack,
        layout=cast(Layout, layout),
        region=cast(str, region),
        network=cast(NetworkConfig, network_config),
        dns=cast(DnsConfig, dns_config),
        database=cast(DatabaseConfig, database_config),
        backup=cast(BackupConfig, backup_config),
        log_retention_days=cast(int, log_retention_days),
        cache_mode=cast(CacheMode, mode),
        protect_stateful_resources=cast(bool, protect),
        app_version=cast(AppVersion, app_version),
        gunicorn_workers=cast(int, gunicorn_workers),
        host=host,
        service=service,
        elasticache=elasticache,
        email_attachments_bucket=attachments,
        optional_settings=optional,
        adoption=adoption_config,
        existing_network=existing_network,
        github=github,
        alarm_email=alarm_email,
        cloud_trail=bool(cloud_trail),
        session_preferences=bool(session_preferences) and layout == "legacy",
    )
