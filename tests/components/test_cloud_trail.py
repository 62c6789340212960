"""The account's CloudTrail trail alone: multi-region, validated, encrypted under its own key, in a bucket only it
writes to; kept through a destroy."""

from __future__ import annotations

import json
import re

import pytest
from parliament import analyze_policy_string

from components.cloud_trail import CloudTrail, CloudTrailArgs, bucket_policy, key_policy, trail_arn_of
from stack_config.stack import MAX_STACK_NAME
from tests.aws_shapes import request_errors
from tests.components.support import varied
from tooling.harness import ACCOUNT_ID, Plan, record
from tooling.policy_check import check, policy_server

TRAIL = "aws:cloudtrail/trail:Trail"
KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT_ID}:trail/amy-unit-trail"
# CloudTrail's rule for a trail's name (CreateTrail): letters, digits, periods, underscores and hyphens, a letter or
# digit first and last, no two of the others together, 3 to 128 characters.
TRAIL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9])){2,127}")


def build(protect: bool = True) -> Plan:
    return record(
        "unit",
        lambda: CloudTrail(
            "cloudtrail", CloudTrailArgs(name_prefix="amy-unit", region="us-east-1", log_retention_days=365, protect=protect)
        ),
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def statements(policy: str) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in json.loads(policy)["Statement"]}


def test_the_trail_records_every_region_signs_its_files_and_encrypts_them_under_its_key(plan: Plan) -> None:
    trail = plan.one(TRAIL)
    assert trail.inputs == {
        "name": "amy-unit-trail",
        "s3BucketName": plan.one(BUCKET).outputs["bucket"],
        "kmsKeyId": plan.one(KEY).outputs["arn"],
        "isMultiRegionTrail": True,
        "includeGlobalServiceEvents": True,
        "enableLogFileValidation": True,
        "enableLogging": True,
    }
    assert trail.outputs["arn"] == TRAIL_ARN == trail_arn_of("aws", "us-east-1", ACCOUNT_ID, "amy-unit-trail")


def test_the_trail_is_made_once_its_bucket_admits_it(plan: Plan) -> None:
    assert plan.one(BUCKET_POLICY).urn in plan.one(TRAIL).dependencies


def test_the_key_rotates_and_lets_cloudtrail_use_it_for_this_trail_only(plan: Plan) -> None:
    key = plan.one(KEY).inputs
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 30
    policy = statements(key["policy"])
    encrypt, describe = policy["CloudTrailEncryptsLogs"], policy["CloudTrailDescribesKey"]
    assert encrypt["Principal"] == describe["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert (encrypt["Action"], describe["Action"]) == ("kms:GenerateDataKey*", "kms:DescribeKey")
    # aws:SourceArn is the trail the program makes, by the ARN the trail reports.
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": plan.one(TRAIL).outputs["arn"]},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT_ID}:trail/*"},
    }
    assert describe["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    alias = plan.one("aws:kms/alias:Alias").inputs
    assert alias == {"name": "alias/amy-unit-cloudtrail", "targetKeyId": plan.one(KEY).outputs["keyId"]}


def test_the_account_decrypts_only_its_trails_files_and_administers_the_key(plan: Plan) -> None:
    policy = statements(plan.one(KEY).inputs["policy"])
    root = {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    decrypt = policy["AccountDecryptsLogs"]
    assert (decrypt["Principal"], decrypt["Action"]) == (root, "kms:Decrypt")
    assert decrypt["Condition"] == {
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT_ID}:trail/*"}
    }
    administrators = policy["KeyAdministrators"]
    assert administrators["Principal"] == root
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"} & set(administrators["Action"])
    assert set(policy) == {"KeyAdministrators", "CloudTrailEncryptsLogs", "CloudTrailDescribesKey", "AccountDecryptsLogs"}


def test_only_this_trail_may_write_the_bucket_and_only_over_tls(plan: Plan) -> None:
    bucket_arn = plan.one(BUCKET).outputs["arn"]
    policy = statements(plan.one(BUCKET_POLICY).inputs["policy"])
    assert policy["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    acl, write = policy["CloudTrailChecksAcl"], policy["CloudTrailWrites"]
    assert acl["Principal"] == write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert (acl["Action"], acl["Resource"]) == ("s3:GetBucketAcl", bucket_arn)
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    assert (write["Action"], write["Resource"]) == ("s3:PutObject", f"{bucket_arn}/AWSLogs/{ACCOUNT_ID}/*")
    assert write["Condition"] == {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}}


def test_the_bucket_is_private_owner_enforced_and_keeps_files_for_the_log_retention(plan: Plan) -> None:
    bucket = plan.one(BUCKET)
    assert "bucket" not in bucket.inputs
    assert bucket.outputs["bucket"].startswith("cloudtrail-logs-")
    assert bucket.inputs["forceDestroy"] is False
    ownership = plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    block = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(block[setting] is True for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"))
    assert block["restrictPublicBuckets"] is True
    [rule] = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert (rule["status"], rule["expiration"]) == ("Enabled", {"days": 365})
    encryption = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert encryption.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]


def test_key_bucket_and_trail_are_protected_or_key_and_bucket_outlive_a_destroy(plan: Plan) -> None:
    assert {r.type for r in plan.registrations if r.protect} == {KEY, BUCKET, TRAIL}
    assert not any(r.retain_on_delete for r in plan.registrations)
    unprotected = build(protect=False)
    assert not any(r.protect for r in unprotected.registrations)
    assert {r.type for r in unprotected.registrations if r.retain_on_delete} == {KEY, BUCKET}


def test_the_key_and_bucket_policies_pass_the_parliament_linter() -> None:
    """In a key policy `"Resource": "*"` means the key itself (KMS developer guide, key policies), which parliament,
    reading every policy as an identity policy, reports as RESOURCE_STAR: that is all it may report of it."""
    bucket_arn = "arn:aws:s3:::amy-unit-cloudtrail-logs"
    bucket_findings = analyze_policy_string(json.dumps(bucket_policy(bucket_arn, ACCOUNT_ID, TRAIL_ARN))).findings
    assert [(f.issue, f.detail) for f in bucket_findings] == []
    key_findings = analyze_policy_string(json.dumps(key_policy("aws", ACCOUNT_ID, TRAIL_ARN))).findings
    assert {f.issue for f in key_findings} == {"RESOURCE_STAR"}
    assert len(key_findings) == len(key_policy("aws", ACCOUNT_ID, TRAIL_ARN)["Statement"])


def test_the_trail_fits_cloudtrail_for_the_longest_stack_name(plan: Plan) -> None:
    """What the provider sends CloudTrail, checked against botocore's model, and the names the longest stack gives:
    the trail's by CloudTrail's rule, the bucket's with Pulumi's 8-character suffix within S3's 63."""
    longest = f"amy-{'a' * MAX_STACK_NAME}"
    trail = plan.one(TRAIL).inputs
    request = {
        "Name": trail["name"].replace("amy-unit", longest),
        "S3BucketName": trail["s3BucketName"],
        "KmsKeyId": trail["kmsKeyId"],
        "IsMultiRegionTrail": trail["isMultiRegionTrail"],
        "IncludeGlobalServiceEvents": trail["includeGlobalServiceEvents"],
        "EnableLogFileValidation": trail["enableLogFileValidation"],
    }
    assert request_errors("cloudtrail", "CreateTrail", request) == ""
    assert TRAIL_NAME.fullmatch(request["Name"])
    assert len(f"{longest}-cloudtrail-logs") + 8 <= 63


def test_a_stack_that_makes_the_trail_passes_its_policy_pack_and_exports_the_bucket() -> None:
    with_trail = varied("production", {"amy:cloudTrail": True})
    trail = with_trail.one(TRAIL)
    assert trail.inputs["name"] == "amy-production-trail"
    assert trail.protect
    assert with_trail.outputs["cloudTrailBucket"] == with_trail.one(BUCKET, "amy-production-cloudtrail-logs").outputs["bucket"]
    with policy_server() as server:
        assert check(server, with_trail).mandatory == []
