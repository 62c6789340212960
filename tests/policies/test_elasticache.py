"""elasticache.py: Redis keeps snapshots and runs as a replication group encrypted at rest and in transit."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
REPLICATION_GROUP = {"snapshotRetentionLimit": 7, "atRestEncryptionEnabled": True, "transitEncryptionEnabled": True}

PASSING = [
    Pass("elasticache-snapshots", GROUP, REPLICATION_GROUP),
    Pass("elasticache-encrypted", GROUP, REPLICATION_GROUP),
    # Redis as a replication group is what the policy asks for; only a plain cluster fails it.
    Pass("elasticache-no-plain-cluster", GROUP, REPLICATION_GROUP),
]

FAILING = [
    Fail(
        "elasticache-snapshots",
        GROUP,
        with_(REPLICATION_GROUP, snapshotRetentionLimit=0),
        "set snapshotRetentionLimit to 1 day or more",
    ),
    Fail("elasticache-encrypted", GROUP, with_(REPLICATION_GROUP, atRestEncryptionEnabled=False), "not encrypted at rest"),
    Fail("elasticache-encrypted", GROUP, with_(REPLICATION_GROUP, transitEncryptionEnabled=None), "connect with rediss://"),
    Fail("elasticache-no-plain-cluster", CLUSTER, {"snapshotRetentionLimit": 7}, "use a replication group"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
