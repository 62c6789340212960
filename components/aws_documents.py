"""Documents several components hand to AWS: trust policies, a locked-down bucket's settings."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws


def service_trust(service: str) -> str:
    """A trust policy letting one AWS service assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def tls_only_policy(bucket_arn: str) -> dict[str, Any]:
    """A bucket policy refusing every request that does not come over TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def email_attachments_statement(bucket: str) -> dict[str, Any]:
    """What AMY does with its e-mail attachments bucket: write attachments and read them back for presigned URLs."""
    return {
        "Sid": "EmailAttachments",
        "Effect": "Allow",
        "Action": ["s3:PutObject", "s3:GetObject"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }


def lock_down(name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions) -> None:
    """The bucket owns its objects (no ACLs) and blocks every kind of public access."""
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )


def encrypt_by_default(
    name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions, kms_key_arn: pulumi.Input[str] | None
) -> None:
    """Default encryption for new objects: under `kms_key_arn` (with an S3 bucket key), or S3-managed keys without one."""
    by_default = (
        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
        )
        if kms_key_arn is not None
        else aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(sse_algorithm="AES256")
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=by_default,
                bucket_key_enabled=True if kms_key_arn is not None else None,
            )
        ],
        opts=opts,
    )


def expire_objects(name: str, bucket: aws.s3.Bucket, rule_id: str, days: int, opts: pulumi.ResourceOptions) -> None:
    """Every object of a log bucket deleted `days` after it is written."""
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id=rule_id,
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
            )
        ],
        opts=opts,
    )


def key_administrators(root: str) -> dict[str, Any]:
    """A key policy's administrators: whom the account's IAM policies allow to manage the key, never to use it."""
    return {
        "Sid": "KeyAdministrators",
        "Effect": "Allow",
        "Principal": {"AWS": root},
        "Action": [
            "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
            "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
            "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
        ],
        "Resource": "*",
    }  # fmt: skip


def only_break_glass_disables_or_deletes(partition: str, account: str, break_glass_role: str) -> dict[str, Any]:
    """Whatever IAM allows, only the break-glass role may disable or delete a key or change its policy. KMS refuses
    such a policy unless its lockout safety check is bypassed (BypassPolicyLockoutSafetyCheck)."""
    return {
        "Sid": "OnlyBreakGlassDisablesOrDeletes",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy"],
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": f"arn:{partition}:iam::{account}:role/{break_glass_role}"}},
    }
