"""AWS Backup for the database, and the bucket that keeps its dumps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.aws_documents import (
    encrypt_by_default,
    key_administrators,
    lock_down,
    only_break_glass_disables_or_deletes,
    service_trust,
    tls_only_policy,
)
from stack_config import BackupConfig
from stack_config.backups import AWS_BACKUP_START, AWS_BACKUP_START_WINDOW_MINUTES

# AWS Backup's cron fields: minutes, hours, day of month, month, day of week, year (UTC).
_START_HOUR, _START_MINUTE = divmod(AWS_BACKUP_START, 60)
DAILY_SCHEDULE = f"cron({_START_MINUTE} {_START_HOUR} * * ? *)"
MONTHLY_SCHEDULE = f"cron({_START_MINUTE} {_START_HOUR} 1 * ? *)"
RESTORE_TEST_SCHEDULE = "cron(0 10 ? * TUE *)"
BACKUP_SERVICE_POLICIES = {
    "backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
}
INCOMPLETE_UPLOAD_DAYS = 7
# Marks the bucket that holds the database's dumps, whatever it is called (an adopted one keeps its name);
# the policy pack's `dumps-bucket-protected` finds it by this tag.
DUMPS_BUCKET_TAGS = {"Purpose": "database-dumps"}


@dataclass
class BackupsArgs:
    name_prefix: str
    settings: BackupConfig
    database_arn: pulumi.Input[str]
    database_subnet_group_name: pulumi.Input[str]
    database_security_group_id: pulumi.Input[str]
    protect: bool
    # The stack's permissions boundary, which the service role carries.
    permissions_boundary: pulumi.Input[str]
    # An existing dumps bucket to adopt, by name.
    dumps_bucket_import: str | None = None
    # The provider of settings.copy_region, where the copies' key and vault live.
    copy_provider: aws.Provider | None = None


class Backups(pulumi.ComponentResource):
    """A KMS-encrypted vault with daily and monthly recovery points of the database,
    restore tests where enabled, and the versioned, TLS-only bucket for `pg_dump`s."""

    key: aws.kms.Key
    role: aws.iam.Role
    vault: aws.backup.Vault
    plan: aws.backup.Plan
    dumps_bucket: aws.s3.Bucket

    def __init__(self, name: str, args: BackupsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:data:Backups", name, None, opts)
        self._name = name
        self._args = args
        # What keeps data outlives `pulumi destroy`: protected where the stack protects, retained elsewhere.
        self._stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=not args.protect)
        self._child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self))
        self._account = pulumi.Output.all(partition.partition, identity.account_id)

        self.key = self._key(name, "", None)
        aws.kms.Alias(
            f"{name}-key-alias", name=f"alias/{args.name_prefix}-backups", target_key_id=self.key.key_id, opts=self._child
        )
        self.role = self._service_role()
        copies = self._copies()
        self._vault_and_plan(self.role, copies)
        if args.settings.restore_testing:
            self._restore_testing(self.role)
        self.dumps_bucket = self._dumps_bucket()
        self.register_outputs({"vault": self.vault.name, "plan": self.plan.id, "dumps_bucket": self.dumps_bucket.bucket})

    def _service_role(self) -> aws.iam.Role:
        role = iam.role(
            f"{self._name}-role",
            description="AWS Backup: back up and restore AMY's database",
            trust=service_trust("backup.amazonaws.com"),
            boundary=self._args.permissions_boundary,
            opts=self._child,
        )
        for purpose, policy_arn in BACKUP_SERVICE_POLICIES.items():
            aws.iam.RolePolicyAttachment(
                f"{self._name}-role-{purpose}",
                role=role.name,
                policy_arn=policy_arn,
                opts=self._child,
            )
        return role

    def _key(self, name: str, where: str, provider: aws.Provider | None) -> aws.kms.Key:
        """A rotating key whose policy lets only the break-glass role disable or delete it or change its policy."""
        args = self._args
        return aws.kms.Key(
            f"{name}-key{where}",
            description=f"{args.name_prefix}: backup vault and database dumps",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=self._account.apply(
                lambda values: json.dumps(key_policy(values[0], values[1], args.settings.break_glass_role))
            ),
            # The policy denies even its author further policy changes, which KMS's lockout check would refuse.
            bypass_policy_lockout_safety_check=True,
            opts=pulumi.ResourceOptions.merge(self._stateful, pulumi.ResourceOptions(provider=provider)),
        )

    def _copies(self) -> list[aws.backup.PlanRuleCopyActionArgs]:
        """The vaults every recovery point is copied to: one in a second region under a key of its own there, and
        one in another account under that vault's key."""
        settings = self._args.settings
        destinations: list[pulumi.Input[str]] = []
        if settings.copy_region and self._args.copy_provider is not None:
            provider = self._args.copy_provider
            key = self._key(self._name, "-copy", provider)
            vault = aws.backup.Vault(
                f"{self._name}-vault-copy",
                name=self._args.name_prefix,
                kms_key_arn=key.arn,
                force_destroy=False,
                opts=pulumi.ResourceOptions.merge(self._stateful, pulumi.ResourceOptions(provider=provider)),
            )
            self._lock(f"{self._name}-vault-copy-lock", vault, provider)
            destinations.append(vault.arn)
        if settings.copy_vault_arn:
            destinations.append(settings.copy_vault_arn)
        return [aws.backup.PlanRuleCopyActionArgs(destination_vault_arn=arn) for arn in destinations]

    def _lock(self, name: str, vault: aws.backup.Vault, provider: aws.Provider | None) -> None:
        """AWS Backup Vault Lock: no recovery point leaves the vault before the daily retention, whoever asks. In
        compliance mode the lock itself becomes permanent once its cooling-off days have passed."""
        settings = self._args.settings
        aws.backup.VaultLockConfiguration(
            name,
            backup_vault_name=vault.name,
            min_retention_days=settings.daily_retention_days,
            changeable_for_days=settings.lock_cooling_off_days if settings.lock_mode == "compliance" else None,
            # Every input replaces the lock, and a compliance lock cannot be removed: a later retention change must
            # not try. Recovery points kept longer than its minimum are fine; shorter ones are refused by AWS Backup.
            opts=pulumi.ResourceOptions.merge(
                self._stateful,
                pulumi.ResourceOptions(provider=provider, ignore_changes=["minRetentionDays", "changeableForDays"]),
            ),
        )

    def _vault_and_plan(self, role: aws.iam.Role, copies: list[aws.backup.PlanRuleCopyActionArgs]) -> None:
        settings = self._args.settings
        self.vault = aws.backup.Vault(
            f"{self._name}-vault",
            name=self._args.name_prefix,
            kms_key_arn=self.key.arn,
            force_destroy=False,
            opts=self._stateful,
        )
        self._lock(f"{self._name}-vault-lock", self.vault, None)
        self.plan = aws.backup.Plan(
            f"{self._name}-plan",
            name=self._args.name_prefix,
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily",
                    target_vault_name=self.vault.name,
                    schedule=DAILY_SCHEDULE,
                    start_window=AWS_BACKUP_START_WINDOW_MINUTES,
                    completion_window=360,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=settings.daily_retention_days),
                    copy_actions=[_kept(copy, settings.daily_retention_days) for copy in copies] or None,
                ),
                aws.backup.PlanRuleArgs(
                    rule_name="monthly",
                    target_vault_name=self.vault.name,
                    schedule=MONTHLY_SCHEDULE,
                    start_window=AWS_BACKUP_START_WINDOW_MINUTES,
                    completion_window=360,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=settings.monthly_retention_days),
                    copy_actions=[_kept(copy, settings.monthly_retention_days) for copy in copies] or None,
                ),
            ],
            opts=self._stateful,
        )
        aws.backup.Selection(
            f"{self._name}-database",
            name=f"{self._args.name_prefix}-database",
            plan_id=self.plan.id,
            iam_role_arn=role.arn,
            resources=[self._args.database_arn],
            opts=self._stateful,
        )

    def _restore_testing(self, role: aws.iam.Role) -> None:
        # Restore testing names allow only letters, digits and underscores.
        plan_name = f"{self._args.name_prefix.replace('-', '_')}_restore_test"
        restore_plan = aws.backup.RestoreTestingPlan(
            f"{self._name}-restore-test",
            name=plan_name,
            schedule_expression=RESTORE_TEST_SCHEDULE,
            start_window_hours=24,
            recovery_point_selection=aws.backup.RestoreTestingPlanRecoveryPointSelectionArgs(
                algorithm="LATEST_WITHIN_WINDOW",
                include_vaults=[self.vault.arn],
                recovery_point_types=["SNAPSHOT"],
                selection_window_days=7,
            ),
            opts=self._child,
        )
        aws.backup.RestoreTestingSelection(
            f"{self._name}-restore-test-database",
            name="database",
            restore_testing_plan_name=restore_plan.name,
            protected_resource_type="RDS",
            protected_resource_arns=[self._args.database_arn],
            iam_role_arn=role.arn,
            # Restore into the database's own isolated subnets and group, never the default VPC.
            restore_metadata_overrides={
                "dbSubnetGroupName": self._args.database_subnet_group_name,
                "vpcSecurityGroupIds": pulumi.Output.json_dumps([self._args.database_security_group_id]),
            },
            validation_window_hours=1,
            opts=self._child,
        )

    def _dumps_bucket(self) -> aws.s3.Bucket:
        name = f"{self._name}-dumps"
        adopted = self._args.dumps_bucket_import
        bucket = aws.s3.Bucket(
            name,
            bucket=adopted,
            force_destroy=False,
            tags=DUMPS_BUCKET_TAGS,
            opts=pulumi.ResourceOptions.merge(self._stateful, pulumi.ResourceOptions(import_=adopted)),
        )
        lock_down(name, bucket, self._child)
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=self._child,
        )
        encrypt_by_default(name, bucket, self._child, self.key.arn)
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps(tls_only_policy(arn))),
            opts=self._child,
        )
        # Object Lock on the bucket as it is (S3 enables it on an existing versioned bucket, so an adopted one
        # keeps its name): no dump version can be deleted or overwritten before the daily retention has passed.
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock",
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=self._args.settings.lock_mode.upper(), days=self._args.settings.daily_retention_days
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                # Dumps overwrite one key per kind; their history lives in noncurrent versions.
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-old-dumps",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=self._args.settings.daily_retention_days,
                    ),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=INCOMPLETE_UPLOAD_DAYS,
                    ),
                )
            ],
            opts=self._child,
        )
        return bucket


def _kept(copy: aws.backup.PlanRuleCopyActionArgs, days: int) -> aws.backup.PlanRuleCopyActionArgs:
    """A copy kept as long as the rule keeps its point."""
    return aws.backup.PlanRuleCopyActionArgs(
        destination_vault_arn=copy.destination_vault_arn, lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=days)
    )


def key_policy(partition: str, account: str, break_glass_role: str) -> dict[str, Any]:
    """The backups' key: administered by whom the account's IAM policies allow, used only through the services it
    serves, and disabled, deleted or re-policied by the break-glass role alone, whatever IAM says."""
    root = f"arn:{partition}:iam::{account}:root"
    return {
        "Version": "2012-10-17",
        "Statement": [
            key_administrators(root),
            {
                # AWS Backup, S3 (the dumps) and RDS use the key on a caller's behalf; no one decrypts with it directly.
                "Sid": "KeyUsersThroughTheirServices",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": [
                    "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant",
                ],
                "Resource": "*",
                "Condition": {
                    "StringLike": {"kms:ViaService": ["backup.*.amazonaws.com", "s3.*.amazonaws.com", "rds.*.amazonaws.com"]}
                },
            },
            only_break_glass_disables_or_deletes(partition, account, break_glass_role),
        ],
    }  # fmt: skip
