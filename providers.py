"""The AWS providers every resource is created through; nothing uses a default provider."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from stack_config import StackConfig

CLOUDFRONT_REGION = "us-east-1"


def default_tags(config: StackConfig) -> dict[str, str]:
    return {
        "Application": "AMY",
        "Billing-Service": "AMY",
        "Environment": config.stack,
        "ManagedBy": "pulumi",
    }


@dataclass(frozen=True)
class Providers:
    region: aws.Provider
    cloudfront: aws.Provider
    # The region backups are copied to, where the stack has one.
    backup_copy: aws.Provider | None = None


def make_providers(config: StackConfig) -> Providers:
    """The stack's region, us-east-1 for CloudFront's certificate, and the backups' second region, all tagging
    every resource. One provider per region: a second one of the same region would be the same URN."""
    tags = aws.ProviderDefaultTagsArgs(tags=default_tags(config))
    region = aws.Provider("aws", region=config.region, default_tags=tags)
    cloudfront = aws.Provider(f"aws-{CLOUDFRONT_REGION}", region=CLOUDFRONT_REGION, default_tags=tags)
    copy_region = config.backup.copy_region
    copy = None
    if copy_region == CLOUDFRONT_REGION:
        copy = cloudfront
    elif copy_region is not None:
        copy = aws.Provider(f"aws-{copy_region}", region=copy_region, default_tags=tags)
    return Providers(region=region, cloudfront=cloudfront, backup_copy=copy)


def stack_opts(providers: Providers) -> pulumi.ResourceOptions:
    """Options for each top-level component: its children use the stack's region."""
    return pulumi.ResourceOptions(providers={"aws": providers.region})
