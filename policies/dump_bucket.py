"""The database dumps bucket: versioned, encrypted, private, TLS-only, with a lifecycle; where required, its dumps
locked against deletion for a while."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationPolicy

from s3 import PUBLIC_ACCESS_SETTINGS
from support import MANDATORY, as_list, of_type, required_flag, stack_policy

BUCKET = "aws:s3/bucket:Bucket"
# The program tags the dumps bucket with its purpose, so an adopted bucket is found whatever it is called.
# The same tags as components/backups.py's DUMPS_BUCKET_TAGS (the pack runs from policies/ alone; a test holds them equal).
DUMPS_BUCKET_TAGS = {"Purpose": "database-dumps"}
OBJECT_LOCK_CONFIGURATIONS = (
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)


def is_dumps_bucket(resource: PolicyResource) -> bool:
    tags = resource.props.get("tags") or {}
    return resource.resource_type == BUCKET and all(tags.get(key) == value for key, value in DUMPS_BUCKET_TAGS.items())


def _for_bucket(resources: list[PolicyResource], type_: str, bucket: str) -> list[PolicyResource]:
    return [resource for resource in of_type(resources, type_) if resource.props.get("bucket") == bucket]


def _versioned(configs: list[PolicyResource]) -> bool:
    return any((c.props.get("versioningConfiguration") or {}).get("status") == "Enabled" for c in configs)


def _encrypted(configs: list[PolicyResource]) -> bool:
    return any(
        (rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse", "AES256")
        for c in configs
        for rule in as_list(c.props.get("rules"))
    )


def _blocked(blocks: list[PolicyResource]) -> bool:
    return any(all(block.props.get(setting) is True for setting in PUBLIC_ACCESS_SETTINGS) for block in blocks)


def _tls_only(policies: list[PolicyResource]) -> bool:
    for bucket_policy in policies:
        document = bucket_policy.props.get("policy")
        statements = as_list(json.loads(document).get("Statement")) if isinstance(document, str) else []
        for statement in statements:
            condition = (statement.get("Condition") or {}).get("Bool") or {}
            if statement.get("Effect") == "Deny" and str(condition.get("aws:SecureTransport")).lower() == "false":
                return True
    return False


def _has_lifecycle(configs: list[PolicyResource]) -> bool:
    return any(rule.get("status") == "Enabled" for c in configs for rule in as_list(c.props.get("rules")))


CHECKS = {
    "aws:s3/bucketVersioning:BucketVersioning": (_versioned, "is not versioned; add a BucketVersioning with status Enabled"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _encrypted,
        "has no default encryption; add a BucketServerSideEncryptionConfiguration (aws:kms)",
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        _blocked,
        "does not block all public access; add a BucketPublicAccessBlock with all four settings true",
    ),
    "aws:s3/bucketPolicy:BucketPolicy": (
        _tls_only,
        "accepts requests without TLS; add a policy denying aws:SecureTransport false",
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        _has_lifecycle,
        "has no enabled lifecycle rule; expire old noncurrent versions with a BucketLifecycleConfiguration",
    ),
}


def _safe(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    for bucket in filter(is_dumps_bucket, resources):
        name = str(bucket.props.get("bucket"))
        for type_, (holds, problem) in CHECKS.items():
            if not holds(_for_bucket(resources, type_, name)):
                yield f"dumps bucket {bucket.name} {problem}", bucket.urn


def _default_retention(configurations: list[PolicyResource]) -> bool:
    """Some configuration enables Object Lock (a BucketObjectLockConfiguration does by default, on a new or an existing
    versioned bucket) with a default retention."""
    return any(
        c.props.get("objectLockEnabled", "Enabled") == "Enabled"
        and ((retention := (c.props.get("rule") or {}).get("defaultRetention") or {}).get("days") or retention.get("years"))
        for c in configurations
    )


def _object_locked(resources: list[PolicyResource], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    if not config["required"]:
        return
    for bucket in filter(is_dumps_bucket, resources):
        name = str(bucket.props.get("bucket"))
        configurations = [c for type_ in OBJECT_LOCK_CONFIGURATIONS for c in _for_bucket(resources, type_, name)]
        # The bucket's own objectLockEnabled is not needed: it forces a new bucket, which would lose the dumps.
        if not _default_retention(configurations):
            yield (
                f"dumps bucket {bucket.name} lets anyone allowed to delete a dump delete it at once; give it a "
                "BucketObjectLockConfiguration with a default retention (it enables Object Lock on an existing "
                "versioned bucket; the bucket's own objectLockEnabled would replace it)",
                bucket.urn,
            )


def policies() -> list[StackValidationPolicy]:
    return [
        stack_policy(
            "dumps-bucket-protected",
            "The database dumps bucket is versioned, encrypted, private, TLS-only and has a lifecycle.",
            _safe,
            MANDATORY,
        ),
        stack_policy(
            "dumps-bucket-object-lock",
            "Where required, S3 Object Lock keeps each database dump from deletion for a default retention.",
            _object_locked,
            MANDATORY,
            required_flag("Whether the stack must lock its database dumps."),
        ),
    ]
