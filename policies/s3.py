"""S3: public access blocks turn everything on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, resource_policy

PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PUBLIC_ACCESS_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _all_blocked(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    off = [setting for setting in PUBLIC_ACCESS_SETTINGS if props.get(setting) is not True]
    if off:
        yield f"public access is not fully blocked: set {', '.join(off)} to true"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy(
            "s3-public-access-blocked",
            "S3 public access blocks turn all four settings on.",
            [PUBLIC_ACCESS_BLOCK],
            _all_blocked,
            ADVISORY,
        )
    ]
