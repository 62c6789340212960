"""resource_policies.py: no bucket, topic, key, vault or repository policy grants to every principal unnarrowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, dumps

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
KEY = "aws:kms/key:Key"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
TLS_ONLY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ALARMS = {
    "Sid": "Alarms",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": "sns:Publish",
    "Resource": "arn:aws:sns:us-east-1:123456789012:alarms",
}
PUBLISH_TO_ALL = {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*"}


def policy(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def narrowed(statement: dict[str, Any], condition: dict[str, Any]) -> dict[str, Any]:
    return {**statement, "Condition": condition}


PASSING = [
    Pass("resource-policy-not-public", BUCKET_POLICY, policy(TLS_ONLY)),
    Pass("resource-policy-not-public", TOPIC_POLICY, policy(ALARMS)),
    Pass(
        "resource-policy-not-public",
        TOPIC_POLICY,
        policy(narrowed(PUBLISH_TO_ALL, {"StringEquals": {"aws:SourceAccount": "123456789012"}})),
    ),
    Pass(
        "resource-policy-not-public",
        KEY,
        policy(
            narrowed(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"},
                {"StringEquals": {"kms:CallerAccount": "123456789012", "kms:ViaService": "backup.us-east-1.amazonaws.com"}},
            )
        ),
    ),
    Pass("resource-policy-not-public", KEY, {"description": "no policy of its own"}),
]

FAILING = [
    Fail(
        "resource-policy-not-public",
        TOPIC_POLICY,
        policy(ALARMS, PUBLISH_TO_ALL),
        "statement 'Open' allows sns:Publish to every principal (Principal *) with no condition that narrows it",
    ),
    Fail(
        "resource-policy-not-public",
        BUCKET_POLICY,
        policy(TLS_ONLY, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}),
        "add a condition on aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID",
    ),
    Fail(
        "resource-policy-not-public",
        BUCKET_POLICY,
        policy(
            narrowed(
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
                {"Bool": {"aws:SecureTransport": "true"}},
            )
        ),
        "allows s3:GetObject to every principal",
    ),
    Fail(
        "resource-policy-not-public",
        KEY,
        policy({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "kms:*", "Resource": "*"}),
        "allows kms:* to every principal",
    ),
    Fail(
        "resource-policy-not-public",
        VAULT_POLICY,
        policy(
            narrowed(
                {"Effect": "Allow", "Principal": "*", "Action": "backup:DeleteRecoveryPoint", "Resource": "*"},
                {"StringLike": {"aws:PrincipalArn": "*"}},
            )
        ),
        "allows backup:DeleteRecoveryPoint to every principal",
    ),
    Fail(
        "resource-policy-not-public",
        REPOSITORY_POLICY,
        policy({"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}),
        "allows ecr:BatchGetImage, ecr:GetDownloadUrlForLayer to every principal",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
