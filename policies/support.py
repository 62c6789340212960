"""What every policy module of the pack shares: a way to write one check per resource type."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

# A check gets a resource's properties (engine names, camelCase) and the policy's config,
# and returns one message per problem: what is wrong and how to fix it.
Check = Callable[[Mapping[str, Any], Mapping[str, Any]], Iterable[str]]

ADVISORY = EnforcementLevel.ADVISORY
MANDATORY = EnforcementLevel.MANDATORY


def minimum_days(default: int, description: str) -> PolicyConfigSchema:
    return PolicyConfigSchema(
        properties={"minimumDays": {"type": "integer", "minimum": 1, "default": default, "description": description}}
    )


class ResourcePolicy(ResourceValidationPolicy):
    """A policy that runs each type's check on the resources of that type, and passes every other type unseen.

    `resource_types` is what the tests read to prove each of their fixtures is one the policy actually checks."""

    resource_types: frozenset[str]

    def __init__(
        self,
        name: str,
        description: str,
        checks: Mapping[str, Check],
        enforcement_level: EnforcementLevel,
        config_schema: PolicyConfigSchema | None = None,
    ) -> None:
        self.resource_types = frozenset(checks)
        self._checks = dict(checks)
        super().__init__(
            name=name,
            description=description,
            validate=self._validate,
            enforcement_level=enforcement_level,
            config_schema=config_schema,
        )

    def _validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        check = self._checks.get(args.resource_type)
        if check is None:
            return
        for message in check(args.props, policy_config(self.config_schema, args.get_config())):
            report_violation(message, None)


def resource_policy(
    name: str,
    description: str,
    types: Iterable[str],
    check: Check,
    enforcement_level: EnforcementLevel,
    config_schema: PolicyConfigSchema | None = None,
) -> ResourcePolicy:
    """A policy that runs the same `check` on each resource of `types`."""
    return ResourcePolicy(name, description, dict.fromkeys(types, check), enforcement_level, config_schema)


def policy_config(schema: PolicyConfigSchema | None, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The policy's config: the schema's defaults under what the engine sent. The engine sends numbers as
    protobuf doubles (35.0); integer properties come back as integers, so messages read "35 days"."""
    config = {**_defaults(schema), **(given or {})}
    properties = schema.properties if schema is not None else {}
    return {
        key: int(value)
        if properties.get(key, {}).get("type") == "integer" and isinstance(value, float) and value.is_integer()
        else value
        for key, value in config.items()
    }


def _defaults(schema: PolicyConfigSchema | None) -> dict[str, Any]:
    """The schema's defaults; the CLI fills them in too, but a policy must not depend on it."""
    if schema is None:
        return {}
    return {key: spec["default"] for key, spec in schema.properties.items() if "default" in spec}


def as_list(value: Any) -> list[Any]:
    """A property that may be absent, one value, or a list (the engine's lists arrive as read-only sequences)."""
    if value is None:
        return []
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of an IAM policy document, given as the JSON text the program passes or already parsed;
    none where the document is absent, not yet known, or not a policy."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, Mapping):
        return []
    return [statement for statement in as_list(document.get("Statement")) if isinstance(statement, Mapping)]


# A stack check gets every resource and the policy's config, and returns (message, urn) per problem.
StackCheck = Callable[[list[PolicyResource], Mapping[str, Any]], Iterable[tuple[str, str | None]]]


def stack_policy(
    name: str,
    description: str,
    check: StackCheck,
    enforcement_level: EnforcementLevel,
    config_schema: PolicyConfigSchema | None = None,
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for message, urn in check(list(args.resources), policy_config(config_schema, args.get_config())):
            report_violation(message, urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        config_schema=config_schema,
    )


def of_type(resources: Iterable[PolicyResource], type_: str) -> list[PolicyResource]:
    return [resource for resource in resources if resource.resource_type == type_]


def required_flag(description: str) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={"required": {"type": "boolean", "default": False, "description": description}})
