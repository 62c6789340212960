"""Rolling the services when RDS rotates the database password, which tasks read only when they start."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.aws_documents import service_trust


def redeploy_on_rotation(
    name: str,
    cluster: aws.ecs.Cluster,
    services: Sequence[aws.ecs.Service],
    database_secret_arn: pulumi.Input[str],
    permissions_boundary: pulumi.Input[str],
    parent: pulumi.Resource,
) -> None:
    """When a rotation succeeds, a Step Functions state machine forces a new deployment of every service."""
    child = pulumi.ResourceOptions(parent=parent)
    machine_role = iam.role(
        f"{name}-redeploy-role",
        description="Roll AMY's services after the database password rotates",
        trust=service_trust("states.amazonaws.com"),
        boundary=permissions_boundary,
        opts=child,
    )
    aws.iam.RolePolicy(
        f"{name}-redeploy-role-ecs",
        role=machine_role.id,
        policy=pulumi.Output.all(*[service.id for service in services]).apply(
            lambda arns: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": sorted(arns)}],
                }
            )
        ),
        opts=child,
    )
    machine = aws.sfn.StateMachine(
        f"{name}-redeploy",
        type="EXPRESS",
        role_arn=machine_role.arn,
        definition=pulumi.Output.all(cluster.arn, *[service.name for service in services]).apply(
            lambda values: json.dumps(redeploy_state_machine(values[0], values[1:]))
        ),
        logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(level="OFF"),
        opts=child,
    )
    rule = aws.cloudwatch.EventRule(
        f"{name}-password-rotated",
        description="The database's master password rotated",
        event_pattern=pulumi.Output.from_input(database_secret_arn).apply(lambda arn: json.dumps(rotation_event_pattern(arn))),
        opts=child,
    )
    events_role = iam.role(
        f"{name}-password-rotated-role",
        description="Let EventBridge start the redeploy state machine",
        trust=service_trust("events.amazonaws.com"),
        boundary=permissions_boundary,
        opts=child,
    )
    aws.iam.RolePolicy(
        f"{name}-password-rotated-role-start",
        role=events_role.id,
        policy=machine.arn.apply(
            lambda arn: json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": arn}]}
            )
        ),
        opts=child,
    )
    aws.cloudwatch.EventTarget(f"{name}-password-rotated", rule=rule.name, arn=machine.arn, role_arn=events_role.arn, opts=child)


def rotation_event_pattern(secret_arn: str) -> dict[str, Any]:
    return {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": ["RotationSucceeded"],
            "additionalEventData": {"SecretId": [secret_arn]},
        },
    }


def redeploy_state_machine(cluster_arn: str, service_names: Sequence[str]) -> dict[str, Any]:
    """Force a new deployment of each service, in parallel; the deployments themselves keep full capacity."""
    return {
        "Comment": "Roll AMY's services onto the rotated database password",
        "StartAt": "Redeploy",
        "States": {
            "Redeploy": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": name,
                        "States": {
                            name: {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::aws-sdk:ecs:updateService",
                                "Parameters": {"Cluster": cluster_arn, "Service": name, "ForceNewDeployment": True},
                                "End": True,
                            }
                        },
                    }
                    for name in service_names
                ],
            }
        },
    }
