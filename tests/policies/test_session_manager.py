"""session_manager.py: Session Manager shells on the hosts, and ECS Exec into tasks, are logged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from tests.policies.pack import resource, stack_fail, stack_pass, stack_violations

INSTANCE = "aws:ec2/instance:Instance"
DOCUMENT = "aws:ssm/document:Document"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
NOT_LOGGED = "the stack's instances take Session Manager shells whose commands and output are logged nowhere"


def preferences(inputs: dict[str, Any], name: str = "SSM-SessionManagerRunShell") -> PolicyResource:
    content = {"schemaVersion": "1.0", "description": "Session preferences", "sessionType": "Standard_Stream"}
    return resource(
        DOCUMENT,
        "session-preferences",
        {"name": name, "documentType": "Session", "documentFormat": "JSON", "content": json.dumps({**content, "inputs": inputs})},
    )


LOGGED = {"cloudWatchLogGroupName": "/amy/production/sessions", "cloudWatchEncryptionEnabled": True}
HOST = resource(INSTANCE, "host", {"instanceType": "t3.medium"})


@stack_pass("ssm-session-logging")
@pytest.mark.parametrize(
    "inputs", [LOGGED, {"s3BucketName": "amy-sessions", "s3EncryptionEnabled": True}], ids=["cloudwatch", "s3"]
)
def test_instances_whose_sessions_are_logged_pass(stack_resources: list[PolicyResource], inputs: dict[str, Any]) -> None:
    assert stack_violations("ssm-session-logging", [*stack_resources, HOST, preferences(inputs)]) == []


@stack_fail("ssm-session-logging")
@pytest.mark.parametrize(
    "document",
    [
        None,
        preferences({"cloudWatchLogGroupName": ""}),
        preferences({**LOGGED, "cloudWatchEncryptionEnabled": False}),
        preferences(LOGGED, name="amy-sessions"),
    ],
    ids=["none", "no-destination", "unencrypted", "not-the-preferences"],
)
def test_instances_whose_sessions_are_not_logged_are_flagged(document: PolicyResource | None) -> None:
    found = stack_violations("ssm-session-logging", [HOST, *([document] if document else [])])
    assert [message.split(";")[0] for message in found] == [NOT_LOGGED]


@stack_pass("ssm-session-logging")
def test_a_stack_without_instances_needs_no_preferences(stack_resources: list[PolicyResource]) -> None:
    without_hosts = [r for r in stack_resources if r.resource_type != INSTANCE]
    assert stack_violations("ssm-session-logging", without_hosts) == []


CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/amy-unit"


def cluster(logging: str | None) -> PolicyResource:
    configuration = {"executeCommandConfiguration": {"logging": logging}} if logging else {}
    return resource(CLUSTER, "cluster", {"arn": CLUSTER_ARN, "configuration": configuration})


def service(execute_command: bool) -> PolicyResource:
    return resource(SERVICE, "web", {"cluster": CLUSTER_ARN, "enableExecuteCommand": execute_command})


@stack_pass("ssm-session-logging")
@pytest.mark.parametrize("logging", [None, "DEFAULT", "OVERRIDE"])
def test_a_cluster_logging_ecs_exec_passes(logging: str | None) -> None:
    assert stack_violations("ssm-session-logging", [cluster(logging), service(True)]) == []


@stack_fail("ssm-session-logging")
def test_a_cluster_that_logs_no_ecs_exec_session_is_flagged() -> None:
    found = stack_violations("ssm-session-logging", [cluster("NONE"), service(True)])
    assert [message.split(";")[0] for message in found] == [
        "cluster cluster lets ECS Exec open shells in its tasks and logs none of them"
    ]
    assert stack_violations("ssm-session-logging", [cluster("NONE"), service(False)]) == []
