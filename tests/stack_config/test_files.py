"""The stack file itself, read as the Pulumi CLI reads it: what it would refuse or read otherwise is refused, by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack_config.files import defaults, read_project, read_stack
from tooling.harness import ROOT


def read(tmp_path: Path, text: str | bytes) -> list[str]:
    """The problems of a stack file holding `text`, against the committed Pulumi.yaml."""
    declared, problems = read_project(ROOT)
    assert problems == []
    path = tmp_path / "Pulumi.unit.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return read_stack(tmp_path, "unit", declared).problems


# The file itself: what it holds, as YAML.
FILE_CASES = [
    ("a list", "- amy:layout: ecs\n", "Pulumi.unit.yaml must be a mapping with a `config:` section; got a list"),
    ("a scalar", "ecs\n", "Pulumi.unit.yaml must be a mapping with a `config:` section; got the value 'ecs'"),
    ("empty", "", "Pulumi.unit.yaml is empty; it needs a `config:` section"),
    ("only a comment", "# nothing\n", "Pulumi.unit.yaml is empty; it needs a `config:` section"),
    (
        "config a list",
        "config:\n  - amy:layout\n",
        "Pulumi.unit.yaml's `config:` must be a mapping of keys to values; got a list",
    ),
    ("config a scalar", "config: ecs\n", "Pulumi.unit.yaml's `config:` must be a mapping of keys to values; got the value 'ecs'"),
    ("no config", "secretsprovider: passphrase\n", "Pulumi.unit.yaml has no `config:` section"),
    (
        "a tab in indentation",
        "config:\n  amy:layout: ecs\n\tamy:region: us-east-1\n",
        "Pulumi.unit.yaml line 3, column 1: while scanning a plain scalar, found a tab character that violates indentation; "
        "YAML indents with spaces only",
    ),
    (
        "a duplicate key",
        "config:\n  amy:dbMultiAz: true\n  amy:layout: ecs\n  amy:dbMultiAz: false\n",
        "Pulumi.unit.yaml line 4, column 3: key 'amy:dbMultiAz' appears twice (lines 2 and 4); the last would win silently",
    ),
    (
        "a duplicate top-level section",
        "config:\n  amy:layout: ecs\nconfig:\n  amy:layout: legacy\n",
        "Pulumi.unit.yaml line 3, column 1: key 'config' appears twice (lines 1 and 3)",
    ),
    (
        "unclosed quote",
        'config:\n  amy:domain: "amy.example.org\n',
        "Pulumi.unit.yaml line 3, column 1: while scanning a quoted scalar, found unexpected end of stream",
    ),
    (
        "two documents",
        "config: {}\n---\nconfig: {}\n",
        "Pulumi.unit.yaml line 2, column 1: expected a single document in the stream, but found another document",
    ),
    ("not UTF-8", b"config:\n  amy:domain: \xff\xfe\n", "Pulumi.unit.yaml is not UTF-8 text (invalid start byte at byte 22)"),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in FILE_CASES], ids=[case[0] for case in FILE_CASES])
def test_a_stack_file_the_cli_would_refuse_is_refused_by_line(tmp_path: Path, text: str | bytes, expected: str) -> None:
    found = read(tmp_path, text)
    assert any(problem.startswith(expected) for problem in found), found


def test_a_misspelt_section_is_named_not_reported_as_eight_missing_keys(tmp_path: Path) -> None:
    assert read(tmp_path, "confg:\n  amy:layout: ecs\n") == [
        "Pulumi.unit.yaml has the top-level key 'confg'; did you mean config?",
        "Pulumi.unit.yaml has no `config:` section",
    ]


# Keys: every key in a namespace the program reads, and the namespace written.
KEY_CASES = [
    (
        "no namespace",
        "dbMultiAz: true",
        "Pulumi.unit.yaml: key 'dbMultiAz' has no namespace; write amy:dbMultiAz (the Pulumi CLI refuses unprefixed keys)",
    ),
    (
        "a misspelt namespace",
        "ammy:dbMultiAz: true",
        "Pulumi.unit.yaml: key 'ammy:dbMultiAz' is in no namespace this program reads; did you mean amy:dbMultiAz?",
    ),
    (
        "a provider's namespace",
        "aws:region: us-east-1",
        "Pulumi.unit.yaml: key 'aws:region' is in no namespace this program reads; did you mean amy:region?",
    ),
    (
        "an unknown namespace",
        "colour:hue: blue",
        "Pulumi.unit.yaml: key 'colour:hue' is in no namespace this program reads; this project reads amy and pulumi keys only",
    ),
    ("an array where a string belongs", "amy:domain: [a.example.org]", "amy:domain must be a single string; got a list"),
    ("a mapping where a number belongs", "amy:minTasks: {count: 2}", "amy:minTasks must be a single integer; got a mapping"),
    (
        "a string where an array belongs",
        "amy:importIds: database=amy",
        "amy:importIds must be a list of strings; got the value 'database=amy'",
    ),
    (
        "numbers in an array of strings",
        "amy:availabilityZones: [1, 2]",
        "amy:availabilityZones must be a list of strings; got a list",
    ),
]


@pytest.mark.parametrize(("line", "expected"), [case[1:] for case in KEY_CASES], ids=[case[0] for case in KEY_CASES])
def test_keys_outside_what_the_program_reads_are_refused(tmp_path: Path, line: str, expected: str) -> None:
    assert read(tmp_path, f"config:\n  {line}\n") == [expected]


# Secrets: no key of this project holds one.
def test_a_secure_value_on_a_key_that_holds_no_secret_is_refused(tmp_path: Path) -> None:
    """The program would use it as plain text, and under the CLI Pulumi would keep it unencrypted in the state."""
    assert read(tmp_path, "config:\n  amy:alarmEmail:\n    secure: AAABADQ5c2VjcmV0\n") == [
        "amy:alarmEmail is given as a secret (secure:), but it is not one: the program would use it as plain text and "
        "Pulumi would keep it unencrypted in the state; set it in plain text"
    ]


def test_a_secret_key_given_in_plain_text_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stack_config.files.SECRET_KEYS", frozenset({"amy:alarmEmail"}))
    assert read(tmp_path, "config:\n  amy:alarmEmail: ops@example.org\n") == [
        "amy:alarmEmail is a secret: set it with `pulumi config set --secret alarmEmail …`, never in plain text"
    ]


# YAML 1.2, as the CLI reads it, where PyYAML's YAML 1.1 would read something else.
@pytest.mark.parametrize(
    ("written", "handed_over"),
    [("yes", "yes"), ("on", "on"), ("true", "true"), ("True", "true"), ("010", "10"), ("1:30", "1:30"), ("0x10", "0x10")],
)
def test_values_are_read_as_the_cli_reads_them(tmp_path: Path, written: str, handed_over: str) -> None:
    declared, _ = read_project(ROOT)
    (tmp_path / "Pulumi.unit.yaml").write_text(f"config:\n  amy:maintenance: {written}\n")
    assert read_stack(tmp_path, "unit", declared).values == {"amy:maintenance": handed_over}


def test_the_committed_files_read_cleanly(stack: str) -> None:
    declared, problems = read_project(ROOT)
    assert problems == []
    assert read_stack(ROOT, stack, declared).problems == []
    assert defaults(declared)["amy:dbMultiAz"] == "true"
