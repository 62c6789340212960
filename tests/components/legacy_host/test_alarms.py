"""The legacy host's alarm: its EC2 status checks, which fail when the host is down."""

from __future__ import annotations

import pytest

from components.legacy_host.alarms import host_alarms
from tests.components.support import metric_alarms
from tests.stacks import planned, stacks_with_layout


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_each_stack_of_the_layout_watches_the_host(stack: str) -> None:
    plan = planned(stack)
    alarms = metric_alarms(plan)
    assert set(alarms) == {"database-cpu", "database-storage", "host-status"}
    assert alarms["host-status"]["dimensions"] == {"InstanceId": plan.one("aws:ec2/instance:Instance").id}


def test_a_host_that_stops_reporting_is_down() -> None:
    [status] = host_alarms("i-0123456789abcdef0")
    assert (status.name, status.namespace, status.metric) == ("host-status", "AWS/EC2", "StatusCheckFailed")
    assert status.dimensions == {"InstanceId": "i-0123456789abcdef0"}
    assert (status.comparison, status.threshold, status.missing_data) == ("GreaterThanOrEqualToThreshold", 1, "breaching")
