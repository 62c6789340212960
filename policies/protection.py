"""Stateful resources are protected where the stack requires it: no update can delete them, nor the keys that
encrypt the backups and logs, nor the logs (the audit record among them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationPolicy

from aws_backup import VAULT
from dump_bucket import is_dumps_bucket
from kms import KEY
from log_groups import LOG_GROUP
from rds import INSTANCE
from support import MANDATORY, required_flag, stack_policy


def _stateful(resource: PolicyResource) -> bool:
    return resource.resource_type in (INSTANCE, VAULT, KEY, LOG_GROUP) or is_dumps_bucket(resource)


def _protected(resources: list[PolicyResource], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if not config["required"]:
        return
    for resource in filter(_stateful, resources):
        if not resource.opts.protect:
            yield (
                f"{resource.resource_type} {resource.name} holds data (or the key to it) but is not protected; set protect "
                "(the stack's protectStatefulResources) so no update or destroy can delete it",
                resource.urn,
            )


def policies() -> list[StackValidationPolicy]:
    return [
        stack_policy(
            "stateful-resources-protected",
            "Where required, the database, backup vault, KMS keys, log groups and dumps bucket are protected.",
            _protected,
            MANDATORY,
            required_flag("Whether the stack must protect its stateful resources."),
        )
    ]
