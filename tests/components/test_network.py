"""The network alone: subnets of three kinds over two zones, and groups closed but for 80/443 at the entry."""

from __future__ import annotations

import pytest

from components.network import Network, NetworkArgs
from stack_config import NatStrategy
from tooling.harness import Plan, record

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
GROUP = "aws:ec2/securityGroup:SecurityGroup"


def build(nat_strategy: NatStrategy = "single") -> Plan:
    return record(
        "unit",
        lambda: Network(
            "net",
            NetworkArgs(cidr_block="10.0.0.0/16", availability_zones=("us-east-1a", "us-east-1b"), nat_strategy=nat_strategy),
        ),
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def test_vpc_spans_two_zones_with_public_private_and_isolated_subnets(plan: Plan) -> None:
    vpc = plan.one("awsx:ec2:Vpc").inputs
    assert vpc["availabilityZoneNames"] == ["us-east-1a", "us-east-1b"]
    assert [spec["type"] for spec in vpc["subnetSpecs"]] == ["Public", "Private", "Isolated"]
    assert vpc["cidrBlock"] == "10.0.0.0/16"
    assert vpc["enableDnsHostnames"] is True


@pytest.mark.parametrize(("strategy", "expected"), [("none", "None"), ("single", "Single"), ("one-per-az", "OnePerAz")])
def test_nat_strategy_comes_from_config(strategy: NatStrategy, expected: str) -> None:
    assert build(strategy).one("awsx:ec2:Vpc").inputs["natGateways"] == {"strategy": expected}


def test_groups_have_no_inline_rules(plan: Plan) -> None:
    for group in plan.of_type(GROUP):
        assert "ingress" not in group.inputs and "egress" not in group.inputs, group.name
        assert group.inputs["revokeRulesOnDelete"] is True


def test_only_the_entry_point_admits_the_internet_and_only_on_80_and_443(plan: Plan) -> None:
    open_rules = [r for r in plan.of_type(INGRESS) if r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6")]
    assert {r.inputs["securityGroupId"] for r in open_rules} == {_group_id(plan, "net-entry")}
    assert sorted((r.inputs["fromPort"], r.inputs.get("cidrIpv4") or r.inputs["cidrIpv6"]) for r in open_rules) == [
        (80, "0.0.0.0/0"),
        (80, "::/0"),
        (443, "0.0.0.0/0"),
        (443, "::/0"),
    ]
    assert all(r.inputs["toPort"] == r.inputs["fromPort"] and r.inputs["ipProtocol"] == "tcp" for r in open_rules)


def test_database_admits_postgres_only_from_the_app_group(plan: Plan) -> None:
    rules = [r for r in plan.of_type(INGRESS) if r.name.startswith("net-database-")]
    assert len(rules) == 1
    rule = rules[0].inputs
    assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 5432, 5432)
    assert "cidrIpv4" not in rule and "cidrIpv6" not in rule
    app_group_id = _group_id(plan, "net-app")
    assert rule["referencedSecurityGroupId"] == app_group_id


def test_app_is_reached_only_from_the_entry_point_on_port_80(plan: Plan) -> None:
    rules = [r for r in plan.of_type(INGRESS) if r.inputs["securityGroupId"] == _group_id(plan, "net-app")]
    assert [(r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in rules] == [(80, _group_id(plan, "net-entry"))]


def test_database_group_has_no_egress(plan: Plan) -> None:
    database = _group_id(plan, "net-database")
    assert not [r for r in plan.of_type(EGRESS) if r.inputs["securityGroupId"] == database]


def test_entry_point_may_only_forward_to_the_app(plan: Plan) -> None:
    rules = [r for r in plan.of_type(EGRESS) if r.inputs["securityGroupId"] == _group_id(plan, "net-entry")]
    assert len(rules) == 1
    assert rules[0].inputs["referencedSecurityGroupId"] == _group_id(plan, "net-app")
    assert rules[0].inputs["fromPort"] == rules[0].inputs["toPort"] == 80


def _group_id(plan: Plan, name: str) -> str:
    return plan.one(GROUP, name).id
