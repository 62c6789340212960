"""The migration: a command resource that runs the runner beside it, once per release, from any checkout."""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from components.fargate_service import migration as migration_module
from stack_config import StackConfig
from tests.components.fargate_service.support import SERVICE, TASK_DEFINITION
from tooling.harness import ROOT, Plan, Registration

COMMAND = "command:local:Command"


def migration_of(plan: Plan, config: StackConfig) -> Registration:
    """The migration's command; the database's wait for `available` before the release snapshot is another."""
    return plan.one(COMMAND, f"{config.name_prefix}-service-migrate")


def runner(migration: Registration) -> tuple[list[str], str]:
    """The interpreter's command line up to `-m`, and the module it runs."""
    words = shlex.split(migration.inputs["create"])
    flag = words.index("-m")
    return words[:flag], words[flag + 1]


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
    create = migration.inputs["create"]
    assert not any(word.startswith(("/", "~", "$")) for word in shlex.split(create)), create
    for machine_specific in {sys.executable, str(Path(sys.executable).resolve()), str(ROOT), str(Path.home())}:
        assert machine_specific not in create, machine_specific
    assert not any(str(ROOT) in str(value) for value in migration.inputs["environment"].values())
    assert "dir" not in migration.inputs


def test_the_command_runs_the_projects_virtualenv(plan: Plan, config: StackConfig) -> None:
    """`pulumi up` runs the program, and so the command, with Pulumi.yaml's virtualenv, relative to the project."""
    interpreter, _ = runner(migration_of(plan, config))
    virtualenv = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]["options"]["virtualenv"]
    assert interpreter == [f"{virtualenv}/bin/python"]


def test_the_module_it_runs_is_the_runner_beside_the_migration(plan: Plan, config: StackConfig) -> None:
    _, module = runner(migration_of(plan, config))
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    assert migration_module.__file__ is not None
    assert Path(spec.origin) == Path(migration_module.__file__).with_name("run_task.py")
    assert Path(spec.origin).resolve().relative_to(ROOT) == Path(*module.split(".")).with_suffix(".py")


def test_the_command_starts_the_runner_from_the_project_directory(plan: Plan, config: StackConfig) -> None:
    """Run as `pulumi up` runs it (a shell, in the project directory) but with an empty environment: the runner is
    found and imported, and stops only at the first setting it needs."""
    result = subprocess.run(
        ["/bin/sh", "-c", migration_of(plan, config).inputs["create"]],
        cwd=ROOT,
        env={},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "No module named" not in result.stderr, result.stderr
    assert "not found" not in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("KeyError: 'AWS_REGION'"), result.stderr
