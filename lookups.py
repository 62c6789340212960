"""What the program reads from the account before it registers anything, so a missing prerequisite stops
`pulumi preview` and `pulumi up` with one message and nothing half-created."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.github_deploys import TOKEN_URL
from stack_config import StackConfig


@dataclass(frozen=True)
class Lookups:
    # The ecs layout: whether the stack's ECR repository exists yet. On the first `pulumi up` it does not,
    # and the update makes everything but what runs the image, which cannot be pulled until it is pushed.
    release_image_pushed: bool
    # The account's GitHub OIDC provider, where another stack owns it.
    github_oidc_provider_arn: str | None
    # The account the stack's credentials are in, which the roles' policies name.
    account_id: str


def look_up(config: StackConfig, provider: aws.Provider) -> Lookups:
    opts = pulumi.InvokeOptions(provider=provider)
    return Lookups(
        release_image_pushed=_release_image_pushed(config, opts) if config.layout == "ecs" else False,
        github_oidc_provider_arn=_github_oidc_provider_arn(config, opts),
        # sts:GetCallerIdentity needs no permission (STS API reference, GetCallerIdentity).
        account_id=aws.get_caller_identity(opts=opts).account_id,
    )


def _release_image_pushed(config: StackConfig, opts: pulumi.InvokeOptions) -> bool:
    """True when the release's image is in the stack's repository; False before the repository exists.
    A repository without the image stops the program: the services would roll to an image ECS cannot pull."""
    repository, tag = config.name_prefix, str(config.app_version)
    try:
        aws.ecr.get_image(repository_name=repository, image_tag=tag, opts=opts)
    except Exception as error:
        # The provider reports DescribeImages' error codes (terraform-provider-aws, ecr/image_data_source.go).
        if "RepositoryNotFoundException" in str(error):
            pulumi.log.warn(
                f"ECR repository {repository} does not exist yet: this update creates it and everything but the "
                f"migration and the services; push the image {repository}:{tag} to it (stack output repositoryUrl), "
                "then run pulumi up again"
            )
            return False
        if "ImageNotFoundException" in str(error):
            raise pulumi.RunError(
                f"image {repository}:{tag} is not in ECR: push it (stack output repositoryUrl) before deploying appVersion {tag}"
            ) from None
        raise
    return True


def _github_oidc_provider_arn(config: StackConfig, opts: pulumi.InvokeOptions) -> str | None:
    github = config.github
    if github is None or github.owns_oidc_provider:
        return None
    if github.oidc_provider_arn:
        return github.oidc_provider_arn
    try:
        return aws.iam.get_open_id_connect_provider(url=TOKEN_URL, opts=opts).arn
    except Exception as error:
        raise pulumi.RunError(
            f"the account's GitHub OIDC provider ({TOKEN_URL}) was not found ({error}); the stack with "
            "githubOidcProviderOwner: true creates it, so deploy that first (README, Delivery), or set "
            "githubOidcProviderArn"
        ) from None
