"""dump_bucket.py: the dumps bucket is versioned, encrypted, private, TLS-only and has a lifecycle; where required,
Object Lock keeps each dump for a default retention."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

import dump_bucket
from components.backups import DUMPS_BUCKET_TAGS
from stack_config import StackConfig
from tests.policies.pack import named, replaced, resource, stack_fail, stack_pass, stack_violations, without

BUCKET = "aws:s3/bucket:Bucket"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
REQUIRED = {"required": True}
SAFEGUARDS = [
    "is not versioned",
    "has no default encryption",
    "does not block all public access",
    "accepts requests without TLS",
    "has no enabled lifecycle rule",
]


def bare_bucket(name: str, tags: dict[str, str] | None = None) -> PolicyResource:
    """A bucket with none of the dumps bucket's safeguards."""
    return resource(BUCKET, name, {"bucket": f"{name}-0a1b2c3", **({"tags": tags} if tags else {})})


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


def test_the_policy_looks_for_the_tags_the_program_sets() -> None:
    assert dump_bucket.DUMPS_BUCKET_TAGS == DUMPS_BUCKET_TAGS


@stack_fail("dumps-bucket-protected")
@pytest.mark.parametrize("name", ["carpentries-db-backups", "legacy-dumps"])
def test_a_bucket_tagged_for_dumps_is_checked_whatever_its_name(name: str) -> None:
    tagged = bare_bucket(name, {**DUMPS_BUCKET_TAGS, "Owner": "operators"})
    found = stack_violations("dumps-bucket-protected", [tagged])
    assert [message.split(";")[0] for message in found] == [f"dumps bucket {name} {problem}" for problem in SAFEGUARDS]


@stack_pass("dumps-bucket-protected")
@pytest.mark.parametrize("tags", [None, {"Purpose": "load-balancer-logs"}], ids=["untagged", "other-purpose"])
def test_a_bucket_named_like_dumps_without_the_tag_is_not_checked(
    stack_resources: list[PolicyResource], tags: dict[str, str] | None
) -> None:
    assert stack_violations("dumps-bucket-protected", [*stack_resources, bare_bucket("old-backups-dumps", tags)]) == []


def object_locked(resources: list[PolicyResource], retention: dict[str, object], bucket: str = "") -> list[PolicyResource]:
    """The resources with the dumps bucket's Object Lock configuration (of `bucket` if given) keeping `retention`."""
    dumps = named(resources, BUCKET, "-backups-dumps")
    lock = resource(
        OBJECT_LOCK,
        f"{dumps.name}-lock",
        {"bucket": bucket or dumps.props["bucket"], "rule": {"defaultRetention": {"mode": "GOVERNANCE", **retention}}},
    )
    return [*without(resources, OBJECT_LOCK), lock]


@stack_pass("dumps-bucket-object-lock")
@pytest.mark.parametrize("retention", [{"days": 35}, {"years": 1}], ids=["days", "years"])
def test_a_dumps_bucket_with_a_default_retention_passes(
    stack_resources: list[PolicyResource], retention: dict[str, object]
) -> None:
    assert stack_violations("dumps-bucket-object-lock", object_locked(stack_resources, retention), REQUIRED) == []


@stack_pass("dumps-bucket-object-lock")
def test_every_stack_locks_its_dumps_without_replacing_the_bucket(stack_resources: list[PolicyResource]) -> None:
    """A BucketObjectLockConfiguration enables Object Lock on the existing bucket; the bucket's own objectLockEnabled
    is ForceNew and would replace the bucket, so it is not asked for."""
    assert stack_violations("dumps-bucket-object-lock", stack_resources, REQUIRED) == []
    assert "objectLockEnabled" not in named(stack_resources, BUCKET, "-backups-dumps").props


@stack_fail("dumps-bucket-object-lock")
def test_a_dumps_bucket_without_object_lock_is_flagged_where_required(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    unlocked = without(stack_resources, OBJECT_LOCK)
    assert stack_violations("dumps-bucket-object-lock", unlocked) == []
    expected = f"dumps bucket {stack_config.name_prefix}-backups-dumps lets anyone allowed to delete a dump delete it at once"
    no_retention = object_locked(stack_resources, {})
    another_bucket = object_locked(stack_resources, {"days": 35}, bucket="another-bucket")
    for resources in (unlocked, no_retention, another_bucket):
        found = stack_violations("dumps-bucket-object-lock", resources, REQUIRED)
        assert [message.split(";")[0] for message in found] == [expected]
