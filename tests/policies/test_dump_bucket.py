"""dump_bucket.py: the dumps bucket is versioned, encrypted, private, TLS-only and has a lifecycle."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from tests.policies.pack import replaced, stack_violations, without


def test_production_passes(production_resources: list[PolicyResource]) -> None:
    assert stack_violations("dumps-bucket-protected", production_resources) == []


def test_testing_passes(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("dumps-bucket-protected", testing_resources) == []


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
    production_resources: list[PolicyResource], missing: str, expected: str
) -> None:
    [message] = stack_violations("dumps-bucket-protected", without(production_resources, missing))
    assert message.startswith(f"dumps bucket amy-production-backups-dumps {expected}")


def test_a_weakened_dumps_bucket_is_flagged(production_resources: list[PolicyResource]) -> None:
    weakened = replaced(
        production_resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", restrictPublicBuckets=False
    )
    weakened = replaced(weakened, "aws:s3/bucketPolicy:BucketPolicy", policy='{"Statement": []}')
    found = stack_violations("dumps-bucket-protected", weakened)
    assert [m.split(" ", 3)[3] for m in found] == [
        "does not block all public access; add a BucketPublicAccessBlock with all four settings true",
        "accepts requests without TLS; add a policy denying aws:SecureTransport false",
    ]
