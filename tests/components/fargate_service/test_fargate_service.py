"""The FargateService component whole: which processes run with which commands, in which order, with which IAM."""

from __future__ import annotations

from parliament import analyze_policy_string

from stack_config import StackConfig
from tests.components.fargate_service.support import LISTENER, SERVICE, TASK_DEFINITION, containers, environment, service
from tooling.harness import Plan


def test_the_web_command_starts_gunicorn_without_start_sh(plan: Plan, config: StackConfig) -> None:
    [web] = containers(plan.one(TASK_DEFINITION, f"{config.name_prefix}-service-web"))
    assert web["command"][0] == "/app/.venv/bin/gunicorn"
    assert "config.wsgi" in web["command"]
    assert not any("start.sh" in part or "migrate" in part for part in web["command"])
    assert web["portMappings"] == [{"containerPort": 80, "protocol": "tcp", "name": "http"}]
    [migrate] = containers(plan.one(TASK_DEFINITION, f"{config.name_prefix}-service-migrate"))
    assert "manage.py migrate --no-input" in " ".join(migrate["command"])
    assert "create_superuser" not in " ".join(migrate["command"])


def test_gunicorn_runs_the_configured_workers_on_the_app_port(plan: Plan, config: StackConfig) -> None:
    [web] = containers(plan.one(TASK_DEFINITION, f"{config.name_prefix}-service-web"))
    assert f"--workers={config.gunicorn_workers}" in web["command"]
    assert "--bind=0.0.0.0:80" in web["command"]


def test_only_the_web_task_listens(with_workers: Plan, config: StackConfig) -> None:
    for process in ("migrate", "rqworker", "rqscheduler"):
        [container] = containers(with_workers.one(TASK_DEFINITION, f"{config.name_prefix}-service-{process}"))
        assert "portMappings" not in container, process


def test_without_a_cache_there_is_no_redis_and_no_worker(without_cache: Plan) -> None:
    assert without_cache.of_type("aws:elasticache/replicationGroup:ReplicationGroup") == []
    assert [s.inputs["name"] for s in without_cache.of_type(SERVICE)] == ["web"]


def test_with_elasticache_workers_run_as_their_own_services(with_workers: Plan, config: StackConfig) -> None:
    assert sorted(s.inputs["name"] for s in with_workers.of_type(SERVICE)) == ["rqscheduler", "rqworker", "web"]
    scheduler = service(with_workers, "rqscheduler").inputs
    assert (scheduler["deploymentMinimumHealthyPercent"], scheduler["deploymentMaximumPercent"]) == (0, 100)
    [worker] = containers(with_workers.one(TASK_DEFINITION, f"{config.name_prefix}-service-rqworker"))
    assert worker["command"][-3:] == ["rqworker", "-v", "2"]
    url = environment(worker)["AMY_REDIS_URL"]
    assert url.startswith("rediss://") and url.endswith(":6379/0")
    [rqscheduler] = containers(with_workers.one(TASK_DEFINITION, f"{config.name_prefix}-service-rqscheduler"))
    assert rqscheduler["command"][-3:] == ["rqscheduler", "-v", "2"]


def test_the_web_service_registers_only_once_https_forwards_to_it(plan: Plan) -> None:
    https = next(listener for listener in plan.of_type(LISTENER) if listener.inputs["port"] == 443)
    assert https.urn in service(plan, "web").dependencies


def test_iam_documents_pass_the_parliament_linter(with_workers: Plan, config: StackConfig) -> None:
    policies = [
        policy
        for policy in with_workers.of_type("aws:iam/rolePolicy:RolePolicy")
        if policy.name.startswith(f"{config.name_prefix}-service-")
    ]
    assert {policy.name for policy in policies} == {
        f"{config.name_prefix}-service-{role}"
        for role in (
            "execution-role-secrets",
            "task-role-app",
            "migration-role-app",
            "migration-role-password",
            "redeploy-role-ecs",
            "password-rotated-role-start",
        )
    }
    for policy in policies:
        findings = analyze_policy_string(policy.inputs["policy"]).findings
        assert [(f.issue, f.detail) for f in findings] == [], policy.name
