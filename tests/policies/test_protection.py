"""protection.py: where required, the database, backup vault and dumps bucket are protected."""

from __future__ import annotations

from pulumi_policy import PolicyResource

from tests.policies.pack import stack_violations

REQUIRED = {"required": True}


def test_production_passes(production_resources: list[PolicyResource]) -> None:
    assert stack_violations("stateful-resources-protected", production_resources, REQUIRED) == []


def test_unprotected_stateful_resources_are_flagged_where_required(testing_resources: list[PolicyResource]) -> None:
    assert stack_violations("stateful-resources-protected", testing_resources) == []
    found = stack_violations("stateful-resources-protected", testing_resources, REQUIRED)
    assert sorted(message.split(" ")[1] for message in found) == [
        "amy-testing-backups-dumps",
        "amy-testing-backups-vault",
        "amy-testing-db-instance",
    ]
