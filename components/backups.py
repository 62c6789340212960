"""AWS Backup for the database, and the bucket that keeps its dumps."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.aws_documents import encrypt_by_default, lock_down, service_trust, tls_only_policy
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
        self._stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        self._child = pulumi.ResourceOptions(parent=self)

        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{args.name_prefix}: backup vault and database dumps",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=self._stateful,
        )
        aws.kms.Alias(
            f"{name}-key-alias", name=f"alias/{args.name_prefix}-backups", target_key_id=self.key.key_id, opts=self._child
        )
        self.role = self._service_role()
        self._vault_and_plan(self.role)
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

    def _vault_and_plan(self, role: aws.iam.Role) -> None:
        settings = self._args.settings
        self.vault = aws.backup.Vault(
            f"{self._name}-vault",
            name=self._args.name_prefix,
            kms_key_arn=self.key.arn,
            force_destroy=False,
            opts=self._stateful,
        )
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
                ),
                aws.backup.PlanRuleArgs(
                    rule_name="monthly",
                    target_vault_name=self.vault.name,
                    schedule=MONTHLY_SCHEDULE,
                    start_window=AWS_BACKUP_START_WINDOW_MINUTES,
                    completion_window=360,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=settings.monthly_retention_days),
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
        aws.s3.BucketVersioning(
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
