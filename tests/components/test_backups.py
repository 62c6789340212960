"""Backups alone: an encrypted vault, daily and monthly rules, restore tests, a locked-down dumps bucket."""

from __future__ import annotations

import dataclasses
import json

import pulumi_aws as aws
import pytest

from components.backups import Backups, BackupsArgs
from stack_config import BackupConfig
from stack_config.backups import AWS_BACKUP_START, AWS_BACKUP_START_WINDOW_MINUTES
from tooling.harness import Plan, record

DATABASE_ARN = "arn:aws:rds:us-east-1:123456789012:db:amy-unit"
BOUNDARY = "arn:aws:iam::123456789012:policy/amy-unit-boundary"


COPY_VAULT_ARN = "arn:aws:backup:eu-west-1:210987654321:backup-vault:amy-copies"
GOVERNANCE = BackupConfig(daily_retention_days=35, monthly_retention_days=365, restore_testing=True)
COMPLIANCE = dataclasses.replace(
    GOVERNANCE, lock_mode="compliance", lock_cooling_off_days=7, copy_region="us-west-2", copy_vault_arn=COPY_VAULT_ARN
)


def build(restore_testing: bool = True, protect: bool = True, settings: BackupConfig = GOVERNANCE) -> Plan:
    def program() -> None:
        copy_provider = None
        if settings.copy_region:
            copy_provider = aws.Provider(f"aws-{settings.copy_region}", region=settings.copy_region)
        Backups(
            "backups",
            BackupsArgs(
                name_prefix="amy-unit",
                settings=dataclasses.replace(settings, restore_testing=restore_testing),
                database_arn=DATABASE_ARN,
                database_subnet_group_name="amy-unit-db-subnets",
                database_security_group_id="sg-database",
                protect=protect,
                copy_provider=copy_provider,
                permissions_boundary=BOUNDARY,
            ),
        )

    return record("unit", program)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def test_vault_is_encrypted_with_a_rotating_key_of_its_own(plan: Plan) -> None:
    key = plan.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    vault = plan.one("aws:backup/vault:Vault").inputs
    assert vault["kmsKeyArn"] == key.outputs["arn"]
    assert vault["forceDestroy"] is False


def test_plan_keeps_dailies_and_monthlies_for_the_configured_days(plan: Plan) -> None:
    rules = {rule["ruleName"]: rule for rule in plan.one("aws:backup/plan:Plan").inputs["rules"]}
    assert rules["daily"]["lifecycle"]["deleteAfter"] == 35
    assert rules["monthly"]["lifecycle"]["deleteAfter"] == 365
    assert rules["daily"]["schedule"] == "cron(0 3 * * ? *)"
    assert rules["monthly"]["schedule"] == "cron(0 3 1 * ? *)"
    vault_name = plan.one("aws:backup/vault:Vault").outputs["name"]
    assert {rule["targetVaultName"] for rule in rules.values()} == {vault_name}


def test_the_rules_start_at_the_time_and_within_the_window_the_stack_config_keeps_rds_clear_of(plan: Plan) -> None:
    """AWS Backup's cron is minutes, hours, day of month, month, day of week, year, in UTC; a job may start until
    its start window (60 minutes or more, or AWS Backup refuses the rule) closes."""
    for rule in plan.one("aws:backup/plan:Plan").inputs["rules"]:
        minute, hour = rule["schedule"].removeprefix("cron(").split()[:2]
        assert int(hour) * 60 + int(minute) == AWS_BACKUP_START, rule["ruleName"]
        assert rule["startWindow"] == AWS_BACKUP_START_WINDOW_MINUTES >= 60, rule["ruleName"]


def test_selection_covers_the_database_with_the_service_role(plan: Plan) -> None:
    selection = plan.one("aws:backup/selection:Selection").inputs
    assert selection["resources"] == [DATABASE_ARN]
    assert selection["iamRoleArn"] == plan.one("aws:iam/role:Role").outputs["arn"]
    trust = json.loads(plan.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    attached = sorted(
        a.inputs["policyArn"].rsplit("/", 1)[1] for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"]


def test_restore_testing_restores_the_database_into_its_own_subnets(plan: Plan) -> None:
    restore_plan = plan.one("aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs
    assert restore_plan["name"] == "amy_unit_restore_test"
    assert restore_plan["recoveryPointSelection"]["includeVaults"] == [plan.one("aws:backup/vault:Vault").outputs["arn"]]
    selection = plan.one("aws:backup/restoreTestingSelection:RestoreTestingSelection").inputs
    assert selection["protectedResourceType"] == "RDS"
    assert selection["protectedResourceArns"] == [DATABASE_ARN]
    assert selection["restoreMetadataOverrides"] == {
        "dbSubnetGroupName": "amy-unit-db-subnets",
        "vpcSecurityGroupIds": '["sg-database"]',
    }


def test_restore_testing_can_be_turned_off() -> None:
    off = build(restore_testing=False)
    assert not off.of_type("aws:backup/restoreTestingPlan:RestoreTestingPlan")
    assert not off.of_type("aws:backup/restoreTestingSelection:RestoreTestingSelection")


def test_dumps_bucket_is_versioned_encrypted_and_private(plan: Plan) -> None:
    assert plan.one("aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    rule = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": plan.one("aws:kms/key:Key").outputs["arn"],
    }
    block = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[setting] is True, setting
    ownership = plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_dumps_bucket_refuses_requests_without_tls(plan: Plan) -> None:
    bucket_arn = plan.one("aws:s3/bucket:Bucket").outputs["arn"]
    policy = json.loads(plan.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [bucket_arn, f"{bucket_arn}/*"]


def test_dumps_lifecycle_expires_old_versions_after_the_daily_retention(plan: Plan) -> None:
    [rule] = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 35
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7


STATEFUL = {
    "aws:kms/key:Key",
    "aws:backup/vault:Vault",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:s3/bucket:Bucket",
}


def test_stateful_parts_are_protected_or_outlive_a_destroy(plan: Plan) -> None:
    """Protected where the stack protects; elsewhere `pulumi destroy` leaves them in the account (retainOnDelete)."""
    assert {r.type for r in plan.registrations if r.protect} == STATEFUL
    assert not any(r.retain_on_delete for r in plan.registrations)
    unprotected = build(protect=False)
    assert not any(r.protect for r in unprotected.registrations)
    assert {r.type for r in unprotected.registrations if r.retain_on_delete} == STATEFUL


def test_the_key_policy_keeps_disabling_and_deleting_to_the_break_glass_role(plan: Plan) -> None:
    key = plan.one("aws:kms/key:Key").inputs
    policy = json.loads(key["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    deny = statements["OnlyBreakGlassDisablesOrDeletes"]
    assert deny["Effect"] == "Deny"
    assert {"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"} <= set(deny["Action"])
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/amy-break-glass"}}
    # Administrators manage the key; its users reach it only through the services that encrypt with it.
    assert "kms:Decrypt" not in statements["KeyAdministrators"]["Action"]
    assert "kms:ViaService" in statements["KeyUsersThroughTheirServices"]["Condition"]["StringLike"]
    # KMS refuses a policy that locks its author out of PutKeyPolicy unless told the lockout is meant.
    assert key["bypassPolicyLockoutSafetyCheck"] is True


def test_governance_locks_the_vault_and_dumps_without_a_cooling_off(plan: Plan) -> None:
    lock = plan.one("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert lock.inputs["backupVaultName"] == plan.one("aws:backup/vault:Vault").outputs["name"]
    assert lock.inputs["minRetentionDays"] == 35
    # Without changeableForDays AWS Backup makes a governance lock.
    assert "changeableForDays" not in lock.inputs
    object_lock = plan.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs
    assert object_lock["objectLockEnabled"] == "Enabled"
    assert object_lock["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 35}
    assert not plan.one("aws:backup/plan:Plan").inputs["rules"][0].get("copyActions")


@pytest.fixture(scope="module")
def compliance() -> Plan:
    return build(settings=COMPLIANCE)


def test_compliance_locks_after_the_cooling_off_and_a_retention_change_does_not_replace_the_lock(compliance: Plan) -> None:
    locks = compliance.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert [lock.inputs["changeableForDays"] for lock in locks] == [7, 7]
    for lock in locks:
        # Each of its inputs replaces a lock, and a compliance lock past its cooling-off cannot be removed.
        assert set(lock.ignore_changes) == {"minRetentionDays", "changeableForDays"}
    object_lock = compliance.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs
    assert object_lock["rule"]["defaultRetention"]["mode"] == "COMPLIANCE"


def test_every_recovery_point_is_copied_to_a_second_region_and_account_each_under_its_own_key(compliance: Plan) -> None:
    vaults = {vault.name: vault for vault in compliance.of_type("aws:backup/vault:Vault")}
    keys = {key.name: key for key in compliance.of_type("aws:kms/key:Key")}
    copy_vault, copy_key = vaults["backups-vault-copy"], keys["backups-key-copy"]
    assert "::aws-us-west-2" in copy_vault.provider_urn
    assert copy_key.provider_urn == copy_vault.provider_urn
    assert copy_vault.inputs["kmsKeyArn"] == copy_key.outputs["arn"] != keys["backups-key"].outputs["arn"]
    for rule in compliance.one("aws:backup/plan:Plan").inputs["rules"]:
        kept = rule["lifecycle"]["deleteAfter"]
        assert rule["copyActions"] == [
            {"destinationVaultArn": copy_vault.outputs["arn"], "lifecycle": {"deleteAfter": kept}},
            {"destinationVaultArn": COPY_VAULT_ARN, "lifecycle": {"deleteAfter": kept}},
        ]
