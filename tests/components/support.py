"""What the component tests share: committed stacks planned with a variation (once per session), and their alarms."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import stack_config
from stack_config import CacheMode, Layout, StackConfig
from stack_config.cache import CACHE_MODES_BY_LAYOUT
from tests.stack_config.support import RQ_RELEASE
from tests.stacks import config_of, planned
from tooling.harness import Plan, run, stack_config_values

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def varied(stack: str, overrides: Mapping[str, Any]) -> Plan:
    """`stack` planned with `overrides` (full keys like `amy:cacheMode`), once per session for the same overrides."""
    return _varied(stack, tuple(sorted(overrides.items())))


@cache
def _varied(stack: str, overrides: tuple[tuple[str, Any], ...]) -> Plan:
    return run(stack, dict(overrides))


def varied_config(stack: str, overrides: Mapping[str, Any]) -> StackConfig:
    """The config `varied(stack, overrides)` runs with, as the program loads it."""
    values, _ = stack_config_values(stack, overrides)
    return stack_config.load(stack, values)


def redis_mode(layout: Layout) -> CacheMode:
    """The cacheMode that gives a stack of `layout` Redis, and so RQ: the host's own, or ElastiCache."""
    modes: list[CacheMode] = [mode for mode in CACHE_MODES_BY_LAYOUT[layout] if mode != "none"]
    [mode] = modes
    return mode


def cache_overrides(mode: CacheMode) -> dict[str, str]:
    """Overrides for `mode`: a cache comes with a release that has RQ, which only it serves."""
    return {"amy:cacheMode": mode} if mode == "none" else {"amy:cacheMode": mode, "amy:appVersion": RQ_RELEASE}


def with_redis(stack: str) -> Plan:
    """`stack` with Redis for RQ in its layout's way: as committed where it has it."""
    layout = config_of(stack).layout
    if config_of(stack).cache_mode == redis_mode(layout):
        return planned(stack)
    return varied(stack, cache_overrides(redis_mode(layout)))


def metric_alarms(plan: Plan) -> dict[str, dict[str, Any]]:
    """The stack's CloudWatch alarms' inputs, by name without the `amy-<stack>-` prefix."""
    return {a.inputs["name"].split(f"amy-{plan.stack}-", 1)[1]: a.inputs for a in plan.of_type(METRIC_ALARM)}
