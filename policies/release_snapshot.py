"""Releases: a manual database snapshot named for the version being deployed exists first."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationPolicy

from support import MANDATORY, as_list, of_type, stack_policy

SNAPSHOT = "aws:rds/snapshot:Snapshot"
ASSOCIATION = "aws:ssm/association:Association"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
VERSION = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


def _slug(version: str) -> str | None:
    match = VERSION.match(version)
    return "v{}-{}-{}".format(*match.groups()) if match else None


def released_versions(resources: list[PolicyResource]) -> set[str]:
    """The versions the web tier deploys: the host's deploy association, or the images of the tasks."""
    versions = {str((a.props.get("parameters") or {}).get("version")) for a in of_type(resources, ASSOCIATION)}
    for definition in of_type(resources, TASK_DEFINITION):
        containers = definition.props.get("containerDefinitions")
        for container in as_list(json.loads(containers) if isinstance(containers, str) else containers):
            versions.add(str(container.get("image", "")).rsplit(":", 1)[-1])
    return {version for version in versions if VERSION.match(version)}


def _snapshot_taken(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    names = {str(s.props.get("dbSnapshotIdentifier")) for s in of_type(resources, SNAPSHOT)}
    for version in sorted(released_versions(resources)):
        slug = _slug(version)
        if not any(re.fullmatch(rf"{slug}-\d{{4}}-\d{{2}}-\d{{2}}", name) for name in names):
            yield (
                f"release {version} is deployed without a database snapshot named {slug}-YYYY-MM-DD; "
                "take the pre-release snapshot (the Database component's release snapshot) before deploying",
                None,
            )


def policies() -> list[StackValidationPolicy]:
    return [
        stack_policy(
            "release-snapshot",
            "A database snapshot named for the release exists before it is deployed.",
            _snapshot_taken,
            MANDATORY,
        )
    ]
