"""What every resource policy of the pack is built on: it names the types it checks, and checks only those."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, ResourcePolicy, resource_policy
from tests.policies.pack import POLICIES, resource_violations, violations


def test_a_resource_policy_names_the_types_it_checks() -> None:
    policy = resource_policy("example", "Flags everything.", ["aws:a/b:B", "aws:c/d:D"], lambda _p, _c: ["flagged"], ADVISORY)
    assert policy.resource_types == frozenset({"aws:a/b:B", "aws:c/d:D"})
    assert violations(policy, "aws:c/d:D", {}) == ["flagged"]
    assert violations(policy, "aws:e/f:F", {}) == []


def test_a_resource_policy_runs_each_types_own_check_and_ignores_other_types() -> None:
    policy = ResourcePolicy(
        "example",
        "Flags by type.",
        {"aws:a/b:B": lambda _p, _c: ["a B"], "aws:c/d:D": lambda props, _c: [f"a D of {props['size']}"]},
        ADVISORY,
    )
    assert policy.resource_types == frozenset({"aws:a/b:B", "aws:c/d:D"})
    assert violations(policy, "aws:a/b:B", {}) == ["a B"]
    assert violations(policy, "aws:c/d:D", {"size": 3}) == ["a D of 3"]
    assert violations(policy, "aws:e/f:F", {}) == []


def test_every_resource_policy_of_the_pack_names_its_types() -> None:
    resource_policies = [policy for policy in POLICIES.values() if isinstance(policy, ResourceValidationPolicy)]
    assert resource_policies
    assert all(isinstance(policy, ResourcePolicy) and policy.resource_types for policy in resource_policies)


def test_policies_ignore_other_resource_types() -> None:
    assert resource_violations("rds-not-public", "aws:s3/bucket:Bucket", {"publiclyAccessible": True}) == []
