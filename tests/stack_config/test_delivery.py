"""Delivery: the GitHub repository whose Actions deploy each stack through OIDC, and the environment they deploy from."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import GitHubConfig, StackConfig
from tests.stack_config.support import BASE_STACK, declared, loaded, problems
from tests.stacks import STACKS, config_of

REPOSITORY = "carpentries/amy-infra"


def test_each_stack_delivery_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    repository = declared(stack, "githubRepository")
    assert stack_config.github == (
        GitHubConfig(
            repository=repository,
            owns_oidc_provider=declared(stack, "githubOidcProviderOwner"),
            oidc_provider_arn=declared(stack, "githubOidcProviderArn"),
            environment=declared(stack, "githubEnvironment") or stack,
        )
        if repository is not None
        else None
    )


def test_the_environment_is_the_stack_name_unless_given() -> None:
    deployed = {"githubRepository": REPOSITORY, "githubOidcProviderArn": None, "githubOidcProviderOwner": False}
    assert loaded(**deployed, githubEnvironment=None).github == GitHubConfig(REPOSITORY, False, None, environment=BASE_STACK)
    assert loaded(**deployed, githubEnvironment="prod").github == GitHubConfig(REPOSITORY, False, None, environment="prod")


def test_exactly_one_committed_stack_owns_the_accounts_github_oidc_provider() -> None:
    """All stacks share one account, which holds one provider per URL: a second creation fails with EntityAlreadyExists."""
    github = [config_of(stack).github for stack in STACKS]
    owners = [stack for stack, config in zip(STACKS, github, strict=True) if config and config.owns_oidc_provider]
    assert len(owners) == 1, owners


def test_without_a_repository_the_stack_is_not_deployed_from_github() -> None:
    assert loaded(githubRepository=None, githubOidcProviderArn=None, githubOidcProviderOwner=False).github is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"githubRepository": "amy-infra"}, "amy:githubRepository must be owner/name"),
        (
            {"githubRepository": REPOSITORY, "githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/example.org"},
            "amy:githubOidcProviderArn must be the ARN",
        ),
        ({"githubRepository": None, "githubOidcProviderArn": "x"}, "amy:githubOidcProviderArn needs amy:githubRepository"),
        ({"githubRepository": None, "githubOidcProviderOwner": True}, "amy:githubOidcProviderOwner needs amy:githubRepository"),
        (
            {
                "githubRepository": REPOSITORY,
                "githubOidcProviderOwner": True,
                "githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            },
            "amy:githubOidcProviderArn must be unset when amy:githubOidcProviderOwner is true",
        ),
        ({"githubRepository": REPOSITORY, "githubOidcProviderOwner": "yes"}, "amy:githubOidcProviderOwner must be true or false"),
        (
            {"githubRepository": REPOSITORY, "githubEnvironment": "prod env"},
            "amy:githubEnvironment must be a GitHub environment name",
        ),
    ],
)
def test_bad_delivery_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
