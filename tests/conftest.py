"""Shared fixtures: every committed stack planned once per session through the one harness."""

from __future__ import annotations

import pytest

from stack_config import StackConfig
from tests.stacks import STACKS, config_of, planned
from tooling.harness import Plan


@pytest.fixture(scope="session")
def production() -> Plan:
    return planned("production")


@pytest.fixture(scope="session")
def testing() -> Plan:
    return planned("testing")


@pytest.fixture(scope="session", params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    """Each committed stack by name."""
    return request.param


@pytest.fixture(scope="session")
def stack_plan(stack: str) -> Plan:
    return planned(stack)


@pytest.fixture(scope="session")
def stack_config(stack: str) -> StackConfig:
    return config_of(stack)
