"""Each committed stack whole, as `pulumi preview` would build it: providers, tags, protection, backups,
encryption, network, settings, and what a layout switch keeps. Values come from the stack's own config."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.backups import DUMPS_BUCKET_TAGS
from components.iam import BOUNDARY_TAGS
from components.legacy_host import LOCAL_REDIS_URL
from components.logs import log_group_name, log_sources
from providers import CLOUDFRONT_REGION, default_tags
from stack_config import StackConfig
from stack_config.stack import MAX_STACK_NAME
from stack_config.web import SERVICE_KEYS, moved_to_ecs
from tests.stacks import STACKS, config_of, planned
from tooling.harness import Plan, Registration, run, stack_config_values

STATEFUL_TYPES = {
    "aws:rds/instance:Instance",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:backup/vault:Vault",
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:cloudwatch/logGroup:LogGroup",
}
# What `pulumi destroy` must never take: protected where the stack protects, retained elsewhere.
OUTLIVES_DESTROY = {
    "aws:kms/key:Key",
    "aws:backup/vault:Vault",
    "aws:s3/bucket:Bucket",
    "aws:cloudwatch/logGroup:LogGroup",
}
KEPT_ACROSS_LAYOUTS = STATEFUL_TYPES | {
    "aws:cloudfront/distribution:Distribution",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
}


def shared_stateful(plan: Plan) -> list[Registration]:
    """The stateful resources of the shared tier; a web tier's own (its backup selection) come and go with it."""
    return [r for r in plan.registrations if r.type in STATEFUL_TYPES and "amy:web:" not in r.urn]


def expected_provider_regions(config: StackConfig) -> dict[str, str]:
    """One provider per region: the stack's, CloudFront's, and the backups' copy region where it is another."""
    regions = {"aws": config.region, f"aws-{CLOUDFRONT_REGION}": CLOUDFRONT_REGION}
    copy_region = config.backup.copy_region
    if copy_region is not None and copy_region != CLOUDFRONT_REGION:
        regions[f"aws-{copy_region}"] = copy_region
    return regions


def test_every_aws_resource_uses_an_explicit_provider_of_the_stack(stack_plan: Plan, stack_config: StackConfig) -> None:
    providers = {p.urn for p in stack_plan.of_type("pulumi:providers:aws")}
    assert len(providers) == len(expected_provider_regions(stack_config))
    for registration in stack_plan.registrations:
        if registration.type.startswith("aws:"):
            assert registration.provider_urn in providers, registration.name
    vpc = stack_plan.one("awsx:ec2:Vpc")
    assert vpc.providers["aws"].rsplit("::", 1)[0] == stack_plan.one("pulumi:providers:aws", "aws").urn


def test_default_providers_are_disabled_in_the_stack_files(stack_plan: Plan) -> None:
    values, _ = stack_config_values(stack_plan.stack)
    assert values["pulumi:disable-default-providers"] == '["aws"]'


def test_providers_tag_everything_from_one_place(stack_plan: Plan, stack_config: StackConfig) -> None:
    regions = {}
    for provider in stack_plan.of_type("pulumi:providers:aws"):
        # Providers take structured settings as JSON text.
        assert json.loads(provider.inputs["defaultTags"]) == {"tags": default_tags(stack_config)}
        regions[provider.name] = provider.inputs["region"]
    assert regions == expected_provider_regions(stack_config)
    assert default_tags(stack_config)["Environment"] == stack_config.stack
    # A resource may carry a tag that says what it is for, never one of the default tags.
    tagged_here = {r.name: r.inputs["tags"] for r in stack_plan.registrations if r.type.startswith("aws:") and "tags" in r.inputs}
    prefix = stack_config.name_prefix
    assert tagged_here == {
        f"{prefix}-backups-dumps": DUMPS_BUCKET_TAGS,
        f"{prefix}-boundary-policy": BOUNDARY_TAGS,
        f"{prefix}-github-boundary-policy": BOUNDARY_TAGS,
    }
    assert not set(DUMPS_BUCKET_TAGS.keys() | BOUNDARY_TAGS.keys()) & default_tags(stack_config).keys()


def test_protection_follows_the_stack(stack_plan: Plan, stack_config: StackConfig) -> None:
    """Protected stacks protect every stateful resource; the others protect nothing, so they can be rebuilt."""
    stateful = shared_stateful(stack_plan)
    assert len(stateful) >= 20
    if stack_config.protect_stateful_resources:
        assert [r.name for r in stateful if not r.protect] == []
    else:
        assert [r.name for r in stack_plan.registrations if r.protect] == []


def test_keys_vaults_buckets_and_logs_outlive_a_destroy(stack_plan: Plan, stack_config: StackConfig) -> None:
    protect = stack_config.protect_stateful_resources
    kept = [r for r in stack_plan.registrations if r.type in OUTLIVES_DESTROY]
    assert {r.type for r in kept} == OUTLIVES_DESTROY
    assert [r.name for r in kept if (r.protect, r.retain_on_delete) != (protect, not protect)] == []


# The audit trail's autonamed role and buckets, by logical name after `amy-<stack>-`, with AWS's longest name for each;
# Pulumi's autoname adds a hyphen and seven characters.
AUDIT_AUTONAMED = {
    ("aws:iam/role:Role", "network-flow-logs-role"): 64,
    ("aws:s3/bucket:Bucket", "service-alb-logs"): 63,
    ("aws:s3/bucket:Bucket", "cloudtrail-logs"): 63,
}
AUTONAME_SUFFIX = 8


@pytest.mark.parametrize("stack", STACKS)
def test_the_audit_trails_role_and_buckets_fit_aws_for_the_longest_stack_name(stack: str) -> None:
    """Named `amy-<stack>-…` and autonamed, so stacks sharing an account never meet; with the longest stack name and
    Pulumi's suffix they still fit AWS (IAM roles 64 characters, S3 buckets 63, lower case)."""
    prefix, longest = config_of(stack).name_prefix, f"amy-{'a' * MAX_STACK_NAME}"
    plan = run(stack, {"amy:cloudTrail": True})
    found = 0
    for (type_, suffix), limit in AUDIT_AUTONAMED.items():
        for registration in plan.of_type(type_):
            if registration.name == f"{prefix}-{suffix}":
                found += 1
                assert not registration.inputs.get("name") and not registration.inputs.get("bucket"), registration.name
                assert len(f"{longest}-{suffix}") + AUTONAME_SUFFIX <= limit, suffix
                assert suffix == suffix.lower()
    # The ALB's bucket is the ecs layout's alone.
    assert found == len(AUDIT_AUTONAMED) - (config_of(stack).layout != "ecs")


def test_retention_follows_the_stack(stack_plan: Plan, stack_config: StackConfig) -> None:
    assert (
        stack_plan.one("aws:rds/instance:Instance").inputs["backupRetentionPeriod"] == stack_config.database.backup_retention_days
    )
    rules = {
        rule["ruleName"]: rule["lifecycle"]["deleteAfter"] for rule in stack_plan.one("aws:backup/plan:Plan").inputs["rules"]
    }
    assert rules == {"daily": stack_config.backup.daily_retention_days, "monthly": stack_config.backup.monthly_retention_days}
    groups = stack_plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert {g.inputs["retentionInDays"] for g in groups} == {stack_config.log_retention_days}
    restore_tests = stack_plan.of_type("aws:backup/restoreTestingSelection:RestoreTestingSelection")
    assert bool(restore_tests) is stack_config.backup.restore_testing


def test_backup_selection_covers_the_stack_database(stack_plan: Plan, stack_config: StackConfig) -> None:
    database_arn = stack_plan.one("aws:rds/instance:Instance").outputs["arn"]
    selection = stack_plan.one("aws:backup/selection:Selection", f"{stack_config.name_prefix}-backups-database")
    assert selection.inputs["resources"] == [database_arn]


def test_data_is_encrypted_at_rest(stack_plan: Plan, stack_config: StackConfig) -> None:
    key_arn = stack_plan.one("aws:kms/key:Key", f"{stack_config.name_prefix}-backups-key").outputs["arn"]
    assert stack_plan.one("aws:rds/instance:Instance").inputs["storageEncrypted"] is True
    assert stack_plan.one("aws:backup/vault:Vault", f"{stack_config.name_prefix}-backups-vault").inputs["kmsKeyArn"] == key_arn
    encryption = stack_plan.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"{stack_config.name_prefix}-backups-dumps-encryption",
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn


def test_database_sits_in_the_isolated_subnets_behind_its_group(stack_plan: Plan, stack_config: StackConfig) -> None:
    vpc = stack_plan.one("awsx:ec2:Vpc").outputs
    subnet_group = stack_plan.one("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == vpc["isolatedSubnetIds"]
    instance = stack_plan.one("aws:rds/instance:Instance").inputs
    database_group = stack_plan.one("aws:ec2/securityGroup:SecurityGroup", f"{stack_config.name_prefix}-network-database")
    assert instance["vpcSecurityGroupIds"] == [database_group.id]
    assert instance["publiclyAccessible"] is False
    assert instance["identifier"] == stack_config.database.identifier


def test_nothing_but_http_and_https_is_open_to_the_internet(stack_plan: Plan) -> None:
    rules = stack_plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    open_ports = {r.inputs["fromPort"] for r in rules if "cidrIpv4" in r.inputs or "cidrIpv6" in r.inputs}
    assert open_ports == {80, 443}


def test_every_log_source_has_its_group(stack_plan: Plan, stack_config: StackConfig) -> None:
    names = {g.inputs["name"] for g in stack_plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {log_group_name(stack_config.stack, source) for source in log_sources()} <= names


def test_the_vpc_logs_every_flow_for_the_stacks_log_retention(stack_plan: Plan, stack_config: StackConfig) -> None:
    group = stack_plan.one("aws:cloudwatch/logGroup:LogGroup", f"{stack_config.name_prefix}-network-flow-logs")
    assert group.inputs == {
        "name": log_group_name(stack_config.stack, "vpc-flow-logs"),
        "retentionInDays": stack_config.log_retention_days,
    }
    assert f":{stack_config.region}:" in group.outputs["arn"]
    flow_log = stack_plan.one("aws:ec2/flowLog:FlowLog").inputs
    assert (flow_log["vpcId"], flow_log["trafficType"]) == (stack_plan.outputs["vpcId"], "ALL")
    assert flow_log["logDestination"] == group.outputs["arn"]
    assert stack_plan.outputs["vpcFlowLogGroup"] == group.inputs["name"]


def test_the_cdn_logs_every_request_in_us_east_1_for_the_stacks_log_retention(
    stack_plan: Plan, stack_config: StackConfig
) -> None:
    group = stack_plan.one("aws:cloudwatch/logGroup:LogGroup", f"{stack_config.name_prefix}-cdn-access-logs")
    assert group.inputs == {
        "name": log_group_name(stack_config.stack, "cdn-access"),
        "retentionInDays": stack_config.log_retention_days,
    }
    us_east_1 = stack_plan.one("pulumi:providers:aws", f"aws-{CLOUDFRONT_REGION}").urn
    delivery = stack_plan.one("aws:cloudwatch/logDeliverySource:LogDeliverySource")
    assert group.provider_urn == delivery.provider_urn == us_east_1
    assert delivery.inputs["resourceArn"] == stack_plan.one("aws:cloudfront/distribution:Distribution").outputs["arn"]
    assert stack_plan.outputs["cdnAccessLogGroup"] == group.inputs["name"]


def test_exports_tell_operators_where_things_are(stack_plan: Plan, stack_config: StackConfig) -> None:
    outputs = stack_plan.outputs
    assert outputs["layout"] == stack_config.layout
    assert outputs["appVersion"] == str(stack_config.app_version)
    assert outputs["databaseAddress"].startswith(f"{stack_config.database.identifier}.")
    dumps = stack_plan.one("aws:s3/bucket:Bucket", f"{stack_config.name_prefix}-backups-dumps")
    assert outputs["dumpsBucket"] == dumps.outputs["bucket"]
    assert outputs["logGroups"]["application"] == log_group_name(stack_config.stack, "application")
    assert outputs["databaseSecretArn"].startswith("arn:aws:secretsmanager:")
    assert outputs["staticUrl"] == f"https://{stack_config.dns.static_domain}"
    web_tier = {"legacy": {"hostInstanceId", "deployDocument"}, "ecs": {"repositoryUrl", "loadBalancer"}}
    assert web_tier[stack_config.layout] <= set(outputs)
    assert not web_tier[{"legacy": "ecs", "ecs": "legacy"}[stack_config.layout]] & set(outputs)
    assert ("githubDeployRole" in outputs) is (stack_config.github is not None)


def test_only_the_legacy_layout_has_the_host(stack_plan: Plan, stack_config: StackConfig) -> None:
    hosts = stack_plan.of_type("amy:web:LegacyHost")
    services = stack_plan.of_type("amy:web:FargateService")
    if stack_config.layout == "legacy":
        assert ([h.name for h in hosts], services) == ([f"{stack_config.name_prefix}-host"], [])
        assert stack_plan.outputs["deployDocument"] == f"{stack_config.name_prefix}-deploy"
    else:
        assert (hosts, [s.name for s in services]) == ([], [f"{stack_config.name_prefix}-service"])


def test_settings_are_written_where_the_processes_read_them(stack_plan: Plan, stack_config: StackConfig) -> None:
    path = f"/amy/{stack_config.stack}/env/"
    parameters = {p.inputs["name"].removeprefix(path): p.inputs for p in stack_plan.of_type("aws:ssm/parameter:Parameter")}
    assert parameters["AMY_DEBUG"]["value"] == "false"
    assert parameters["AMY_SITE_BANNER"]["value"] == stack_config.stack
    assert parameters["AMY_ALLOWED_HOSTS"]["value"] == stack_config.dns.domain
    assert parameters["AMY_STATIC_HOST"]["value"] == f"https://{stack_config.dns.static_domain}"
    assert ("AMY_REDIS_URL" in parameters) is stack_config.rq_workers
    if stack_config.cache_mode == "local":
        assert parameters["AMY_REDIS_URL"]["value"] == LOCAL_REDIS_URL
    assert {p["type"] for p in parameters.values()} == {"String"}
    # The provider treats every parameter value as secret; the harness records that.
    assert {p.secret_inputs for p in stack_plan.of_type("aws:ssm/parameter:Parameter")} == {("value",)}


def switched_layout(config: StackConfig) -> dict[str, Any]:
    """Overrides that move a stack to the other layout as its stack file would: RQ kept where it ran, the old
    layout's keys removed (they would do nothing, and are refused)."""
    if config.layout == "legacy":
        return moved_to_ecs(config.rq_workers)
    return {
        "amy:layout": "legacy",
        "amy:cacheMode": "local" if config.rq_workers else "none",
        "amy:certbotEmail": config.alarm_email or "operators@example.org",
        **{f"amy:{key}": None for key in SERVICE_KEYS},
    }


@pytest.mark.parametrize("stack", STACKS)
def test_a_layout_switch_replaces_and_deletes_nothing_it_must_keep(stack: str) -> None:
    """Same URN and the same inputs (so no replacement) for every stateful resource, the CDN and the certificates."""
    before = planned(stack)
    after = run(stack, switched_layout(config_of(stack)))

    def kept(plan: Plan) -> dict[str, dict]:
        return {r.urn: r.inputs for r in plan.registrations if r.type in KEPT_ACROSS_LAYOUTS and "amy:web:" not in r.urn}

    assert kept(after) == kept(before)
    assert len(kept(after)) >= 25
    assert {r.urn for r in shared_stateful(after)} == {r.urn for r in shared_stateful(before)}
    # Protection stays on where it was.
    assert {r.urn for r in after.registrations if r.protect} >= {r.urn for r in shared_stateful(before) if r.protect}


def test_the_application_name_points_at_the_layouts_entry(stack_plan: Plan, stack_config: StackConfig) -> None:
    record = stack_plan.one("aws:route53/record:Record", f"{stack_config.name_prefix}-app-dns")
    assert (record.inputs["zoneId"], record.inputs["name"], record.inputs["type"]) == (
        stack_config.dns.zone_id,
        stack_config.dns.domain,
        "A",
    )
    if stack_config.layout == "legacy":
        assert record.inputs["records"] == [stack_plan.one("aws:ec2/eip:Eip").outputs["publicIp"]]
        assert record.inputs["ttl"] == 300
    else:
        balancer = stack_plan.one("aws:lb/loadBalancer:LoadBalancer").outputs
        assert record.inputs["aliases"] == [
            {"name": balancer["dnsName"], "zoneId": balancer["zoneId"], "evaluateTargetHealth": True}
        ]


@pytest.mark.parametrize("stack", STACKS)
def test_a_layout_switch_changes_the_application_record_in_place(stack: str) -> None:
    """Two records for one (zone, name, type) cannot exist: the new layout's would be created while the old one's
    still stands, and Route 53 refuses (InvalidChangeBatch: it already exists). One record changes in place."""
    before, after = planned(stack), run(stack, switched_layout(config_of(stack)))
    domain = config_of(stack).dns.domain

    def records(plan: Plan) -> set[str]:
        return {r.urn for r in plan.of_type("aws:route53/record:Record") if r.inputs["name"] == domain}

    assert len(records(before)) == 1
    assert records(before) == records(after)
