"""GitHub's OIDC roles: only this repository's environment deploys, pull requests only read."""

from __future__ import annotations

import json

from components.github_deploys import GitHubDeploys, GitHubDeploysArgs
from stack_config import GitHubConfig
from tooling.harness import Plan, record

EXISTING_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def build(provider: str | None = None) -> Plan:
    """The owner of the account's provider when `provider` is None, else a stack that trusts `provider`."""
    settings = GitHubConfig(
        repository="carpentries/amy-infra", owns_oidc_provider=provider is None, oidc_provider_arn=None, environment="production"
    )
    args = GitHubDeploysArgs(name_prefix="amy-unit", settings=settings, oidc_provider_arn=provider)
    return record("unit", lambda: GitHubDeploys("github", args))


def trust(plan: Plan, purpose: str) -> dict:
    return json.loads(plan.one("aws:iam/role:Role", f"github-{purpose}").inputs["assumeRolePolicy"])


def test_the_owner_makes_the_provider_and_protects_it_other_stacks_trust_it() -> None:
    made = build()
    provider = made.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    # Every stack's deploy role in the account trusts it.
    assert provider.protect is True
    reused = build(EXISTING_PROVIDER)
    assert reused.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert trust(reused, "deploy")["Statement"][0]["Principal"] == {"Federated": EXISTING_PROVIDER}


def test_only_the_repositorys_environment_may_deploy() -> None:
    plan = build()
    [statement] = trust(plan, "deploy")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:carpentries/amy-infra:environment:production",
        }
    }
    assert plan.one("aws:iam/role:Role", "github-deploy").inputs["name"] == "amy-unit-github-deploy"


def test_pull_requests_only_preview_read_only() -> None:
    plan = build()
    condition = trust(plan, "preview")["Statement"][0]["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:sub"] == "repo:carpentries/amy-infra:pull_request"
    access = {a.name: a.inputs["policyArn"] for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert access["github-preview-access"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
