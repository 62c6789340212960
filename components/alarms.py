"""Alarms: what operators are told about, by e-mail through one SNS topic."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

FIVE_MINUTES = 300
GIB = 1024**3


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch alarm: the metric, when it fires, and what it means (the runbooks' table)."""

    name: str
    namespace: str
    metric: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str
    comparison: str
    threshold: float
    periods: int
    meaning: str
    missing_data: str = "notBreaching"


@dataclass
class AlarmsArgs:
    name_prefix: str
    email: str | None
    database_identifier: str
    database_storage_gb: int
    # The web tier's own alarms, made by its layout.
    web_alarms: list[Alarm]


class Alarms(pulumi.ComponentResource):
    """An SNS topic (e-mailed where configured), CloudWatch alarms on the database and the web tier, and
    EventBridge rules that report failed AWS Backup jobs, restores and restore tests."""

    topic: aws.sns.Topic

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:observability:Alarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Not encrypted with aws/sns: CloudWatch and EventBridge cannot publish to a topic under that key.
        self.topic = aws.sns.Topic(f"{name}-topic", name=f"{args.name_prefix}-alarms", opts=child)
        if args.email:
            aws.sns.TopicSubscription(f"{name}-email", topic=self.topic.arn, protocol="email", endpoint=args.email, opts=child)
        for alarm in [*database_alarms(args.database_identifier, args.database_storage_gb), *args.web_alarms]:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{alarm.name}",
                name=f"{args.name_prefix}-{alarm.name}",
                alarm_description=alarm.meaning,
                namespace=alarm.namespace,
                metric_name=alarm.metric,
                dimensions=dict(alarm.dimensions),
                statistic=alarm.statistic,
                period=FIVE_MINUTES,
                evaluation_periods=alarm.periods,
                comparison_operator=alarm.comparison,
                threshold=alarm.threshold,
                treat_missing_data=alarm.missing_data,
                alarm_actions=[self.topic.arn],
                ok_actions=[self.topic.arn],
                opts=child,
            )
        self._backup_failures(name, child)
        self.register_outputs({"topic": self.topic.arn})

    def _backup_failures(self, name: str, child: pulumi.ResourceOptions) -> None:
        rule = aws.cloudwatch.EventRule(
            f"{name}-backup-failed",
            description="An AWS Backup job, restore or restore test of the stack failed",
            event_pattern=json.dumps(backup_failure_pattern()),
            opts=child,
        )
        aws.cloudwatch.EventTarget(f"{name}-backup-failed", rule=rule.name, arn=self.topic.arn, opts=child)
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, rule.arn).apply(lambda arns: json.dumps(topic_policy(arns[0], arns[1]))),
            opts=child,
        )


def database_alarms(identifier: str, storage_gb: int) -> list[Alarm]:
    dimensions = {"DBInstanceIdentifier": identifier}
    return [
        Alarm(
            "database-cpu",
            "AWS/RDS",
            "CPUUtilization",
            dimensions,
            "Average",
            "GreaterThanThreshold",
            80,
            3,
            "The database's CPU stayed above 80 % for 15 minutes: slow queries or too small an instance class.",
        ),
        Alarm(
            "database-storage",
            "AWS/RDS",
            "FreeStorageSpace",
            dimensions,
            "Minimum",
            "LessThanThreshold",
            max(storage_gb // 10, 2) * GIB,
            1,
            "Less than a tenth of the database's storage is free; autoscaling should grow it, unless it reached "
            "dbMaxAllocatedStorageGb.",
        ),
    ]


def backup_failure_pattern() -> dict:
    return {
        "source": ["aws.backup"],
        "detail-type": ["Backup Job State Change", "Restore Job State Change", "Copy Job State Change"],
        "detail": {"state": ["FAILED", "ABORTED", "EXPIRED"]},
    }


def topic_policy(topic_arn: str, rule_arn: str) -> dict:
    """EventBridge may publish this stack's backup failures to the topic; nothing else may."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "BackupFailures",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
