"""release_snapshot.py: the version the web tier deploys has its database snapshot, whatever the layout."""

from __future__ import annotations

import dataclasses

import pytest
from pulumi_policy import PolicyResource

from stack_config import StackConfig
from tests.policies.pack import replaced, stack_fail, stack_pass, stack_violations, without

SNAPSHOT = "aws:rds/snapshot:Snapshot"


def missing_snapshot(config: StackConfig) -> str:
    return (
        f"release {config.app_version} is deployed without a database snapshot named "
        f"{config.app_version.slug}-<database>-YYYY-MM-DD-HHMM; "
        "take the pre-release snapshot (the Database component's release snapshot) before deploying"
    )


@stack_pass("release-snapshot")
def test_every_stack_snapshots_its_release(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("release-snapshot", stack_resources) == []


@stack_fail("release-snapshot")
def test_a_release_without_its_snapshot_is_flagged(stack_resources: list[PolicyResource], stack_config: StackConfig) -> None:
    assert stack_violations("release-snapshot", without(stack_resources, SNAPSHOT)) == [missing_snapshot(stack_config)]


@stack_fail("release-snapshot")
@pytest.mark.parametrize(
    "name",
    [
        "{other}-{database}-2026-01-10-0930",
        "{release}",
        "{release}-final",
        # The operators' old name: one per version and day, which another stack in the account or a same-day
        # redeploy cannot take again.
        "{release}-2026-01-10",
        "{release}-{database}-2026-01-10",
        "{release}-someone-elses-db-2026-01-10-0930",
    ],
)
def test_a_snapshot_not_named_for_the_release_its_database_and_the_minute_does_not_count(
    stack_resources: list[PolicyResource], stack_config: StackConfig, name: str
) -> None:
    release = stack_config.app_version
    other = dataclasses.replace(release, patch=release.patch + 1)
    renamed = replaced(
        stack_resources,
        SNAPSHOT,
        dbSnapshotIdentifier=name.format(release=release.slug, other=other.slug, database=stack_config.database.identifier),
    )
    assert stack_violations("release-snapshot", renamed) == [missing_snapshot(stack_config)]
