"""AMY's infrastructure: the data tier both layouts share, then the layout's web tier."""

import pulumi

import stack_config
from components.alarms import Alarm, Alarms, AlarmsArgs, host_alarms, service_alarms
from components.app_settings import AppSettings, AppSettingsArgs
from components.backups import Backups, BackupsArgs
from components.cache import Cache, CacheArgs
from components.cdn import Cdn, CdnArgs
from components.certificates import Certificates, CertificatesArgs
from components.database import DATABASE_NAME, Database, DatabaseArgs
from components.fargate_service import FargateService, FargateServiceArgs
from components.github_deploys import GitHubDeploys, GitHubDeploysArgs
from components.legacy_host import REDIS_URL, LegacyHost, LegacyHostArgs
from components.logs import Logs, LogsArgs
from components.network import Network, NetworkArgs
from providers import make_providers, stack_opts

try:
    config = stack_config.from_pulumi()
except stack_config.StackConfigError as error:
    raise pulumi.RunError(str(error)) from None

providers = make_providers(config)
opts = stack_opts(providers)
prefix = config.name_prefix
protect = config.protect_stateful_resources

network = Network(
    f"{prefix}-network",
    NetworkArgs(
        cidr_block=config.network.vpc_cidr,
        availability_zones=config.network.availability_zones,
        nat_strategy=config.network.nat_strategy,
        existing=config.existing_network,
    ),
    opts,
)
logs = Logs(f"{prefix}-logs", LogsArgs(stack=config.stack, retention_days=config.log_retention_days, protect=protect), opts)
database = Database(
    f"{prefix}-db",
    DatabaseArgs(
        settings=config.database,
        subnet_ids=network.isolated_subnet_ids,
        security_group_id=network.database_security_group.id,
        log_retention_days=config.log_retention_days,
        protect=protect,
        app_version=config.app_version,
        adoption=config.adoption,
    ),
    opts,
)
backups = Backups(
    f"{prefix}-backups",
    BackupsArgs(
        name_prefix=prefix,
        settings=config.backup,
        database_arn=database.arn,
        database_subnet_group_name=database.subnet_group_name,
        database_security_group_id=network.database_security_group.id,
        protect=protect,
        dumps_bucket_import=config.adoption.dumps_bucket,
    ),
    opts,
)
certificates = Certificates(
    f"{prefix}-certificates",
    CertificatesArgs(
        zone_id=config.dns.zone_id,
        domain=config.dns.domain,
        static_domain=config.dns.static_domain,
        cdn_provider=providers.cloudfront,
    ),
    opts,
)
cdn = Cdn(
    f"{prefix}-cdn",
    CdnArgs(
        static_domain=config.dns.static_domain,
        origin_domain=config.dns.domain,
        zone_id=config.dns.zone_id,
        certificate_arn=certificates.cdn_certificate_arn,
        distribution_import=config.adoption.distribution,
    ),
    opts,
)

app_settings = AppSettings(
    f"{prefix}-settings",
    AppSettingsArgs(
        stack=config.stack,
        domain=config.dns.domain,
        static_domain=config.dns.static_domain,
        database_address=database.address,
        database_port=database.port,
        database_name=DATABASE_NAME,
    ),
    opts,
)

if config.github:
    github = GitHubDeploys(f"{prefix}-github", GitHubDeploysArgs(stack=config.stack, settings=config.github), opts)
    pulumi.export("githubDeployRole", github.deploy_role.arn)
    pulumi.export("githubPreviewRole", github.preview_role.arn)

if config.email_attachments_bucket:
    app_settings.add("AMY_EMAIL_ATTACHMENTS_S3_BUCKET_NAME", config.email_attachments_bucket)

# The web tier of the layout.
web_alarms: list[Alarm]
if config.layout == "legacy":
    assert config.host is not None, "validated with the layout"
    if config.cache_mode == "local":
        app_settings.add("AMY_REDIS_URL", REDIS_URL)
    host = LegacyHost(
        f"{prefix}-host",
        LegacyHostArgs(
            stack=config.stack,
            region=config.region,
            domain=config.dns.domain,
            zone_id=config.dns.zone_id,
            host=config.host,
            app_version=config.app_version,
            subnet_id=network.public_subnet_ids.apply(lambda subnets: subnets[0]),
            security_group_ids=[network.entry_security_group.id, network.app_security_group.id],
            parameters_path=app_settings.path,
            required_settings=app_settings.required,
            database_secret_arn=database.master_user_secret_arn,
            dumps_bucket=backups.dumps_bucket.bucket,
            dumps_bucket_arn=backups.dumps_bucket.arn,
            dumps_key_arn=backups.key.arn,
            log_groups=logs.names,
            cache=config.cache_mode == "local",
            termination_protection=protect,
            backup_plan_id=backups.plan.id,
            backup_role_arn=backups.role.arn,
            release_snapshot=database.release_snapshot,
            gunicorn_workers=config.gunicorn_workers,
            email_attachments_bucket=config.email_attachments_bucket,
            adoption=config.adoption,
        ),
        opts,
    )
    web_alarms = host_alarms(host.instance.id)
    pulumi.export("hostInstanceId", host.instance.id)
    pulumi.export("hostPublicIp", host.public_ip)
    pulumi.export("hostAmiId", host.ami_id)
    pulumi.export("deployDocument", host.deploy_document.name)
    pulumi.export("maintenanceDocument", host.maintenance_document.name)
else:
    assert config.service is not None, "validated with the layout"
    if config.cache_mode == "elasticache":
        cache = Cache(
            f"{prefix}-cache",
            CacheArgs(
                name_prefix=prefix,
                node_type=config.service.cache_node_type,
                snapshot_days=config.service.cache_snapshot_days,
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                app_security_group_id=network.app_security_group.id,
            ),
            opts,
        )
        app_settings.add("AMY_REDIS_URL", cache.url)
    service = FargateService(
        f"{prefix}-service",
        FargateServiceArgs(
            stack=config.stack,
            region=config.region,
            domain=config.dns.domain,
            zone_id=config.dns.zone_id,
            service=config.service,
            app_version=config.app_version,
            gunicorn_workers=config.gunicorn_workers,
            vpc_id=network.vpc_id,
            public_subnet_ids=network.public_subnet_ids,
            private_subnet_ids=network.private_subnet_ids,
            entry_security_group_id=network.entry_security_group.id,
            app_security_group_id=network.app_security_group.id,
            certificate_arn=certificates.app_certificate_arn,
            log_groups=logs.names,
            log_retention_days=config.log_retention_days,
            environment=app_settings.environment,
            parameter_settings=app_settings.from_operators,
            parameters_path=app_settings.path,
            database_secret_arn=database.master_user_secret_arn,
            workers=config.cache_mode == "elasticache",
            maintenance=config.maintenance,
            deletion_protection=protect,
            email_attachments_bucket=config.email_attachments_bucket,
            release_snapshot=database.release_snapshot,
        ),
        opts,
    )
    web_alarms = service_alarms(
        service.load_balancer.arn_suffix, service.target_group.arn_suffix, service.cluster.name, service.web.name
    )
    pulumi.export("repositoryUrl", service.repository.repository_url)
    pulumi.export("cluster", service.cluster.name)
    pulumi.export("loadBalancer", service.load_balancer.dns_name)

alarms = Alarms(
    f"{prefix}-alarms",
    AlarmsArgs(
        stack=config.stack,
        email=config.alarm_email,
        database_identifier=config.database.identifier,
        database_storage_gb=config.database.allocated_storage_gb,
        web_alarms=web_alarms,
    ),
    opts,
)

pulumi.export("layout", config.layout)
pulumi.export("alarmTopic", alarms.topic.arn)
pulumi.export("appVersion", str(config.app_version))
pulumi.export("vpcId", network.vpc_id)
pulumi.export("databaseAddress", database.address)
pulumi.export("databaseSecretArn", database.master_user_secret_arn)
pulumi.export("backupVault", backups.vault.name)
pulumi.export("backupRoleArn", backups.role.arn)
pulumi.export("dumpsBucket", backups.dumps_bucket.bucket)
pulumi.export("staticUrl", f"https://{config.dns.static_domain}")
pulumi.export("cdnDomain", cdn.distribution.domain_name)
pulumi.export("logGroups", {source: group.name for source, group in logs.groups.items()})
