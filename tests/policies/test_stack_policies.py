"""Each stack policy passes the committed stacks and flags each way a stack can fall short."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from tests.policies.pack import from_plan, resource, stack_violations
from tooling.harness import Plan


@pytest.fixture(scope="module")
def production_resources(production: Plan) -> list[PolicyResource]:
    return from_plan(production.registrations)


@pytest.fixture(scope="module")
def testing_resources(testing: Plan) -> list[PolicyResource]:
    return from_plan(testing.registrations)


def without(resources: list[PolicyResource], type_: str, name_suffix: str = "") -> list[PolicyResource]:
    return [r for r in resources if not (r.resource_type == type_ and r.name.endswith(name_suffix))]


def replaced(resources: list[PolicyResource], type_: str, **changes: object) -> list[PolicyResource]:
    return [
        resource(r.resource_type, r.name, {**r.props, **changes}, r.opts.protect) if r.resource_type == type_ else r
        for r in resources
    ]


REQUIRED = {"required": True}


@pytest.mark.parametrize(
    ("policy", "config"),
    [
        ("database-backup-selection", None),
        ("database-restore-testing", REQUIRED),
        ("dumps-bucket-protected", None),
        ("release-snapshot", None),
        ("stateful-resources-protected", REQUIRED),
    ],
)
def test_production_passes(production_resources: list[PolicyResource], policy: str, config: dict | None) -> None:
    assert stack_violations(policy, production_resources, config) == []


@pytest.mark.parametrize("policy", ["database-backup-selection", "dumps-bucket-protected", "release-snapshot"])
def test_testing_passes(testing_resources: list[PolicyResource], policy: str) -> None:
    assert stack_violations(policy, testing_resources) == []


def test_a_database_outside_every_backup_selection_is_flagged(production_resources: list[PolicyResource]) -> None:
    found = stack_violations(
        "database-backup-selection", without(production_resources, "aws:backup/selection:Selection", "-database")
    )
    assert found == ["database amy-production-db-instance is in no AWS Backup selection; add its ARN to the plan's selection"]


def test_restore_testing_is_demanded_only_where_required(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("database-restore-testing", testing_resources) == []
    [message] = stack_violations("database-restore-testing", testing_resources, REQUIRED)
    assert "no AWS Backup restore test covers database amy-testing-db-instance" in message


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


def test_a_release_without_its_snapshot_is_flagged(
    production_resources: list[PolicyResource], testing_resources: list[PolicyResource]
) -> None:
    for resources, layout in ((production_resources, "legacy"), (testing_resources, "ecs")):
        [message] = stack_violations("release-snapshot", without(resources, "aws:rds/snapshot:Snapshot"))
        assert message.startswith("release v4.7.2 is deployed without a database snapshot named v4-7-2-YYYY-MM-DD"), layout


def test_a_snapshot_of_another_version_does_not_count(production_resources: list[PolicyResource]) -> None:
    other = replaced(production_resources, "aws:rds/snapshot:Snapshot", dbSnapshotIdentifier="v4-7-1-2026-01-10")
    assert len(stack_violations("release-snapshot", other)) == 1


def test_unprotected_stateful_resources_are_flagged_where_required(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("stateful-resources-protected", testing_resources) == []
    found = stack_violations("stateful-resources-protected", testing_resources, REQUIRED)
    assert sorted(message.split(" ")[1] for message in found) == [
        "amy-testing-backups-dumps",
        "amy-testing-backups-vault",
        "amy-testing-db-instance",
    ]
