"""The ecs layout's web tier under mocks, planned as the testing stack with variations."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from parliament import analyze_policy_string

from tests.aws_shapes import request_errors
from tooling.harness import Plan, Registration, run

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
LISTENER = "aws:lb/listener:Listener"
SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|TOKEN|SALT|PRIVATE|API_KEY")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return run("testing")


@pytest.fixture(scope="module")
def with_workers() -> Plan:
    return run("testing", {"amy:cacheMode": "elasticache", "amy:maintenance": True})


def containers(registration: Registration) -> list[dict[str, Any]]:
    return json.loads(registration.inputs["containerDefinitions"])


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


def service(plan: Plan, process: str) -> Registration:
    return next(r for r in plan.of_type(SERVICE) if r.name.endswith(f"-{process}"))


def test_task_definitions_match_botocores_register_task_definition_shape(with_workers: Plan) -> None:
    definitions = with_workers.of_type(TASK_DEFINITION)
    assert {d.inputs["family"] for d in definitions} == {
        "amy-testing-web",
        "amy-testing-migrate",
        "amy-testing-rqworker",
        "amy-testing-rqscheduler",
    }
    for definition in definitions:
        assert request_errors("ecs", "RegisterTaskDefinition", register_request(definition)) == "", definition.name


def test_the_shape_check_catches_unknown_keys_and_wrong_types(plan: Plan) -> None:
    request = register_request(plan.one(TASK_DEFINITION, "amy-testing-service-web"))
    request["containerDefinitions"][0]["portMapping"] = []
    request["containerDefinitions"][0]["essential"] = "yes"
    errors = request_errors("ecs", "RegisterTaskDefinition", request)
    assert 'Unknown parameter in containerDefinitions[0]: "portMapping"' in errors
    assert "Invalid type for parameter containerDefinitions[0].essential" in errors


def test_no_secret_looking_setting_sits_in_a_plain_environment(with_workers: Plan) -> None:
    for definition in with_workers.of_type(TASK_DEFINITION):
        for container in containers(definition):
            plain = [variable["name"] for variable in container["environment"]]
            assert [name for name in plain if SECRET_LOOKING.search(name)] == []
            secret = {variable["name"] for variable in container["secrets"]}
            assert {"AMY_SECRET_KEY", "AMY_DATABASE_PASSWORD", "AMY_MAILGUN_API_KEY", "AMY_REPORTS_SALT_BACK"} <= secret


def test_containers_log_to_their_groups_and_are_not_privileged(with_workers: Plan) -> None:
    groups = {g.inputs["name"] for g in with_workers.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for definition in with_workers.of_type(TASK_DEFINITION):
        [container] = containers(definition)
        options = container["logConfiguration"]["options"]
        assert container["logConfiguration"]["logDriver"] == "awslogs"
        assert options["awslogs-group"] == f"/amy/testing/{container['name']}"
        assert options["awslogs-group"] in groups
        assert container["privileged"] is False


def test_the_web_command_starts_gunicorn_without_start_sh(plan: Plan) -> None:
    [web] = containers(plan.one(TASK_DEFINITION, "amy-testing-service-web"))
    assert web["command"][0] == "/app/.venv/bin/gunicorn"
    assert "config.wsgi" in web["command"]
    assert not any("start.sh" in part or "migrate" in part for part in web["command"])
    assert web["portMappings"] == [{"containerPort": 80, "protocol": "tcp", "name": "http"}]
    [migrate] = containers(plan.one(TASK_DEFINITION, "amy-testing-service-migrate"))
    assert "manage.py migrate --no-input" in " ".join(migrate["command"])
    assert "create_superuser" not in " ".join(migrate["command"])


def test_images_are_the_configured_release_from_an_immutable_scanned_repository(plan: Plan) -> None:
    repository = plan.one("aws:ecr/repository:Repository")
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    rule = json.loads(plan.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])["rules"][0]
    assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}
    for definition in plan.of_type(TASK_DEFINITION):
        assert containers(definition)[0]["image"] == f"{repository.outputs['repositoryUrl']}:v4.7.2"


def test_cluster_has_container_insights(plan: Plan) -> None:
    assert plan.one("aws:ecs/cluster:Cluster").inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_web_service_keeps_capacity_rolls_back_and_stays_private(plan: Plan) -> None:
    web = service(plan, "web")
    inputs = web.inputs
    assert inputs["deploymentMinimumHealthyPercent"] == 100
    assert inputs["deploymentMaximumPercent"] == 200
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["networkConfiguration"]["assignPublicIp"] is False
    assert inputs["networkConfiguration"]["subnets"] == plan.one("awsx:ec2:Vpc").outputs["privateSubnetIds"]
    assert inputs["healthCheckGracePeriodSeconds"] >= 60
    assert inputs["waitForSteadyState"] is True
    assert inputs["desiredCount"] == 1
    assert web.ignore_changes == ("desiredCount",)


def test_autoscaling_tracks_cpu_and_requests_within_the_configured_bounds(plan: Plan) -> None:
    target = plan.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 3)
    metrics = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["predefinedMetricType"]: p.inputs
        for p in plan.of_type("aws:appautoscaling/policy:Policy")
    }
    assert set(metrics) == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}
    label = metrics["ALBRequestCountPerTarget"]["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    group = plan.one("aws:lb/targetGroup:TargetGroup").outputs["arnSuffix"]
    assert label["resourceLabel"] == f"{alb}/{group}"


def test_http_listener_only_redirects_to_https(plan: Plan) -> None:
    http = next(listener for listener in plan.of_type(LISTENER) if listener.inputs["port"] == 80).inputs
    assert http["protocol"] == "HTTP"
    assert http["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]


def test_https_listener_uses_tls_1_3_and_the_shared_certificate(plan: Plan) -> None:
    https = next(listener for listener in plan.of_type(LISTENER) if listener.inputs["port"] == 443).inputs
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation", "amy-testing-certificates-app")
    assert https["certificateArn"] == validation.outputs["certificateArn"]
    assert https["defaultActions"][0]["targetGroupArn"] == plan.one("aws:lb/targetGroup:TargetGroup").outputs["arn"]


def test_load_balancer_drops_bad_headers_and_logs_every_request(plan: Plan) -> None:
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["internal"] is False
    assert alb["enableDeletionProtection"] is False
    bucket = plan.one("aws:s3/bucket:Bucket", "amy-testing-service-alb-logs").outputs
    assert alb["accessLogs"] == {"bucket": bucket["bucket"], "prefix": "alb", "enabled": True}
    policy = json.loads(plan.one("aws:s3/bucketPolicy:BucketPolicy", "amy-testing-service-alb-logs-policy").inputs["policy"])
    delivery = next(s for s in policy["Statement"] if s["Sid"] == "LoadBalancerLogs")
    assert delivery["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert delivery["Resource"] == f"{bucket['arn']}/alb/*"


def test_deletion_protection_follows_the_stack() -> None:
    protected = run("testing", {"amy:protectStatefulResources": True})
    assert protected.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is True


def test_target_group_checks_version_and_drains_quickly(plan: Plan) -> None:
    group = plan.one("aws:lb/targetGroup:TargetGroup").inputs
    assert group["healthCheck"]["path"] == "/version/"
    assert group["targetType"] == "ip"
    assert group["deregistrationDelay"] == 30


def test_maintenance_on_answers_503_for_every_path_first(with_workers: Plan, plan: Plan) -> None:
    rule = with_workers.one("aws:lb/listenerRule:ListenerRule").inputs
    assert rule["priority"] == 1
    assert rule["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    [action] = rule["actions"]
    assert action["fixedResponse"]["statusCode"] == "503"
    assert len(action["fixedResponse"]["messageBody"].encode()) <= 1024
    assert plan.of_type("aws:lb/listenerRule:ListenerRule") == []


def test_without_a_cache_there_is_no_redis_and_no_worker(plan: Plan) -> None:
    assert plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup") == []
    assert [s.inputs["name"] for s in plan.of_type(SERVICE)] == ["web"]


def test_with_elasticache_workers_run_as_their_own_services(with_workers: Plan) -> None:
    redis = with_workers.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert redis["atRestEncryptionEnabled"] is True
    assert redis["transitEncryptionEnabled"] is True
    assert redis["snapshotRetentionLimit"] >= 1
    assert sorted(s.inputs["name"] for s in with_workers.of_type(SERVICE)) == ["rqscheduler", "rqworker", "web"]
    scheduler = service(with_workers, "rqscheduler").inputs
    assert (scheduler["deploymentMinimumHealthyPercent"], scheduler["deploymentMaximumPercent"]) == (0, 100)
    [worker] = containers(with_workers.one(TASK_DEFINITION, "amy-testing-service-rqworker"))
    assert worker["command"][-3:] == ["rqworker", "-v", "2"]
    url = next(v["value"] for v in worker["environment"] if v["name"] == "AMY_REDIS_URL")
    assert url.startswith("rediss://") and url.endswith(":6379/0")


def test_migration_runs_once_per_release_after_the_snapshot_and_before_the_services(with_workers: Plan) -> None:
    migration = with_workers.one("command:local:Command")
    task = with_workers.one(TASK_DEFINITION, "amy-testing-service-migrate")
    assert migration.inputs["triggers"] == [task.outputs["arn"]]
    assert migration.inputs["environment"]["AMY_TASK_DEFINITION"] == task.outputs["arn"]
    assert migration.inputs["create"] == ".venv/bin/python -m components.fargate_service.run_task"
    assert with_workers.one("aws:rds/snapshot:Snapshot").urn in migration.dependencies
    for registration in with_workers.of_type(SERVICE):
        assert migration.urn in registration.dependencies, registration.name


def test_execution_role_reads_exactly_the_referenced_secrets(with_workers: Plan) -> None:
    policy = json.loads(
        with_workers.one("aws:iam/rolePolicy:RolePolicy", "amy-testing-service-execution-role-secrets").inputs["policy"]
    )
    allowed = {resource for statement in policy["Statement"] for resource in _list(statement["Resource"])}
    referenced = {
        secret["valueFrom"].split(":username::")[0].split(":password::")[0]
        for definition in with_workers.of_type(TASK_DEFINITION)
        for secret in containers(definition)[0]["secrets"]
    }
    assert allowed == referenced


def test_iam_documents_pass_the_parliament_linter(with_workers: Plan) -> None:
    for policy in with_workers.of_type("aws:iam/rolePolicy:RolePolicy"):
        findings = analyze_policy_string(policy.inputs["policy"]).findings
        assert [(f.issue, f.detail) for f in findings] == [], policy.name


def test_a_password_rotation_rolls_every_service(with_workers: Plan) -> None:
    machine = json.loads(with_workers.one("aws:sfn/stateMachine:StateMachine").inputs["definition"])
    branches = machine["States"]["Redeploy"]["Branches"]
    updated = sorted(branch["States"][branch["StartAt"]]["Parameters"]["Service"] for branch in branches)
    assert updated == ["rqscheduler", "rqworker", "web"]
    rule = with_workers.one("aws:cloudwatch/eventRule:EventRule", "amy-testing-service-password-rotated")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["eventName"] == ["RotationSucceeded"]
    assert pattern["detail"]["additionalEventData"]["SecretId"] == [with_workers.outputs["databaseSecretArn"]]


def test_the_application_name_points_at_the_load_balancer(plan: Plan) -> None:
    record = plan.one("aws:route53/record:Record", "amy-testing-service-dns").inputs
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs
    assert record["name"] == "test-amy.carpentries.org"
    assert record["aliases"] == [{"name": alb["dnsName"], "zoneId": alb["zoneId"], "evaluateTargetHealth": True}]


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value
