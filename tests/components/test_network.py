"""The network alone: subnets of three kinds over two zones, and groups closed but for 80/443 at the entry."""

from __future__ import annotations

import json

import pytest
from parliament import analyze_policy_string

from components.network import Network, NetworkArgs, flow_logs_policy, flow_logs_trust
from stack_config import ExistingNetworkConfig, NatStrategy
from tests.components.test_aws_documents import ROLE_ARN, lint
from tooling.harness import ACCOUNT_ID, Plan, record

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
FLOW_LOG_GROUP = "/amy/unit/vpc-flow-logs"
EXISTING = ExistingNetworkConfig(
    vpc_id="vpc-existing",
    public_subnet_ids=("subnet-pa", "subnet-pb"),
    private_subnet_ids=("subnet-ra", "subnet-rb"),
    isolated_subnet_ids=("subnet-ia", "subnet-ib"),
)


BOUNDARY = "arn:aws:iam::123456789012:policy/amy-unit-boundary"


def build(nat_strategy: NatStrategy = "single", protect: bool = True, existing: ExistingNetworkConfig | None = None) -> Plan:
    return record(
        "unit",
        lambda: Network(
            "net",
            NetworkArgs(
                cidr_block="10.0.0.0/16",
                availability_zones=("us-east-1a", "us-east-1b"),
                nat_strategy=nat_strategy,
                region="us-east-1",
                flow_log_group_name=FLOW_LOG_GROUP,
                log_retention_days=90,
                protect=protect,
                permissions_boundary=BOUNDARY,
                existing=existing,
            ),
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


def test_every_flow_of_the_vpc_is_logged_to_its_group(plan: Plan) -> None:
    flow_log = plan.one(FLOW_LOG).inputs
    group = plan.one(LOG_GROUP)
    assert flow_log["vpcId"] == plan.one("awsx:ec2:Vpc").outputs["vpcId"]
    assert (flow_log["trafficType"], flow_log["logDestinationType"]) == ("ALL", "cloud-watch-logs")
    assert flow_log["logDestination"] == group.outputs["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:{FLOW_LOG_GROUP}"
    assert flow_log["iamRoleArn"] == plan.one("aws:iam/role:Role").outputs["arn"]
    assert flow_log["maxAggregationInterval"] == 600


def test_the_flow_log_is_made_once_its_role_may_write(plan: Plan) -> None:
    policy = plan.one("aws:iam/rolePolicy:RolePolicy")
    assert policy.urn in plan.one(FLOW_LOG).dependencies
    assert policy.inputs["role"] == plan.one("aws:iam/role:Role").id


def test_the_flow_log_group_keeps_the_stacks_retention_and_outlives_a_destroy(plan: Plan) -> None:
    group = plan.one(LOG_GROUP)
    assert group.inputs == {"name": FLOW_LOG_GROUP, "retentionInDays": 90}
    assert (group.protect, group.retain_on_delete) == (True, False)
    unprotected = build(protect=False).one(LOG_GROUP)
    assert (unprotected.protect, unprotected.retain_on_delete) == (False, True)
    # Nothing else in the network is protected or kept.
    assert [r.name for r in plan.registrations if r.protect] == [group.name]


def test_only_vpc_flow_logs_may_assume_the_role_and_only_for_this_accounts_flow_logs(plan: Plan) -> None:
    trust = json.loads(plan.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert trust == flow_logs_trust("aws", "us-east-1", ACCOUNT_ID)
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc-flow-log/*"},
    }
    # Like every role of the stack, bounded: the deployer may make no role without the boundary.
    assert plan.one("aws:iam/role:Role").inputs["permissionsBoundary"] == BOUNDARY


def test_the_role_writes_to_the_flow_log_group_alone(plan: Plan) -> None:
    group_arn = plan.one(LOG_GROUP).outputs["arn"]
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]


def test_the_flow_log_documents_pass_the_parliament_linter(plan: Plan) -> None:
    findings = analyze_policy_string(plan.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"]).findings
    assert [(f.issue, f.detail) for f in findings] == []
    trust = flow_logs_trust("aws", "us-east-1", ACCOUNT_ID)
    trust["Statement"][0]["Resource"] = ROLE_ARN
    assert lint(trust) == set()
    assert lint(flow_logs_policy(f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:{FLOW_LOG_GROUP}")) == set()


def test_an_existing_vpc_gets_its_flow_log_too() -> None:
    existing = build(existing=EXISTING)
    assert existing.of_type("awsx:ec2:Vpc") == []
    assert existing.one(FLOW_LOG).inputs["vpcId"] == "vpc-existing"


def _group_id(plan: Plan, name: str) -> str:
    return plan.one(GROUP, name).id
