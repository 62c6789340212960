"""Alarms: each is a valid PutMetricAlarm, notifies the topic, and is explained in the runbooks.

The alarms each web tier adds are tested beside it (legacy_host/, fargate_service/)."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pulumi_aws as aws
import pytest
from moto.events.models import EventPattern

from components.alarms import GIB, Alarm, Alarms, AlarmsArgs, database_alarms
from components.fargate_service.alarms import service_alarms
from components.legacy_host.alarms import host_alarms
from stack_config import StackConfig
from tests.aws_shapes import request_errors
from tests.components.support import METRIC_ALARM, metric_alarms, varied
from tests.stacks import STACKS, config_of, planned
from tooling.harness import ACCOUNT_ID, ROOT, Plan, record

WEB_ALARM = Alarm(
    "web-down",
    "AWS/ApplicationELB",
    "HealthyHostCount",
    {"LoadBalancer": "app/amy-unit/0123"},
    "Minimum",
    "LessThanThreshold",
    1,
    2,
    "No healthy web target.",
    missing_data="breaching",
)


# An alarm on a metric that exists in us-east-1 alone, as Route 53's health checks'.
EAST_ALARM = Alarm(
    "site-unreachable",
    "AWS/Route53",
    "HealthCheckStatus",
    {"HealthCheckId": "0123-abcd"},
    "Minimum",
    "LessThanThreshold",
    1,
    3,
    "Route 53 cannot reach the site.",
    missing_data="breaching",
    us_east_1=True,
)


def build(email: str | None = "ops@example.org", region: str = "us-east-1", web_alarms: tuple[Alarm, ...] = (WEB_ALARM,)) -> Plan:
    def program() -> None:
        east = aws.Provider("aws-us-east-1", region="us-east-1")
        Alarms(
            "alarms",
            AlarmsArgs(
                name_prefix="amy-unit",
                region=region,
                us_east_1=east,
                email=email,
                database_identifier="amy-unit",
                database_storage_gb=50,
                web_alarms=list(web_alarms),
                backup_vault_name="amy-unit",
                backup_vault_arn=f"arn:aws:backup:{region}:{ACCOUNT_ID}:backup-vault:amy-unit",
                backup_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/amy-unit-backups",
            ),
        )

    return record("unit", program)


@pytest.fixture(scope="module")
def unit() -> Plan:
    return build()


def put_metric_alarm(inputs: dict) -> dict:
    return {
        "AlarmName": inputs["name"],
        "AlarmDescription": inputs["alarmDescription"],
        "Namespace": inputs["namespace"],
        "MetricName": inputs["metricName"],
        "Dimensions": [{"Name": key, "Value": value} for key, value in inputs.get("dimensions", {}).items()],
        "Statistic": inputs["statistic"],
        "Period": inputs["period"],
        "EvaluationPeriods": inputs["evaluationPeriods"],
        "ComparisonOperator": inputs["comparisonOperator"],
        "Threshold": float(inputs["threshold"]),
        "TreatMissingData": inputs["treatMissingData"],
        "AlarmActions": inputs["alarmActions"],
        "OKActions": inputs["okActions"],
    }


def test_the_web_tiers_alarms_join_the_databases(unit: Plan) -> None:
    alarms = metric_alarms(unit)
    assert set(alarms) == {"database-cpu", "database-storage", "web-down"}
    web = alarms["web-down"]
    assert (web["namespace"], web["metricName"], web["dimensions"]) == (
        "AWS/ApplicationELB",
        "HealthyHostCount",
        {"LoadBalancer": "app/amy-unit/0123"},
    )
    assert (web["statistic"], web["comparisonOperator"], web["threshold"], web["evaluationPeriods"]) == (
        "Minimum",
        "LessThanThreshold",
        1,
        2,
    )
    assert (web["treatMissingData"], web["alarmDescription"]) == ("breaching", "No healthy web target.")
    assert {alarm["period"] for alarm in alarms.values()} == {300}


def test_the_storage_alarm_fires_below_a_tenth_of_the_allocation(stack_plan: Plan, stack_config: StackConfig) -> None:
    storage = metric_alarms(stack_plan)["database-storage"]
    assert storage["threshold"] == max(stack_config.database.allocated_storage_gb // 10, 2) * GIB
    assert storage["dimensions"] == {"DBInstanceIdentifier": stack_config.database.identifier}
    assert metric_alarms(stack_plan)["database-cpu"]["dimensions"] == {"DBInstanceIdentifier": stack_config.database.identifier}


def test_a_tenth_of_the_storage_is_counted_in_whole_gib_and_never_below_2() -> None:
    def threshold(storage_gb: int) -> float:
        return next(alarm.threshold for alarm in database_alarms("amy-unit", storage_gb) if alarm.name == "database-storage")

    assert threshold(50) == 5 * 1024**3
    assert threshold(59) == 5 * 1024**3
    assert threshold(200) == 20 * 1024**3
    assert threshold(20) == 2 * 1024**3


def test_alarms_are_valid_requests_that_notify_the_topic(stack_plan: Plan) -> None:
    topic = stack_plan.one("aws:sns/topic:Topic").outputs["arn"]
    for name, inputs in metric_alarms(stack_plan).items():
        assert request_errors("cloudwatch", "PutMetricAlarm", put_metric_alarm(inputs)) == "", name
        assert inputs["alarmActions"] == inputs["okActions"] == [topic]
        # An alarm's whole evaluation spans a day at most (CloudWatch quotas).
        assert inputs["period"] * inputs["evaluationPeriods"] <= 86400, name


def test_an_alarm_on_a_us_east_1_metric_is_made_there_and_notifies_the_stacks_topic_there(unit: Plan) -> None:
    """Route 53's health-check metrics exist in us-east-1 alone, and an alarm notifies topics of its own region:
    in a us-east-1 stack that is the stack's topic."""
    plan = build(web_alarms=(WEB_ALARM, EAST_ALARM))
    east = plan.one("pulumi:providers:aws", "aws-us-east-1")
    alarms = {a.inputs["name"]: a for a in plan.of_type(METRIC_ALARM)}
    [topic] = plan.of_type("aws:sns/topic:Topic")
    assert alarms["amy-unit-site-unreachable"].provider_urn == east.urn
    assert alarms["amy-unit-site-unreachable"].inputs["alarmActions"] == [topic.outputs["arn"]]
    assert alarms["amy-unit-web-down"].provider_urn != east.urn


def test_elsewhere_a_us_east_1_alarm_gets_a_mailed_topic_of_its_own_there() -> None:
    plan = build(region="eu-west-1", web_alarms=(WEB_ALARM, EAST_ALARM))
    east = plan.one("pulumi:providers:aws", "aws-us-east-1")
    topics = {t.provider_urn == east.urn: t for t in plan.of_type("aws:sns/topic:Topic")}
    assert set(topics) == {True, False}
    alarms = {a.inputs["name"]: a for a in plan.of_type(METRIC_ALARM)}
    assert (alarms["amy-unit-site-unreachable"].provider_urn, alarms["amy-unit-site-unreachable"].inputs["okActions"]) == (
        east.urn,
        [topics[True].outputs["arn"]],
    )
    assert alarms["amy-unit-web-down"].inputs["alarmActions"] == [topics[False].outputs["arn"]]
    subscriptions = {s.provider_urn == east.urn: s.inputs for s in plan.of_type("aws:sns/topicSubscription:TopicSubscription")}
    assert subscriptions[True] == {**subscriptions[False], "topic": topics[True].outputs["arn"]}
    [policy] = [p for p in plan.of_type("aws:sns/topicPolicy:TopicPolicy") if p.provider_urn == east.urn]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_ID}:alarm:amy-unit-*"}
    # Without such an alarm, no second topic.
    assert len(build(region="eu-west-1").of_type("aws:sns/topic:Topic")) == 1


def test_the_shape_check_catches_a_wrong_metric_alarm(unit: Plan) -> None:
    request = put_metric_alarm(metric_alarms(unit)["web-down"])
    assert request_errors("cloudwatch", "PutMetricAlarm", request) == ""
    request["ComparisonOperator"] = 5
    assert "Invalid type for parameter ComparisonOperator" in request_errors("cloudwatch", "PutMetricAlarm", request)


def backup_event(detail_type: str, **detail: str) -> dict:
    """An AWS Backup event as EventBridge delivers it (AWS Backup developer guide, "Monitoring AWS Backup events")."""
    return {
        "version": "0",
        "id": "710b0398-d48e-f3c3-afca-cfeb2fdaa656",
        "detail-type": detail_type,
        "source": "aws.backup",
        "account": ACCOUNT_ID,
        "time": "2026-01-15T03:21:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def matches(pattern: dict, event: Any) -> bool:
    """EventBridge's matching, as moto implements it ($or included)."""
    return EventPattern.load(json.dumps(pattern)).matches_event(event)


def test_failed_backups_of_this_stack_reach_the_topic_and_no_others(stack_plan: Plan, stack_config: StackConfig) -> None:
    rule = next(r for r in stack_plan.of_type("aws:cloudwatch/eventRule:EventRule") if r.name.endswith("-backup-failed"))
    pattern = json.loads(rule.inputs["eventPattern"])
    vault = stack_plan.one("aws:backup/vault:Vault", f"{stack_config.name_prefix}-backups-vault").outputs
    role = stack_plan.one("aws:iam/role:Role", f"{stack_config.name_prefix}-backups-role").outputs["arn"]
    other_vault, other_role = "amy-other", f"arn:aws:iam::{ACCOUNT_ID}:role/amy-other-backups-role"

    def backup(state: str, vault_name: str) -> dict:
        return backup_event("Backup Job State Change", state=state, backupVaultName=vault_name, resourceType="RDS")

    def restore(role_arn: str, **detail: str) -> dict:
        return backup_event("Restore Job State Change", iamRoleArn=role_arn, resourceType="RDS", **detail)

    assert matches(pattern, backup("FAILED", vault["name"]))
    assert matches(pattern, backup("EXPIRED", vault["name"]))
    assert not matches(pattern, backup("COMPLETED", vault["name"]))
    # Another stack's vault in the same region is that stack's business.
    assert not matches(pattern, backup("FAILED", other_vault))
    copy = backup_event("Copy Job State Change", state="FAILED", sourceBackupVaultArn=vault["arn"])
    assert matches(pattern, copy)
    # Restore jobs report `status`, not `state`, and run as the stack's backup role.
    assert matches(pattern, restore(role, status="FAILED"))
    assert matches(pattern, restore(role, status="COMPLETED", validationStatus="FAILED"))
    assert not matches(pattern, restore(role, status="COMPLETED", validationStatus="SUCCESSFUL"))
    assert not matches(pattern, restore(other_role, status="FAILED"))
    target = next(t for t in stack_plan.of_type("aws:cloudwatch/eventTarget:EventTarget") if t.name == rule.name).inputs
    assert (target["rule"], target["arn"]) == (rule.outputs["name"], stack_plan.one("aws:sns/topic:Topic").outputs["arn"])


def test_only_this_stacks_alarms_and_backup_rule_may_publish(stack_plan: Plan, stack_config: StackConfig) -> None:
    """A topic policy replaces SNS's default: whoever publishes must be in it, and CloudWatch publishes as
    cloudwatch.amazonaws.com with the alarm's ARN as aws:SourceArn (CloudWatch user guide, SNS topic policies)."""
    topic = stack_plan.one("aws:sns/topic:Topic").outputs["arn"]
    policy = json.loads(stack_plan.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert set(statements) == {"Alarms", "BackupFailures"}
    alarms = statements["Alarms"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert (alarms["Action"], alarms["Resource"]) == ("sns:Publish", topic)
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    source = alarms["Condition"]["ArnLike"]["aws:SourceArn"]
    for alarm in stack_plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        arn = f"arn:aws:cloudwatch:{stack_config.region}:{ACCOUNT_ID}:alarm:{alarm.inputs['name']}"
        assert fnmatch.fnmatchcase(arn, source), arn
        assert alarm.inputs["alarmActions"] == [topic]
    assert not fnmatch.fnmatchcase(f"arn:aws:cloudwatch:{stack_config.region}:{ACCOUNT_ID}:alarm:amy-other-web-5xx", source)
    rule = next(r for r in stack_plan.of_type("aws:cloudwatch/eventRule:EventRule") if r.name.endswith("-backup-failed"))
    events = statements["BackupFailures"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert events["Condition"] == {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}}


def test_alarms_are_mailed_where_configured(stack_plan: Plan, stack_config: StackConfig) -> None:
    subscriptions = [s.inputs for s in stack_plan.of_type("aws:sns/topicSubscription:TopicSubscription")]
    expected = [("email", stack_config.alarm_email)] if stack_config.alarm_email else []
    assert [(s["protocol"], s["endpoint"]) for s in subscriptions] == expected


@pytest.mark.parametrize("stack", [stack for stack in STACKS if config_of(stack).alarm_email])
def test_without_an_address_nobody_is_mailed(stack: str) -> None:
    assert varied(stack, {"amy:alarmEmail": None}).of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_the_component_mails_only_an_address_it_is_given(unit: Plan) -> None:
    subscription = unit.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "ops@example.org")
    assert build(email=None).of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_the_runbooks_explain_every_alarm() -> None:
    runbooks = (ROOT / "docs" / "runbooks.md").read_text()
    every_tier = [
        *database_alarms("amy-unit", 50),
        *host_alarms("i-0123456789abcdef0", "AMY/unit", "0123-abcd"),
        *service_alarms("app/amy-unit/0123", "targetgroup/amy-unit/4567", "amy-unit", "web"),
    ]
    for alarm in every_tier:
        assert f"`amy-<stack>-{alarm.name}`" in runbooks, alarm.name
    for stack in STACKS:
        for name in metric_alarms(planned(stack)):
            assert f"`amy-<stack>-{name}`" in runbooks, f"{stack}: {name}"
