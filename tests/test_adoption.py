"""Adopting what exists: import ids reach the registrations, an existing network replaces the created one."""

from __future__ import annotations

import pytest

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
EXISTING_NETWORK = {
    "amy:existingVpcId": "vpc-0a1b2c3d4e5f60718",
    "amy:existingPublicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    "amy:existingPrivateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    "amy:existingIsolatedSubnetIds": ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"],
}


@pytest.fixture(scope="module")
def adopted() -> Plan:
    return run(
        "production",
        {"amy:importIds": [f"{name}={resource_id}" for name, (_, resource_id) in IMPORTS.items()], "amy:dbIdentifier": "amy-db"},
    )


def test_each_import_id_reaches_its_resource(adopted: Plan) -> None:
    imported = {r.type: r.import_id for r in adopted.registrations if r.import_id}
    assert imported == {type_: resource_id for type_, resource_id in IMPORTS.values()}


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
