"""The redeploy after a password rotation: the event it waits for, the state machine it starts, and their roles."""

from __future__ import annotations

import json

from components.fargate_service.rotation import redeploy_state_machine, rotation_event_pattern
from stack_config import StackConfig
from tests.components.fargate_service.support import SERVICE
from tooling.harness import Plan

CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/amy-unit"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123"


def updated_services(plan: Plan) -> list[str]:
    machine = json.loads(plan.one("aws:sfn/stateMachine:StateMachine").inputs["definition"])
    branches = machine["States"]["Redeploy"]["Branches"]
    return sorted(branch["States"][branch["StartAt"]]["Parameters"]["Service"] for branch in branches)


def test_a_password_rotation_rolls_every_service(with_workers: Plan, config: StackConfig) -> None:
    assert updated_services(with_workers) == ["rqscheduler", "rqworker", "web"]
    rule = with_workers.one("aws:cloudwatch/eventRule:EventRule", f"{config.name_prefix}-service-password-rotated")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["eventName"] == ["RotationSucceeded"]
    assert pattern["detail"]["additionalEventData"]["SecretId"] == [with_workers.outputs["databaseSecretArn"]]


def test_without_workers_a_rotation_rolls_the_web_service(without_cache: Plan) -> None:
    assert updated_services(without_cache) == ["web"]


def test_the_state_machine_may_update_exactly_the_services(with_workers: Plan, config: StackConfig) -> None:
    machine = with_workers.one("aws:sfn/stateMachine:StateMachine")
    role = with_workers.one("aws:iam/role:Role", f"{config.name_prefix}-service-redeploy-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [statement["Principal"] for statement in trust["Statement"]] == [{"Service": "states.amazonaws.com"}]
    policy = json.loads(
        with_workers.one("aws:iam/rolePolicy:RolePolicy", f"{config.name_prefix}-service-redeploy-role-ecs").inputs["policy"]
    )
    [statement] = policy["Statement"]
    assert statement["Action"] == "ecs:UpdateService"
    assert statement["Resource"] == sorted(s.id for s in with_workers.of_type(SERVICE))
    assert machine.inputs["roleArn"] == role.outputs["arn"]
    cluster = with_workers.one("aws:ecs/cluster:Cluster").outputs["arn"]
    definition = json.loads(machine.inputs["definition"])
    for branch in definition["States"]["Redeploy"]["Branches"]:
        assert branch["States"][branch["StartAt"]]["Parameters"]["Cluster"] == cluster


def test_eventbridge_may_only_start_the_state_machine(plan: Plan, config: StackConfig) -> None:
    machine = plan.one("aws:sfn/stateMachine:StateMachine").outputs["arn"]
    rule = plan.one("aws:cloudwatch/eventRule:EventRule", f"{config.name_prefix}-service-password-rotated")
    target = plan.one("aws:cloudwatch/eventTarget:EventTarget", f"{config.name_prefix}-service-password-rotated").inputs
    role = plan.one("aws:iam/role:Role", f"{config.name_prefix}-service-password-rotated-role")
    assert (target["rule"], target["arn"], target["roleArn"]) == (rule.outputs["name"], machine, role.outputs["arn"])
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [statement["Principal"] for statement in trust["Statement"]] == [{"Service": "events.amazonaws.com"}]
    policy = json.loads(
        plan.one("aws:iam/rolePolicy:RolePolicy", f"{config.name_prefix}-service-password-rotated-role-start").inputs["policy"]
    )
    assert policy["Statement"] == [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": machine}]


def test_the_state_machine_forces_a_new_deployment_of_each_service_at_once() -> None:
    machine = redeploy_state_machine(CLUSTER_ARN, ["web", "rqworker"])
    assert machine["StartAt"] == "Redeploy"
    redeploy = machine["States"]["Redeploy"]
    assert (redeploy["Type"], redeploy["End"]) == ("Parallel", True)
    tasks = [branch["States"][branch["StartAt"]] for branch in redeploy["Branches"]]
    assert [task["Parameters"] for task in tasks] == [
        {"Cluster": CLUSTER_ARN, "Service": "web", "ForceNewDeployment": True},
        {"Cluster": CLUSTER_ARN, "Service": "rqworker", "ForceNewDeployment": True},
    ]
    assert {task["Resource"] for task in tasks} == {"arn:aws:states:::aws-sdk:ecs:updateService"}


def test_only_a_successful_rotation_of_the_database_secret_matches() -> None:
    pattern = rotation_event_pattern(SECRET_ARN)
    assert pattern["source"] == ["aws.secretsmanager"]
    assert pattern["detail"] == {
        "eventSource": ["secretsmanager.amazonaws.com"],
        "eventName": ["RotationSucceeded"],
        "additionalEventData": {"SecretId": [SECRET_ARN]},
    }
