"""Delivery: the GitHub repository whose Actions deploy each stack through OIDC, and the environment they deploy from."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import GitHubConfig, StackConfig
from tests.stack_config.support import BASE_STACK, declared, loaded, problems

REPOSITORY = "carpentries/amy-infra"


def test_each_stack_delivery_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    repository = declared(stack, "githubRepository")
    assert stack_config.github == (
        GitHubConfig(
            repository=repository,
            oidc_provider_arn=declared(stack, "githubOidcProviderArn"),
            environment=declared(stack, "githubEnvironment") or stack,
        )
        if repository is not None
        else None
    )


def test_the_environment_is_the_stack_name_unless_given() -> None:
    deployed = {"githubRepository": REPOSITORY, "githubOidcProviderArn": None}
    assert loaded(**deployed, githubEnvironment=None).github == GitHubConfig(REPOSITORY, None, environment=BASE_STACK)
    assert loaded(**deployed, githubEnvironment="prod").github == GitHubConfig(REPOSITORY, None, environment="prod")


def test_without_a_repository_the_stack_is_not_deployed_from_github() -> None:
    assert loaded(githubRepository=None, githubOidcProviderArn=None).github is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"githubRepository": "amy-infra"}, "amy:githubRepository must be owner/name"),
        (
            {"githubRepository": REPOSITORY, "githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/example.org"},
            "amy:githubOidcProviderArn must be the ARN",
        ),
        ({"githubRepository": None, "githubOidcProviderArn": "x"}, "amy:githubOidcProviderArn needs amy:githubRepository"),
        (
            {"githubRepository": REPOSITORY, "githubEnvironment": "prod env"},
            "amy:githubEnvironment must be a GitHub environment name",
        ),
    ],
)
def test_bad_delivery_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
