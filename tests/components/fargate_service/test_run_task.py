"""The migration runner: starts one task, waits for it, and fails unless it exited 0."""

from __future__ import annotations

from typing import Any

import pytest

from components.fargate_service import run_task

ENVIRON = {
    "AWS_REGION": "us-east-1",
    "AMY_CLUSTER": "arn:aws:ecs:us-east-1:123456789012:cluster/amy-testing",
    "AMY_TASK_DEFINITION": "arn:aws:ecs:us-east-1:123456789012:task-definition/amy-testing-migrate:3",
    "AMY_SUBNETS": "subnet-a,subnet-b",
    "AMY_SECURITY_GROUP": "sg-app",
}
TASK = "arn:aws:ecs:us-east-1:123456789012:task/amy-testing/abc"


class FakeEcs:
    def __init__(self, exit_code: int | None, failures: list[dict[str, str]] | None = None) -> None:
        self.exit_code = exit_code
        self.failures = failures or []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def run_task(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("run_task", kwargs))
        return {"tasks": [] if self.failures else [{"taskArn": TASK}], "failures": self.failures}

    def get_waiter(self, name: str) -> Any:
        calls = self.calls

        class Waiter:
            def wait(self, **kwargs: Any) -> None:
                calls.append((name, kwargs))

        return Waiter()

    def describe_tasks(self, **kwargs: Any) -> dict[str, Any]:
        return {
            "tasks": [
                {
                    "taskArn": TASK,
                    "stoppedReason": "Essential container exited",
                    "containers": [{"name": "migrate", "exitCode": self.exit_code}],
                }
            ]
        }


@pytest.fixture
def ecs(monkeypatch: pytest.MonkeyPatch) -> FakeEcs:
    fake = FakeEcs(exit_code=0)
    monkeypatch.setattr(run_task.boto3, "client", lambda service, region_name: fake)
    return fake


def test_a_task_that_exits_0_succeeds_after_waiting_for_it(ecs: FakeEcs) -> None:
    assert run_task.main(ENVIRON) == 0
    [(_, started), (waiter, waited)] = ecs.calls
    assert started["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": ["subnet-a", "subnet-b"],
        "securityGroups": ["sg-app"],
        "assignPublicIp": "DISABLED",
    }
    assert started["taskDefinition"] == ENVIRON["AMY_TASK_DEFINITION"]
    assert (waiter, waited["tasks"]) == ("tasks_stopped", [TASK])


def test_a_failing_migration_fails_the_update(ecs: FakeEcs, capsys: pytest.CaptureFixture[str]) -> None:
    ecs.exit_code = 1
    assert run_task.main(ENVIRON) == 1
    assert "exit codes {'migrate': 1}" in capsys.readouterr().err


def test_a_task_that_never_ran_fails(ecs: FakeEcs, capsys: pytest.CaptureFixture[str]) -> None:
    ecs.exit_code = None
    assert run_task.main(ENVIRON) == 1
    ecs.failures = [{"reason": "RESOURCE:MEMORY"}]
    assert run_task.main(ENVIRON) == 1
    assert "could not start the task" in capsys.readouterr().err


def test_a_stopped_task_without_containers_is_no_success() -> None:
    succeeded, message = run_task.outcome({"taskArn": TASK, "containers": []})
    assert succeeded is False
    assert message == f"{TASK} failed: exit codes {{}}, stopped because: no reason given"


def test_every_container_must_exit_0() -> None:
    task = {"taskArn": TASK, "containers": [{"name": "migrate", "exitCode": 0}, {"name": "sidecar", "exitCode": 137}]}
    assert run_task.outcome(task)[0] is False


def test_the_task_runs_privately_in_the_given_subnets() -> None:
    assert run_task.network("subnet-a,,subnet-b,", "sg-app") == {
        "awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-app"], "assignPublicIp": "DISABLED"}
    }
