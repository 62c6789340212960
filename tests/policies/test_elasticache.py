"""elasticache.py: Redis keeps snapshots and runs as a replication group encrypted at rest, taking only encrypted
connections."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
# A group carries its own id in replicationGroupId too; that must not make it pass as a member.
REPLICATION_GROUP = {
    "replicationGroupId": "amy-cache",
    "snapshotRetentionLimit": 7,
    "atRestEncryptionEnabled": True,
    "transitEncryptionEnabled": True,
}
# A read replica in the group: its encryption and snapshots are the group's.
MEMBER = {"replicationGroupId": "amy-cache"}
STANDALONE = {"engine": "redis", "nodeType": "cache.t4g.micro", "numCacheNodes": 1, "snapshotRetentionLimit": 7}

PASSING = [
    Pass("elasticache-snapshots", GROUP, REPLICATION_GROUP),
    Pass("elasticache-snapshots", CLUSTER, MEMBER),
    Pass("elasticache-snapshots", CLUSTER, STANDALONE),
    Pass("elasticache-encrypted-at-rest", GROUP, REPLICATION_GROUP),
    Pass("elasticache-encrypted-in-transit", GROUP, REPLICATION_GROUP),
    Pass("elasticache-encrypted-in-transit", GROUP, with_(REPLICATION_GROUP, transitEncryptionMode="required")),
    Pass("elasticache-encrypted-in-transit", CLUSTER, MEMBER),
    Pass("elasticache-no-plain-cluster", CLUSTER, MEMBER),
]

FAILING = [
    Fail(
        "elasticache-snapshots",
        GROUP,
        with_(REPLICATION_GROUP, snapshotRetentionLimit=0),
        "set snapshotRetentionLimit to 1 day or more",
    ),
    Fail(
        "elasticache-snapshots",
        CLUSTER,
        with_(STANDALONE, snapshotRetentionLimit=None),
        "set snapshotRetentionLimit to 1 day or more",
    ),
    Fail(
        "elasticache-encrypted-at-rest",
        GROUP,
        with_(REPLICATION_GROUP, atRestEncryptionEnabled=False),
        "not encrypted at rest",
    ),
    Fail(
        "elasticache-encrypted-in-transit",
        GROUP,
        with_(REPLICATION_GROUP, transitEncryptionEnabled=None),
        "connect with rediss://",
    ),
    Fail(
        "elasticache-encrypted-in-transit",
        GROUP,
        with_(REPLICATION_GROUP, transitEncryptionMode="preferred"),
        "set transitEncryptionMode to required",
    ),
    Fail("elasticache-encrypted-in-transit", CLUSTER, STANDALONE, "set transitEncryptionEnabled to true"),
    Fail(
        "elasticache-no-plain-cluster",
        CLUSTER,
        STANDALONE,
        "use a replication group with encryption at rest and in transit, or join this cluster to one (replicationGroupId)",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
