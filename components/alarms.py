"""Alarms: what operators are told about, by e-mail through one SNS topic."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

FIVE_MINUTES = 300
GIB = 1024**3
# Route 53 puts its health checks' metrics in US East (N. Virginia) alone (Route 53 developer guide, "Monitoring health
# checks using CloudWatch"), and an alarm notifies SNS topics of its own region.
US_EAST_1 = "us-east-1"


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
    # Seconds per evaluated period; `periods` of them make the alarm.
    period: int = FIVE_MINUTES
    # Whether the metric is in us-east-1 whatever the stack's region (Route 53's).
    us_east_1: bool = False


@dataclass
class AlarmsArgs:
    name_prefix: str
    # The stack's region, and a provider for us-east-1, where the alarms on Route 53's metrics live.
    region: str
    us_east_1: pulumi.ProviderResource
    email: str | None
    database_identifier: str
    database_storage_gb: int
    # The web tier's own alarms, made by its layout.
    web_alarms: list[Alarm]
    # Whose AWS Backup jobs are this stack's: its vault's backups and copies, its backup role's restores.
    backup_vault_name: pulumi.Input[str]
    backup_vault_arn: pulumi.Input[str]
    backup_role_arn: pulumi.Input[str]


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
        alarms = [*database_alarms(args.database_identifier, args.database_storage_gb), *args.web_alarms]
        us_east_1 = pulumi.ResourceOptions(parent=self, provider=args.us_east_1)
        # The us-east-1 alarms notify the stack's topic where it is in us-east-1, else a topic of their own there.
        east_topic = self.topic
        if args.region != US_EAST_1 and any(alarm.us_east_1 for alarm in alarms):
            east_topic = self._us_east_1_topic(name, args, us_east_1)
        for alarm in alarms:
            topic = east_topic if alarm.us_east_1 else self.topic
            aws.cloudwatch.MetricAlarm(
                f"{name}-{alarm.name}",
                name=f"{args.name_prefix}-{alarm.name}",
                alarm_description=alarm.meaning,
                namespace=alarm.namespace,
                metric_name=alarm.metric,
                dimensions=dict(alarm.dimensions),
                statistic=alarm.statistic,
                period=alarm.period,
                evaluation_periods=alarm.periods,
                comparison_operator=alarm.comparison,
                threshold=alarm.threshold,
                treat_missing_data=alarm.missing_data,
                alarm_actions=[topic.arn],
                ok_actions=[topic.arn],
                opts=us_east_1 if alarm.us_east_1 else child,
            )
        self._backup_failures(name, args, child)
        self.register_outputs({"topic": self.topic.arn})

    def _us_east_1_topic(self, name: str, args: AlarmsArgs, us_east_1: pulumi.ResourceOptions) -> aws.sns.Topic:
        """A topic in us-east-1 for the alarms there, mailed and open to them as the stack's topic is."""
        topic = aws.sns.Topic(f"{name}-topic-{US_EAST_1}", name=f"{args.name_prefix}-alarms", opts=us_east_1)
        if args.email:
            aws.sns.TopicSubscription(
                f"{name}-email-{US_EAST_1}", topic=topic.arn, protocol="email", endpoint=args.email, opts=us_east_1
            )
        aws.sns.TopicPolicy(
            f"{name}-topic-policy-{US_EAST_1}",
            arn=topic.arn,
            policy=topic.arn.apply(lambda arn: json.dumps(topic_policy(arn, args.name_prefix))),
            opts=us_east_1,
        )
        return topic

    def _backup_failures(self, name: str, args: AlarmsArgs, child: pulumi.ResourceOptions) -> None:
        rule = aws.cloudwatch.EventRule(
            f"{name}-backup-failed",
            description="An AWS Backup job, restore or restore test of the stack failed",
            event_pattern=pulumi.Output.all(args.backup_vault_name, args.backup_vault_arn, args.backup_role_arn).apply(
                lambda values: json.dumps(backup_failure_pattern(*values))
            ),
            opts=child,
        )
        aws.cloudwatch.EventTarget(f"{name}-backup-failed", rule=rule.name, arn=self.topic.arn, opts=child)
        # A topic policy replaces SNS's default one: it must let in every publisher, the alarms too.
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, rule.arn).apply(
                lambda arns: json.dumps(topic_policy(arns[0], args.name_prefix, arns[1]))
            ),
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


def backup_failure_pattern(vault_name: str, vault_arn: str, backup_role_arn: str) -> dict:
    """This stack's failed AWS Backup jobs, not every job in the region. Backup and copy jobs report `state` and
    name their vault; restore jobs (restore tests too) report `status` and the role they ran as."""
    failed = ["FAILED", "ABORTED", "EXPIRED"]
    return {
        "source": ["aws.backup"],
        "$or": [
            {"detail-type": ["Backup Job State Change"], "detail": {"state": failed, "backupVaultName": [vault_name]}},
            {"detail-type": ["Copy Job State Change"], "detail": {"state": failed, "sourceBackupVaultArn": [vault_arn]}},
            {
                "detail-type": ["Restore Job State Change"],
                "detail": {"status": ["FAILED", "ABORTED"], "iamRoleArn": [backup_role_arn]},
            },
            {
                "detail-type": ["Restore Job State Change"],
                "detail": {"validationStatus": ["FAILED", "TIMED_OUT"], "iamRoleArn": [backup_role_arn]},
            },
        ],
    }


def topic_policy(topic_arn: str, name_prefix: str, rule_arn: str | None = None) -> dict:
    """This stack's alarms (of the topic's region) and its backup-failure rule may publish to the topic; nothing
    else may."""
    _, partition, _, region, account, _ = topic_arn.split(":", 5)
    statements = [
        {
            "Sid": "Alarms",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{name_prefix}-*"},
                "StringEquals": {"aws:SourceAccount": account},
            },
        }
    ]
    if rule_arn is not None:
        statements.append(
            {
                "Sid": "BackupFailures",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
