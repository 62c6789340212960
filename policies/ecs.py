"""ECS: no public addresses, no privileged containers, every container logging (secrets: plain_secrets.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy

SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


def containers(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    definitions = props.get("containerDefinitions")
    return as_list(json.loads(definitions) if isinstance(definitions, str) else definitions)


def _no_public_ip(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("networkConfiguration") or {}).get("assignPublicIp") is True:
        yield "tasks get public IP addresses; set networkConfiguration.assignPublicIp to false and run them in private subnets"


def _not_privileged(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for container in containers(props):
        if container.get("privileged") is True:
            yield f"container {container.get('name')} is privileged; remove privileged"


def _logs(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for container in containers(props):
        if not (container.get("logConfiguration") or {}).get("logDriver"):
            yield f"container {container.get('name')} sends its logs nowhere; set logConfiguration (awslogs)"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy("ecs-no-public-ip", "ECS services give tasks no public IP.", [SERVICE], _no_public_ip, ADVISORY),
        resource_policy(
            "ecs-no-privileged-containers", "No container is privileged.", [TASK_DEFINITION], _not_privileged, ADVISORY
        ),
        resource_policy("ecs-containers-log", "Every container has a log configuration.", [TASK_DEFINITION], _logs, ADVISORY),
    ]
