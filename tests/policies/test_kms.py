"""kms.py: keys rotate their material and carry an explicit key policy."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from stack_config import StackConfig
from tests.policies.pack import (
    Fail,
    Pass,
    assert_flagged,
    assert_passes,
    case_ids,
    dumps,
    named,
    replaced,
    resource,
    stack_fail,
    stack_pass,
    stack_violations,
)

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ROTATING = {"description": "backups", "enableKeyRotation": True}
POLICY = dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
)

PASSING = [
    Pass("kms-key-rotation", KEY, ROTATING),
    # Asymmetric keys cannot rotate: nothing to ask of them.
    Pass("kms-key-rotation", KEY, {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}),
]

FAILING = [
    Fail("kms-key-rotation", KEY, {"description": "backups"}, "set enableKeyRotation to true"),
    Fail("kms-key-rotation", KEY, {**ROTATING, "enableKeyRotation": False}, "never rotates its material"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)


@stack_pass("kms-key-policy")
def test_a_key_with_its_own_policy_passes(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("kms-key-policy", replaced(stack_resources, KEY, policy=POLICY)) == []


@stack_pass("kms-key-policy")
def test_a_key_policy_given_as_its_own_resource_counts(stack_resources: list[PolicyResource]) -> None:
    key = named(stack_resources, KEY, "-backups-key")
    others = [r for r in stack_resources if r is not key]
    policyless = [*others, resource(KEY, key.name, {**key.props, "policy": None})]
    assert stack_violations("kms-key-policy", policyless) != []
    attached = resource(KEY_POLICY, "backups-key-policy", {"keyId": key.props["keyId"], "policy": POLICY})
    assert stack_violations("kms-key-policy", [*policyless, attached]) == []


@stack_fail("kms-key-policy")
def test_a_key_left_to_the_default_key_policy_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    policyless = replaced(stack_resources, KEY, policy=None)
    messages = stack_violations("kms-key-policy", policyless)
    assert len(messages) == len([r for r in stack_resources if r.resource_type == KEY])
    assert any(m.startswith(f"KMS key {stack_config.name_prefix}-backups-key has no key policy of its own") for m in messages)
    other_key = resource(KEY_POLICY, "other-key-policy", {"keyId": "another-key", "policy": POLICY})
    assert stack_violations("kms-key-policy", [*policyless, other_key]) == messages
