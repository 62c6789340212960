"""The committed stacks' resources as stack policies see them."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from tests.policies.pack import from_plan
from tooling.harness import Plan


@pytest.fixture(scope="session")
def production_resources(production: Plan) -> list[PolicyResource]:
    return from_plan(production.registrations)


@pytest.fixture(scope="session")
def testing_resources(testing: Plan) -> list[PolicyResource]:
    return from_plan(testing.registrations)
