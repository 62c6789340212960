"""The guard: each policy module's tests, in the test module of the same name, cover every policy it defines."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from types import ModuleType

import pytest
from pulumi_policy import Policy

from support import ResourcePolicy
from tests.policies.pack import MODULES, Fail, Pass


def mirror_of(module: ModuleType) -> ModuleType:
    """The test module that mirrors a module of the pack: policies/rds.py is tested in tests/policies/test_rds.py."""
    return importlib.import_module(f"tests.policies.test_{module.__name__}")


def fixture_problems(policies: Iterable[Policy], passing: Sequence[Pass], failing: Sequence[Fail]) -> list[str]:
    """What is missing from the fixtures of one module's resource policies."""
    problems: list[str] = []
    for policy in policies:
        if not isinstance(policy, ResourcePolicy):
            continue
        if not any(case.policy == policy.name for case in passing):
            problems.append(f"{policy.name} has no passing fixture")
        if not any(case.policy == policy.name for case in failing):
            problems.append(f"{policy.name} has no failing fixture")
    return problems


@pytest.mark.parametrize("module", MODULES, ids=[module.__name__ for module in MODULES])
def test_every_resource_policy_has_a_passing_and_a_failing_fixture(module: ModuleType) -> None:
    tests = mirror_of(module)
    assert fixture_problems(module.policies(), getattr(tests, "PASSING", []), getattr(tests, "FAILING", [])) == []
