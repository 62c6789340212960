"""iam.py: no wildcard, decrypt-everything or administrator grants; GitHub's trust pinned; pull requests' roles read
only what they need."""

from __future__ import annotations

from typing import Any

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
    resource,
    stack_fail,
    stack_pass,
    stack_violations,
    without,
)

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
HOST = "token.actions.githubusercontent.com"
SCOPED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "WriteDumps", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::dumps/*"},
        {"Sid": "PutMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
        {"Sid": "NoDeletes", "Effect": "Deny", "Action": "*", "Resource": "*"},
    ],
}


def document(*statements: dict[str, Any]) -> str:
    return dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(conditions: dict[str, Any] | None, provider: str = PROVIDER) -> dict[str, str]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if conditions is not None:
        statement["Condition"] = conditions
    return {"name": "amy-unit-github-deploy", "assumeRolePolicy": document(statement)}


def pinned(subject: str) -> dict[str, Any]:
    return {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": subject}}


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"

PASSING = [
    Pass("iam-no-wildcard-actions", ROLE_POLICY, {"policy": dumps(SCOPED)}),
    Pass("iam-no-wildcard-actions", POLICY, {"policy": SCOPED}),
    Pass("iam-no-wildcard-actions", ROLE, {"inlinePolicies": [{"name": "app", "policy": dumps(SCOPED)}]}),
    Pass("iam-no-decrypt-on-every-key", ROLE_POLICY, {"policy": dumps(SCOPED)}),
    Pass(
        "iam-no-decrypt-on-every-key",
        ROLE_POLICY,
        {"policy": document({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:1:key/k"})},
    ),
    Pass("iam-no-decrypt-on-every-key", ROLE, {"inlinePolicies": [{"name": "app", "policy": dumps(SCOPED)}]}),
    Pass("iam-no-admin-policies", ROLE_ATTACHMENT, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    Pass("iam-no-admin-policies", ROLE, {"managedPolicyArns": ["arn:aws:iam::123456789012:policy/AdministratorAccess"]}),
    Pass("github-oidc-trust-pinned", ROLE, trust(pinned("repo:carpentries/amy-infra:environment:production"))),
    Pass("github-oidc-trust-pinned", ROLE, trust(pinned("repo:carpentries/amy-infra:pull_request"))),
    # Not GitHub's: a service role.
    Pass(
        "github-oidc-trust-pinned",
        ROLE,
        {"assumeRolePolicy": document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}})},
    ),
]

FAILING = [
    Fail(
        "iam-no-wildcard-actions",
        ROLE_POLICY,
        {"policy": document({"Sid": "Everything", **ALLOW_ALL})},
        "statement 'Everything' allows every action of every service (Action *)",
    ),
    Fail(
        "iam-no-wildcard-actions",
        POLICY,
        {"policy": document({"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": ["*"]})},
        "allows every action of s3:* on every resource",
    ),
    Fail(
        "iam-no-wildcard-actions",
        ROLE_POLICY,
        {"policy": document({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
        "allows every action but iam:* on every resource",
    ),
    Fail(
        "iam-no-wildcard-actions",
        ROLE,
        {"inlinePolicies": [{"name": "app", "policy": document(ALLOW_ALL)}]},
        "inline policy app: a statement allows every action",
    ),
    Fail(
        "iam-no-decrypt-on-every-key",
        ROLE_POLICY,
        {"policy": document({"Sid": "Read", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"})},
        "statement 'Read' allows kms:Decrypt with every KMS key of the account (Resource *)",
    ),
    Fail(
        "iam-no-decrypt-on-every-key",
        POLICY,
        {"policy": document({"Effect": "Allow", "Action": "kms:ReEncrypt*", "Resource": ["*"]})},
        "allows kms:ReEncryptFrom with every KMS key",
    ),
    Fail(
        "iam-no-decrypt-on-every-key",
        ROLE,
        {"inlinePolicies": [{"name": "app", "policy": document({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})}]},
        "inline policy app: a statement allows kms:Decrypt, kms:ReEncryptFrom with every KMS key",
    ),
    Fail(
        "iam-no-admin-policies",
        ROLE_ATTACHMENT,
        {"role": "amy-unit-github-deploy", "policyArn": ADMIN},
        "role amy-unit-github-deploy gets AdministratorAccess, which hands over the account",
    ),
    Fail(
        "iam-no-admin-policies",
        USER_ATTACHMENT,
        {"user": "ci", "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
        "user ci gets PowerUserAccess",
    ),
    Fail(
        "iam-no-admin-policies",
        ROLE,
        {"name": "ops", "managedPolicyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]},
        "role ops gets IAMFullAccess",
    ),
    Fail(
        "github-oidc-trust-pinned",
        ROLE,
        trust({"StringLike": {f"{HOST}:sub": "repo:carpentries/*"}}),
        "GitHub's tokens may assume the role for any audience (aud: none)",
    ),
    Fail(
        "github-oidc-trust-pinned",
        ROLE,
        trust({"StringLike": {f"{HOST}:sub": "repo:carpentries/*"}}),
        "sub repo:carpentries/* does not name one repository",
    ),
    Fail(
        "github-oidc-trust-pinned",
        ROLE,
        trust(pinned("repo:carpentries/amy-infra:*")),
        "admits every workflow of carpentries/amy-infra",
    ),
    Fail(
        "github-oidc-trust-pinned",
        ROLE,
        trust({"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}}),
        "GitHub's tokens of any repository may assume the role (no sub condition)",
    ),
    Fail(
        "github-oidc-trust-pinned",
        ROLE,
        trust(None),
        "add the condition StringEquals token.actions.githubusercontent.com:aud sts.amazonaws.com",
    ),
    Fail(
        "github-oidc-trust-pinned",
        ROLE,
        trust({"StringLike": {f"{HOST}:aud": "*", f"{HOST}:sub": "*"}}, provider="arn:aws:iam::1:oidc-provider/elsewhere"),
        "sub * does not name one repository",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)


def scoped(resources: list[PolicyResource], config: StackConfig) -> list[PolicyResource]:
    """The stack with its preview role's ReadOnlyAccess replaced by a policy of its own."""
    return without(resources, ROLE_ATTACHMENT, f"{config.name_prefix}-github-preview-access")


@stack_pass("github-pull-request-roles-scoped")
def test_a_pull_request_role_with_a_scoped_policy_passes(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    assert stack_violations("github-pull-request-roles-scoped", scoped(stack_resources, stack_config)) == []


@stack_fail("github-pull-request-roles-scoped")
def test_a_pull_request_role_that_reads_everything_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    [message] = stack_violations("github-pull-request-roles-scoped", stack_resources)
    assert message.startswith(
        f"role {stack_config.name_prefix}-github-preview may be assumed by the workflow of any pull request and "
        "attaches ReadOnlyAccess"
    )


@stack_fail("github-pull-request-roles-scoped")
def test_a_role_any_workflow_may_assume_counts_as_a_pull_requests(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    deploy = named(stack_resources, ROLE, "-github-deploy")
    opened = resource(ROLE, deploy.name, {**deploy.props, **trust(pinned("repo:carpentries/amy-infra:*"))})
    resources = [opened if r is deploy else r for r in scoped(stack_resources, stack_config)]
    attached = resource(ROLE_ATTACHMENT, "read", {"role": opened.props["name"], "policyArn": ADMIN})
    [message] = stack_violations("github-pull-request-roles-scoped", [*resources, attached])
    assert message.startswith(f"role {deploy.name} may be assumed by the workflow of any pull request")
