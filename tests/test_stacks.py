"""Each stack whole, as `pulumi preview` would build it: providers, tags, protection, backups, encryption, network."""

from __future__ import annotations

import json

import pytest

from components.logs import log_sources
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


def shared_stateful(plan: Plan) -> list[Registration]:
    """The stateful resources of the shared tier; a web tier's own (its backup selection) come and go with it."""
    return [r for r in plan.registrations if r.type in STATEFUL_TYPES and "amy:web:" not in r.urn]


def test_every_aws_resource_uses_an_explicit_provider_of_the_stack(stack_plan: Plan) -> None:
    providers = {p.urn for p in stack_plan.of_type("pulumi:providers:aws")}
    assert len(providers) == 2
    for registration in stack_plan.registrations:
        if registration.type.startswith("aws:"):
            assert registration.provider_urn in providers, registration.name
    vpc = stack_plan.one("awsx:ec2:Vpc")
    assert vpc.providers["aws"].rsplit("::", 1)[0] == stack_plan.one("pulumi:providers:aws", "aws").urn


def test_default_providers_are_disabled_in_the_stack_files(stack_plan: Plan) -> None:
    values, _ = stack_config_values(stack_plan.stack)
    assert values["pulumi:disable-default-providers"] == '["aws"]'


def test_providers_tag_everything_from_one_place(stack_plan: Plan) -> None:
    expected = {"Application": "AMY", "Billing-Service": "AMY", "Environment": stack_plan.stack, "ManagedBy": "pulumi"}
    regions = {}
    for provider in stack_plan.of_type("pulumi:providers:aws"):
        # Providers take structured settings as JSON text.
        assert json.loads(provider.inputs["defaultTags"]) == {"tags": expected}
        regions[provider.name] = provider.inputs["region"]
    assert regions == {"aws": "us-east-1", "aws-us-east-1": "us-east-1"}
    # A resource may carry a tag that says what it is for, never one of the default tags.
    tagged_here = {
        r.name: set(r.inputs["tags"]) for r in stack_plan.registrations if r.type.startswith("aws:") and "tags" in r.inputs
    }
    assert tagged_here == {f"amy-{stack_plan.stack}-backups-dumps": {"Purpose"}}


def test_production_protects_every_stateful_resource(production: Plan) -> None:
    stateful = shared_stateful(production)
    assert len(stateful) >= 20
    assert [r.name for r in stateful if not r.protect] == []


def test_testing_protects_nothing_so_it_can_be_rebuilt(testing: Plan) -> None:
    assert [r.name for r in testing.registrations if r.protect] == []


@pytest.mark.parametrize(
    ("stack", "rds_days", "daily", "monthly", "log_days", "restore_tests"),
    [("production", 35, 35, 365, 365, True), ("testing", 7, 7, 90, 30, False)],
)
def test_retention_follows_each_stack(
    request: pytest.FixtureRequest, stack: str, rds_days: int, daily: int, monthly: int, log_days: int, restore_tests: bool
) -> None:
    plan: Plan = request.getfixturevalue(stack)
    assert plan.one("aws:rds/instance:Instance").inputs["backupRetentionPeriod"] == rds_days
    rules = {rule["ruleName"]: rule["lifecycle"]["deleteAfter"] for rule in plan.one("aws:backup/plan:Plan").inputs["rules"]}
    assert rules == {"daily": daily, "monthly": monthly}
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert {g.inputs["retentionInDays"] for g in groups} == {log_days}
    assert bool(plan.of_type("aws:backup/restoreTestingSelection:RestoreTestingSelection")) is restore_tests


def test_backup_selection_covers_the_stack_database(stack_plan: Plan) -> None:
    database_arn = stack_plan.one("aws:rds/instance:Instance").outputs["arn"]
    selection = stack_plan.one("aws:backup/selection:Selection", f"amy-{stack_plan.stack}-backups-database")
    assert selection.inputs["resources"] == [database_arn]


def test_data_is_encrypted_at_rest(stack_plan: Plan) -> None:
    key_arn = stack_plan.one("aws:kms/key:Key").outputs["arn"]
    assert stack_plan.one("aws:rds/instance:Instance").inputs["storageEncrypted"] is True
    assert stack_plan.one("aws:backup/vault:Vault").inputs["kmsKeyArn"] == key_arn
    encryption = stack_plan.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"amy-{stack_plan.stack}-backups-dumps-encryption",
    )
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn


def test_database_sits_in_the_isolated_subnets_behind_its_group(stack_plan: Plan) -> None:
    vpc = stack_plan.one("awsx:ec2:Vpc").outputs
    subnet_group = stack_plan.one("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == vpc["isolatedSubnetIds"]
    instance = stack_plan.one("aws:rds/instance:Instance").inputs
    database_group = stack_plan.one("aws:ec2/securityGroup:SecurityGroup", f"amy-{stack_plan.stack}-network-database")
    assert instance["vpcSecurityGroupIds"] == [database_group.id]
    assert instance["publiclyAccessible"] is False


def test_nothing_but_http_and_https_is_open_to_the_internet(stack_plan: Plan) -> None:
    rules = stack_plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    open_ports = {r.inputs["fromPort"] for r in rules if "cidrIpv4" in r.inputs or "cidrIpv6" in r.inputs}
    assert open_ports == {80, 443}


def test_every_log_source_has_its_group(stack_plan: Plan) -> None:
    names = {g.inputs["name"] for g in stack_plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {f"/amy/{stack_plan.stack}/{source}" for source in log_sources()} <= names


def test_exports_tell_operators_where_things_are(stack_plan: Plan) -> None:
    outputs = stack_plan.outputs
    assert outputs["databaseAddress"].startswith(f"amy-{stack_plan.stack}.")
    assert (
        outputs["dumpsBucket"]
        == stack_plan.one("aws:s3/bucket:Bucket", f"amy-{stack_plan.stack}-backups-dumps").outputs["bucket"]
    )
    assert outputs["logGroups"]["application"] == f"/amy/{stack_plan.stack}/application"
    assert outputs["databaseSecretArn"].startswith("arn:aws:secretsmanager:")


KEPT_ACROSS_LAYOUTS = STATEFUL_TYPES | {
    "aws:cloudfront/distribution:Distribution",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
}


def test_moving_production_to_ecs_replaces_and_deletes_nothing_it_must_keep(production: Plan) -> None:
    """Same URN and the same inputs (so no replacement) for every stateful resource, the CDN and the certificates."""
    moved = run("production", {"amy:layout": "ecs", "amy:cacheMode": "elasticache"})

    def kept(plan: Plan) -> dict[str, dict]:
        return {r.urn: r.inputs for r in plan.registrations if r.type in KEPT_ACROSS_LAYOUTS and "amy:web:" not in r.urn}

    assert kept(moved) == kept(production)
    assert len(kept(moved)) >= 25
    assert {r.urn for r in shared_stateful(moved)} == {r.urn for r in shared_stateful(production)}
    # Protection stays on where it was.
    assert {r.urn for r in moved.registrations if r.protect} >= {r.urn for r in shared_stateful(production)}


def test_only_the_legacy_layout_has_the_host(production: Plan, testing: Plan) -> None:
    assert production.one("amy:web:LegacyHost").name == "amy-production-host"
    assert testing.of_type("amy:web:LegacyHost") == []
    assert production.outputs["deployDocument"] == "amy-production-deploy"


def test_settings_are_written_where_the_processes_read_them(production: Plan) -> None:
    parameters = {p.inputs["name"]: p.inputs for p in production.of_type("aws:ssm/parameter:Parameter")}
    assert parameters["/amy/production/env/AMY_DEBUG"]["value"] == "false"
    assert parameters["/amy/production/env/AMY_ALLOWED_HOSTS"]["value"] == "amy.carpentries.org"
    assert parameters["/amy/production/env/AMY_STATIC_HOST"]["value"] == "https://amy-static.carpentries.org"
    assert parameters["/amy/production/env/AMY_REDIS_URL"]["value"] == "redis://127.0.0.1:6379/0"
    assert {p["type"] for p in parameters.values()} == {"String"}
    # The provider treats every parameter value as secret; the harness records that.
    assert {p.secret_inputs for p in production.of_type("aws:ssm/parameter:Parameter")} == {("value",)}
