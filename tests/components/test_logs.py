"""Log groups alone: every source of both layouts, one retention, names stable."""

from __future__ import annotations

from components.logs import HOST_SOURCES, SERVICE_SOURCES, Logs, LogsArgs, log_sources
from tooling.harness import record


def test_every_host_and_service_source_has_one_group_with_the_retention() -> None:
    plan = record("unit", lambda: Logs("logs", LogsArgs(stack="unit", retention_days=90, protect=True)))
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    names = sorted(g.inputs["name"] for g in groups)
    assert names == sorted(f"/amy/unit/{source}" for source in set(HOST_SOURCES) | set(SERVICE_SOURCES))
    assert len(HOST_SOURCES) == 9
    assert all(g.inputs["retentionInDays"] == 90 and g.protect for g in groups)


def test_groups_outlive_a_destroy_protected_or_retained() -> None:
    """Protected where the stack protects (no update or destroy deletes them); elsewhere `pulumi destroy` leaves
    them in the account."""
    protected = record("unit", lambda: Logs("logs", LogsArgs(stack="unit", retention_days=90, protect=True)))
    assert {(g.protect, g.retain_on_delete) for g in protected.registrations if g.custom} == {(True, False)}
    unprotected = record("unit", lambda: Logs("logs", LogsArgs(stack="unit", retention_days=90, protect=False)))
    assert {(g.protect, g.retain_on_delete) for g in unprotected.registrations if g.custom} == {(False, True)}


def test_sources_are_listed_once_in_a_stable_order() -> None:
    sources = log_sources()
    assert len(sources) == len(set(sources))
    assert sources[: len(HOST_SOURCES)] == HOST_SOURCES
