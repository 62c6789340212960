"""The guard: each module of the pack is tested in its mirror, tests/policies/test_<module>.py, and every policy
there is shown both ways. A resource policy needs a passing and a failing fixture, each of a type the policy
checks (a fixture of any other type passes whatever the policy does); a stack policy needs a test marked
`stack_pass` and one marked `stack_fail`."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from types import ModuleType

import pytest
from pulumi_policy import Policy, ResourceValidationPolicy, StackValidationPolicy

import elasticache
import release_snapshot
from support import ResourcePolicy
from tests.policies.pack import MODULES, Fail, Pass, shown_by, stack_fail, stack_pass
from tests.policies.test_elasticache import FAILING as ELASTICACHE_FAILING
from tests.policies.test_elasticache import PASSING as ELASTICACHE_PASSING
from tooling.harness import ROOT

IDS = [module.__name__ for module in MODULES]


def mirror_of(module: ModuleType) -> ModuleType:
    """The test module of a module of the pack: policies/rds.py is tested in tests/policies/test_rds.py."""
    return importlib.import_module(f"tests.policies.test_{module.__name__}")


def fixture_problems(policies: Iterable[Policy], passing: Sequence[Pass], failing: Sequence[Fail]) -> list[str]:
    """What is wrong with the fixtures of one module's resource policies."""
    policies = list(policies)
    checked = {policy.name: policy.resource_types for policy in policies if isinstance(policy, ResourcePolicy)}
    problems = [
        f"{policy.name} does not say which types it checks; build it with support.resource_policy"
        for policy in policies
        if isinstance(policy, ResourceValidationPolicy) and not isinstance(policy, ResourcePolicy)
    ]
    for name in checked:
        if not any(case.policy == name for case in passing):
            problems.append(f"{name} has no passing fixture")
        if not any(case.policy == name for case in failing):
            problems.append(f"{name} has no failing fixture")
    for kind, cases in (("passing", passing), ("failing", failing)):
        for case in cases:
            if case.policy not in checked:
                problems.append(f"a {kind} fixture names {case.policy}, no resource policy of this module")
            elif case.type_ not in checked[case.policy]:
                problems.append(f"a {kind} fixture of {case.policy} has type {case.type_}, which the policy does not check")
    return problems


def stack_test_problems(policies: Iterable[Policy], tests: ModuleType) -> list[str]:
    """What is missing from the tests of one module's stack policies."""
    names = {policy.name for policy in policies if isinstance(policy, StackValidationPolicy)}
    shown = {
        shows
        for attribute, test in vars(tests).items()
        if attribute.startswith("test_") and callable(test)
        for shows in shown_by(test)
    }
    problems: list[str] = []
    for name in sorted(names):
        problems += [f"{name} has no test marked stack_{outcome}" for outcome in ("pass", "fail") if (name, outcome) not in shown]
    problems += [f"a test is marked for {name}, no stack policy of this module" for name in sorted({n for n, _ in shown} - names)]
    return problems


def test_every_module_of_the_pack_is_tested() -> None:
    modules = {path.stem for path in (ROOT / "policies").glob("*.py")} - {"__main__", "support"}
    assert modules == {module.__name__ for module in MODULES}


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_resource_policy_has_a_passing_and_a_failing_fixture_of_a_type_it_checks(module: ModuleType) -> None:
    tests = mirror_of(module)
    assert fixture_problems(module.policies(), getattr(tests, "PASSING", []), getattr(tests, "FAILING", [])) == []


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_stack_policy_has_a_test_that_it_passes_a_stack_and_flags_a_mutation(module: ModuleType) -> None:
    assert stack_test_problems(module.policies(), mirror_of(module)) == []


def test_the_guard_refuses_a_passing_fixture_of_a_type_the_policy_ignores() -> None:
    # The old passing fixture of elasticache-no-plain-cluster: a replication group, which that policy never looks at.
    ignored = Pass("elasticache-no-plain-cluster", "aws:elasticache/replicationGroup:ReplicationGroup", {})
    assert fixture_problems(elasticache.policies(), [*ELASTICACHE_PASSING, ignored], ELASTICACHE_FAILING) == [
        "a passing fixture of elasticache-no-plain-cluster has type aws:elasticache/replicationGroup:ReplicationGroup, "
        "which the policy does not check"
    ]


def test_the_guard_wants_both_fixtures_of_each_resource_policy_in_its_own_module() -> None:
    passing = [case for case in ELASTICACHE_PASSING if case.policy != "elasticache-encrypted-at-rest"]
    stranger = Fail("rds-not-public", "aws:rds/instance:Instance", {"publiclyAccessible": True}, "publiclyAccessible")
    assert fixture_problems(elasticache.policies(), passing, [*ELASTICACHE_FAILING, stranger]) == [
        "elasticache-encrypted-at-rest has no passing fixture",
        "a failing fixture names rds-not-public, no resource policy of this module",
    ]


def test_the_guard_wants_a_stack_policy_shown_failing_too() -> None:
    tests = ModuleType("tests.policies.test_release_snapshot_without_failures")

    @stack_pass("release-snapshot")
    def test_passes() -> None: ...

    @stack_fail("release-snapshot")
    def helper() -> None: ...

    vars(tests).update(test_passes=test_passes, helper=helper)
    assert stack_test_problems(release_snapshot.policies(), tests) == ["release-snapshot has no test marked stack_fail"]


def test_the_guard_refuses_a_resource_policy_that_hides_its_types() -> None:
    hidden = ResourceValidationPolicy("hidden", "Checks something.", lambda _args, _report: None)
    assert fixture_problems([hidden], [], []) == [
        "hidden does not say which types it checks; build it with support.resource_policy"
    ]
