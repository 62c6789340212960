"""rds.py: each RDS policy passes a compliant instance and flags every failure mode, naming the fix; every database
forces TLS through its parameter group."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from stack_config import StackConfig
from tests.policies.pack import (
    Fail,
    Pass,
    assert_flagged,
    assert_passes,
    case_ids,
    replaced,
    resource,
    stack_fail,
    stack_pass,
    stack_violations,
    with_,
    without,
)

RDS = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
SNAPSHOT = "aws:rds/snapshot:Snapshot"
RELEASE_SNAPSHOT = {"dbInstanceIdentifier": "amy", "dbSnapshotIdentifier": "v4-7-2-amy-2026-01-15-0000"}
DATABASE = {
    "engine": "postgres",
    "backupRetentionPeriod": 35,
    "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "amy-final",
    "deletionProtection": True,
    "copyTagsToSnapshot": True,
    "storageEncrypted": True,
    "publiclyAccessible": False,
    "deleteAutomatedBackups": False,
    "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
}
MYSQL = {**DATABASE, "engine": "mysql", "enabledCloudwatchLogsExports": ["audit", "error", "general", "slowquery"]}

PASSING = [
    Pass("rds-backup-retention", RDS, DATABASE, {"minimumDays": 35}),
    Pass("rds-final-snapshot", RDS, DATABASE),
    Pass("rds-deletion-protection", RDS, DATABASE),
    Pass("rds-copy-tags-to-snapshot", RDS, DATABASE),
    Pass("rds-storage-encrypted", RDS, DATABASE),
    Pass("rds-not-public", RDS, DATABASE),
    Pass("rds-keep-automated-backups", RDS, DATABASE),
    Pass("rds-log-exports", RDS, DATABASE),
    Pass("rds-log-exports", RDS, MYSQL),
    Pass("rds-snapshot-not-public", SNAPSHOT, RELEASE_SNAPSHOT),
    Pass("rds-snapshot-not-public", SNAPSHOT, {**RELEASE_SNAPSHOT, "sharedAccounts": ["210987654321"]}),
]

FAILING = [
    Fail(
        "rds-backup-retention",
        RDS,
        with_(DATABASE, backupRetentionPeriod=7),
        "kept 7 days; keep them at least 35",
        {"minimumDays": 35},
    ),
    Fail("rds-backup-retention", RDS, with_(DATABASE, backupRetentionPeriod=None), "unset, so RDS keeps 1 day"),
    Fail("rds-final-snapshot", RDS, with_(DATABASE, skipFinalSnapshot=True), "set skipFinalSnapshot to false"),
    Fail("rds-final-snapshot", RDS, with_(DATABASE, finalSnapshotIdentifier=None), "no finalSnapshotIdentifier is set"),
    Fail("rds-deletion-protection", RDS, with_(DATABASE, deletionProtection=False), "set deletionProtection to true"),
    Fail("rds-copy-tags-to-snapshot", RDS, with_(DATABASE, copyTagsToSnapshot=None), "set copyTagsToSnapshot to true"),
    Fail("rds-storage-encrypted", RDS, with_(DATABASE, storageEncrypted=False), "storage is not encrypted"),
    Fail("rds-not-public", RDS, with_(DATABASE, publiclyAccessible=True), "set publiclyAccessible to false"),
    Fail(
        "rds-keep-automated-backups",
        RDS,
        with_(DATABASE, deleteAutomatedBackups=True),
        "set deleteAutomatedBackups to false",
    ),
    Fail(
        "rds-keep-automated-backups",
        RDS,
        with_(DATABASE, deleteAutomatedBackups=None),
        "deleteAutomatedBackups defaults to true",
    ),
    Fail(
        "rds-log-exports",
        RDS,
        with_(DATABASE, enabledCloudwatchLogsExports=None),
        "does not publish its postgresql, upgrade logs to CloudWatch",
    ),
    Fail(
        "rds-log-exports",
        RDS,
        with_(MYSQL, enabledCloudwatchLogsExports=["error"]),
        "its audit, general, slowquery logs",
    ),
    Fail(
        "rds-snapshot-not-public",
        SNAPSHOT,
        {**RELEASE_SNAPSHOT, "sharedAccounts": ["all"]},
        "remove all from sharedAccounts",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)


def with_parameters(resources: list[PolicyResource], parameters: list[dict[str, str]]) -> list[PolicyResource]:
    return replaced(resources, PARAMETER_GROUP, parameters=parameters)


def no_tls(config: StackConfig, why: str) -> str:
    return (
        f"database {config.name_prefix}-db-instance accepts connections without TLS ({why}); "
        "give it a parameter group with rds.force_ssl 1"
    )


@stack_pass("rds-force-ssl")
def test_every_stack_forces_tls_on_its_database(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("rds-force-ssl", stack_resources) == []


@stack_fail("rds-force-ssl")
@pytest.mark.parametrize(
    ("parameters", "why"),
    [
        ([{"name": "log_min_duration_statement", "value": "1000"}], "its parameter group does not set rds.force_ssl"),
        ([{"name": "rds.force_ssl", "value": "0"}], "its parameter group sets rds.force_ssl to 0"),
    ],
    ids=["removed", "turned-off"],
)
def test_a_parameter_group_that_does_not_force_tls_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig, parameters: list[dict[str, str]], why: str
) -> None:
    assert stack_violations("rds-force-ssl", with_parameters(stack_resources, parameters)) == [no_tls(stack_config, why)]


@stack_fail("rds-force-ssl")
def test_a_database_on_a_parameter_group_of_no_stack_is_flagged(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    on_default = replaced(stack_resources, RDS, parameterGroupName="default.postgres16")
    why = "it uses no parameter group of this stack"
    assert stack_violations("rds-force-ssl", on_default) == [no_tls(stack_config, why)]
    assert stack_violations("rds-force-ssl", without(stack_resources, PARAMETER_GROUP)) == [no_tls(stack_config, why)]


@stack_pass("rds-force-ssl")
def test_engines_that_force_tls_otherwise_are_checked_by_their_own_parameter() -> None:
    group = {"name": "mysql-parameters", "parameters": [{"name": "require_secure_transport", "value": "ON"}]}
    mysql = {**MYSQL, "parameterGroupName": "mysql-parameters"}
    assert stack_violations("rds-force-ssl", [resource(RDS, "db", mysql), resource(PARAMETER_GROUP, "p", group)]) == []
