"""What the Fargate service's tests share: the variation with workers and maintenance, and readers of the plan."""

from __future__ import annotations

import json
from typing import Any

from tests.components.support import cache_overrides
from tooling.harness import Plan, Registration

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
LISTENER = "aws:lb/listener:Listener"
# RQ's worker and scheduler on ElastiCache (for a release with RQ), and the maintenance page on: every optional part
# of the service.
WITH_WORKERS = {**cache_overrides("elasticache"), "amy:maintenance": True}


def containers(registration: Registration) -> list[dict[str, Any]]:
    return json.loads(registration.inputs["containerDefinitions"])


def environment(container: dict[str, Any]) -> dict[str, str]:
    return {variable["name"]: variable["value"] for variable in container["environment"]}


def service(plan: Plan, process: str) -> Registration:
    return next(r for r in plan.of_type(SERVICE) if r.name.endswith(f"-{process}"))
