"""The documents components share: trust policies, the TLS-only bucket policy, the attachments statement, and the
resources that lock a bucket down and encrypt it by default."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from parliament import analyze_policy_string

from components.aws_documents import (
    email_attachments_statement,
    encrypt_by_default,
    lock_down,
    service_trust,
    tls_only_policy,
)
from tooling.harness import Plan, record

BUCKET_ARN = "arn:aws:s3:::amy-unit-logs"
ROLE_ARN = "arn:aws:iam::123456789012:role/amy-unit"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0123"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def lint(policy: dict[str, Any]) -> set[str]:
    return {finding.issue for finding in analyze_policy_string(json.dumps(policy)).findings}


def as_resource_policy(trust: str) -> dict[str, Any]:
    """A trust policy as what it is, the role's own resource policy: parliament lints only statements with a
    Resource, so each statement names the role it lets the principal assume."""
    policy = json.loads(trust)
    for statement in policy["Statement"]:
        statement["Resource"] = ROLE_ARN
    return policy


@pytest.mark.parametrize("service", ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "states.amazonaws.com"])
def test_a_service_trust_lets_only_that_service_assume_the_role(service: str) -> None:
    [statement] = json.loads(service_trust(service))["Statement"]
    assert statement == {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    assert lint(as_resource_policy(service_trust(service))) == set()


def test_the_linter_reaches_a_trust_policys_action_and_principal() -> None:
    typo = as_resource_policy(service_trust("ecs-tasks.amazonaws.com"))
    typo["Statement"][0]["Action"] = "sts:AssumeRol"
    assert lint(typo) == {"UNKNOWN_ACTION"}
    wrong = as_resource_policy(service_trust("ecs-tasks.amazonaws.com"))
    wrong["Statement"][0]["Principal"] = {"Servic": "ecs-tasks.amazonaws.com"}
    assert lint(wrong) == {"UNKNOWN_PRINCIPAL"}


def test_the_tls_only_policy_denies_every_request_without_tls_to_the_bucket_and_its_objects() -> None:
    [statement] = tls_only_policy(BUCKET_ARN)["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "s3:*")
    assert statement["Resource"] == [BUCKET_ARN, f"{BUCKET_ARN}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert lint(tls_only_policy(BUCKET_ARN)) == set()


def test_the_linter_catches_a_tls_only_policy_that_would_deny_nothing() -> None:
    wrong_type = tls_only_policy(BUCKET_ARN)
    wrong_type["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "no"}}
    assert lint(wrong_type) == {"MISMATCHED_TYPE_OPERATION_TO_NULL"}
    typo = tls_only_policy(BUCKET_ARN)
    typo["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransprt": "false"}}
    assert lint(typo) == {"UNKNOWN_CONDITION_FOR_ACTION"}


def test_amy_may_write_and_read_back_attachments_and_nothing_else() -> None:
    statement = email_attachments_statement("amy-unit-attachments")
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["s3:GetObject", "s3:PutObject"]
    assert statement["Resource"] == "arn:aws:s3:::amy-unit-attachments/*"
    assert lint({"Version": "2012-10-17", "Statement": [statement]}) == set()


def bucket_with(configure: Callable[[aws.s3.Bucket, pulumi.ResourceOptions], None]) -> Plan:
    """A plan of one bucket that `configure` adds its resources to, as children of the bucket."""

    def program() -> None:
        bucket = aws.s3.Bucket("logs")
        configure(bucket, pulumi.ResourceOptions(parent=bucket))

    return record("unit", program)


def test_lock_down_enforces_bucket_ownership_and_blocks_every_public_access() -> None:
    plan = bucket_with(lambda bucket, opts: lock_down("logs", bucket, opts))
    bucket = plan.one("aws:s3/bucket:Bucket")
    ownership = plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "logs-ownership")
    assert ownership.inputs == {"bucket": bucket.id, "rule": {"objectOwnership": "BucketOwnerEnforced"}}
    block = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-public-access")
    assert block.inputs == {
        "bucket": bucket.id,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert len(plan.registrations) == 3
    assert {ownership.parent, block.parent} == {bucket.urn}


def test_encryption_by_default_under_a_key_uses_a_bucket_key() -> None:
    plan = bucket_with(lambda bucket, opts: encrypt_by_default("logs", bucket, opts, kms_key_arn=KEY_ARN))
    encryption = plan.one(ENCRYPTION, "logs-encryption").inputs
    assert encryption["bucket"] == plan.one("aws:s3/bucket:Bucket").id
    assert encryption["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}, "bucketKeyEnabled": True}
    ]


def test_encryption_by_default_without_a_key_uses_s3_managed_keys() -> None:
    plan = bucket_with(lambda bucket, opts: encrypt_by_default("logs", bucket, opts, kms_key_arn=None))
    assert plan.one(ENCRYPTION, "logs-encryption").inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
