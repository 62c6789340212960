"""ElastiCache Redis: snapshots kept, encrypted at rest and in transit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import MANDATORY, ResourcePolicy, resource_policy

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"


def _member(cluster: Mapping[str, Any]) -> bool:
    # With a replicationGroupId a cluster joins that group as a read replica and inherits its settings, encryption
    # and snapshot retention included (Terraform's aws_elasticache_cluster, replication_group_id); the group is
    # checked itself. Clusters only: a replication group carries its own id in replicationGroupId.
    return bool(cluster.get("replicationGroupId"))


def _snapshots(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if int(props.get("snapshotRetentionLimit") or 0) < 1:
        yield "Redis keeps no snapshots; set snapshotRetentionLimit to 1 day or more (cacheSnapshotDays)"


def _cluster_snapshots(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _member(props):
        yield from _snapshots(props, config)


def _encrypted_at_rest(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("atRestEncryptionEnabled") is not True:
        yield "Redis data is not encrypted at rest; set atRestEncryptionEnabled to true (needs a new replication group)"


def _encrypted_in_transit(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("transitEncryptionEnabled") is not True:
        yield "Redis traffic is not encrypted; set transitEncryptionEnabled to true and connect with rediss://"
    elif props.get("transitEncryptionMode") == "preferred":
        yield (
            "Redis still accepts unencrypted connections (transitEncryptionMode preferred); once every client "
            "connects with rediss://, set transitEncryptionMode to required"
        )


def _cluster_in_transit(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _member(props):
        yield from _encrypted_in_transit(props, config)


def _in_replication_group(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    # ElastiCache encrypts at rest only replication groups.
    if not _member(props):
        yield (
            "a standalone Redis cluster cannot be encrypted at rest; use a replication group with encryption at rest "
            "and in transit, or join this cluster to one (replicationGroupId)"
        )


def policies() -> list[ResourceValidationPolicy]:
    return [
        ResourcePolicy(
            "elasticache-snapshots",
            "Redis keeps snapshots.",
            {REPLICATION_GROUP: _snapshots, CLUSTER: _cluster_snapshots},
            MANDATORY,
        ),
        resource_policy(
            "elasticache-encrypted-at-rest",
            "Redis is encrypted at rest.",
            [REPLICATION_GROUP],
            _encrypted_at_rest,
            MANDATORY,
        ),
        ResourcePolicy(
            "elasticache-encrypted-in-transit",
            "Redis accepts only encrypted connections.",
            {REPLICATION_GROUP: _encrypted_in_transit, CLUSTER: _cluster_in_transit},
            MANDATORY,
        ),
        resource_policy(
            "elasticache-no-plain-cluster",
            "Redis runs as an encrypted replication group.",
            [CLUSTER],
            _in_replication_group,
            MANDATORY,
        ),
    ]
