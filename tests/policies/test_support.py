"""What every resource policy of the pack is built on: it names the types it checks, and checks only those."""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, ResourcePolicy, resource_policy
from tests.policies.pack import POLICIES, resource_violations


def test_a_resource_policy_names_the_types_it_checks() -> None:
    policy = resource_policy("example", "Flags everything.", ["aws:a/b:B", "aws:c/d:D"], lambda _p, _c: ["flagged"], ADVISORY)
    assert policy.resource_types == frozenset({"aws:a/b:B", "aws:c/d:D"})


def test_every_resource_policy_of_the_pack_names_its_types() -> None:
    resource_policies = [policy for policy in POLICIES.values() if isinstance(policy, ResourceValidationPolicy)]
    assert resource_policies
    assert all(isinstance(policy, ResourcePolicy) and policy.resource_types for policy in resource_policies)


def test_policies_ignore_other_resource_types() -> None:
    assert resource_violations("rds-not-public", "aws:s3/bucket:Bucket", {"publiclyAccessible": True}) == []
