"""The stack config: both committed stacks load; bad input gets one error naming every problem."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

import stack_config
from stack_config import StackConfigError, load
from tooling.harness import ROOT, ProgramError, encode_config_value, run, stack_config_values


def config(stack: str = "production", **overrides: Any) -> dict[str, str]:
    """The committed config of `stack` with `amy:` keys overridden (None removes one)."""
    values, _ = stack_config_values(stack, {f"amy:{key}": value for key, value in overrides.items()})
    return values


def problems(stack: str = "production", **overrides: Any) -> list[str]:
    with pytest.raises(StackConfigError) as raised:
        load(stack, config(stack, **overrides))
    return raised.value.problems


def test_production_loads_as_the_legacy_layout_with_long_retention() -> None:
    loaded = load("production", config("production"))
    assert loaded.layout == "legacy"
    assert loaded.cache_mode == "local"
    assert loaded.database.backup_retention_days == 35
    assert loaded.backup.daily_retention_days == 35
    assert loaded.backup.monthly_retention_days == 365
    assert loaded.backup.restore_testing is True
    assert loaded.log_retention_days == 365
    assert loaded.protect_stateful_resources is True
    assert loaded.database.deletion_protection is True
    assert loaded.network.availability_zones == ("us-east-1a", "us-east-1b")


def test_testing_loads_as_the_ecs_layout_with_short_retention() -> None:
    loaded = load("testing", config("testing"))
    assert loaded.layout == "ecs"
    assert loaded.cache_mode == "none"
    assert loaded.database.backup_retention_days == 7
    assert loaded.log_retention_days == 30
    assert loaded.protect_stateful_resources is False


def test_config_is_frozen() -> None:
    loaded = load("testing", config("testing"))
    with pytest.raises(AttributeError):
        loaded.layout = "legacy"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"layout": "kubernetes"}, "amy:layout must be one of legacy, ecs; got 'kubernetes'"),
        ({"layout": None}, "amy:layout is required"),
        ({"region": "mars-north-1a"}, "amy:region must be an AWS region"),
        ({"logRetentionDays": 10}, "amy:logRetentionDays must be a period CloudWatch Logs accepts"),
        ({"logRetentionDays": 3}, "amy:logRetentionDays must be at least 7 days; got 3"),
        (
            {"dbBackupRetentionDay": 7},
            "amy:dbBackupRetentionDay is not a key this program reads; did you mean amy:dbBackupRetentionDays?",
        ),
    ],
)
def test_bad_input_is_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems(layout="swarm", dbBackupRetentionDays=1, domain="nope", zoneId=None, logRetentionDays=2)
    assert len(found) == 5
    for key in ("layout", "dbBackupRetentionDays", "domain", "zoneId", "logRetentionDays"):
        assert any(problem.startswith(f"amy:{key} ") for problem in found), (key, found)


def test_bad_config_stops_the_program_before_any_resource_is_registered() -> None:
    with pytest.raises(ProgramError) as raised:
        run("production", {"amy:dbBackupRetentionDays": 1, "amy:layout": "swarm"})
    assert "amy:dbBackupRetentionDays must be between 7 and 35 days; got 1" in str(raised.value)
    assert "amy:layout must be one of legacy, ecs" in str(raised.value)
    assert raised.value.registrations == []


def test_pulumi_yaml_declares_every_key_the_program_reads_with_its_type() -> None:
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert {key: spec["type"] for key, spec in declared.items()} == stack_config.KEY_TYPES
    for key, spec in declared.items():
        assert spec.get("description"), f"{key} has no description"


def test_stack_files_set_only_declared_keys_and_no_secret_in_clear() -> None:
    for stack in ("production", "testing"):
        stack_values = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        for key, value in stack_values.items():
            namespace, _, name = key.partition(":")
            assert namespace in ("amy", "pulumi"), key
            if namespace == "amy":
                assert name in stack_config.KEY_TYPES, key
            assert "secret" not in name.lower() or isinstance(value, dict), f"{key} holds a secret in clear"


def test_defaults_alone_are_incomplete_and_say_which_keys_to_set() -> None:
    defaults, _ = stack_config_values("testing")
    only_defaults = {key: value for key, value in defaults.items() if key.startswith("amy:")}
    for key in ("layout", "region", "domain", "staticDomain", "zoneId", "zoneName", "cacheMode", "appVersion"):
        only_defaults.pop(f"amy:{key}", None)
    with pytest.raises(StackConfigError) as raised:
        load("new-stack", only_defaults)
    assert "amy:layout is required (a string); set it with `pulumi config set layout …`" in raised.value.problems


def test_readme_table_lists_every_key_with_its_type_and_default() -> None:
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`") and cells[0].strip("`") in stack_config.KEY_TYPES:
            rows[cells[0].strip("`")] = cells
    assert set(rows) == set(stack_config.KEY_TYPES)
    for key, (_, type_, default, *_rest) in rows.items():
        assert type_ == declared[key]["type"], key
        if "default" in declared[key]:
            assert default == f"`{encode_config_value(declared[key]['default'])}`", key
        else:
            assert not default.startswith("`"), key
