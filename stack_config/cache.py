"""Redis for AMY's RQ workers: none, the legacy host's own, or ElastiCache for the ecs layout; only for releases with RQ."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast, get_args

from stack_config import catalogue, releases
from stack_config.reader import Reader, shown
from stack_config.releases import AppVersion

CacheMode = Literal["none", "local", "elasticache"]
CACHE_MODES: tuple[CacheMode, ...] = get_args(CacheMode)
# The host of the legacy layout runs its own Redis; ECS tasks need a managed one.
CACHE_MODES_BY_LAYOUT: dict[str, tuple[CacheMode, ...]] = {"legacy": ("none", "local"), "ecs": ("none", "elasticache")}
CACHE_NODE_TYPE = re.compile(r"^cache\.(?:t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(?:micro|small|medium|large|xlarge|[0-9]+xlarge)$")
# ElastiCache keeps automatic snapshots 1 to 35 days.
SNAPSHOT_DAYS = (1, 35)

KEYS = {"cacheMode": "string", "cacheNodeType": "string", "cacheSnapshotDays": "integer"}
# Keys of cacheMode elasticache only.
ELASTICACHE_KEYS = ("cacheNodeType", "cacheSnapshotDays")


@dataclass(frozen=True)
class ElastiCacheConfig:
    node_type: str
    snapshot_days: int


def cache_mode(reader: Reader, layout: str | None, app_version: AppVersion | None) -> CacheMode | None:
    mode = reader.choice("cacheMode", CACHE_MODES)
    if layout is not None and mode is not None and mode not in CACHE_MODES_BY_LAYOUT[layout]:
        reader.problem(
            "cacheMode",
            f"must be one of {', '.join(CACHE_MODES_BY_LAYOUT[layout])} with layout {shown(layout)}; got {shown(mode)}",
        )
        return None
    # Redis serves RQ alone: without django-rq, `manage.py rqworker` does not exist and its services would restart
    # forever while Redis (and AMY_REDIS_URL) served nothing.
    if mode not in (None, "none") and app_version is not None:
        shape = releases.shape_of(app_version)
        if shape is None or not shape.django_rq:
            reason = (
                'AMY removed django-rq in v4.7.0 (its changelog: "Remove redis dependency", #2753), so the release '
                "runs no RQ worker for Redis to serve"
                if shape
                else f"stack_config/releases.py does not say whether it has django-rq (it knows {releases.known()})"
            )
            reader.problem("cacheMode", f"must be none with appVersion {app_version}: {reason}; got {mode!r}")
            return None
    return cast(CacheMode | None, mode)


def elasticache(reader: Reader) -> ElastiCacheConfig | None:
    node_type = reader.matching("cacheNodeType", CACHE_NODE_TYPE, "an ElastiCache node type like cache.t4g.small")
    # An ElastiCache node type is an EC2 instance type behind `cache.`.
    if node_type is not None and node_type.removeprefix("cache.") not in catalogue.ec2_instance_types():
        reader.problem("cacheNodeType", f"names a size its family does not have; got {shown(node_type)}")
        node_type = None
    snapshot_days = reader.bounded("cacheSnapshotDays", *SNAPSHOT_DAYS, " days")
    if node_type is None or snapshot_days is None:
        return None
    return ElastiCacheConfig(node_type=node_type, snapshot_days=snapshot_days)
