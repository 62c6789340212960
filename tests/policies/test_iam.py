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


READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def reading_everything(resources: list[PolicyResource], config: StackConfig) -> list[PolicyResource]:
    """The stack with ReadOnlyAccess attached to its preview role, as it once was."""
    preview = named(resources, ROLE, "-github-preview")
    attached = resource(
        ROLE_ATTACHMENT, f"{config.name_prefix}-github-preview-read", {"role": preview.props["name"], "policyArn": READ_ONLY}
    )
    return [*resources, attached]


@stack_pass("github-pull-request-roles-scoped")
def test_a_pull_request_role_with_a_scoped_policy_passes(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("github-pull-request-roles-scoped", stack_resources) == []


@stack_fail("github-pull-request-roles-scoped")
def test_a_pull_request_role_that_reads_everything_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    [message] = stack_violations("github-pull-request-roles-scoped", reading_everything(stack_resources, stack_config))
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
    resources = [opened if r is deploy else r for r in stack_resources]
    attached = resource(ROLE_ATTACHMENT, "read", {"role": opened.props["name"], "policyArn": ADMIN})
    [message] = stack_violations("github-pull-request-roles-scoped", [*resources, attached])
    assert message.startswith(f"role {deploy.name} may be assumed by the workflow of any pull request")


BOUNDARY_TAGS = {"Purpose": "permissions-boundary"}
SERVICE_WIDE = document({"Sid": "Services", "Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"})


def test_a_boundary_may_name_whole_services_and_every_key() -> None:
    """A boundary grants nothing; it caps what the role's own policies grant."""
    for policy in ("iam-no-wildcard-actions", "iam-no-decrypt-on-every-key"):
        assert_passes(Pass(policy, POLICY, {"name": "amy-unit-boundary", "policy": SERVICE_WIDE, "tags": BOUNDARY_TAGS}))
        assert_flagged(Fail(policy, POLICY, {"name": "amy-unit-grant", "policy": SERVICE_WIDE}, "statement 'Services' allows"))


@stack_pass("iam-boundaries-never-attached")
def test_every_stack_uses_its_boundaries_only_as_boundaries(stack_resources: list[PolicyResource]) -> None:
    boundaries = [r for r in stack_resources if r.resource_type == POLICY and r.props.get("tags") == BOUNDARY_TAGS]
    assert len(boundaries) == 2
    assert stack_violations("iam-boundaries-never-attached", stack_resources) == []


@stack_fail("iam-boundaries-never-attached")
def test_a_boundary_attached_as_a_grant_is_flagged(stack_resources: list[PolicyResource]) -> None:
    boundary = next(r for r in stack_resources if r.resource_type == POLICY and r.props.get("tags") == BOUNDARY_TAGS)
    host = resource(ROLE, "host", {"name": "amy-unit-host", "managedPolicyArns": [boundary.props["arn"]]})
    by_arn = resource(ROLE_ATTACHMENT, "by-arn", {"role": "amy-unit-host", "policyArn": boundary.props["arn"]})
    # In a preview the new boundary's ARN is unknown: the attachment depends on it.
    by_dependency = resource(ROLE_ATTACHMENT, "by-dependency", {"role": "amy-unit-host"}, dependencies=[boundary])
    found = stack_violations("iam-boundaries-never-attached", [*stack_resources, host, by_arn, by_dependency])
    assert len(found) == 3
    assert all(message.startswith(f"policy {boundary.name} is tagged Purpose: permissions-boundary") for message in found)
    assert [message.split(" but ", 1)[1].split(" ", 1)[0] for message in found] == ["by-arn", "by-dependency", "host"]
