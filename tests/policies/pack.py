"""Running single policies of the pack on hand-built resources, as checkov's pass/fail fixtures do, or on planned
stacks; and the marks test_coverage.py reads to see each stack policy shown passing and failing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

import aws_backup
import cloudfront
import dump_bucket
import ec2
import ecr
import ecs
import elasticache
import iam
import kms
import load_balancer
import log_groups
import network
import plain_secrets
import protection
import rds
import release_snapshot
import resource_policies
import s3
import security_groups
import session_manager

MODULES = (aws_backup, cloudfront, dump_bucket, ec2, ecr, ecs, elasticache, iam, kms, load_balancer, log_groups, network,
           plain_secrets, protection, rds, release_snapshot, resource_policies, s3, security_groups,
           session_manager)  # fmt: skip
POLICIES = {policy.name: policy for module in MODULES for policy in module.policies()}


def _options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def resource_violations(name: str, type_: str, props: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> list[str]:
    policy = POLICIES[name]
    assert isinstance(policy, ResourceValidationPolicy)
    return violations(policy, type_, props, config)


def violations(
    policy: ResourceValidationPolicy, type_: str, props: Mapping[str, Any], config: Mapping[str, Any] | None = None
) -> list[str]:
    """What `policy` reports on one resource, as the engine would call it."""
    found: list[str] = []
    args = ResourceValidationArgs(
        type_, deepcopy(dict(props)), f"urn:pulumi:unit::amy::{type_}::r", "r", _options(), None, config
    )
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


@dataclass(frozen=True)
class Pass:
    """A resource that `policy` must let through: compliant props of a type the policy checks."""

    policy: str
    type_: str
    props: Mapping[str, Any]
    config: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Fail:
    """A resource that `policy` must flag, with what one of its messages must say: the problem or its fix."""

    policy: str
    type_: str
    props: Mapping[str, Any]
    expected: str
    config: Mapping[str, Any] | None = None


def assert_passes(case: Pass) -> None:
    assert resource_violations(case.policy, case.type_, case.props, case.config) == []


def assert_flagged(case: Fail) -> None:
    found = resource_violations(case.policy, case.type_, case.props, case.config)
    assert any(case.expected in message for message in found), found


def case_ids(cases: Sequence[Pass | Fail]) -> list[str]:
    """Test ids: the policy's name, numbered where the policy has more than one case."""
    counts = Counter(case.policy for case in cases)
    seen: Counter[str] = Counter()
    ids = []
    for case in cases:
        ids.append(case.policy if counts[case.policy] == 1 else f"{case.policy}-{seen[case.policy]}")
        seen[case.policy] += 1
    return ids


Outcome = Literal["pass", "fail"]
Test = TypeVar("Test", bound=Callable[..., None])
_SHOWS = "_shows_stack_policy"


def stack_pass(policy: str) -> Callable[[Test], Test]:
    """Marks a test that shows the stack policy passing committed stacks; test_coverage.py wants one per policy."""
    return _shows(policy, "pass")


def stack_fail(policy: str) -> Callable[[Test], Test]:
    """Marks a test that shows the stack policy flagging a stack that falls short; test_coverage.py wants one per policy."""
    return _shows(policy, "fail")


def _shows(policy: str, outcome: Outcome) -> Callable[[Test], Test]:
    def mark(test: Test) -> Test:
        setattr(test, _SHOWS, (*shown_by(test), (policy, outcome)))
        return test

    return mark


def shown_by(test: object) -> tuple[tuple[str, Outcome], ...]:
    """The (stack policy, outcome) pairs a test is marked as showing."""
    return getattr(test, _SHOWS, ())


def resource(
    type_: str,
    name: str,
    props: Mapping[str, Any],
    protect: bool = False,
    dependencies: list[PolicyResource] | None = None,
) -> PolicyResource:
    return PolicyResource(
        type_,
        deepcopy(dict(props)),
        f"urn:pulumi:unit::amy::{type_}::{name}",
        name,
        _options(protect),
        None,
        None,
        list(dependencies or []),
        {},
    )


def stack_violations(name: str, resources: list[PolicyResource], config: Mapping[str, Any] | None = None) -> list[str]:
    policy = POLICIES[name]
    assert isinstance(policy, StackValidationPolicy)
    found: list[str] = []
    policy.validate(StackValidationArgs(resources, config), lambda message, urn=None: found.append(message))
    return found


def with_(props: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """`props` with keys changed; a value of None removes the key."""
    changed = deepcopy(dict(props))
    for key, value in changes.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value
    return changed


def dumps(value: Any) -> str:
    return json.dumps(value)


def from_plan(registrations: list[Any]) -> list[PolicyResource]:
    """A plan's resources as AnalyzeStack shows them to stack policies: outputs and protection."""
    return [resource(r.type, r.name, r.outputs, protect=r.protect) for r in registrations if not r.type.startswith("pulumi:")]


def without(resources: list[PolicyResource], type_: str, name_suffix: str = "") -> list[PolicyResource]:
    return [r for r in resources if not (r.resource_type == type_ and r.name.endswith(name_suffix))]


def replaced(resources: list[PolicyResource], type_: str, /, **changes: object) -> list[PolicyResource]:
    return [
        resource(r.resource_type, r.name, {**r.props, **changes}, r.opts.protect) if r.resource_type == type_ else r
        for r in resources
    ]


def named(resources: list[PolicyResource], type_: str, name_suffix: str = "") -> PolicyResource:
    """The one resource of `type_` whose name ends with `name_suffix`."""
    [found] = [r for r in resources if r.resource_type == type_ and r.name.endswith(name_suffix)]
    return found
