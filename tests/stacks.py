"""The committed stacks, found as Pulumi.<stack>.yaml: each planned once per test session, and its loaded config."""

from __future__ import annotations

from functools import cache

import stack_config
from stack_config import StackConfig
from tooling.harness import Plan, known_stacks, run, stack_config_values
from tooling.policy_check import check, policy_server

STACKS = tuple(known_stacks())
# A name the Pulumi CLI refuses as a stack name (spaces), so no stack file can ever be called this.
NO_SUCH_STACK = "no such stack"


@cache
def planned(stack: str) -> Plan:
    """The stack as committed, planned once."""
    return run(stack)


@cache
def plan_exit_status(stack: str) -> int:
    """What `bin/plan <stack>` exits with for the committed stack: 1 while the pack finds a mandatory violation
    in it (tests/tooling/test_policy_check.py says which may, for now), else 0."""
    with policy_server() as server:
        return 1 if check(server, planned(stack)).mandatory else 0


@cache
def config_of(stack: str) -> StackConfig:
    """The stack's config as the program loads it."""
    values, _ = stack_config_values(stack)
    return stack_config.load(stack, values)


def stacks_with_layout(layout: str) -> tuple[str, ...]:
    return tuple(stack for stack in STACKS if config_of(stack).layout == layout)
