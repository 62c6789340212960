"""Helpers for the stack config's tests: a committed stack's config with overrides, and what its stack file says."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml

from stack_config import StackConfig, StackConfigError, load
from stack_config.releases import RELEASES
from tooling.harness import ROOT, stack_config_values

# The stack bad values are tried on: any valid stack would do; cases that depend on the layout set it.
BASE_STACK = "production"
# The first release with RQ (django-rq), which a cache needs.
RQ_RELEASE = str(next(shape.first for shape in RELEASES if shape.django_rq))


def config(stack: str = BASE_STACK, **overrides: Any) -> dict[str, str]:
    """The committed config of `stack`, as the CLI passes it, with `amy:` keys overridden (None removes one)."""
    values, _ = stack_config_values(stack, {f"amy:{key}": value for key, value in overrides.items()})
    return values


def loaded(stack: str = BASE_STACK, **overrides: Any) -> StackConfig:
    return load(stack, config(stack, **overrides))


def problems(stack: str = BASE_STACK, **overrides: Any) -> list[str]:
    """Every problem `load` finds in the config of `stack` with `overrides`; it must find one."""
    with pytest.raises(StackConfigError) as raised:
        loaded(stack, **overrides)
    return raised.value.problems


@cache
def project_config() -> dict[str, Any]:
    """Pulumi.yaml's declaration of each key: its type, description and default."""
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]


@cache
def stack_file(stack: str) -> dict[str, Any]:
    """What Pulumi.<stack>.yaml sets, by full key."""
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]


def declared(stack: str, key: str) -> Any:
    """`amy:<key>` as Pulumi.<stack>.yaml sets it, else Pulumi.yaml's default, else None; lists as tuples."""
    value = stack_file(stack).get(f"amy:{key}", project_config()[key].get("default"))
    return tuple(value) if isinstance(value, list) else value
