"""The Fargate service's alarms: the load balancer's errors and health, and the service's running tasks."""

from __future__ import annotations

from components.fargate_service.alarms import service_alarms
from stack_config import StackConfig
from tests.components.support import metric_alarms
from tooling.harness import Plan


def test_each_stack_of_the_layout_watches_the_service(plan: Plan, config: StackConfig) -> None:
    alarms = metric_alarms(plan)
    assert set(alarms) == {"database-cpu", "database-storage", "web-5xx", "web-unhealthy", "web-no-tasks"}
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    group = plan.one("aws:lb/targetGroup:TargetGroup").outputs["arnSuffix"]
    assert alarms["web-5xx"]["dimensions"] == {"LoadBalancer": alb}
    assert alarms["web-unhealthy"]["dimensions"] == {"LoadBalancer": alb, "TargetGroup": group}
    assert alarms["web-no-tasks"]["dimensions"] == {"ClusterName": config.name_prefix, "ServiceName": "web"}


def test_no_running_web_task_is_an_outage_even_without_data() -> None:
    alarms = {alarm.name: alarm for alarm in service_alarms("app/alb/1", "targetgroup/web/2", "amy-unit", "web")}
    assert set(alarms) == {"web-5xx", "web-unhealthy", "web-no-tasks"}
    no_tasks = alarms["web-no-tasks"]
    assert (no_tasks.namespace, no_tasks.metric) == ("ECS/ContainerInsights", "RunningTaskCount")
    assert (no_tasks.comparison, no_tasks.threshold, no_tasks.missing_data) == ("LessThanThreshold", 1, "breaching")
    # Without traffic the load balancer reports nothing: no errors, no unhealthy host.
    assert {alarms[name].missing_data for name in ("web-5xx", "web-unhealthy")} == {"notBreaching"}
