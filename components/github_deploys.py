"""GitHub Actions' way into the stack's account: OIDC, no stored keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from stack_config import GitHubConfig

TOKEN_HOST = "token.actions.githubusercontent.com"
TOKEN_URL = f"https://{TOKEN_HOST}"
AUDIENCE = "sts.amazonaws.com"
DEPLOY_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
PREVIEW_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SESSION_SECONDS = 7200


@dataclass
class GitHubDeploysArgs:
    name_prefix: str
    settings: GitHubConfig
    # The account's provider where another stack owns it; None where this stack does.
    oidc_provider_arn: pulumi.Input[str] | None = None


class GitHubDeploys(pulumi.ComponentResource):
    """The account's GitHub OIDC provider (where the stack owns it) and two roles for the stack:
    `amy-<stack>-github-deploy`, which only the repository's jobs in the stack's GitHub
    environment may assume (approval guards production), and `amy-<stack>-github-preview`,
    read-only, for pull requests' previews."""

    deploy_role: aws.iam.Role
    preview_role: aws.iam.Role

    def __init__(self, name: str, args: GitHubDeploysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:delivery:GitHubDeploys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        provider_arn: pulumi.Input[str]
        if settings.owns_oidc_provider:
            # Every stack's roles in the account trust it: no update of this stack may delete it.
            provider_arn = aws.iam.OpenIdConnectProvider(
                f"{name}-oidc",
                url=TOKEN_URL,
                client_id_lists=[AUDIENCE],
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            ).arn
        elif args.oidc_provider_arn is not None:
            provider_arn = args.oidc_provider_arn
        else:
            raise ValueError("GitHubDeploys needs the account's OIDC provider ARN unless the stack owns the provider")
        repository = settings.repository
        roles = {
            "deploy": (f"repo:{repository}:environment:{settings.environment}", DEPLOY_POLICY, "deploy the stack"),
            "preview": (f"repo:{repository}:pull_request", PREVIEW_POLICY, "preview the stack in pull requests"),
        }
        created = {}
        for purpose, (subject, policy_arn, description) in roles.items():
            role = aws.iam.Role(
                f"{name}-{purpose}",
                name=f"{args.name_prefix}-github-{purpose}",
                description=f"GitHub Actions of {repository}: {description}",
                assume_role_policy=pulumi.Output.from_input(provider_arn).apply(
                    lambda arn, subject=subject: json.dumps(github_trust(arn, subject))
                ),
                max_session_duration=SESSION_SECONDS,
                opts=child,
            )
            aws.iam.RolePolicyAttachment(f"{name}-{purpose}-access", role=role.name, policy_arn=policy_arn, opts=child)
            created[purpose] = role
        self.deploy_role, self.preview_role = created["deploy"], created["preview"]
        self.register_outputs({"deploy_role": self.deploy_role.arn, "preview_role": self.preview_role.arn})


def github_trust(provider_arn: str, subject: str) -> dict[str, Any]:
    """Only tokens GitHub issued for AWS, for exactly this subject, may assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{TOKEN_HOST}:aud": AUDIENCE, f"{TOKEN_HOST}:sub": subject},
                },
            }
        ],
    }
