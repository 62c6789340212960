"""Each committed stack's resources as stack policies see them."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from tests.policies.pack import from_plan
from tooling.harness import Plan


@pytest.fixture(scope="session")
def stack_resources(stack_plan: Plan) -> list[PolicyResource]:
    return from_plan(stack_plan.registrations)
