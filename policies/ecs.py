"""ECS: no public addresses, no privileged containers, secrets by reference, every container logging."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy

SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|SALT|PRIVATE|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE)


def _containers(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    definitions = props.get("containerDefinitions")
    return as_list(json.loads(definitions) if isinstance(definitions, str) else definitions)


def _no_public_ip(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("networkConfiguration") or {}).get("assignPublicIp") is True:
        yield "tasks get public IP addresses; set networkConfiguration.assignPublicIp to false and run them in private subnets"


def _not_privileged(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for container in _containers(props):
        if container.get("privileged") is True:
            yield f"container {container.get('name')} is privileged; remove privileged"


def _secrets_by_reference(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for container in _containers(props):
        for variable in as_list(container.get("environment")):
            if SECRET_LOOKING.search(str(variable.get("name", ""))):
                yield (
                    f"container {container.get('name')} has {variable.get('name')} in its plain environment; "
                    "pass it in secrets from Parameter Store or Secrets Manager"
                )


def _logs(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for container in _containers(props):
        if not (container.get("logConfiguration") or {}).get("logDriver"):
            yield f"container {container.get('name')} sends its logs nowhere; set logConfiguration (awslogs)"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy("ecs-no-public-ip", "ECS services give tasks no public IP.", [SERVICE], _no_public_ip, ADVISORY),
        resource_policy(
            "ecs-no-privileged-containers", "No container is privileged.", [TASK_DEFINITION], _not_privileged, ADVISORY
        ),
        resource_policy(
            "ecs-secrets-not-in-environment",
            "Secret-looking settings come through secrets, never the plain environment.",
            [TASK_DEFINITION],
            _secrets_by_reference,
            ADVISORY,
        ),
        resource_policy("ecs-containers-log", "Every container has a log configuration.", [TASK_DEFINITION], _logs, ADVISORY),
    ]
