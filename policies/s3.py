"""S3: public access blocks turn everything on; deleting a bucket never deletes what it holds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, MANDATORY, resource_policy

PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _all_blocked(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    off = [setting for setting in PUBLIC_ACCESS_SETTINGS if props.get(setting) is not True]
    if off:
        yield f"public access is not fully blocked: set {', '.join(off)} to true"


def _no_force_destroy(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("forceDestroy") is True:
        yield (
            "forceDestroy lets deleting the bucket delete every object and version in it; set forceDestroy to false "
            "(to retire a bucket, empty it on purpose first)"
        )


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy(
            "s3-public-access-blocked",
            "S3 public access blocks turn all four settings on.",
            [PUBLIC_ACCESS_BLOCK],
            _all_blocked,
            ADVISORY,
        ),
        resource_policy(
            "s3-bucket-no-force-destroy",
            "Deleting an S3 bucket never deletes its objects.",
            BUCKETS,
            _no_force_destroy,
            MANDATORY,
        ),
    ]
