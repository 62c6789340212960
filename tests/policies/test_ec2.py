"""ec2.py: IMDSv2 and encrypted volumes, on instances and standalone EBS volumes."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

EC2 = "aws:ec2/instance:Instance"
VOLUME = "aws:ebs/volume:Volume"
INSTANCE = {
    "metadataOptions": {"httpTokens": "required"},
    "rootBlockDevice": {"encrypted": True},
    "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True}],
}

PASSING = [
    Pass("ec2-imdsv2-required", EC2, INSTANCE),
    Pass("ec2-volumes-encrypted", EC2, INSTANCE),
    Pass("ebs-volume-encrypted", VOLUME, {"encrypted": True}),
]

FAILING = [
    Fail("ec2-imdsv2-required", EC2, with_(INSTANCE, metadataOptions={"httpTokens": "optional"}), "IMDSv2"),
    Fail("ec2-volumes-encrypted", EC2, with_(INSTANCE, rootBlockDevice={}), "root volume is not encrypted"),
    Fail(
        "ec2-volumes-encrypted",
        EC2,
        with_(INSTANCE, ebsBlockDevices=[{"deviceName": "/dev/sdf"}]),
        "volume /dev/sdf is not encrypted",
    ),
    Fail("ebs-volume-encrypted", VOLUME, {}, "set encrypted to true"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
