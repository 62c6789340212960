"""Alarms under mocks: each is a valid PutMetricAlarm, notifies the topic, and is explained in the runbooks."""

from __future__ import annotations

import json

import pytest

from tests.aws_shapes import request_errors
from tooling.harness import ROOT, Plan, run

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def alarms(plan: Plan) -> dict[str, dict]:
    return {a.inputs["name"].split(f"amy-{plan.stack}-", 1)[1]: a.inputs for a in plan.of_type(ALARM)}


def put_metric_alarm(inputs: dict) -> dict:
    return {
        "AlarmName": inputs["name"],
        "AlarmDescription": inputs["alarmDescription"],
        "Namespace": inputs["namespace"],
        "MetricName": inputs["metricName"],
        "Dimensions": [{"Name": key, "Value": value} for key, value in inputs["dimensions"].items()],
        "Statistic": inputs["statistic"],
        "Period": inputs["period"],
        "EvaluationPeriods": inputs["evaluationPeriods"],
        "ComparisonOperator": inputs["comparisonOperator"],
        "Threshold": float(inputs["threshold"]),
        "TreatMissingData": inputs["treatMissingData"],
        "AlarmActions": inputs["alarmActions"],
        "OKActions": inputs["okActions"],
    }


def test_each_layout_watches_its_web_tier(production: Plan, testing: Plan) -> None:
    assert set(alarms(production)) == {"database-cpu", "database-storage", "host-status"}
    assert set(alarms(testing)) == {"database-cpu", "database-storage", "web-5xx", "web-unhealthy", "web-no-tasks"}
    assert alarms(production)["host-status"]["dimensions"] == {"InstanceId": production.one("aws:ec2/instance:Instance").id}
    alb = testing.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    group = testing.one("aws:lb/targetGroup:TargetGroup").outputs["arnSuffix"]
    assert alarms(testing)["web-unhealthy"]["dimensions"] == {"LoadBalancer": alb, "TargetGroup": group}
    assert alarms(testing)["web-no-tasks"]["dimensions"] == {"ClusterName": "amy-testing", "ServiceName": "web"}


def test_the_storage_alarm_fires_below_a_tenth_of_the_allocation(production: Plan) -> None:
    assert alarms(production)["database-storage"]["threshold"] == 5 * 1024**3
    assert alarms(production)["database-storage"]["dimensions"] == {"DBInstanceIdentifier": "amy-production"}


@pytest.mark.parametrize("stack", ["production", "testing"])
def test_alarms_are_valid_requests_that_notify_the_topic(request: pytest.FixtureRequest, stack: str) -> None:
    plan: Plan = request.getfixturevalue(stack)
    topic = plan.one("aws:sns/topic:Topic").outputs["arn"]
    for name, inputs in alarms(plan).items():
        assert request_errors("cloudwatch", "PutMetricAlarm", put_metric_alarm(inputs)) == "", name
        assert inputs["alarmActions"] == inputs["okActions"] == [topic]


def test_the_shape_check_catches_a_wrong_metric_alarm(testing: Plan) -> None:
    request = put_metric_alarm(alarms(testing)["web-5xx"])
    request["ComparisonOperator"] = 5
    assert "Invalid type for parameter ComparisonOperator" in request_errors("cloudwatch", "PutMetricAlarm", request)


def test_failed_backups_reach_the_topic_and_only_from_their_rule(production: Plan) -> None:
    rule = next(r for r in production.of_type("aws:cloudwatch/eventRule:EventRule") if r.name.endswith("-backup-failed"))
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["source"] == ["aws.backup"]
    assert set(pattern["detail"]["state"]) == {"FAILED", "ABORTED", "EXPIRED"}
    policy = json.loads(production.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}}


def test_alarms_are_mailed_where_configured(production: Plan) -> None:
    subscription = production.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "team@carpentries.org")
    assert run("production", {"amy:alarmEmail": None}).of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_the_runbooks_explain_every_alarm(production: Plan, testing: Plan) -> None:
    runbooks = (ROOT / "docs" / "runbooks.md").read_text()
    for name in {*alarms(production), *alarms(testing)}:
        assert f"`amy-<stack>-{name}`" in runbooks, name
