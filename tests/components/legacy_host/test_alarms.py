"""The legacy host's alarms: down (EC2 status checks, Route 53 from outside), failing (gunicorn's server errors in the
access log), its dumps, deploys and certificate (metrics the host puts in its stack's namespace)."""

from __future__ import annotations

import json

import pytest

from components.alarms import US_EAST_1
from components.legacy_host.alarms import SERVER_ERRORS_PATTERN, host_alarms, metrics_namespace
from tests.aws_shapes import request_errors
from tests.components.support import METRIC_ALARM, metric_alarms
from tests.stacks import config_of, planned, stacks_with_layout
from tooling.harness import Plan

HOST_ALARMS = {"host-status", "host-5xx", "host-unreachable", "host-dumps", "host-deploy-failed", "host-certificate"}


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_each_stack_of_the_layout_watches_the_host(stack: str) -> None:
    plan = planned(stack)
    alarms = metric_alarms(plan)
    assert set(alarms) == {"database-cpu", "database-storage", *HOST_ALARMS}
    assert alarms["host-status"]["dimensions"] == {"InstanceId": plan.one("aws:ec2/instance:Instance").id}
    namespace = metrics_namespace(stack)
    for name in ("host-5xx", "host-dumps", "host-deploy-failed", "host-certificate"):
        assert (alarms[name]["namespace"], alarms[name].get("dimensions", {})) == (namespace, {}), name


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_route_53_checks_the_version_page_from_outside_and_its_alarm_is_in_us_east_1(stack: str) -> None:
    plan = planned(stack)
    check = plan.one("aws:route53/healthCheck:HealthCheck")
    wanted = {"type": "HTTPS", "port": 443, "resourcePath": "/version/", "enableSni": True}
    assert {key: check.inputs[key] for key in wanted} == wanted
    assert check.inputs["fqdn"] == config_of(stack).dns.domain
    [alarm] = [a for a in plan.of_type(METRIC_ALARM) if a.inputs["name"].endswith("-host-unreachable")]
    assert alarm.inputs["dimensions"] == {"HealthCheckId": check.id}
    assert alarm.provider_urn == plan.one("pulumi:providers:aws", f"aws-{US_EAST_1}").urn
    # A valid CreateHealthCheck request.
    config = {
        "Type": "HTTPS",
        "FullyQualifiedDomainName": check.inputs["fqdn"],
        "Port": check.inputs["port"],
        "ResourcePath": check.inputs["resourcePath"],
        "RequestInterval": check.inputs["requestInterval"],
        "FailureThreshold": check.inputs["failureThreshold"],
        "EnableSNI": check.inputs["enableSni"],
    }
    assert request_errors("route53", "CreateHealthCheck", {"CallerReference": "x", "HealthCheckConfig": config}) == ""


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_server_errors_are_counted_in_the_shipped_access_log(stack: str) -> None:
    plan: Plan = planned(stack)
    log_filter = plan.one("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    access_log = next(g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if g.name.endswith("-nginx-access"))
    assert log_filter.inputs["logGroupName"] == access_log.outputs["name"]
    assert log_filter.inputs["pattern"] == SERVER_ERRORS_PATTERN
    transformation = log_filter.inputs["metricTransformation"]
    assert (transformation["namespace"], transformation["name"]) == (metrics_namespace(stack), "ServerErrors")
    request = {
        "logGroupName": log_filter.inputs["logGroupName"],
        "filterName": log_filter.inputs["name"],
        "filterPattern": log_filter.inputs["pattern"],
        "metricTransformations": [
            {"metricName": "ServerErrors", "metricNamespace": transformation["namespace"], "metricValue": "1", "unit": "Count"}
        ],
    }
    assert request_errors("logs", "PutMetricFilter", request) == ""


def test_a_host_that_stops_reporting_is_down() -> None:
    status = {alarm.name: alarm for alarm in host_alarms("i-0123456789abcdef0", "AMY/unit", "hc")}["host-status"]
    assert (status.name, status.namespace, status.metric) == ("host-status", "AWS/EC2", "StatusCheckFailed")
    assert status.dimensions == {"InstanceId": "i-0123456789abcdef0"}
    assert (status.comparison, status.threshold, status.missing_data) == ("GreaterThanOrEqualToThreshold", 1, "breaching")


def test_what_the_host_reports_and_what_silence_means() -> None:
    alarms = {alarm.name: alarm for alarm in host_alarms("i-0123456789abcdef0", "AMY/unit", "hc")}
    dumps = alarms["host-dumps"]
    # An hour of five-minute periods, every one without a dump: missing data breaches.
    assert (dumps.metric, dumps.statistic, dumps.comparison, dumps.threshold) == ("DumpSucceeded", "Sum", "LessThanThreshold", 1)
    assert (dumps.period * dumps.periods, dumps.missing_data) == (3600, "breaching")
    deploy = alarms["host-deploy-failed"]
    # A failure stays an alarm until a deploy succeeds, however long that takes.
    assert (deploy.metric, deploy.threshold, deploy.missing_data) == ("DeployFailed", 1, "ignore")
    certificate = alarms["host-certificate"]
    assert (certificate.metric, certificate.statistic, certificate.comparison) == (
        "CertificateDaysLeft",
        "Minimum",
        "LessThanThreshold",
    )
    assert (certificate.threshold, certificate.period, certificate.missing_data) == (14, 86400, "breaching")
    unreachable = alarms["host-unreachable"]
    assert (unreachable.namespace, unreachable.dimensions, unreachable.us_east_1) == (
        "AWS/Route53",
        {"HealthCheckId": "hc"},
        True,
    )
    assert [alarm.name for alarm in alarms.values() if alarm.us_east_1] == ["host-unreachable"]


def test_the_host_may_put_metrics_in_its_stacks_namespace_only(production: Plan) -> None:
    policy = json.loads(production.one("aws:iam/rolePolicy:RolePolicy", "amy-production-host-role-amy").inputs["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert statements["PutMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "AMY/production"}}
    # The boundary allows every namespace: a deny of the others keeps the host to its own, whatever is added later.
    assert statements["NoOtherMetrics"]["Effect"] == "Deny"
    assert statements["NoOtherMetrics"]["Condition"] == {"StringNotEquals": {"cloudwatch:namespace": "AMY/production"}}
