"""ElastiCache Redis: snapshots kept, encrypted at rest and in transit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import MANDATORY, resource_policy

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"


def _snapshots(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if int(props.get("snapshotRetentionLimit") or 0) < 1:
        yield "Redis keeps no snapshots; set snapshotRetentionLimit to 1 day or more (cacheSnapshotDays)"


def _encrypted(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("atRestEncryptionEnabled") is not True:
        yield "Redis data is not encrypted at rest; set atRestEncryptionEnabled to true (needs a new replication group)"
    if props.get("transitEncryptionEnabled") is not True:
        yield "Redis traffic is not encrypted; set transitEncryptionEnabled to true and connect with rediss://"


def _cluster_encrypted(_props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    yield "a single Redis cluster cannot be encrypted; use a replication group with encryption at rest and in transit"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy("elasticache-snapshots", "Redis keeps snapshots.", [REPLICATION_GROUP, CLUSTER], _snapshots, MANDATORY),
        resource_policy(
            "elasticache-encrypted", "Redis is encrypted at rest and in transit.", [REPLICATION_GROUP], _encrypted, MANDATORY
        ),
        resource_policy(
            "elasticache-no-plain-cluster",
            "Redis runs as an encrypted replication group.",
            [CLUSTER],
            _cluster_encrypted,
            MANDATORY,
        ),
    ]
