"""GitHub's OIDC roles: only this repository's environment deploys, with the deployer's policies; pull requests only
preview, and read no secret; both roles are bounded and change only by an administrator's hand."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.github_deploys import GitHubDeploys, GitHubDeploysArgs
from components.iam_documents import AccessScope
from stack_config import GitHubConfig
from tooling.harness import Plan, record
from tooling.iam_check import problems

EXISTING_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
SCOPE = AccessScope(
    name_prefix="amy-unit",
    stack="unit",
    region="us-east-1",
    account="123456789012",
    database_identifier="amy-unit",
    dumps_bucket="amy-unit-backups-dumps-*",
    protect=True,
    zone_id="Z123",
    domains=("amy.example.org", "static.example.org"),
)
# What an AWS-managed policy may not be on either role: administrator and read-everything access.
BROAD_POLICIES = ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit", "IAMFullAccess")


def build(provider: str | None = None) -> Plan:
    """The owner of the account's provider when `provider` is None, else a stack that trusts `provider`."""
    settings = GitHubConfig(
        repository="carpentries/amy-infra", owns_oidc_provider=provider is None, oidc_provider_arn=None, environment="production"
    )
    args = GitHubDeploysArgs(name_prefix="amy-unit", settings=settings, scope=SCOPE, oidc_provider_arn=provider)
    return record("unit", lambda: GitHubDeploys("github", args))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def trust(plan: Plan, purpose: str) -> dict[str, Any]:
    return json.loads(plan.one("aws:iam/role:Role", f"github-{purpose}").inputs["assumeRolePolicy"])


def attached(plan: Plan, purpose: str) -> dict[str, dict[str, Any]]:
    """The policies attached to the role, by name, as documents."""
    role = plan.one("aws:iam/role:Role", f"github-{purpose}")
    policies = {p.outputs["arn"]: p for p in plan.of_type("aws:iam/policy:Policy")}
    found = {}
    for attachment in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        if attachment.inputs["role"] == role.outputs["name"]:
            arn = attachment.inputs["policyArn"]
            assert arn in policies, f"{attachment.name} attaches {arn}, which the program does not make"
            found[policies[arn].inputs["name"]] = json.loads(policies[arn].inputs["policy"])
    return found


def test_the_owner_makes_the_provider_and_protects_it_other_stacks_trust_it(plan: Plan) -> None:
    provider = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    # Every stack's deploy role in the account trusts it.
    assert provider.protect is True
    reused = build(EXISTING_PROVIDER)
    assert reused.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert trust(reused, "deploy")["Statement"][0]["Principal"] == {"Federated": EXISTING_PROVIDER}


def test_only_the_repositorys_environment_may_deploy(plan: Plan) -> None:
    [statement] = trust(plan, "deploy")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:carpentries/amy-infra:environment:production",
        }
    }
    assert plan.one("aws:iam/role:Role", "github-deploy").inputs["name"] == "amy-unit-github-deploy"


def test_pull_requests_only_preview(plan: Plan) -> None:
    condition = trust(plan, "preview")["Statement"][0]["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:sub"] == "repo:carpentries/amy-infra:pull_request"
    assert list(attached(plan, "preview")) == ["amy-unit-github-preview"]


@pytest.mark.parametrize("purpose", ["deploy", "preview"])
def test_no_aws_managed_admin_or_read_all_policy(plan: Plan, purpose: str) -> None:
    role = plan.one("aws:iam/role:Role", f"github-{purpose}").outputs["name"]
    arns = [
        a.inputs["policyArn"]
        for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == role
    ]
    assert arns and not any(arn.startswith("arn:aws:iam::aws:policy/") for arn in arns)
    assert not any(arn.endswith(f"/{name}") for arn in arns for name in BROAD_POLICIES)


@pytest.mark.parametrize("purpose", ["deploy", "preview"])
def test_both_roles_carry_the_github_boundary(plan: Plan, purpose: str) -> None:
    boundary = next(p for p in plan.of_type("aws:iam/policy:Policy") if p.inputs["name"] == "amy-unit-github-boundary")
    assert plan.one("aws:iam/role:Role", f"github-{purpose}").inputs["permissionsBoundary"] == boundary.outputs["arn"]


def test_the_deployer_gets_every_part_and_the_guards(plan: Plan) -> None:
    parts = attached(plan, "deploy")
    assert set(parts) == {
        f"amy-unit-github-deploy-{part}" for part in ("read", "network", "compute", "data", "edge", "audit", "identity", "guards")
    }
    # IAM attaches at most 10 managed policies to a role (its default quota).
    assert len(parts) <= 10
    # The attachment that held AdministratorAccess keeps its name (and URN) and holds the guards now.
    access = plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "github-deploy-access")
    assert access.inputs["policyArn"].endswith("/amy-unit-github-deploy-guards")


def test_the_preview_reads_its_data_sources_and_no_secret(plan: Plan) -> None:
    [policy] = attached(plan, "preview").values()
    allowed = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert allowed == {
        "ecr:DescribeImages",
        "iam:GetOpenIDConnectProvider",
        "iam:ListOpenIDConnectProviders",
        "ec2:DescribeImages",
    }
    denied = {s["Sid"]: set(s["Action"]) for s in policy["Statement"] if s["Effect"] == "Deny"}
    assert {"secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParametersByPath", "kms:Decrypt"} <= denied[
        "NoSecretValues"
    ]
    assert {"logs:GetLogEvents", "logs:FilterLogEvents"} <= denied["NoLogEvents"]
    assert "s3:GetObject" in denied["NoObjectReads"]
    assert {"ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"} <= denied["NoImageLayers"]


def test_every_policy_passes_the_catalogue_check(plan: Plan) -> None:
    for policy in plan.of_type("aws:iam/policy:Policy"):
        assert problems(json.loads(policy.inputs["policy"])) == [], policy.name
    for role in plan.of_type("aws:iam/role:Role"):
        assert problems(json.loads(role.inputs["assumeRolePolicy"]), "trust") == [], role.name


def test_every_managed_policy_fits_iams_size_limit(plan: Plan) -> None:
    # "IAM and AWS STS quotas": a managed policy holds 6,144 characters, white space not counted.
    for policy in plan.of_type("aws:iam/policy:Policy"):
        assert len("".join(policy.inputs["policy"].split())) <= 6144, policy.name
