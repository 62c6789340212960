"""The whole stack config: every committed stack loads, every key is declared, bad input gets one error naming every problem."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from dataclasses import FrozenInstanceError, fields, is_dataclass
from typing import Any

import pytest

import stack_config
from stack_config import KEY_TYPES, StackConfig, StackConfigError, load, unknown_keys
from stack_config.stack import KEYS as TOP_LEVEL_KEYS
from tests.stack_config.support import BASE_STACK, declared, problems, project_config, stack_file
from tests.stacks import NO_SUCH_STACK
from tooling.harness import ROOT, ProgramError, encode_config_value, run

# What every stack must set: Pulumi.yaml can give these no default.
REQUIRED_KEYS = ("layout", "region", "zoneId", "zoneName", "domain", "staticDomain", "appVersion", "cacheMode")
BACKTICKED_KEY = re.compile(r"^`(\w+)`$")
# The line under a Markdown table's headings: |---|:---:|
HEADING_RULE = re.compile(r"^:?-+:?$")


def test_every_stack_loads_with_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.stack == stack
    assert {
        "layout": stack_config.layout,
        "region": stack_config.region,
        "protectStatefulResources": stack_config.protect_stateful_resources,
        "logRetentionDays": stack_config.log_retention_days,
        "alarmEmail": stack_config.alarm_email,
        "emailAttachmentsBucket": stack_config.email_attachments_bucket,
    } == {key: declared(stack, key) for key in TOP_LEVEL_KEYS}


def test_the_loaded_config_is_frozen(stack_config: StackConfig) -> None:
    sections = [getattr(stack_config, field.name) for field in fields(stack_config)]
    for value in [stack_config, *(section for section in sections if is_dataclass(section))]:
        with pytest.raises(FrozenInstanceError):
            setattr(value, fields(value)[0].name, None)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"layout": "kubernetes"}, "amy:layout must be one of legacy, ecs; got 'kubernetes'"),
        ({"layout": None}, "amy:layout is required"),
        ({"region": "mars-north-1a"}, "amy:region must be an AWS region"),
        ({"logRetentionDays": 10}, "amy:logRetentionDays must be a period CloudWatch Logs accepts"),
        ({"logRetentionDays": 3}, "amy:logRetentionDays must be at least 7 days; got 3"),
        ({"protectStatefulResources": "maybe"}, "amy:protectStatefulResources must be true or false, got 'maybe'"),
        ({"alarmEmail": "team at carpentries"}, "amy:alarmEmail must be an e-mail address for the alarms"),
        ({"emailAttachmentsBucket": "AMY_attachments"}, "amy:emailAttachmentsBucket must be an S3 bucket name"),
    ],
)
def test_bad_top_level_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found


def test_an_unknown_key_is_refused_with_the_closest_known_one() -> None:
    assert "amy:dbBackupRetentionDay is not a key this program reads; did you mean amy:dbBackupRetentionDays?" in problems(
        dbBackupRetentionDay=7
    )
    assert "amy:shoeSize is not a key this program reads" in problems(shoeSize=42)


def test_only_the_project_and_engine_namespaces_are_read() -> None:
    """A key in another namespace would be ignored: `ammy:dbMultiAz` is a typo, `aws:region` configures no provider the
    program uses (it makes its own, from amy:region)."""
    assert unknown_keys({"pulumi:disable-default-providers": '["aws"]', "amy:layout": "ecs"}) == []
    assert unknown_keys({"ammy:dbMultiAz": "true", "aws:region": "us-east-1"}) == [
        "ammy:dbMultiAz is in no namespace this program reads (amy, pulumi); did you mean amy:dbMultiAz?",
        "aws:region is in no namespace this program reads (amy, pulumi); did you mean amy:region?",
    ]


def test_every_problem_is_reported_at_once() -> None:
    found = problems(layout="swarm", dbBackupRetentionDays=1, domain="nope", zoneId=None, logRetentionDays=2)
    assert len(found) == 5
    for key in ("layout", "dbBackupRetentionDays", "domain", "zoneId", "logRetentionDays"):
        assert any(problem.startswith(f"amy:{key} ") for problem in found), (key, found)


def test_bad_config_stops_the_program_before_any_resource_is_registered() -> None:
    with pytest.raises(ProgramError) as raised:
        run(BASE_STACK, {"amy:dbBackupRetentionDays": 1, "amy:layout": "swarm"})
    assert "amy:dbBackupRetentionDays must be between 7 and 35 days; got 1" in str(raised.value)
    assert "amy:layout must be one of legacy, ecs" in str(raised.value)
    assert raised.value.registrations == []


def test_key_types_are_every_section_keys_and_each_key_is_in_one_section() -> None:
    sections = [importlib.import_module(f"stack_config.{module.name}") for module in pkgutil.iter_modules(stack_config.__path__)]
    keys = [section.KEYS for section in sections if hasattr(section, "KEYS")]
    assert [key for key, count in Counter(key for section in keys for key in section).items() if count > 1] == []
    assert {key: type_ for section in keys for key, type_ in section.items()} == KEY_TYPES


def test_pulumi_yaml_declares_every_key_the_program_reads_with_its_type() -> None:
    assert {key: spec["type"] for key, spec in project_config().items()} == KEY_TYPES
    for key, spec in project_config().items():
        assert spec.get("description"), f"{key} has no description"


def test_stack_files_set_only_declared_keys_and_no_secret_in_clear(stack: str) -> None:
    for key, value in stack_file(stack).items():
        namespace, _, name = key.partition(":")
        assert namespace in ("amy", "pulumi"), key
        if namespace == "amy":
            assert name in KEY_TYPES, key
        assert "secret" not in name.lower() or isinstance(value, dict), f"{key} holds a secret in clear"


def test_defaults_alone_are_incomplete_and_say_which_keys_to_set() -> None:
    defaults = {f"amy:{key}": encode_config_value(spec["default"]) for key, spec in project_config().items() if "default" in spec}
    with pytest.raises(StackConfigError) as raised:
        load("fresh", defaults)
    required = [problem for problem in raised.value.problems if " is required " in problem]
    assert required == [f"amy:{key} is required (a string); set it with `pulumi config set {key} …`" for key in REQUIRED_KEYS]


def readme_config_rows() -> dict[str, dict[str, str]]:
    """Each README table row whose first cell is a backticked config key, by its table's column headings."""
    rows: dict[str, dict[str, str]] = {}
    headings: list[str] = []
    previous: list[str] = []
    for line in (ROOT / "README.md").read_text().splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        key = BACKTICKED_KEY.match(cells[0])
        if all(HEADING_RULE.match(cell) for cell in cells):
            headings = previous
        elif key and key[1] in KEY_TYPES:
            rows[key[1]] = dict(zip(headings, cells, strict=True))
        previous = cells
    return rows


def test_readme_table_lists_every_key_with_its_type_and_default() -> None:
    rows = readme_config_rows()
    assert set(rows) == set(KEY_TYPES)
    for key, row in rows.items():
        spec = project_config()[key]
        assert row["type"] == spec["type"], key
        if "default" in spec:
            assert row["default"] == f"`{encode_config_value(spec['default'])}`", key
        else:
            assert not row["default"].startswith("`"), key


@pytest.mark.parametrize("name", ["Production", "prod env", "-prod", "prod-", "pr--od", "a" * 25, "9lives", NO_SUCH_STACK])
def test_a_stack_name_that_cannot_name_resources_is_refused(name: str) -> None:
    with pytest.raises(StackConfigError) as raised:
        load(name, {})
    [problem] = raised.value.problems
    assert problem.startswith(f"the stack's name {name!r} must be 1-24 lower-case letters, digits or single hyphens")


def test_the_longest_stack_name_fits_every_name_it_makes() -> None:
    assert len(f"amy-{'a' * 24}-web") == 32
