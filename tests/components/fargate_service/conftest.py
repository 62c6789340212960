"""The Fargate service planned as each committed stack of the ecs layout: as committed, and with every optional part."""

from __future__ import annotations

import pytest

from stack_config import ServiceConfig, StackConfig
from tests.components.fargate_service.support import WITH_WORKERS
from tests.components.support import varied
from tests.stacks import config_of, planned, stacks_with_layout
from tooling.harness import Plan


@pytest.fixture(scope="session", params=stacks_with_layout("ecs"))
def ecs_stack(request: pytest.FixtureRequest) -> str:
    """Each committed stack of the ecs layout by name."""
    return request.param


@pytest.fixture(scope="session")
def config(ecs_stack: str) -> StackConfig:
    return config_of(ecs_stack)


@pytest.fixture(scope="session")
def plan(ecs_stack: str) -> Plan:
    return planned(ecs_stack)


@pytest.fixture(scope="session")
def with_workers(ecs_stack: str) -> Plan:
    return varied(ecs_stack, WITH_WORKERS)


@pytest.fixture(scope="session")
def service_config(config: StackConfig) -> ServiceConfig:
    assert config.service is not None, "every stack of the ecs layout configures its service"
    return config.service


@pytest.fixture(scope="session")
def without_cache(ecs_stack: str, config: StackConfig) -> Plan:
    """The stack without Redis, and so without RQ: as committed where it has none."""
    return planned(ecs_stack) if config.cache_mode == "none" else varied(ecs_stack, {"amy:cacheMode": "none"})
