"""Delivery: which GitHub repository's Actions may deploy and preview the stack, through OIDC."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack_config.reader import NAMESPACE, Reader, shown

GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
GITHUB_ENVIRONMENT = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
OIDC_PROVIDER_ARN = re.compile(r"^arn:aws:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$")

KEYS = {
    "githubRepository": "string",
    "githubOidcProviderOwner": "boolean",
    "githubOidcProviderArn": "string",
    "githubEnvironment": "string",
}


@dataclass(frozen=True)
class GitHubConfig:
    """GitHub Actions' access to the stack's account through OIDC."""

    repository: str
    # An account has one GitHub OIDC provider: exactly one stack in it creates it, the others look it up.
    owns_oidc_provider: bool
    # The provider's ARN when it lives elsewhere than where the program finds it by its URL.
    oidc_provider_arn: str | None
    environment: str


def github(reader: Reader, stack: str) -> GitHubConfig | None:
    repository = reader.optional("githubRepository")
    provider = reader.optional("githubOidcProviderArn")
    owner = reader.boolean("githubOidcProviderOwner")
    environment = reader.optional("githubEnvironment")
    if repository is None and environment is not None:
        reader.problem("githubEnvironment", f"needs {NAMESPACE}:githubRepository, the repository that deploys")
    if environment is None:
        environment = stack
    if repository is None:
        if provider is not None:
            reader.problem("githubOidcProviderArn", f"needs {NAMESPACE}:githubRepository, the repository that deploys")
        if owner:
            reader.problem("githubOidcProviderOwner", f"needs {NAMESPACE}:githubRepository, the repository that deploys")
        return None
    if not GITHUB_REPOSITORY.fullmatch(repository):
        reader.problem("githubRepository", f"must be owner/name like carpentries/amy-infra; got {shown(repository)}")
    if provider is not None and not OIDC_PROVIDER_ARN.fullmatch(provider):
        reader.problem(
            "githubOidcProviderArn",
            f"must be the ARN of the account's token.actions.githubusercontent.com OIDC provider; got {shown(provider)}",
        )
    if owner and provider is not None:
        reader.problem(
            "githubOidcProviderArn",
            f"must be unset when {NAMESPACE}:githubOidcProviderOwner is true: this stack creates the provider",
        )
    if not GITHUB_ENVIRONMENT.fullmatch(environment):
        reader.problem("githubEnvironment", f"must be a GitHub environment name like production; got {shown(environment)}")
    return GitHubConfig(
        repository=repository, owns_oidc_provider=bool(owner), oidc_provider_arn=provider, environment=environment
    )
