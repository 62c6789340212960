"""The web tier of each layout, wired to the tier both layouts share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi

from components.alarms import Alarm, host_alarms, service_alarms
from components.app_settings import AppSettings
from components.backups import Backups
from components.cache import Cache, CacheArgs
from components.certificates import Certificates
from components.database import Database
from components.fargate_service import FargateService, FargateServiceArgs
from components.legacy_host import REDIS_URL, LegacyHost, LegacyHostArgs
from components.logs import Logs
from components.network import Network
from stack_config import StackConfig


@dataclass(frozen=True)
class SharedTier:
    network: Network
    logs: Logs
    database: Database
    backups: Backups
    certificates: Certificates
    settings: AppSettings


def legacy(config: StackConfig, shared: SharedTier, opts: pulumi.ResourceOptions) -> list[Alarm]:
    """One EC2 host, as production runs today; returns the alarms that watch it."""
    assert config.host is not None, "validated with the layout"
    if config.cache_mode == "local":
        shared.settings.add("AMY_REDIS_URL", REDIS_URL)
    host = LegacyHost(
        f"{config.name_prefix}-host",
        LegacyHostArgs(
            stack=config.stack,
            region=config.region,
            domain=config.dns.domain,
            zone_id=config.dns.zone_id,
            host=config.host,
            app_version=config.app_version,
            subnet_id=shared.network.public_subnet_ids.apply(lambda subnets: subnets[0]),
            security_group_ids=[shared.network.entry_security_group.id, shared.network.app_security_group.id],
            parameters_path=shared.settings.path,
            required_settings=shared.settings.required,
            database_secret_arn=shared.database.master_user_secret_arn,
            dumps_bucket=shared.backups.dumps_bucket.bucket,
            dumps_bucket_arn=shared.backups.dumps_bucket.arn,
            dumps_key_arn=shared.backups.key.arn,
            log_groups=shared.logs.names,
            cache=config.cache_mode == "local",
            termination_protection=config.protect_stateful_resources,
            backup_plan_id=shared.backups.plan.id,
            backup_role_arn=shared.backups.role.arn,
            release_snapshot=shared.database.release_snapshot,
            gunicorn_workers=config.gunicorn_workers,
            email_attachments_bucket=config.email_attachments_bucket,
            adoption=config.adoption,
        ),
        opts,
    )
    pulumi.export("hostInstanceId", host.instance.id)
    pulumi.export("hostPublicIp", host.public_ip)
    pulumi.export("hostAmiId", host.ami_id)
    pulumi.export("deployDocument", host.deploy_document.name)
    pulumi.export("maintenanceDocument", host.maintenance_document.name)
    return host_alarms(host.instance.id)


def ecs(config: StackConfig, shared: SharedTier, opts: pulumi.ResourceOptions) -> list[Alarm]:
    """Fargate behind a load balancer, with Redis on ElastiCache when there is a cache; returns its alarms."""
    assert config.service is not None, "validated with the layout"
    if config.cache_mode == "elasticache":
        cache = Cache(
            f"{config.name_prefix}-cache",
            CacheArgs(
                name_prefix=config.name_prefix,
                node_type=config.service.cache_node_type,
                snapshot_days=config.service.cache_snapshot_days,
                vpc_id=shared.network.vpc_id,
                subnet_ids=shared.network.private_subnet_ids,
                app_security_group_id=shared.network.app_security_group.id,
            ),
            opts,
        )
        shared.settings.add("AMY_REDIS_URL", cache.url)
    service = FargateService(
        f"{config.name_prefix}-service",
        FargateServiceArgs(
            stack=config.stack,
            region=config.region,
            domain=config.dns.domain,
            zone_id=config.dns.zone_id,
            service=config.service,
            app_version=config.app_version,
            gunicorn_workers=config.gunicorn_workers,
            vpc_id=shared.network.vpc_id,
            public_subnet_ids=shared.network.public_subnet_ids,
            private_subnet_ids=shared.network.private_subnet_ids,
            entry_security_group_id=shared.network.entry_security_group.id,
            app_security_group_id=shared.network.app_security_group.id,
            certificate_arn=shared.certificates.app_certificate_arn,
            log_groups=shared.logs.names,
            log_retention_days=config.log_retention_days,
            environment=shared.settings.environment,
            parameter_settings=shared.settings.from_operators,
            parameters_path=shared.settings.path,
            database_secret_arn=shared.database.master_user_secret_arn,
            workers=config.cache_mode == "elasticache",
            maintenance=config.maintenance,
            deletion_protection=config.protect_stateful_resources,
            email_attachments_bucket=config.email_attachments_bucket,
            release_snapshot=shared.database.release_snapshot,
        ),
        opts,
    )
    pulumi.export("repositoryUrl", service.repository.repository_url)
    pulumi.export("cluster", service.cluster.name)
    pulumi.export("loadBalancer", service.load_balancer.dns_name)
    return service_alarms(
        service.load_balancer.arn_suffix, service.target_group.arn_suffix, service.cluster.name, service.web.name
    )


WEB_TIERS: dict[str, Callable[[StackConfig, SharedTier, pulumi.ResourceOptions], list[Alarm]]] = {"legacy": legacy, "ecs": ecs}
