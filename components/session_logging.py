"""A record of every shell opened on the stack's host: Session Manager sessions (the only way onto it) logged,
encrypted, to a log group under a key of the stack's own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws_documents import key_administrators, only_break_glass_disables_or_deletes
from components.iam_documents import SESSION_PREFERENCES_DOCUMENT

# Minutes without input before Session Manager ends a session (it takes 1 to 60).
IDLE_SESSION_TIMEOUT_MINUTES = 20


@dataclass
class SessionLoggingArgs:
    name_prefix: str
    region: str
    # Like `/amy/<stack>/sessions`, kept for the stack's log retention.
    log_group_name: str
    log_retention_days: int
    protect: bool
    # The only role that may disable or delete the key or change its policy.
    break_glass_role: str
    # Whether this stack writes the region's preferences document (one stack per account and region does).
    preferences: bool


class SessionLogging(pulumi.ComponentResource):
    """The sessions' key and log group, and where the stack owns them, the region's Session Manager preferences:
    every session's commands and output streamed to the group, encrypted there and on the wire with the key."""

    key: aws.kms.Key
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: SessionLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:observability:SessionLogging", name, None, opts)
        # What keeps the record outlives `pulumi destroy`: protected where the stack protects, retained elsewhere.
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=not args.protect)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self))
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{args.name_prefix}: Session Manager sessions and their log",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(partition.partition, identity.account_id).apply(
                lambda values: json.dumps(
                    key_policy(values[0], values[1], args.region, args.log_group_name, args.break_glass_role)
                )
            ),
            # The policy denies even its author further policy changes, which KMS's lockout check would refuse.
            bypass_policy_lockout_safety_check=True,
            opts=stateful,
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/{args.name_prefix}-sessions",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # CloudWatch Logs checks at creation that it may use the key: the key's policy comes first.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-log",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=self.key.arn,
            opts=stateful,
        )
        if args.preferences:
            aws.ssm.Document(
                f"{name}-preferences",
                name=SESSION_PREFERENCES_DOCUMENT,
                document_type="Session",
                document_format="JSON",
                content=pulumi.Output.all(self.log_group.name, self.key.key_id).apply(
                    lambda values: json.dumps(preferences(values[0], values[1]), indent=2)
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"log_group": self.log_group.name, "key": self.key.arn})


def preferences(log_group_name: str, key_id: str) -> dict[str, Any]:
    """The Session document of the region's preferences (Session Manager's "Session document schema"): each session
    streamed to the log group, which must be encrypted for cloudWatchEncryptionEnabled, and its data encrypted with
    the key between client and host; no S3 copy, no Run As (sessions start as ssm-user, who may sudo)."""
    return {
        "schemaVersion": "1.0",
        "description": "Session Manager preferences: every session logged, encrypted, to CloudWatch Logs",
        "sessionType": "Standard_Stream",
        "inputs": {
            "s3BucketName": "",
            "s3KeyPrefix": "",
            "s3EncryptionEnabled": True,
            "cloudWatchLogGroupName": log_group_name,
            "cloudWatchEncryptionEnabled": True,
            "cloudWatchStreamingEnabled": True,
            "kmsKeyId": key_id,
            "runAsEnabled": False,
            "runAsDefaultUser": "",
            "idleSessionTimeout": str(IDLE_SESSION_TIMEOUT_MINUTES),
            "maxSessionDuration": "",
            "shellProfile": {"windows": "", "linux": ""},
        },
    }


def key_policy(partition: str, account: str, region: str, log_group_name: str, break_glass_role: str) -> dict[str, Any]:
    """The sessions' key: administered like the backups' key; used by the principals IAM lets (operators start
    sessions with kms:GenerateDataKey, the host's agent takes them with kms:Decrypt); and by CloudWatch Logs for the
    session log group alone (the group's ARN as encryption context, per the CloudWatch Logs user guide's "Encrypt
    log data in CloudWatch Logs using AWS KMS")."""
    root = f"arn:{partition}:iam::{account}:root"
    group_arn = f"arn:{partition}:logs:{region}:{account}:log-group:{log_group_name}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            key_administrators(root),
            {
                "Sid": "SessionsThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                "Resource": "*",
            },
            {
                "Sid": "SessionLogGroup",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                # The guide's statement also lists kms:Describe*, which carries no encryption context, so under this
                # condition allows nothing; the encryption context key is a String in IAM's catalogue.
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}},
            },
            only_break_glass_disables_or_deletes(partition, account, break_glass_role),
        ],
    }
