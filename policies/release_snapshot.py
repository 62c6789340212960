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


def _slug(version: str) -> str:
    """A released version (`v4.7.2`, see `released_versions`) as snapshot names spell it: `v4-7-2`."""
    return version.replace(".", "-")


def released_versions(resources: list[PolicyResource]) -> set[str]:
    """The versions the web tier deploys: the host's deploy association, or the images of the tasks."""
    versions = {str((a.props.get("parameters") or {}).get("version")) for a in of_type(resources, ASSOCIATION)}
    for definition in of_type(resources, TASK_DEFINITION):
        containers = definition.props.get("containerDefinitions")
        for container in as_list(json.loads(containers) if isinstance(containers, str) else containers):
            versions.add(str(container.get("image", "")).rsplit(":", 1)[-1])
    return {version for version in versions if VERSION.match(version)}


def _named_for_release(snapshot: PolicyResource, slug: str) -> bool:
    """Whether the snapshot is named `vA-B-C-<database>-YYYY-MM-DD-HHMM` for this release, `<database>` being the
    instance it is a snapshot of: manual snapshot identifiers are unique in the account and region, and the
    database and the minute keep stacks and same-day redeploys from colliding."""
    name = str(snapshot.props.get("dbSnapshotIdentifier"))
    database = re.escape(str(snapshot.props.get("dbInstanceIdentifier")))
    return re.fullmatch(rf"{slug}-{database}-\d{{4}}-\d{{2}}-\d{{2}}-\d{{4}}", name) is not None


def _snapshot_taken(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    snapshots = of_type(resources, SNAPSHOT)
    for version in sorted(released_versions(resources)):
        slug = _slug(version)
        if not any(_named_for_release(snapshot, slug) for snapshot in snapshots):
            yield (
                f"release {version} is deployed without a database snapshot named {slug}-<database>-YYYY-MM-DD-HHMM; "
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
