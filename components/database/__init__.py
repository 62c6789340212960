"""AMY's PostgreSQL database on RDS."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pulumi
import pulumi_aws as aws
import pulumi_command as command

from components.database import app_role
from stack_config import AdoptionConfig, AppVersion, DatabaseConfig
from stack_config.backups import AWS_BACKUP_DAILY_START_WINDOW
from stack_config.database import clock

DATABASE_NAME = "amy"
SLOW_STATEMENT_MS = 1000
PERFORMANCE_INSIGHTS_FREE_DAYS = 7
LOG_EXPORTS = ("postgresql", "upgrade")
# `pulumi up` runs the runner beside this module with the project's virtualenv (Pulumi.yaml's `virtualenv`),
# from the project directory; both paths are relative so the command is the same from any checkout.
WAIT_AVAILABLE = ".venv/bin/python -m components.database.wait_available"


@dataclass
class DatabaseArgs:
    # `amy-<stack>`, which names the application's secret.
    name_prefix: str
    settings: DatabaseConfig
    region: str
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    log_retention_days: int
    protect: bool
    app_version: AppVersion
    adoption: AdoptionConfig = field(default_factory=AdoptionConfig)


class Database(pulumi.ComponentResource):
    """RDS PostgreSQL in the isolated subnets, encrypted, TLS-only, backed up daily.

    The master password lives in Secrets Manager, rotated by RDS; no secret
    passes through the stack. Changes wait for the maintenance window. AMY
    connects as its own role, whose password the release step makes and keeps
    in the secret `amy-<stack>/database/app` (app_role.py beside this module);
    the master user is for migrations and break-glass.
    """

    instance: aws.rds.Instance
    release_snapshot: aws.rds.Snapshot
    subnet_group_name: pulumi.Output[str]
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    arn: pulumi.Output[str]
    master_user_secret_arn: pulumi.Output[str]
    app_secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:data:Database", name, None, opts)
        settings = args.settings
        identifier = settings.identifier
        adoption = args.adoption
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        # Made before the instance, or RDS creates them itself with no retention. Like every log group they outlive
        # `pulumi destroy`: protected where the stack protects, retained elsewhere.
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"{name}-log-{export}",
                name=f"/aws/rds/instance/{identifier}/{export}",
                retention_in_days=args.log_retention_days,
                opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(retain_on_delete=not args.protect)),
            )
            for export in LOG_EXPORTS
        ]

        # An adopted group keeps its name; a new one is named by Pulumi.
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=adoption.database_subnet_group,
            subnet_ids=args.subnet_ids,
            description="Isolated subnets of AMY's database",
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(import_=adoption.database_subnet_group)),
        )
        parameter_group = aws.rds.ParameterGroup(
            f"{name}-parameters",
            name=adoption.database_parameter_group,
            family=settings.parameter_group_family,
            description="AMY: TLS only, slow statements logged",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="pending-reboot"),
                aws.rds.ParameterGroupParameterArgs(
                    name="log_min_duration_statement", value=str(SLOW_STATEMENT_MS), apply_method="immediate"
                ),
            ],
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(import_=adoption.database_parameter_group)),
        )
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=identifier,
            engine="postgres",
            engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            allocated_storage=settings.allocated_storage_gb,
            max_allocated_storage=settings.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=DATABASE_NAME,
            username=settings.master_username,
            manage_master_user_password=True,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[args.security_group_id],
            parameter_group_name=parameter_group.name,
            publicly_accessible=False,
            multi_az=settings.multi_az,
            backup_retention_period=settings.backup_retention_days,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            copy_tags_to_snapshot=True,
            delete_automated_backups=False,
            deletion_protection=settings.deletion_protection,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{identifier}-final",
            performance_insights_enabled=True,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_FREE_DAYS,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            apply_immediately=False,
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(depends_on=log_groups, import_=adoption.database)),
        )
        self.release_snapshot = self._release_snapshot(name, args)
        self.subnet_group_name = subnet_group.name
        self.address = self.instance.address
        self.port = self.instance.port
        self.arn = self.instance.arn
        self.master_user_secret_arn = self.instance.master_user_secrets.apply(_secret_arn)
        # Only the secret: its value is made and stored by the release step, so it never enters Pulumi's state.
        self.app_secret_arn = aws.secretsmanager.Secret(
            f"{name}-app-secret",
            name=f"{args.name_prefix}/database/app",
            description=f"The password of {app_role.APP_ROLE}, AMY's own role in {identifier}; stored by the release step",
            opts=stateful,
        ).arn
        self.register_outputs({"address": self.address, "port": self.port, "arn": self.arn})

    def _release_snapshot(self, name: str, args: DatabaseArgs) -> aws.rds.Snapshot:
        """A manual snapshot named for the release about to be deployed, the database and the minute it is taken.

        One per version: a new version is a new resource, and the old snapshot is
        retained in AWS when the program moves on. The name is fixed when the
        snapshot is made; later runs keep it. It is taken once the instance can be.
        """
        version = args.app_version
        return aws.rds.Snapshot(
            f"{name}-release-{version.slug}",
            db_instance_identifier=self.instance.identifier,
            db_snapshot_identifier=release_snapshot_identifier(version, args.settings.identifier, release_time()),
            opts=pulumi.ResourceOptions(
                parent=self,
                retain_on_delete=True,
                ignore_changes=["dbSnapshotIdentifier"],
                depends_on=[self._available(name, args)],
            ),
        )

    def _available(self, name: str, args: DatabaseArgs) -> command.local.Command:
        """Waits, bounded, until the instance can be snapshotted: RDS refuses while a backup runs. One per
        version, like the snapshot, so it runs again before each release's snapshot."""
        return command.local.Command(
            f"{name}-available-{args.app_version.slug}",
            create=WAIT_AVAILABLE,
            environment={
                "AWS_REGION": args.region,
                "AMY_DB_INSTANCE": self.instance.identifier,
                "AMY_DB_BACKUP_WINDOW": args.settings.backup_window,
                "AMY_AWS_BACKUP_START": clock(AWS_BACKUP_DAILY_START_WINDOW),
            },
            opts=pulumi.ResourceOptions(parent=self),
        )


def _secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret]) -> str:
    if not secrets or secrets[0].secret_arn is None:
        raise ValueError("RDS reported no master user secret although manage_master_user_password is set")
    return secrets[0].secret_arn


def release_snapshot_identifier(version: AppVersion, database: str, moment: datetime) -> str:
    """`vA-B-C-<database>-YYYY-MM-DD-HHMM`, like `v4-7-2-amy-production-2026-01-15-0930`.

    Manual snapshot identifiers are unique per account and region, so the operators' `vA-B-C` prefix alone
    would collide: between stacks sharing an account, and on a redeploy or rollback the same day
    (`DBSnapshotAlreadyExists`). The database and the minute set them apart. An RDS identifier starts with a
    letter and has single hyphens, so the whole stays a valid snapshot identifier (1-255 letters, digits and
    hyphens, a letter first, no `--`, no trailing hyphen).
    """
    return version.snapshot_identifier(database, moment)


def release_time() -> datetime:
    """Now in UTC, or SOURCE_DATE_EPOCH when set, so repeated plans agree."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
