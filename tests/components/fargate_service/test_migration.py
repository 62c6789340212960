"""The migration: a command resource that runs the runner beside it, once per release, from any checkout."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from components.fargate_service import migration as migration_module
from stack_config import StackConfig
from tests.components.fargate_service.support import SERVICE, TASK_DEFINITION
from tests.components.local_commands import (
    assert_names_nothing_of_this_machine,
    assert_runs_the_module_beside,
    assert_runs_with_the_projects_virtualenv,
    assert_stops_at_its_first_setting,
    runner,
)
from tooling.harness import ROOT, Plan, Registration

COMMAND = "command:local:Command"


def migration_of(plan: Plan, config: StackConfig) -> Registration:
    """The migration's command; the database's wait for `available` before the release snapshot is another."""
    return plan.one(COMMAND, f"{config.name_prefix}-service-migrate")


def test_migration_runs_once_per_release_after_the_snapshot_and_before_the_services(
    with_workers: Plan, config: StackConfig
) -> None:
    migration = migration_of(with_workers, config)
    task = with_workers.one(TASK_DEFINITION, f"{config.name_prefix}-service-migrate")
    assert migration.inputs["triggers"] == [task.outputs["arn"]]
    assert migration.inputs["environment"]["AMY_TASK_DEFINITION"] == task.outputs["arn"]
    assert migration.inputs["create"] == ".venv/bin/python -m components.fargate_service.run_task"
    assert with_workers.one("aws:rds/snapshot:Snapshot").urn in migration.dependencies
    for registration in with_workers.of_type(SERVICE):
        assert migration.urn in registration.dependencies, registration.name


def test_the_runner_is_told_where_to_run_the_task(plan: Plan, config: StackConfig) -> None:
    environment = migration_of(plan, config).inputs["environment"]
    assert environment["AWS_REGION"] == config.region
    assert environment["AMY_CLUSTER"] == plan.one("aws:ecs/cluster:Cluster").outputs["arn"]
    assert environment["AMY_SUBNETS"] == ",".join(plan.one("awsx:ec2:Vpc").outputs["privateSubnetIds"])
    app_group = plan.one("aws:ec2/securityGroup:SecurityGroup", f"{config.name_prefix}-network-app").id
    assert environment["AMY_SECURITY_GROUP"] == app_group


def test_the_command_names_nothing_of_the_machine_it_was_planned_on(plan: Plan, config: StackConfig) -> None:
    migration = migration_of(plan, config)
    assert_names_nothing_of_this_machine(migration)
    assert not any(str(ROOT) in str(value) for value in migration.inputs["environment"].values())


def test_the_command_runs_the_projects_virtualenv(plan: Plan, config: StackConfig) -> None:
    assert_runs_with_the_projects_virtualenv(migration_of(plan, config))


def test_the_module_it_runs_is_the_runner_beside_the_migration(plan: Plan, config: StackConfig) -> None:
    assert_runs_the_module_beside(migration_of(plan, config), migration_module.__file__, "run_task.py")
    _, module = runner(migration_of(plan, config))
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    assert Path(spec.origin).resolve().relative_to(ROOT) == Path(*module.split(".")).with_suffix(".py")


def test_the_command_starts_the_runner_from_the_project_directory(plan: Plan, config: StackConfig) -> None:
    assert_stops_at_its_first_setting(migration_of(plan, config))
