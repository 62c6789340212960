"""The account's CloudTrail trail, for an account that has none: every region's management events, signed and
encrypted, in a bucket only CloudTrail writes to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws_documents import encrypt_by_default, expire_objects, key_administrators, lock_down, tls_only_policy

CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com"


@dataclass
class CloudTrailArgs:
    name_prefix: str
    region: str
    # How long the bucket keeps log and digest files.
    log_retention_days: int
    # Production's guard: key, bucket and trail are protected; elsewhere key and bucket are retained on destroy.
    protect: bool


class CloudTrail(pulumi.ComponentResource):
    """A multi-region trail named `amy-<stack>-trail`, with log file validation, its log files encrypted under a
    rotating key of its own, into a private, TLS-only bucket whose policy admits that trail alone."""

    trail: aws.cloudtrail.Trail
    bucket: aws.s3.Bucket
    key: aws.kms.Key

    def __init__(self, name: str, args: CloudTrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:audit:CloudTrail", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=not args.protect)
        trail_name = f"{args.name_prefix}-trail"
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self))
        account = pulumi.Output.all(partition.partition, identity.account_id)
        # The trail's ARN is known before the trail exists: the key and bucket policies name it, and the trail
        # needs both in place (CloudTrail checks them when the trail is made).
        trail_arn = account.apply(lambda values: trail_arn_of(values[0], args.region, values[1], trail_name))

        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{args.name_prefix}: CloudTrail log files",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(account, trail_arn).apply(
                lambda values: json.dumps(key_policy(values[0][0], values[0][1], values[1]))
            ),
            opts=kept,
        )
        aws.kms.Alias(f"{name}-key-alias", name=f"alias/{args.name_prefix}-cloudtrail", target_key_id=self.key.key_id, opts=child)

        bucket_name = f"{name}-logs"
        self.bucket = aws.s3.Bucket(bucket_name, force_destroy=False, opts=kept)
        lock_down(bucket_name, self.bucket, child)
        # CloudTrail encrypts what it writes under the trail's key (kms_key_id); the default covers anything else.
        encrypt_by_default(bucket_name, self.bucket, child, kms_key_arn=None)
        expire_objects(bucket_name, self.bucket, "expire-trail-logs", args.log_retention_days, child)
        policy = aws.s3.BucketPolicy(
            f"{bucket_name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, identity.account_id, trail_arn).apply(
                lambda values: json.dumps(bucket_policy(values[0], values[1], values[2]))
            ),
            opts=child,
        )

        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=self.bucket.bucket,
            kms_key_id=self.key.arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=[policy]),
        )
        self.register_outputs({"trail": self.trail.arn, "bucket": self.bucket.bucket})


def trail_arn_of(partition: str, region: str, account: str, name: str) -> str:
    """A trail's ARN, in its home region."""
    return f"arn:{partition}:cloudtrail:{region}:{account}:trail/{name}"


def key_policy(partition: str, account: str, trail_arn: str) -> dict[str, Any]:
    """The statements the CloudTrail user guide requires of a trail's key ("Configure AWS KMS key policies for
    CloudTrail"): the trail may encrypt for this account's trails and describe the key, both only for this trail
    (aws:SourceArn); the account's principals may decrypt files of its trails, as its IAM policies allow; and the
    account administers the key."""
    root = f"arn:{partition}:iam::{account}:root"
    this_accounts_trails = f"arn:{partition}:cloudtrail:*:{account}:trail/*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            key_administrators(root),
            {
                "Sid": "CloudTrailEncryptsLogs",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_SERVICE},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": this_accounts_trails},
                },
            },
            {
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_SERVICE},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
            {
                "Sid": "AccountDecryptsLogs",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": this_accounts_trails}},
            },
        ],
    }


def bucket_policy(bucket_arn: str, account: str, trail_arn: str) -> dict[str, Any]:
    """What CloudTrail needs of its bucket (CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail"), for this
    trail alone: read the bucket's ACL, and write this account's log files handing the bucket owner full control.
    Nothing without TLS."""
    policy = tls_only_policy(bucket_arn)
    this_trail = {"aws:SourceArn": trail_arn}
    policy["Statement"] += [
        {
            "Sid": "CloudTrailChecksAcl",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL_SERVICE},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": this_trail},
        },
        {
            "Sid": "CloudTrailWrites",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL_SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **this_trail}},
        },
    ]
    return policy
