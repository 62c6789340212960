"""The runner before each release snapshot: waits, bounded, for an instance RDS will snapshot, and fails saying why."""

from __future__ import annotations

from typing import Any

import pytest

from components.database import wait_available

ENVIRON = {
    "AWS_REGION": "us-east-1",
    "AMY_DB_INSTANCE": "amy-production",
    "AMY_DB_BACKUP_WINDOW": "06:30-07:30",
    "AMY_AWS_BACKUP_START": "03:00-04:00",
}


class FakeRds:
    """Answers DescribeDBInstances with one state after another, the last one for ever."""

    def __init__(self, *states: str) -> None:
        self.states = list(states)
        self.asked: list[dict[str, Any]] = []

    def describe_db_instances(self, **kwargs: Any) -> dict[str, Any]:
        self.asked.append(kwargs)
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return {"DBInstances": [{"DBInstanceIdentifier": kwargs["DBInstanceIdentifier"], "DBInstanceStatus": state}]}


class Clock:
    """Stands in for time.sleep: counts the seconds waited instead of waiting."""

    def __init__(self) -> None:
        self.waited = 0.0

    def __call__(self, seconds: float) -> None:
        self.waited += seconds


def run(monkeypatch: pytest.MonkeyPatch, rds: FakeRds, clock: Clock) -> int:
    regions: list[str] = []

    def client(service: str, region_name: str) -> FakeRds:
        assert service == "rds"
        regions.append(region_name)
        return rds

    monkeypatch.setattr(wait_available.boto3, "client", client)
    code = wait_available.main(ENVIRON, sleep=clock)
    assert regions == ["us-east-1"]
    return code


def test_an_available_instance_is_snapshotted_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rds, clock = FakeRds("available"), Clock()
    assert run(monkeypatch, rds, clock) == 0
    assert rds.asked == [{"DBInstanceIdentifier": "amy-production"}]
    assert clock.waited == 0


def test_a_backup_in_progress_is_waited_out(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    rds, clock = FakeRds("backing-up", "backing-up", "available"), Clock()
    assert run(monkeypatch, rds, clock) == 0
    assert len(rds.asked) == 3
    assert clock.waited == 2 * wait_available.POLL_SECONDS
    assert "amy-production is backing-up" in capsys.readouterr().out


def test_storage_optimization_does_not_hold_the_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """CreateDBSnapshot accepts an instance that is `available` or `storage-optimization`; the latter can last a day
    after storage autoscaling, which the database has."""
    assert run(monkeypatch, FakeRds("storage-optimization"), Clock()) == 0


def test_an_instance_that_never_becomes_available_fails_the_update_saying_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rds, clock = FakeRds("backing-up"), Clock()
    assert run(monkeypatch, rds, clock) != 0
    assert clock.waited == wait_available.WAIT_SECONDS
    assert len(rds.asked) == wait_available.WAIT_SECONDS // wait_available.POLL_SECONDS + 1
    message = capsys.readouterr().err
    assert "amy-production is still backing-up after 60 minutes" in message
    assert "RDS backs it up daily in 06:30-07:30 UTC" in message
    assert "AWS Backup starts its job in 03:00-04:00 UTC" in message


@pytest.mark.parametrize("state", ["modifying", "rebooting", "upgrading", "stopped"])
def test_no_other_state_lets_the_snapshot_through(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], state: str
) -> None:
    assert run(monkeypatch, FakeRds(state), Clock()) != 0
    assert f"amy-production is still {state}" in capsys.readouterr().err
