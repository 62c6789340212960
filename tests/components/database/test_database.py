"""The database alone: private, encrypted, TLS-only, backed up, protected when asked, snapshotted before each release."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import components.database
from components.database import Database, DatabaseArgs, release_snapshot_identifier
from stack_config import AppVersion, DatabaseConfig
from stack_config.database import DB_IDENTIFIER
from tests.components.local_commands import (
    assert_names_nothing_of_this_machine,
    assert_runs_the_module_beside,
    assert_runs_with_the_projects_virtualenv,
    assert_stops_at_its_first_setting,
)
from tooling.harness import Plan, record

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
INSTANCE = "aws:rds/instance:Instance"
SNAPSHOT = "aws:rds/snapshot:Snapshot"
COMMAND = "command:local:Command"
# CreateDBSnapshot's DBSnapshotIdentifier: 1 to 255 letters, digits or hyphens; a letter first; no two hyphens
# in a row; no hyphen last.
RDS_SNAPSHOT_IDENTIFIER = re.compile(r"^(?!.*--)[A-Za-z][A-Za-z0-9-]{0,254}(?<!-)$")
RELEASE = AppVersion(4, 7, 2)
DEPLOYED_AT = datetime(2026, 1, 15, 9, 30, 42, tzinfo=UTC)
SETTINGS = DatabaseConfig(
    identifier="amy-unit",
    master_username="amy",
    engine_version="16",
    instance_class="db.t4g.medium",
    allocated_storage_gb=50,
    max_allocated_storage_gb=200,
    multi_az=True,
    backup_retention_days=35,
    backup_window="06:30-07:30",
    maintenance_window="sun:08:00-sun:09:00",
    deletion_protection=True,
)


def build(settings: DatabaseConfig = SETTINGS, protect: bool = True, version: AppVersion = RELEASE) -> Plan:
    return record(
        "unit",
        lambda: Database(
            "db",
            DatabaseArgs(
                name_prefix="amy-unit",
                settings=settings,
                region="us-east-1",
                subnet_ids=["subnet-isolated-a", "subnet-isolated-b"],
                security_group_id="sg-database",
                log_retention_days=30,
                protect=protect,
                app_version=version,
            ),
        ),
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def test_instance_is_private_encrypted_gp3_with_storage_autoscaling(plan: Plan) -> None:
    instance = plan.one(INSTANCE).inputs
    assert instance["engine"] == "postgres"
    assert instance["engineVersion"] == "16"
    assert instance["publiclyAccessible"] is False
    assert instance["storageEncrypted"] is True
    assert instance["storageType"] == "gp3"
    assert (instance["allocatedStorage"], instance["maxAllocatedStorage"]) == (50, 200)
    assert instance["vpcSecurityGroupIds"] == ["sg-database"]


def test_subnet_group_uses_the_given_isolated_subnets(plan: Plan) -> None:
    group = plan.one("aws:rds/subnetGroup:SubnetGroup")
    assert group.inputs["subnetIds"] == ["subnet-isolated-a", "subnet-isolated-b"]
    assert plan.one(INSTANCE).inputs["dbSubnetGroupName"] == group.outputs["name"]
    parameters = plan.one("aws:rds/parameterGroup:ParameterGroup")
    assert plan.one(INSTANCE).inputs["parameterGroupName"] == parameters.outputs["name"]


def test_master_password_is_managed_by_secrets_manager_not_the_stack(plan: Plan) -> None:
    instance = plan.one(INSTANCE).inputs
    assert instance["manageMasterUserPassword"] is True
    assert "password" not in instance
    assert "passwordWo" not in instance


def test_parameter_group_forces_tls_and_logs_slow_statements(plan: Plan) -> None:
    group = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert group["family"] == "postgres16"
    parameters = {p["name"]: p["value"] for p in group["parameters"]}
    assert parameters["rds.force_ssl"] == "1"
    assert int(parameters["log_min_duration_statement"]) > 0


def test_backups_windows_and_snapshots(plan: Plan) -> None:
    instance = plan.one(INSTANCE).inputs
    assert instance["backupRetentionPeriod"] == 35
    assert instance["backupWindow"] == "06:30-07:30"
    assert instance["maintenanceWindow"] == "sun:08:00-sun:09:00"
    assert instance["copyTagsToSnapshot"] is True
    assert instance["deleteAutomatedBackups"] is False
    assert instance["skipFinalSnapshot"] is False
    assert instance["finalSnapshotIdentifier"] == "amy-unit-final"
    assert instance["deletionProtection"] is True


def test_insights_upgrades_and_changes_wait_for_the_window(plan: Plan) -> None:
    instance = plan.one(INSTANCE).inputs
    assert instance["performanceInsightsEnabled"] is True
    assert instance["autoMinorVersionUpgrade"] is True
    assert instance["allowMajorVersionUpgrade"] is False
    assert instance["applyImmediately"] is False


def test_exported_logs_have_retention_and_exist_before_the_instance(plan: Plan) -> None:
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert sorted(g.inputs["name"] for g in groups) == [
        "/aws/rds/instance/amy-unit/postgresql",
        "/aws/rds/instance/amy-unit/upgrade",
    ]
    assert all(g.inputs["retentionInDays"] == 30 for g in groups)
    instance = plan.one(INSTANCE)
    assert instance.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert {g.urn for g in groups} <= set(instance.dependencies)


def test_a_release_snapshot_named_for_version_database_and_minute_outlives_the_program(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(DEPLOYED_AT.timestamp())))
    snapshot = build().one(SNAPSHOT)
    assert snapshot.name == "db-release-v4-7-2"
    assert snapshot.inputs["dbSnapshotIdentifier"] == "v4-7-2-amy-unit-2026-01-15-0930"
    assert snapshot.inputs["dbInstanceIdentifier"] == "amy-unit"
    assert snapshot.retain_on_delete
    assert snapshot.ignore_changes == ("dbSnapshotIdentifier",)


@pytest.mark.parametrize("database", ["a", "amy-production", "amy-testing", "legacy-db-1", "a" + "b1" * 31])
def test_every_release_snapshot_name_is_an_identifier_rds_accepts(database: str) -> None:
    assert DB_IDENTIFIER.match(database), "the config accepts this database identifier"
    assert RDS_SNAPSHOT_IDENTIFIER.match(release_snapshot_identifier(AppVersion(14, 0, 10), database, DEPLOYED_AT))


def test_release_snapshots_of_one_version_differ_between_databases_and_deploys_the_same_day() -> None:
    """Manual snapshot identifiers are unique in the account and region: stacks sharing an account, and a
    redeploy or rollback the same day, must not reuse one (`DBSnapshotAlreadyExists`)."""
    moments = [DEPLOYED_AT, DEPLOYED_AT + timedelta(minutes=1), DEPLOYED_AT + timedelta(hours=5)]
    names = [
        release_snapshot_identifier(AppVersion(4, 7, 2), database, moment)
        for database in ("amy-production", "amy-testing")
        for moment in moments
    ]
    assert len(set(names)) == len(names)
    assert all(name.startswith("v4-7-2-") for name in names)


def test_the_snapshot_waits_until_the_instance_can_be_snapshotted(plan: Plan) -> None:
    """CreateDBSnapshot refuses an instance that is `backing-up` (its daily window, AWS Backup's job) or otherwise
    busy: a command waits for it first, told which instance and the windows to name if it gives up."""
    available = plan.one(COMMAND)
    assert available.urn in plan.one(SNAPSHOT).dependencies
    assert available.inputs["create"] == ".venv/bin/python -m components.database.wait_available"
    assert available.inputs["environment"] == {
        "AWS_REGION": "us-east-1",
        "AMY_DB_INSTANCE": plan.one(INSTANCE).outputs["identifier"],
        "AMY_DB_BACKUP_WINDOW": "06:30-07:30",
        "AMY_AWS_BACKUP_START": "03:00-04:00",
    }


def test_each_release_waits_again_before_its_snapshot(plan: Plan) -> None:
    """One command per version, like the snapshot: a new version is a new command, which runs when created."""
    next_release = build(version=AppVersion(4, 7, 3))
    assert plan.one(COMMAND).name == "db-available-v4-7-2"
    assert next_release.one(COMMAND).name == "db-available-v4-7-3"
    assert next_release.one(COMMAND).urn in next_release.one(SNAPSHOT).dependencies


def test_the_wait_runs_the_runner_beside_the_database_with_the_projects_virtualenv_from_any_checkout(plan: Plan) -> None:
    available = plan.one(COMMAND)
    assert_names_nothing_of_this_machine(available)
    assert_runs_with_the_projects_virtualenv(available)
    assert_runs_the_module_beside(available, components.database.__file__, "wait_available.py")


def test_the_wait_starts_from_the_project_directory(plan: Plan) -> None:
    assert_stops_at_its_first_setting(plan.one(COMMAND))


def test_stateful_parts_are_protected_when_asked(plan: Plan) -> None:
    for type_ in (INSTANCE, "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup"):
        assert plan.one(type_).protect, type_
    for group in plan.of_type(LOG_GROUP):
        assert (group.protect, group.retain_on_delete) == (True, False), group.name


def test_unprotected_log_groups_outlive_a_destroy_and_nothing_else_does() -> None:
    """`pulumi destroy` deletes an unprotected database (with its final snapshot) but leaves its logs."""
    unprotected = build(replace(SETTINGS, deletion_protection=False, multi_az=False), protect=False)
    retained = {r.type for r in unprotected.registrations if r.retain_on_delete}
    assert retained == {LOG_GROUP, "aws:rds/snapshot:Snapshot"}
    assert len([r for r in unprotected.of_type(LOG_GROUP) if r.retain_on_delete]) == 2


def test_nothing_is_protected_when_not_asked() -> None:
    unprotected = build(replace(SETTINGS, deletion_protection=False, multi_az=False), protect=False)
    assert not any(r.protect for r in unprotected.registrations)
    instance = unprotected.one(INSTANCE).inputs
    assert instance["deletionProtection"] is False
    assert instance["multiAz"] is False
    assert instance["skipFinalSnapshot"] is False
