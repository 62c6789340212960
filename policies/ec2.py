"""EC2: instance metadata only with IMDSv2 tokens; every volume encrypted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy

INSTANCE = "aws:ec2/instance:Instance"
VOLUME = "aws:ebs/volume:Volume"


def _imdsv2(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("metadataOptions") or {}).get("httpTokens") != "required":
        yield "the instance serves metadata without a session token; set metadataOptions.httpTokens to required (IMDSv2)"


def _volumes_encrypted(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("rootBlockDevice") or {}).get("encrypted") is not True:
        yield "the root volume is not encrypted; set rootBlockDevice.encrypted to true"
    for device in as_list(props.get("ebsBlockDevices")):
        if device.get("encrypted") is not True:
            yield f"volume {device.get('deviceName')} is not encrypted; set encrypted to true"


def _volume_encrypted(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("encrypted") is not True:
        yield "the EBS volume is not encrypted; set encrypted to true"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy("ec2-imdsv2-required", "EC2 instances require IMDSv2.", [INSTANCE], _imdsv2, ADVISORY),
        resource_policy(
            "ec2-volumes-encrypted", "EC2 root and EBS volumes are encrypted.", [INSTANCE], _volumes_encrypted, ADVISORY
        ),
        resource_policy("ebs-volume-encrypted", "Standalone EBS volumes are encrypted.", [VOLUME], _volume_encrypted, ADVISORY),
    ]
