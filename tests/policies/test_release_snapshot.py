"""release_snapshot.py: the version the web tier deploys has its database snapshot."""

from __future__ import annotations

from pulumi_policy import PolicyResource

from tests.policies.pack import replaced, stack_violations, without


def test_production_passes(production_resources: list[PolicyResource]) -> None:
    assert stack_violations("release-snapshot", production_resources) == []


def test_testing_passes(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("release-snapshot", testing_resources) == []


def test_a_release_without_its_snapshot_is_flagged(
    production_resources: list[PolicyResource], testing_resources: list[PolicyResource]
) -> None:
    for resources, layout in ((production_resources, "legacy"), (testing_resources, "ecs")):
        [message] = stack_violations("release-snapshot", without(resources, "aws:rds/snapshot:Snapshot"))
        assert message.startswith("release v4.7.2 is deployed without a database snapshot named v4-7-2-YYYY-MM-DD"), layout


def test_a_snapshot_of_another_version_does_not_count(production_resources: list[PolicyResource]) -> None:
    other = replaced(production_resources, "aws:rds/snapshot:Snapshot", dbSnapshotIdentifier="v4-7-1-2026-01-10")
    assert len(stack_violations("release-snapshot", other)) == 1
