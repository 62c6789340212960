"""Each `layout`'s web tier, wired to the tier both layouts share: what it builds, alarms and exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from components.alarms import Alarm
from components.app_settings import AppSettings
from components.application import Address, Application
from components.backups import Backups
from components.certificates import Certificates
from components.database import Database
from components.fargate_service import FargateService, FargateServiceArgs
from components.iam_documents import AccessScope
from components.legacy_host import LegacyHost, LegacyHostArgs
from components.logs import Logs
from components.network import Network
from components.session_logging import SessionLogging
from lookups import Lookups
from stack_config import Layout, StackConfig


@dataclass(frozen=True)
class SharedTier:
    """What both layouts' web tiers stand on."""

    network: Network
    logs: Logs
    database: Database
    backups: Backups
    certificates: Certificates
    settings: AppSettings
    # The boundary every role of the web tier carries.
    permissions_boundary: pulumi.Input[str]
    sessions: SessionLogging


@dataclass(frozen=True)
class WebTier:
    """What a layout's web tier gives back: the alarms that watch it and the stack outputs operators need."""

    alarms: list[Alarm]
    exports: dict[str, pulumi.Input[Any]]
    # Where the application's name points.
    address: Address


def access_scope(config: StackConfig, account: str) -> AccessScope:
    """The stack's names in its account, which every IAM document of the stack is drawn from."""
    adoption = config.adoption
    return AccessScope(
        name_prefix=config.name_prefix,
        stack=config.stack,
        region=config.region,
        account=account,
        database_identifier=config.database.identifier,
        # Pulumi names the bucket after the Backups component's child, `<prefix>-backups-dumps-<7 hex>`.
        dumps_bucket=adoption.dumps_bucket or f"{config.name_prefix}-backups-dumps-*",
        protect=config.protect_stateful_resources,
        zone_id=config.dns.zone_id,
        domains=(config.dns.domain, config.dns.static_domain),
        session_preferences=config.session_preferences,
        database_groups=tuple(
            group for group in (adoption.database_subnet_group, adoption.database_parameter_group) if group is not None
        ),
    )


def application(config: StackConfig, shared: SharedTier) -> Application:
    return Application(
        name_prefix=config.name_prefix,
        stack=config.stack,
        region=config.region,
        domain=config.dns.domain,
        zone_id=config.dns.zone_id,
        version=config.app_version,
        gunicorn_workers=config.gunicorn_workers,
        rq_workers=config.rq_workers,
        settings_path=shared.settings.path,
        environment=shared.settings.environment,
        operator_settings=shared.settings.from_operators,
        required_settings=shared.settings.required,
        database_secret_arn=shared.database.master_user_secret_arn,
        app_database_secret_arn=shared.database.app_secret_arn,
        log_groups=shared.logs.names,
        email_attachments_bucket=config.email_attachments_bucket,
        release_snapshot=shared.database.release_snapshot,
        protect=config.protect_stateful_resources,
        permissions_boundary=shared.permissions_boundary,
        session_log_group_name=shared.sessions.log_group.name,
        session_log_group_arn=shared.sessions.log_group.arn,
        session_key_arn=shared.sessions.key.arn,
    )


def legacy(config: StackConfig, shared: SharedTier, _lookups: Lookups, opts: pulumi.ResourceOptions) -> WebTier:
    """One EC2 host, as production runs today."""
    assert config.host is not None, "validated with the layout"
    host = LegacyHost(
        f"{config.name_prefix}-host",
        LegacyHostArgs(
            app=application(config, shared),
            host=config.host,
            subnet_id=shared.network.public_subnet_ids.apply(lambda subnets: subnets[0]),
            security_group_ids=[shared.network.entry_security_group.id, shared.network.app_security_group.id],
            dumps_bucket=shared.backups.dumps_bucket.bucket,
            dumps_bucket_arn=shared.backups.dumps_bucket.arn,
            dumps_key_arn=shared.backups.key.arn,
            backup_plan_id=shared.backups.plan.id,
            backup_role_arn=shared.backups.role.arn,
            nginx_access_log_group=shared.logs.groups["nginx-access"].name,
            adoption=config.adoption,
        ),
        opts,
    )
    return WebTier(
        address=host.address,
        alarms=host.alarms,
        exports={
            "hostInstanceId": host.instance.id,
            "hostPublicIp": host.public_ip,
            "hostAmiId": host.ami_id,
            "deployDocument": host.deploy_document.name,
            "maintenanceDocument": host.maintenance_document.name,
        },
    )


def ecs(config: StackConfig, shared: SharedTier, lookups: Lookups, opts: pulumi.ResourceOptions) -> WebTier:
    """Fargate behind a load balancer."""
    assert config.service is not None, "validated with the layout"
    service = FargateService(
        f"{config.name_prefix}-service",
        FargateServiceArgs(
            app=application(config, shared),
            service=config.service,
            vpc_id=shared.network.vpc_id,
            public_subnet_ids=shared.network.public_subnet_ids,
            private_subnet_ids=shared.network.private_subnet_ids,
            entry_security_group_id=shared.network.entry_security_group.id,
            app_security_group_id=shared.network.app_security_group.id,
            certificate_arn=shared.certificates.app_certificate_arn,
            log_retention_days=config.log_retention_days,
            image_pushed=lookups.release_image_pushed,
        ),
        opts,
    )
    return WebTier(
        address=service.address,
        alarms=service.alarms,
        exports={
            "repositoryUrl": service.repository.repository_url,
            "cluster": service.cluster.name,
            "loadBalancer": service.load_balancer.dns_name,
        },
    )


WEB_TIERS: dict[Layout, Callable[[StackConfig, SharedTier, Lookups, pulumi.ResourceOptions], WebTier]] = {
    "legacy": legacy,
    "ecs": ecs,
}
