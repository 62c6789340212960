"""ECR: an image tag names one image for good, and every image is scanned when pushed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, resource_policy

REPOSITORY = "aws:ecr/repository:Repository"
IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


def _immutable(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("imageTagMutability") not in IMMUTABLE:
        yield (
            f"image tags are {props.get('imageTagMutability') or 'MUTABLE'}, so a push can swap the image a release "
            "tag runs; set imageTagMutability to IMMUTABLE"
        )


def _scan_on_push(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("imageScanningConfiguration") or {}).get("scanOnPush") is not True:
        yield "images are not scanned for vulnerabilities when pushed; set imageScanningConfiguration.scanOnPush to true"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy(
            "ecr-image-tags-immutable", "ECR image tags cannot be moved to another image.", [REPOSITORY], _immutable, ADVISORY
        ),
        resource_policy("ecr-scan-on-push", "ECR scans every image pushed.", [REPOSITORY], _scan_on_push, ADVISORY),
    ]
