"""The service core under mocks: repository, cluster, roles, task definitions, services and autoscaling."""

from __future__ import annotations

import json
import re
from typing import Any

from components.app_settings import DATABASE_CREDENTIALS, REQUIRED_FROM_OPERATORS
from stack_config import ServiceConfig, StackConfig
from stack_config.settings import OPTIONAL_SETTINGS
from tests.aws_shapes import request_errors
from tests.components.fargate_service.support import SERVICE, TASK_DEFINITION, containers, service
from tests.stacks import config_of
from tooling.harness import ACCOUNT_ID, Plan, Registration, run

SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|TOKEN|SALT|PRIVATE|API_KEY")
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def register_request(registration: Registration) -> dict[str, Any]:
    inputs = registration.inputs
    return {
        "family": inputs["family"],
        "containerDefinitions": containers(registration),
        "cpu": inputs["cpu"],
        "memory": inputs["memory"],
        "networkMode": inputs["networkMode"],
        "requiresCompatibilities": inputs["requiresCompatibilities"],
        "executionRoleArn": inputs["executionRoleArn"],
        "taskRoleArn": inputs["taskRoleArn"],
        "runtimePlatform": inputs["runtimePlatform"],
    }


def test_task_definitions_match_botocores_register_task_definition_shape(with_workers: Plan, config: StackConfig) -> None:
    definitions = with_workers.of_type(TASK_DEFINITION)
    assert {d.inputs["family"] for d in definitions} == {
        f"{config.name_prefix}-{process}" for process in ("web", "migrate", "rqworker", "rqscheduler")
    }
    for definition in definitions:
        assert request_errors("ecs", "RegisterTaskDefinition", register_request(definition)) == "", definition.name


def test_the_shape_check_catches_unknown_keys_and_wrong_types(plan: Plan, config: StackConfig) -> None:
    request = register_request(plan.one(TASK_DEFINITION, f"{config.name_prefix}-service-web"))
    request["containerDefinitions"][0]["portMapping"] = []
    request["containerDefinitions"][0]["essential"] = "yes"
    errors = request_errors("ecs", "RegisterTaskDefinition", request)
    assert 'Unknown parameter in containerDefinitions[0]: "portMapping"' in errors
    assert "Invalid type for parameter containerDefinitions[0].essential" in errors


def test_every_task_runs_with_the_configured_size(with_workers: Plan, service_config: ServiceConfig) -> None:
    for definition in with_workers.of_type(TASK_DEFINITION):
        inputs = definition.inputs
        assert (inputs["cpu"], inputs["memory"]) == (str(service_config.cpu), str(service_config.memory)), definition.name
        assert inputs["requiresCompatibilities"] == ["FARGATE"]
        assert inputs["networkMode"] == "awsvpc"


def test_declared_optional_settings_are_referenced_and_readable_and_no_others(ecs_stack: str) -> None:
    declared = ["AMY_LIVE_EMAIL", "AMY_GITHUB_API_TOKEN"]
    plan = run(ecs_stack, {"amy:optionalSettings": declared})
    prefix = config_of(ecs_stack).name_prefix
    [web] = containers(plan.one(TASK_DEFINITION, f"{prefix}-service-web"))
    referenced = {variable["name"] for variable in web["secrets"]}
    assert set(declared) <= referenced
    assert not (set(OPTIONAL_SETTINGS) - set(declared)) & referenced
    policy = json.loads(plan.one(ROLE_POLICY, f"{prefix}-service-execution-role-secrets").inputs["policy"])
    readable = {arn.rsplit("/", 1)[1] for statement in policy["Statement"] if statement["Sid"] == "ReadSettings"
                for arn in statement["Resource"]}  # fmt: skip
    assert readable == {*REQUIRED_FROM_OPERATORS, *declared}


def test_no_secret_looking_setting_sits_in_a_plain_environment(with_workers: Plan) -> None:
    for definition in with_workers.of_type(TASK_DEFINITION):
        for container in containers(definition):
            plain = [variable["name"] for variable in container["environment"]]
            assert [name for name in plain if SECRET_LOOKING.search(name)] == []
            secret = {variable["name"] for variable in container["secrets"]}
            assert {"AMY_SECRET_KEY", "AMY_DATABASE_PASSWORD", "AMY_MAILGUN_API_KEY", "AMY_REPORTS_SALT_BACK"} <= secret


def test_every_operators_setting_is_referenced_under_the_stacks_path(with_workers: Plan, config: StackConfig) -> None:
    """Every process connects as AMY's own database role; the migration as the master user, who migrates."""
    path = f"arn:aws:ssm:{config.region}:{ACCOUNT_ID}:parameter/amy/{config.stack}/env/"
    for definition in with_workers.of_type(TASK_DEFINITION):
        [container] = containers(definition)
        secrets = {variable["name"]: variable["valueFrom"] for variable in container["secrets"]}
        operators = {*REQUIRED_FROM_OPERATORS, *config.optional_settings}
        assert set(secrets) == {*operators, *DATABASE_CREDENTIALS}, definition.name
        for name in operators:
            assert secrets[name] == f"{path}{name}", name
        output = "databaseSecretArn" if definition.name.endswith("-migrate") else "databaseAppSecretArn"
        database_secret = with_workers.outputs[output]
        assert secrets["AMY_DATABASE_USER"] == f"{database_secret}:username::"
        assert secrets["AMY_DATABASE_PASSWORD"] == f"{database_secret}:password::"


def test_containers_log_to_their_groups_and_are_not_privileged(with_workers: Plan, config: StackConfig) -> None:
    groups = {g.inputs["name"] for g in with_workers.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for definition in with_workers.of_type(TASK_DEFINITION):
        [container] = containers(definition)
        options = container["logConfiguration"]["options"]
        assert container["logConfiguration"]["logDriver"] == "awslogs"
        assert options["awslogs-group"] == f"/amy/{config.stack}/{container['name']}"
        assert options["awslogs-group"] in groups
        assert options["awslogs-region"] == config.region
        assert container["privileged"] is False


def test_images_are_the_configured_release_from_an_immutable_scanned_repository(
    plan: Plan, config: StackConfig, service_config: ServiceConfig
) -> None:
    repository = plan.one("aws:ecr/repository:Repository")
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository.inputs["name"] == config.name_prefix
    rule = json.loads(plan.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])["rules"][0]
    assert rule["selection"] == {
        "tagStatus": "any",
        "countType": "imageCountMoreThan",
        "countNumber": service_config.keep_images,
    }
    for definition in plan.of_type(TASK_DEFINITION):
        assert containers(definition)[0]["image"] == f"{repository.outputs['repositoryUrl']}:{config.app_version}"


def test_cluster_has_container_insights(plan: Plan, config: StackConfig) -> None:
    cluster = plan.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert cluster["name"] == config.name_prefix


def test_web_service_keeps_capacity_rolls_back_and_stays_private(plan: Plan, service_config: ServiceConfig) -> None:
    web = service(plan, "web")
    inputs = web.inputs
    assert inputs["deploymentMinimumHealthyPercent"] == 100
    assert inputs["deploymentMaximumPercent"] == 200
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["networkConfiguration"]["assignPublicIp"] is False
    assert inputs["networkConfiguration"]["subnets"] == plan.one("awsx:ec2:Vpc").outputs["privateSubnetIds"]
    assert inputs["healthCheckGracePeriodSeconds"] >= 60
    assert inputs["waitForSteadyState"] is True
    assert inputs["desiredCount"] == service_config.min_tasks
    assert web.ignore_changes == ("desiredCount",)


def test_the_web_service_serves_its_target_group_and_no_other_service_does(with_workers: Plan) -> None:
    target_group = with_workers.one("aws:lb/targetGroup:TargetGroup").outputs["arn"]
    assert service(with_workers, "web").inputs["loadBalancers"] == [
        {"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}
    ]
    for process in ("rqworker", "rqscheduler"):
        inputs = service(with_workers, process).inputs
        assert "loadBalancers" not in inputs, process
        assert inputs["desiredCount"] == 1, process
        assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}, process
        assert service(with_workers, process).ignore_changes == (), process


def test_every_service_runs_in_the_private_subnets_behind_the_app_group(with_workers: Plan, config: StackConfig) -> None:
    subnets = with_workers.one("awsx:ec2:Vpc").outputs["privateSubnetIds"]
    app_group = with_workers.one("aws:ec2/securityGroup:SecurityGroup", f"{config.name_prefix}-network-app").id
    for registration in with_workers.of_type(SERVICE):
        network = registration.inputs["networkConfiguration"]
        assert network == {"subnets": subnets, "securityGroups": [app_group], "assignPublicIp": False}, registration.name
        assert registration.inputs["enableExecuteCommand"] is True


def test_autoscaling_tracks_cpu_and_requests_within_the_configured_bounds(plan: Plan, service_config: ServiceConfig) -> None:
    target = plan.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (service_config.min_tasks, service_config.max_tasks)
    metrics = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"]: p.inputs
        for p in plan.of_type("aws:appautoscaling/policy:Policy")
    }
    assert set(metrics) == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
    label = metrics["ALBRequestCountPerTarget"]["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    group = plan.one("aws:lb/targetGroup:TargetGroup").outputs["arnSuffix"]
    assert label["resourceLabel"] == f"{alb}/{group}"


def test_autoscaling_scales_the_web_service_of_the_cluster(plan: Plan, config: StackConfig) -> None:
    target = plan.one("aws:appautoscaling/target:Target").inputs
    assert target["resourceId"] == f"service/{config.name_prefix}/web"
    assert target["scalableDimension"] == "ecs:service:DesiredCount"
    for policy in plan.of_type("aws:appautoscaling/policy:Policy"):
        assert policy.inputs["resourceId"] == target["resourceId"], policy.name


def test_both_roles_are_for_ecs_tasks_only(plan: Plan, config: StackConfig) -> None:
    for purpose in ("execution-role", "task-role"):
        trust = json.loads(plan.one(ROLE, f"{config.name_prefix}-service-{purpose}").inputs["assumeRolePolicy"])
        assert [statement["Principal"] for statement in trust["Statement"]] == [{"Service": "ecs-tasks.amazonaws.com"}]
    [attached] = [
        a.inputs["policyArn"]
        for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name == f"{config.name_prefix}-service-execution-role-ecs"
    ]
    assert attached == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def test_tasks_run_with_their_roles(with_workers: Plan, config: StackConfig) -> None:
    execution = with_workers.one(ROLE, f"{config.name_prefix}-service-execution-role").outputs["arn"]
    task = with_workers.one(ROLE, f"{config.name_prefix}-service-task-role").outputs["arn"]
    migration = with_workers.one(ROLE, f"{config.name_prefix}-service-migration-role").outputs["arn"]
    for definition in with_workers.of_type(TASK_DEFINITION):
        own = migration if definition.name.endswith("-migrate") else task
        assert (definition.inputs["executionRoleArn"], definition.inputs["taskRoleArn"]) == (execution, own), definition.name


def test_only_the_migration_keeps_the_password_of_amys_database_role(with_workers: Plan, config: StackConfig) -> None:
    prefix = f"{config.name_prefix}-service"
    policy = json.loads(with_workers.one(ROLE_POLICY, f"{prefix}-migration-role-password").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
    assert statement["Resource"] == with_workers.outputs["databaseAppSecretArn"]
    task = json.loads(with_workers.one(ROLE_POLICY, f"{prefix}-task-role-app").inputs["policy"])
    assert not [s for s in task["Statement"] if any(a.startswith("secretsmanager:") for a in s["Action"])]


def test_the_migration_makes_amys_database_role_before_it_migrates(with_workers: Plan, config: StackConfig) -> None:
    migrate = with_workers.one(TASK_DEFINITION, f"{config.name_prefix}-service-migrate")
    [container] = containers(migrate)
    environment = {variable["name"]: variable["value"] for variable in container["environment"]}
    assert environment["AMY_APP_DATABASE_LOGIN_ARN"] == with_workers.outputs["databaseAppSecretArn"]
    assert environment["AMY_DATABASE_ROLE"].rstrip().endswith("provision_with_django()")
    compile(environment["AMY_DATABASE_ROLE"], "AMY_DATABASE_ROLE", "exec")
    shell, flag, script = container["command"]
    assert (shell, flag) == ("sh", "-c")
    steps = script.split(" && ")
    assert steps[0].endswith('manage.py shell -c "$AMY_DATABASE_ROLE"')
    assert steps[1].endswith("manage.py migrate --no-input")


def test_no_task_is_defined_before_its_roles_may_do_what_it_needs(with_workers: Plan, config: StackConfig) -> None:
    """A role's ARN exists before its policies: a task started in between could not pull its image or read its secrets."""
    prefix = f"{config.name_prefix}-service"
    policies = {
        with_workers.one(ROLE_POLICY, f"{prefix}-execution-role-secrets").urn,
        with_workers.one(ROLE_POLICY, f"{prefix}-task-role-app").urn,
        with_workers.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{prefix}-execution-role-ecs").urn,
    }
    for definition in with_workers.of_type(TASK_DEFINITION):
        assert policies <= set(definition.dependencies), definition.name


def test_the_task_role_may_only_open_logged_exec_sessions_and_use_the_attachments_bucket(plan: Plan, config: StackConfig) -> None:
    policy = json.loads(plan.one(ROLE_POLICY, f"{config.name_prefix}-service-task-role-app").inputs["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    sessions = {"ExecuteCommand", "LogSessions", "FindSessionLog", "SessionEncryption"}
    expected = sessions | {"EmailAttachments"} if config.email_attachments_bucket else sessions
    assert set(statements) == expected
    assert all(action.startswith("ssmmessages:") for action in statements["ExecuteCommand"]["Action"])
    # Sessions are written only to the stack's own session log group, decrypted only with its sessions key.
    group = f"/amy/{config.stack}/sessions"
    assert all(group in resource for resource in statements["LogSessions"]["Resource"])
    assert statements["SessionEncryption"]["Action"] == "kms:Decrypt"
    assert statements["SessionEncryption"]["Resource"] != "*"


def test_execution_role_reads_exactly_the_referenced_secrets(with_workers: Plan, config: StackConfig) -> None:
    policy = json.loads(with_workers.one(ROLE_POLICY, f"{config.name_prefix}-service-execution-role-secrets").inputs["policy"])
    allowed = {resource for statement in policy["Statement"] for resource in _list(statement["Resource"])}
    referenced = {
        secret["valueFrom"].split(":username::")[0].split(":password::")[0]
        for definition in with_workers.of_type(TASK_DEFINITION)
        for secret in containers(definition)[0]["secrets"]
    }
    assert allowed == referenced


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
