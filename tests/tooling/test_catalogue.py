"""stack_config/catalogue.json stays what its sources of truth say today."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling import catalogue


def test_the_committed_catalogue_matches_botocore_and_postgresql() -> None:
    assert catalogue.main(["--check"]) == 0


def test_a_stale_catalogue_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "catalogue.json"
    stale.write_text(catalogue.render().replace('"us-east-1",\n', ""))
    monkeypatch.setattr(catalogue, "PATH", stale)
    assert catalogue.main(["--check"]) == 1
    assert "catalogue.json is stale: run python -m tooling.catalogue" in capsys.readouterr().err


def test_it_lists_what_the_stacks_rely_on() -> None:
    data = catalogue.catalogue()
    assert {"us-east-1", "eu-west-1"} <= set(data["regions"])
    assert {"t3.medium", "t4g.medium", "r7g.16xlarge"} <= set(data["ec2InstanceTypes"])
    assert {"user", "select", "table"} <= set(data["postgresReservedWords"])
    assert "amy" not in data["postgresReservedWords"]
