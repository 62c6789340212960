"""What the program reads from the account before it registers anything, in each shape the account can be in."""

from __future__ import annotations

import json

import pytest

from components.github_deploys import TOKEN_HOST
from tests.stacks import STACKS, config_of, stacks_with_layout
from tooling.harness import ACCOUNT_ID, Account, ProgramError, run

ECS_STACKS = stacks_with_layout("ecs")
OWNERS = [stack for stack in STACKS if (github := config_of(stack).github) and github.owns_oidc_provider]
NOT_OWNERS = [stack for stack in STACKS if (github := config_of(stack).github) and not github.owns_oidc_provider]
PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"


def only_providers(error: ProgramError) -> list[str]:
    """What the failed program registered besides the AWS providers."""
    return [r.name for r in error.registrations if not r.type.startswith("pulumi:providers:")]


@pytest.mark.parametrize("stack", ECS_STACKS)
def test_the_first_update_makes_everything_but_what_runs_the_unpushed_image(stack: str) -> None:
    """Before the repository exists no image can be in it: tasks could not pull it and the update would fail."""
    first = run(stack, account=Account(ecr_repository=False))
    assert first.one("aws:ecr/repository:Repository").inputs["name"] == config_of(stack).name_prefix
    assert first.of_type("aws:ecs/service:Service") == []
    assert [c.name for c in first.of_type("command:local:Command") if c.name.endswith("-migrate")] == []
    assert first.of_type("aws:appautoscaling/target:Target") == []
    assert first.of_type("aws:sfn/stateMachine:StateMachine") == []
    alarms = {a.inputs["name"] for a in first.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert not [name for name in alarms if "-web-" in name]
    # The rest of the stack is there, the load balancer included.
    assert first.one("aws:lb/loadBalancer:LoadBalancer")
    assert first.one("aws:rds/instance:Instance")
    pushed = run(stack)
    assert {r.urn for r in first.registrations} < {r.urn for r in pushed.registrations}


@pytest.mark.parametrize("stack", ECS_STACKS)
def test_a_release_whose_image_is_not_pushed_stops_before_anything_is_registered(stack: str) -> None:
    """Once services run, planning without them would delete them: an unpushed release is refused instead."""
    with pytest.raises(ProgramError) as raised:
        run(stack, account=Account(release_images=False))
    version = config_of(stack).app_version
    assert f"image {config_of(stack).name_prefix}:{version} is not in ECR: push it" in str(raised.value)
    assert only_providers(raised.value) == []


def test_the_legacy_layout_reads_no_image() -> None:
    [stack, *_] = stacks_with_layout("legacy")
    assert run(stack, account=Account(ecr_repository=False)).of_type("aws:ecs/service:Service") == []


@pytest.mark.parametrize("stack", NOT_OWNERS)
def test_a_stack_that_does_not_own_the_github_provider_trusts_the_one_it_finds(stack: str) -> None:
    plan = run(stack)
    assert plan.of_type(PROVIDER) == []
    deploy = plan.one("aws:iam/role:Role", f"{config_of(stack).name_prefix}-github-deploy")
    [statement] = json.loads(deploy.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{TOKEN_HOST}"}


@pytest.mark.parametrize("stack", NOT_OWNERS)
def test_a_missing_github_provider_stops_the_stack_and_names_the_owner(stack: str) -> None:
    """IAM refuses a role trusting a provider that does not exist, and the roles are made late in the update."""
    with pytest.raises(ProgramError) as raised:
        run(stack, account=Account(github_oidc_provider=False))
    assert "githubOidcProviderOwner: true creates it" in str(raised.value)
    assert only_providers(raised.value) == []


def test_an_explicit_provider_arn_is_used_without_looking() -> None:
    [stack, *_] = NOT_OWNERS
    arn = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
    plan = run(stack, {"amy:githubOidcProviderArn": arn}, account=Account(github_oidc_provider=False))
    deploy = plan.one("aws:iam/role:Role", f"{config_of(stack).name_prefix}-github-deploy")
    assert json.loads(deploy.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Federated": arn}


@pytest.mark.parametrize("stack", OWNERS)
def test_the_owner_creates_the_provider_whatever_the_account_holds(stack: str) -> None:
    plan = run(stack, account=Account(github_oidc_provider=False))
    assert plan.one(PROVIDER).protect is True
