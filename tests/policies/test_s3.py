"""s3.py: public access blocks turn all four settings on; deleting a bucket never deletes its objects."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET = "aws:s3/bucket:Bucket"
BLOCK = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}

PASSING = [
    Pass("s3-public-access-blocked", PUBLIC_ACCESS_BLOCK, BLOCK),
    Pass("s3-bucket-no-force-destroy", BUCKET, {"forceDestroy": False}),
    Pass("s3-bucket-no-force-destroy", BUCKET, {}),
]

FAILING = [
    Fail(
        "s3-public-access-blocked",
        PUBLIC_ACCESS_BLOCK,
        with_(BLOCK, restrictPublicBuckets=False),
        "set restrictPublicBuckets to true",
    ),
    Fail("s3-bucket-no-force-destroy", BUCKET, {"forceDestroy": True}, "set forceDestroy to false"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
