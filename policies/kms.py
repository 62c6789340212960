"""KMS: the keys that encrypt the backups rotate their material and carry a key policy of their own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Policy, PolicyResource

from support import ADVISORY, of_type, resource_policy, stack_policy

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
# KMS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"


def _rotates(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    spec = props.get("customerMasterKeySpec") or ROTATABLE_SPEC
    if spec == ROTATABLE_SPEC and props.get("enableKeyRotation") is not True:
        yield "the key never rotates its material; set enableKeyRotation to true"


def _key_ids(key: PolicyResource) -> set[str]:
    return {str(key.props[name]) for name in ("keyId", "arn") if key.props.get(name)}


def _key_policy(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    attached = {str(p.props.get("keyId")) for p in of_type(resources, KEY_POLICY)}
    for key in of_type(resources, KEY):
        if not key.props.get("policy") and not _key_ids(key) & attached:
            yield (
                f"KMS key {key.name} has no key policy of its own, so KMS's default lets any principal of the account "
                "whose IAM policy allows it use the key; give the key an explicit policy (the key's policy) that names "
                "its administrators and the roles and services that may use it",
                key.urn,
            )


def policies() -> list[Policy]:
    return [
        resource_policy("kms-key-rotation", "KMS keys rotate their key material.", [KEY], _rotates, ADVISORY),
        stack_policy("kms-key-policy", "Every KMS key has an explicit key policy.", _key_policy, ADVISORY),
    ]
