"""network.py: every VPC logs its flows."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from stack_config import StackConfig
from tests.policies.pack import named, resource, stack_fail, stack_pass, stack_violations, without

AWSX_VPC = "awsx:ec2:Vpc"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


def flow_log(vpc_id: str, traffic: str = "ALL") -> PolicyResource:
    return resource(FLOW_LOG, f"flow-log-{vpc_id}", {"vpcId": vpc_id, "trafficType": traffic, "logDestinationType": "s3"})


@stack_pass("vpc-flow-logs")
def test_every_stack_logs_its_vpcs_flows(stack_resources: list[PolicyResource]) -> None:
    assert stack_violations("vpc-flow-logs", stack_resources) == []


@stack_pass("vpc-flow-logs")
@pytest.mark.parametrize("traffic", ["ALL", "REJECT"])
def test_a_vpc_whose_flows_are_logged_passes(stack_resources: list[PolicyResource], traffic: str) -> None:
    vpc = named(stack_resources, AWSX_VPC)
    unlogged = without(stack_resources, FLOW_LOG)
    assert stack_violations("vpc-flow-logs", [*unlogged, flow_log(vpc.props["vpcId"], traffic)]) == []


@stack_fail("vpc-flow-logs")
def test_a_vpc_without_a_flow_log_is_flagged(stack_resources: list[PolicyResource], stack_config: StackConfig) -> None:
    expected = [
        f"VPC {stack_config.name_prefix}-network-vpc logs none of its traffic, so an intrusion or an exfiltration "
        "leaves no trace in the network; add a FlowLog of its vpcId with trafficType ALL (or REJECT) to CloudWatch "
        "Logs or S3"
    ]
    unlogged = without(stack_resources, FLOW_LOG)
    assert stack_violations("vpc-flow-logs", unlogged) == expected
    vpc = named(stack_resources, AWSX_VPC)
    accepted_only = flow_log(vpc.props["vpcId"], "ACCEPT")
    assert stack_violations("vpc-flow-logs", [*unlogged, accepted_only, flow_log("vpc-other")]) == expected


@stack_fail("vpc-flow-logs")
@stack_pass("vpc-flow-logs")
def test_a_plain_ec2_vpc_is_known_by_the_id_in_its_arn() -> None:
    vpc = resource(VPC, "vpc", {"arn": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc", "cidrBlock": "10.0.0.0/16"})
    assert stack_violations("vpc-flow-logs", [vpc, flow_log("vpc-0abc")]) == []
    assert [m.split(";")[0] for m in stack_violations("vpc-flow-logs", [vpc])] == [
        "VPC vpc logs none of its traffic, so an intrusion or an exfiltration leaves no trace in the network"
    ]
