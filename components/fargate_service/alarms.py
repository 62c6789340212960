"""The Fargate service's alarms: what its metrics say when AMY is down or failing."""

from __future__ import annotations

import pulumi

from components.alarms import Alarm


def service_alarms(
    load_balancer: pulumi.Input[str], target_group: pulumi.Input[str], cluster: pulumi.Input[str], service: pulumi.Input[str]
) -> list[Alarm]:
    balancer = {"LoadBalancer": load_balancer}
    return [
        Alarm(
            "web-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            balancer,
            "Sum",
            "GreaterThanThreshold",
            10,
            1,
            "AMY answered more than 10 server errors in 5 minutes: read /amy/<stack>/web.",
        ),
        Alarm(
            "web-unhealthy",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {**balancer, "TargetGroup": target_group},
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            1,
            3,
            "A web task has failed its /version/ health check for 15 minutes.",
        ),
        Alarm(
            "web-no-tasks",
            "ECS/ContainerInsights",
            "RunningTaskCount",
            {"ClusterName": cluster, "ServiceName": service},
            "Minimum",
            "LessThanThreshold",
            1,
            2,
            "No web task has run for 10 minutes: AMY is down; read the service's events and /amy/<stack>/web.",
            missing_data="breaching",
        ),
    ]
