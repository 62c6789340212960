"""Adopting what exists: import ids reach the registrations, an existing network replaces the created one."""

from __future__ import annotations

import pytest

from tests.stacks import STACKS, config_of, planned, stacks_with_layout
from tooling.harness import Plan, run

IMPORTS = {
    "database": ("aws:rds/instance:Instance", "amy-db"),
    "databaseSubnetGroup": ("aws:rds/subnetGroup:SubnetGroup", "amy-db-subnets"),
    "databaseParameterGroup": ("aws:rds/parameterGroup:ParameterGroup", "amy-postgres16"),
    "dumpsBucket": ("aws:s3/bucket:Bucket", "carpentries-amy-dumps"),
    "distribution": ("aws:cloudfront/distribution:Distribution", "E2AMYSTATIC01"),
    "instance": ("aws:ec2/instance:Instance", "i-0123456789abcdef0"),
    "elasticIp": ("aws:ec2/eip:Eip", "eipalloc-0123456789abcdef0"),
}
RECORD = "aws:route53/record:Record"


def record_ids(stack: str) -> dict[str, str]:
    """The import ids of the stack's existing DNS records, as Route 53 names them: zone, name, type."""
    dns = config_of(stack).dns
    return {
        "appRecord": f"{dns.zone_id}_{dns.domain}_A",
        "staticRecord": f"{dns.zone_id}_{dns.static_domain}_A",
        "staticRecordIpv6": f"{dns.zone_id}_{dns.static_domain}_AAAA",
    }


EXISTING_NETWORK = {
    "amy:existingVpcId": "vpc-0a1b2c3d4e5f60718",
    "amy:existingPublicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    "amy:existingPrivateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    "amy:existingIsolatedSubnetIds": ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"],
}


@pytest.fixture(scope="module")
def adopted() -> Plan:
    imports = [f"{name}={resource_id}" for name, (_, resource_id) in IMPORTS.items()]
    records = [f"{name}={resource_id}" for name, resource_id in record_ids("production").items()]
    return run("production", {"amy:importIds": imports + records, "amy:dbIdentifier": "amy-db"})


def test_each_import_id_reaches_its_resource(adopted: Plan) -> None:
    imported = {r.type: r.import_id for r in adopted.registrations if r.import_id and r.type != RECORD}
    assert imported == {type_: resource_id for type_, resource_id in IMPORTS.values()}


def test_the_existing_records_are_adopted_not_created_again(adopted: Plan) -> None:
    """Creating a record that exists fails (InvalidChangeBatch: it already exists): today's names are imported."""
    records = {r.import_id: r.inputs for r in adopted.of_type(RECORD) if r.import_id}
    dns = config_of("production").dns
    assert set(records) == set(record_ids("production").values())
    for record_id, inputs in records.items():
        zone, name, record_type = record_id.split("_")
        assert (inputs["zoneId"], inputs["name"], inputs["type"]) == (zone, name, record_type)
    assert {inputs["name"] for inputs in records.values()} == {dns.domain, dns.static_domain}


@pytest.mark.parametrize("stack", stacks_with_layout("ecs"))
def test_the_ecs_layout_adopts_the_application_record_for_its_load_balancer(stack: str) -> None:
    record_id = record_ids(stack)["appRecord"]
    plan = run(stack, {"amy:importIds": [f"appRecord={record_id}"]})
    [adopted] = [r for r in plan.of_type(RECORD) if r.import_id]
    assert (adopted.import_id, adopted.name) == (record_id, f"{config_of(stack).name_prefix}-app-dns")


@pytest.mark.parametrize("stack", STACKS)
def test_without_the_static_name_the_cdn_publishes_what_moving_the_name_needs(stack: str) -> None:
    """A distribution cannot claim a name another one holds (CNAMEAlreadyExists): built without it, the new one
    carries the certificate for it and `_<name>` names it in a TXT record, so associate-alias can move the name."""
    static = config_of(stack).dns.static_domain
    plan = run(stack, {"amy:cdnAlias": False})
    distribution = plan.one("aws:cloudfront/distribution:Distribution")
    assert distribution.inputs.get("aliases", []) == []
    assert distribution.inputs["viewerCertificate"]["acmCertificateArn"]
    [txt] = [r.inputs for r in plan.of_type(RECORD) if r.inputs["type"] == "TXT"]
    assert (txt["name"], txt["records"]) == (f"_{static}", [distribution.outputs["domainName"]])
    assert [r for r in plan.of_type(RECORD) if r.inputs["name"] == static] == []
    # With the name moved, the CDN takes it and its records, and the TXT record goes.
    back = planned(stack)
    assert back.one("aws:cloudfront/distribution:Distribution").inputs["aliases"] == [static]
    assert {r.inputs["type"] for r in back.of_type(RECORD) if r.inputs["name"] == static} == {"A", "AAAA"}
    assert not [r for r in back.of_type(RECORD) if r.inputs["type"] == "TXT"]


def test_adopted_resources_keep_their_names(adopted: Plan) -> None:
    assert adopted.one("aws:rds/instance:Instance").inputs["identifier"] == "amy-db"
    assert adopted.one("aws:rds/subnetGroup:SubnetGroup").inputs["name"] == "amy-db-subnets"
    assert adopted.one("aws:rds/parameterGroup:ParameterGroup").inputs["name"] == "amy-postgres16"
    assert adopted.one("aws:s3/bucket:Bucket").inputs["bucket"] == "carpentries-amy-dumps"


def test_adoption_adds_and_removes_nothing(adopted: Plan, production: Plan) -> None:
    assert {r.urn for r in adopted.registrations} == {r.urn for r in production.registrations}
    assert not [r.name for r in production.registrations if r.import_id]
    untouched = ("aws:backup/vault:Vault", "aws:backup/plan:Plan", "aws:kms/key:Key", "aws:acm/certificate:Certificate")
    for type_ in untouched:

        def inputs(plan: Plan, type_: str = type_) -> list[dict]:
            return [r.inputs for r in sorted(plan.of_type(type_), key=lambda r: r.name)]

        assert inputs(adopted) == inputs(production), type_
    assert {r.urn: r.protect for r in adopted.registrations} == {r.urn: r.protect for r in production.registrations}


def test_an_existing_network_replaces_the_created_one() -> None:
    plan = run("production", EXISTING_NETWORK)
    assert plan.of_type("awsx:ec2:Vpc") == []
    groups = plan.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert {g.inputs["vpcId"] for g in groups} == {"vpc-0a1b2c3d4e5f60718"}
    subnets = plan.one("aws:rds/subnetGroup:SubnetGroup").inputs["subnetIds"]
    assert subnets == ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"]
    assert plan.one("aws:ec2/instance:Instance").inputs["subnetId"] == "subnet-0aaaaaaaaaaaaaaa1"
    assert plan.outputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
