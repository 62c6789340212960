"""AMY's infrastructure: the data tier both layouts share, then the layout's web tier."""

import pulumi

import stack_config
from components.alarms import Alarms, AlarmsArgs
from components.app_record import app_record
from components.app_settings import AppSettings, AppSettingsArgs
from components.backups import Backups, BackupsArgs
from components.cache import Cache, CacheArgs
from components.cdn import Cdn, CdnArgs
from components.certificates import Certificates, CertificatesArgs
from components.cloud_trail import CloudTrail, CloudTrailArgs
from components.database import DATABASE_NAME, Database, DatabaseArgs
from components.github_deploys import GitHubDeploys, GitHubDeploysArgs
from components.iam import PermissionsBoundary
from components.legacy_host import LOCAL_REDIS_URL
from components.logs import Logs, LogsArgs, log_group_name
from components.network import Network, NetworkArgs
from components.session_logging import SessionLogging, SessionLoggingArgs
from layouts import WEB_TIERS, SharedTier, access_scope
from lookups import look_up
from providers import make_providers, stack_opts

try:
    config = stack_config.from_pulumi()
except stack_config.StackConfigError as error:
    raise pulumi.RunError(str(error)) from None

providers = make_providers(config)
lookups = look_up(config, providers.region)
opts = stack_opts(providers)
prefix = config.name_prefix
protect = config.protect_stateful_resources
scope = access_scope(config, lookups.account_id)
boundary = PermissionsBoundary(f"{prefix}-boundary", scope, opts)

network = Network(
    f"{prefix}-network",
    NetworkArgs(
        cidr_block=config.network.vpc_cidr,
        availability_zones=config.network.availability_zones,
        nat_strategy=config.network.nat_strategy,
        region=config.region,
        flow_log_group_name=log_group_name(config.stack, "vpc-flow-logs"),
        log_retention_days=config.log_retention_days,
        protect=protect,
        permissions_boundary=boundary.arn,
        existing=config.existing_network,
    ),
    opts,
)
logs = Logs(f"{prefix}-logs", LogsArgs(stack=config.stack, retention_days=config.log_retention_days, protect=protect), opts)
sessions = SessionLogging(
    f"{prefix}-sessions",
    SessionLoggingArgs(
        name_prefix=prefix,
        region=config.region,
        log_group_name=log_group_name(config.stack, "sessions"),
        log_retention_days=config.log_retention_days,
        protect=protect,
        break_glass_role=config.backup.break_glass_role,
        preferences=config.session_preferences,
    ),
    opts,
)
database = Database(
    f"{prefix}-db",
    DatabaseArgs(
        name_prefix=prefix,
        settings=config.database,
        region=config.region,
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
        permissions_boundary=boundary.arn,
        dumps_bucket_import=config.adoption.dumps_bucket,
        copy_provider=providers.backup_copy,
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
        us_east_1=providers.cloudfront,
        name_prefix=prefix,
        access_log_group_name=log_group_name(config.stack, "cdn-access"),
        log_retention_days=config.log_retention_days,
        protect=protect,
        distribution_import=config.adoption.distribution,
        alias=config.dns.cdn_alias,
        record_imports={"A": config.adoption.static_record, "AAAA": config.adoption.static_record_ipv6},
    ),
    opts,
)

# RQ's Redis, where the stack runs RQ: the legacy host's own, or ElastiCache.
redis_url: pulumi.Input[str] | None = LOCAL_REDIS_URL if config.cache_mode == "local" else None
if config.elasticache:
    redis_url = Cache(
        f"{prefix}-cache",
        CacheArgs(
            name_prefix=prefix,
            node_type=config.elasticache.node_type,
            snapshot_days=config.elasticache.snapshot_days,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            app_security_group_id=network.app_security_group.id,
        ),
        opts,
    ).url

app_settings = AppSettings(
    f"{prefix}-settings",
    AppSettingsArgs(
        stack=config.stack,
        domain=config.dns.domain,
        static_domain=config.dns.static_domain,
        database_address=database.address,
        database_port=database.port,
        database_name=DATABASE_NAME,
        redis_url=redis_url,
        email_attachments_bucket=config.email_attachments_bucket,
        optional_settings=config.optional_settings,
    ),
    opts,
)

web = WEB_TIERS[config.layout](
    config,
    SharedTier(
        network=network,
        logs=logs,
        database=database,
        backups=backups,
        certificates=certificates,
        settings=app_settings,
        permissions_boundary=boundary.arn,
        sessions=sessions,
    ),
    lookups,
    opts,
)

app_record(f"{prefix}-app-dns", config.dns.zone_id, config.dns.domain, web.address, config.adoption.app_record, opts)

alarms = Alarms(
    f"{prefix}-alarms",
    AlarmsArgs(
        name_prefix=prefix,
        region=config.region,
        us_east_1=providers.cloudfront,
        email=config.alarm_email,
        database_identifier=config.database.identifier,
        database_storage_gb=config.database.allocated_storage_gb,
        web_alarms=web.alarms,
        backup_vault_name=backups.vault.name,
        backup_vault_arn=backups.vault.arn,
        backup_role_arn=backups.role.arn,
    ),
    opts,
)

if config.cloud_trail:
    trail = CloudTrail(
        f"{prefix}-cloudtrail",
        CloudTrailArgs(name_prefix=prefix, region=config.region, log_retention_days=config.log_retention_days, protect=protect),
        opts,
    )
    pulumi.export("cloudTrailBucket", trail.bucket.bucket)

if config.github:
    github = GitHubDeploys(
        f"{prefix}-github",
        GitHubDeploysArgs(
            name_prefix=prefix, settings=config.github, scope=scope, oidc_provider_arn=lookups.github_oidc_provider_arn
        ),
        opts,
    )
    pulumi.export("githubDeployRole", github.deploy_role.arn)
    pulumi.export("githubPreviewRole", github.preview_role.arn)

pulumi.export("layout", config.layout)
pulumi.export("alarmTopic", alarms.topic.arn)
pulumi.export("appVersion", str(config.app_version))
pulumi.export("vpcId", network.vpc_id)
pulumi.export("vpcFlowLogGroup", network.flow_log_group.name)
pulumi.export("databaseAddress", database.address)
pulumi.export("databaseSecretArn", database.master_user_secret_arn)
pulumi.export("databaseAppSecretArn", database.app_secret_arn)
pulumi.export("backupVault", backups.vault.name)
pulumi.export("backupRoleArn", backups.role.arn)
pulumi.export("dumpsBucket", backups.dumps_bucket.bucket)
pulumi.export("staticUrl", f"https://{config.dns.static_domain}")
pulumi.export("cdnDomain", cdn.distribution.domain_name)
pulumi.export("cdnDistributionId", cdn.distribution.id)
pulumi.export("cdnAccessLogGroup", cdn.access_log_group.name)
pulumi.export("logGroups", {source: group.name for source, group in logs.groups.items()})
for output, value in web.exports.items():
    pulumi.export(output, value)
