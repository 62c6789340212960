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


def make_providers(config: StackConfig) -> Providers:
    """The stack's region, and us-east-1 for CloudFront's certificate, both tagging every resource."""
    tags = aws.ProviderDefaultTagsArgs(tags=default_tags(config))
    return Providers(
        region=aws.Provider("aws", region=config.region, default_tags=tags),
        cloudfront=aws.Provider(f"aws-{CLOUDFRONT_REGION}", region=CLOUDFRONT_REGION, default_tags=tags),
    )


def stack_opts(providers: Providers) -> pulumi.ResourceOptions:
    """Options for each top-level component: its children use the stack's region."""
    return pulumi.ResourceOptions(providers={"aws": providers.region})
