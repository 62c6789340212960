"""The reader: raw strings parsed by kind, every problem collected and named with its key and what is allowed."""

from __future__ import annotations

import pytest

from stack_config import StackConfigError, load
from stack_config.reader import BUCKET_NAME, EMAIL, HTTPS_URL, Reader, is_domain
from tests.stack_config.support import BASE_STACK, config


def reader(**raw: str) -> Reader:
    return Reader({f"amy:{key}": value for key, value in raw.items()})


def test_a_missing_key_says_how_to_set_it() -> None:
    read = reader()
    assert read.integer("minTasks") is None
    assert read.problems == ["amy:minTasks is required (an integer); set it with `pulumi config set minTasks …`"]


def test_an_optional_key_may_be_unset() -> None:
    read = reader()
    assert read.optional("hostAmiId") is None
    assert read.string_list("importIds") is None
    assert read.email("alarmEmail", "for the alarms", required=False) is None
    assert read.problems == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("false", False), ("True", True), (" FALSE ", False)],
)
def test_booleans_are_true_or_false(raw: str, expected: bool) -> None:
    read = reader(maintenance=raw)
    assert read.boolean("maintenance") is expected
    assert read.problems == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [('["a", "b"]', ("a", "b")), ("[]", ())],
)
def test_lists_are_json_lists_of_strings(raw: str, expected: tuple[str, ...]) -> None:
    read = reader(importIds=raw)
    assert read.string_list("importIds") == expected
    assert read.problems == []


@pytest.mark.parametrize("raw", ["a", "[1, 2]", '{"a": "b"}', '["a"'])
def test_anything_else_is_not_a_list_of_strings(raw: str) -> None:
    read = reader(importIds=raw)
    assert read.string_list("importIds") is None
    assert read.problems == [f"amy:importIds must be a list of strings, got {raw!r}"]


def test_bounds_are_inclusive() -> None:
    read = reader(low="1", high="50", over="51")
    assert (read.bounded("low", 1, 50), read.bounded("high", 1, 50), read.bounded("over", 1, 50, " tasks")) == (1, 50, None)
    assert read.problems == ["amy:over must be between 1 and 50 tasks; got 51"]


def test_every_problem_is_collected_instead_of_stopping_at_the_first() -> None:
    read = reader(layout="swarm", minTasks="two", acmeDirectory="http://example.org")
    read.choice("layout", ("legacy", "ecs"))
    read.integer("minTasks")
    read.https_url("acmeDirectory")
    read.string("region")
    assert [problem.split()[0] for problem in read.problems] == ["amy:layout", "amy:minTasks", "amy:acmeDirectory", "amy:region"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("carpentries.org", True),
        ("amy.carpentries.org", True),
        ("test-amy-static.carpentries.org", True),
        ("localhost", False),
        ("AMY.carpentries.org", False),
        ("amy..carpentries.org", False),
        ("-amy.carpentries.org", False),
        ("amy-.carpentries.org", False),
        (f"{'a' * 64}.org", False),
        (".".join(["a" * 63] * 4), False),
    ],
)
def test_domains_are_lower_case_dns_names(name: str, expected: bool) -> None:
    assert is_domain(name) is expected


def test_shared_patterns_accept_what_they_describe() -> None:
    assert EMAIL.fullmatch("team@carpentries.org")
    assert not EMAIL.fullmatch("team at carpentries.org")
    assert not EMAIL.fullmatch("team@carpentries")
    assert BUCKET_NAME.fullmatch("carpentries-amy-attachments")
    assert not BUCKET_NAME.fullmatch("Carpentries_AMY")
    assert HTTPS_URL.fullmatch("https://acme-staging-v02.api.letsencrypt.org/directory")
    assert HTTPS_URL.fullmatch("https://localhost:14000/dir")
    assert not HTTPS_URL.fullmatch("http://acme.example.org/dir")


def test_the_error_names_the_stack_and_counts_the_problems() -> None:
    with pytest.raises(StackConfigError) as raised:
        load(BASE_STACK, config(layout="swarm", cacheMode="x"))
    message = str(raised.value)
    assert message.startswith(f"stack {BASE_STACK!r}: 2 configuration problem(s):")
    assert "\n  - amy:layout must be one of legacy, ecs" in message
    assert raised.value.stack == BASE_STACK
    assert len(raised.value.problems) == 2
