"""What the tests of the tooling share."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tooling import account
from tooling.account import Report
from tooling.harness import Plan

AN_EMPTY_ACCOUNT = Report(identities=0, collisions=(), over_long=(), malformed=(), unmodelled=())


@pytest.fixture
def accounts_checked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Plan]]:
    """The account check, standing in for tooling/account.py's (tests/tooling/test_account.py tests that one): it keeps
    the plans `bin/plan` hands it and finds nothing wrong, for tests of the plan itself."""
    handed: list[dict[str, Plan]] = []

    def check(plans: Mapping[str, Plan]) -> Report:
        handed.append(dict(plans))
        return AN_EMPTY_ACCOUNT

    monkeypatch.setattr(account, "check", check)
    return handed
