"""dump_bucket.py: the dumps bucket is versioned, encrypted, private, TLS-only and has a lifecycle."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from stack_config import StackConfig
from tests.policies.pack import replaced, stack_fail, stack_pass, stack_violations, without


@stack_pass("dumps-bucket-protected")
def test_every_stack_protects_its_dumps_bucket(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("dumps-bucket-protected", stack_resources) == []


@stack_fail("dumps-bucket-protected")
@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        ("aws:s3/bucketVersioning:BucketVersioning", "is not versioned"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "has no default encryption"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "does not block all public access"),
        ("aws:s3/bucketPolicy:BucketPolicy", "accepts requests without TLS"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "has no enabled lifecycle rule"),
    ],
)
def test_each_missing_safeguard_of_the_dumps_bucket_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig, missing: str, expected: str
) -> None:
    [message] = stack_violations("dumps-bucket-protected", without(stack_resources, missing))
    assert message.startswith(f"dumps bucket {stack_config.name_prefix}-backups-dumps {expected}")


@stack_fail("dumps-bucket-protected")
def test_a_weakened_dumps_bucket_is_flagged(stack_resources: list[PolicyResource], stack_config: StackConfig) -> None:
    weakened = replaced(stack_resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", restrictPublicBuckets=False)
    weakened = replaced(weakened, "aws:s3/bucketPolicy:BucketPolicy", policy='{"Statement": []}')
    bucket = f"dumps bucket {stack_config.name_prefix}-backups-dumps"
    assert stack_violations("dumps-bucket-protected", weakened) == [
        f"{bucket} does not block all public access; add a BucketPublicAccessBlock with all four settings true",
        f"{bucket} accepts requests without TLS; add a policy denying aws:SecureTransport false",
    ]
