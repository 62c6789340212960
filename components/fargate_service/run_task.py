"""Run one ECS task to completion and fail unless its container exits 0.

`pulumi up` runs this for the migration of each release (see migration.py beside it),
with the task's settings in the environment:
AWS_REGION, AMY_CLUSTER, AMY_TASK_DEFINITION, AMY_SUBNETS (comma-separated),
AMY_SECURITY_GROUP.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import boto3

WAIT_SECONDS = 30 * 60


def network(subnets: str, security_group: str) -> dict[str, Any]:
    return {
        "awsvpcConfiguration": {
            "subnets": [subnet for subnet in subnets.split(",") if subnet],
            "securityGroups": [security_group],
            "assignPublicIp": "DISABLED",
        }
    }


def outcome(task: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether the stopped task succeeded, and what to tell the operator."""
    containers = task.get("containers", [])
    codes = {container["name"]: container.get("exitCode") for container in containers}
    if codes and all(code == 0 for code in codes.values()):
        return True, f"{task['taskArn']} exited 0"
    reason = task.get("stoppedReason", "no reason given")
    return False, f"{task['taskArn']} failed: exit codes {codes}, stopped because: {reason}"


def main(environ: Mapping[str, str] = os.environ) -> int:
    ecs = boto3.client("ecs", region_name=environ["AWS_REGION"])
    started = ecs.run_task(
        cluster=environ["AMY_CLUSTER"],
        taskDefinition=environ["AMY_TASK_DEFINITION"],
        launchType="FARGATE",
        count=1,
        networkConfiguration=network(environ["AMY_SUBNETS"], environ["AMY_SECURITY_GROUP"]),
        startedBy="pulumi-migration",
    )
    if started["failures"] or not started["tasks"]:
        print(f"run-task: could not start the task: {started['failures']}", file=sys.stderr)
        return 1
    task_arn = started["tasks"][0]["taskArn"]
    print(f"run-task: started {task_arn}; waiting for it to stop")
    ecs.get_waiter("tasks_stopped").wait(
        cluster=environ["AMY_CLUSTER"], tasks=[task_arn], WaiterConfig={"Delay": 10, "MaxAttempts": WAIT_SECONDS // 10}
    )
    [task] = ecs.describe_tasks(cluster=environ["AMY_CLUSTER"], tasks=[task_arn])["tasks"]
    succeeded, message = outcome(task)
    print(f"run-task: {message}", file=sys.stdout if succeeded else sys.stderr)
    return 0 if succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
