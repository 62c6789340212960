"""rds.py: each RDS policy passes a compliant instance and flags every failure mode, naming the fix."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

RDS = "aws:rds/instance:Instance"
DATABASE = {
    "backupRetentionPeriod": 35,
    "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "amy-final",
    "deletionProtection": True,
    "copyTagsToSnapshot": True,
    "storageEncrypted": True,
    "publiclyAccessible": False,
}

PASSING = [
    Pass("rds-backup-retention", RDS, DATABASE, {"minimumDays": 35}),
    Pass("rds-final-snapshot", RDS, DATABASE),
    Pass("rds-deletion-protection", RDS, DATABASE),
    Pass("rds-copy-tags-to-snapshot", RDS, DATABASE),
    Pass("rds-storage-encrypted", RDS, DATABASE),
    Pass("rds-not-public", RDS, DATABASE),
]

FAILING = [
    Fail(
        "rds-backup-retention",
        RDS,
        with_(DATABASE, backupRetentionPeriod=7),
        "kept 7 days; keep them at least 35",
        {"minimumDays": 35},
    ),
    Fail("rds-backup-retention", RDS, with_(DATABASE, backupRetentionPeriod=None), "unset, so RDS keeps 1 day"),
    Fail("rds-final-snapshot", RDS, with_(DATABASE, skipFinalSnapshot=True), "set skipFinalSnapshot to false"),
    Fail("rds-final-snapshot", RDS, with_(DATABASE, finalSnapshotIdentifier=None), "no finalSnapshotIdentifier is set"),
    Fail("rds-deletion-protection", RDS, with_(DATABASE, deletionProtection=False), "set deletionProtection to true"),
    Fail("rds-copy-tags-to-snapshot", RDS, with_(DATABASE, copyTagsToSnapshot=None), "set copyTagsToSnapshot to true"),
    Fail("rds-storage-encrypted", RDS, with_(DATABASE, storageEncrypted=False), "storage is not encrypted"),
    Fail("rds-not-public", RDS, with_(DATABASE, publiclyAccessible=True), "set publiclyAccessible to false"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
