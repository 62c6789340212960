"""ecr.py: tags name one image for good; images are scanned on push."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

REPOSITORY = "aws:ecr/repository:Repository"
SAFE = {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}

PASSING = [
    Pass("ecr-image-tags-immutable", REPOSITORY, SAFE),
    Pass("ecr-image-tags-immutable", REPOSITORY, with_(SAFE, imageTagMutability="IMMUTABLE_WITH_EXCLUSION")),
    Pass("ecr-scan-on-push", REPOSITORY, SAFE),
]

FAILING = [
    Fail("ecr-image-tags-immutable", REPOSITORY, with_(SAFE, imageTagMutability=None), "image tags are MUTABLE"),
    Fail("ecr-image-tags-immutable", REPOSITORY, with_(SAFE, imageTagMutability="MUTABLE"), "set imageTagMutability"),
    Fail(
        "ecr-scan-on-push",
        REPOSITORY,
        with_(SAFE, imageScanningConfiguration={"scanOnPush": False}),
        "set imageScanningConfiguration.scanOnPush to true",
    ),
    Fail("ecr-scan-on-push", REPOSITORY, with_(SAFE, imageScanningConfiguration=None), "not scanned"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
