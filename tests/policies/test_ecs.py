"""ecs.py: no public IPs, no privileged containers, every container logging."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, dumps, with_

SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
CONTAINER = {
    "name": "web",
    "environment": [{"name": "AMY_DEBUG", "value": "false"}],
    "secrets": [{"name": "AMY_SECRET_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/amy/x"}],
    "logConfiguration": {"logDriver": "awslogs"},
    "privileged": False,
}
TASK = {"containerDefinitions": dumps([CONTAINER])}

PASSING = [
    Pass("ecs-no-public-ip", SERVICE, {"networkConfiguration": {"assignPublicIp": False}}),
    Pass("ecs-no-privileged-containers", TASK_DEFINITION, TASK),
    Pass("ecs-containers-log", TASK_DEFINITION, TASK),
]

FAILING = [
    Fail("ecs-no-public-ip", SERVICE, {"networkConfiguration": {"assignPublicIp": True}}, "assignPublicIp to false"),
    Fail(
        "ecs-no-privileged-containers",
        TASK_DEFINITION,
        {"containerDefinitions": dumps([with_(CONTAINER, privileged=True)])},
        "container web is privileged",
    ),
    Fail(
        "ecs-containers-log",
        TASK_DEFINITION,
        {"containerDefinitions": dumps([with_(CONTAINER, logConfiguration=None)])},
        "container web sends its logs nowhere",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
