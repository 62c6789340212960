"""Shared fixtures: each stack planned once per session through the one harness."""

from __future__ import annotations

import pytest

from tooling.harness import Plan, run


@pytest.fixture(scope="session")
def production() -> Plan:
    return run("production")


@pytest.fixture(scope="session")
def testing() -> Plan:
    return run("testing")


@pytest.fixture(scope="session", params=["production", "testing"])
def stack_plan(request: pytest.FixtureRequest, production: Plan, testing: Plan) -> Plan:
    return {"production": production, "testing": testing}[request.param]
