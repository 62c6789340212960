"""log_groups.py: log groups expire their events, and not before the minimum."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

PASSING = [
    Pass("log-group-retention", LOG_GROUP, {"name": "/amy/x/web", "retentionInDays": 365}, {"minimumDays": 365}),
]

FAILING = [
    Fail("log-group-retention", LOG_GROUP, {"name": "/amy/x/web"}, "keeps events forever"),
    Fail(
        "log-group-retention",
        LOG_GROUP,
        {"name": "/amy/x/web", "retentionInDays": 30},
        "keeps events 30 days; keep them at least 365",
        {"minimumDays": 365},
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
