"""The harness itself: registrations carry options, invokes without a mock fail loudly."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from tooling.harness import ProgramError, record


def test_options_reach_the_registration() -> None:
    def program() -> None:
        aws.s3.Bucket(
            "kept",
            opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True, ignore_changes=["tags"], import_="kept-bucket"),
        )

    [bucket] = record("unit", program).registrations
    assert bucket.protect and bucket.retain_on_delete
    assert bucket.ignore_changes == ("tags",)
    assert bucket.import_id == "kept-bucket"


def test_an_invoke_without_a_mock_names_itself() -> None:
    def program() -> None:
        aws.get_caller_identity()

    with pytest.raises(Exception, match=r"invoked aws:index/getCallerIdentity:getCallerIdentity, which has no mock"):
        record("unit", program)


def test_a_run_error_keeps_what_was_registered_before_it() -> None:
    def program() -> None:
        aws.s3.Bucket("first")
        raise pulumi.RunError("stop here")

    with pytest.raises(ProgramError) as raised:
        record("unit", program)
    assert str(raised.value) == "stop here"
    assert [r.name for r in raised.value.registrations] == ["first"]
