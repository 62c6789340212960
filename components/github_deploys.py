"""GitHub Actions' way into the stack's account: OIDC, no stored keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.iam import BOUNDARY_TAGS
from components.iam_documents import (
    TOKEN_HOST,
    AccessScope,
    deployer_policies,
    github_boundary_policy,
    preview_policy,
)
from stack_config import GitHubConfig

TOKEN_URL = f"https://{TOKEN_HOST}"
AUDIENCE = "sts.amazonaws.com"
SESSION_SECONDS = 7200


@dataclass
class GitHubDeploysArgs:
    name_prefix: str
    settings: GitHubConfig
    # The names and account the roles' policies are drawn from.
    scope: AccessScope
    # The account's provider where another stack owns it; None where this stack does.
    oidc_provider_arn: pulumi.Input[str] | None = None


class GitHubDeploys(pulumi.ComponentResource):
    """The account's GitHub OIDC provider (where the stack owns it) and two roles for the stack:
    `amy-<stack>-github-deploy`, which only the repository's jobs in the stack's GitHub environment may assume
    (approval guards production), with the deployer's policies (`components/iam_documents.py`), and
    `amy-<stack>-github-preview`, for pull requests' previews, which reads what `pulumi preview` needs and no secret.
    Both carry `amy-<stack>-github-boundary`. Deploys may change neither role nor their policies: an administrator
    applies a change to this component (README, Delivery)."""

    deploy_role: aws.iam.Role
    preview_role: aws.iam.Role

    def __init__(self, name: str, args: GitHubDeploysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:delivery:GitHubDeploys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings, scope = args.settings, args.scope
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
        prefix = f"{args.name_prefix}-github"
        boundary = self._policy(
            f"{name}-boundary-policy",
            f"{prefix}-boundary",
            github_boundary_policy(scope),
            "Bounds the GitHub roles",
            tags=BOUNDARY_TAGS,
        )
        repository = settings.repository
        policies = {
            "deploy": {
                part: self._policy(f"{name}-deploy-{part}-policy", f"{prefix}-deploy-{part}", policy, f"pulumi up: {part}")
                for part, policy in deployer_policies(scope).items()
            },
            "preview": {
                "preview": self._policy(f"{name}-preview-policy", f"{prefix}-preview", preview_policy(scope), "pulumi preview")
            },
        }
        roles = {
            "deploy": (f"repo:{repository}:environment:{settings.environment}", "deploy the stack"),
            "preview": (f"repo:{repository}:pull_request", "preview the stack in pull requests"),
        }
        created = {}
        for purpose, (subject, description) in roles.items():
            role = iam.role(
                f"{name}-{purpose}",
                role_name=f"{prefix}-{purpose}",
                description=f"GitHub Actions of {repository}: {description}",
                trust=pulumi.Output.from_input(provider_arn).apply(
                    lambda arn, subject=subject: json.dumps(github_trust(arn, subject))
                ),
                boundary=boundary.arn,
                max_session_duration=SESSION_SECONDS,
                opts=child,
            )
            for index, (part, policy) in enumerate(sorted(policies[purpose].items(), key=lambda item: item[0] != "guards")):
                # The first keeps the name of the attachment that held the AWS-managed policy before.
                attachment = f"{name}-{purpose}-access" if index == 0 else f"{name}-{purpose}-{part}"
                aws.iam.RolePolicyAttachment(attachment, role=role.name, policy_arn=policy.arn, opts=child)
            created[purpose] = role
        self.deploy_role, self.preview_role = created["deploy"], created["preview"]
        self.register_outputs({"deploy_role": self.deploy_role.arn, "preview_role": self.preview_role.arn})

    def _policy(
        self, name: str, policy_name: str, policy: dict[str, Any], description: str, tags: dict[str, str] | None = None
    ) -> aws.iam.Policy:
        return aws.iam.Policy(
            name,
            name=policy_name,
            description=description,
            policy=json.dumps(policy),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )


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
