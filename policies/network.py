"""Networks: every VPC logs its flows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationPolicy

from support import ADVISORY, of_type, stack_policy

VPC = "aws:ec2/vpc:Vpc"
AWSX_VPC = "awsx:ec2:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
# Security Hub's EC2.6 asks for rejected traffic at least.
LOGGED_TRAFFIC = ("ALL", "REJECT")


def _vpc_id(vpc: PolicyResource) -> str | None:
    """A VPC's id: awsx's output, or the end of an EC2 VPC's ARN (arn:aws:ec2:…:vpc/vpc-…)."""
    if vpc.resource_type == AWSX_VPC:
        return vpc.props.get("vpcId")
    arn = str(vpc.props.get("arn", ""))
    return arn.rsplit("/", 1)[-1] if "vpc/" in arn else None


def _flow_logged(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    logged = {
        str(flow_log.props.get("vpcId"))
        for flow_log in of_type(resources, FLOW_LOG)
        if flow_log.props.get("trafficType") in LOGGED_TRAFFIC
    }
    for vpc in [*of_type(resources, VPC), *of_type(resources, AWSX_VPC)]:
        if _vpc_id(vpc) not in logged:
            yield (
                f"VPC {vpc.name} logs none of its traffic, so an intrusion or an exfiltration leaves no trace in the "
                "network; add a FlowLog of its vpcId with trafficType ALL (or REJECT) to CloudWatch Logs or S3",
                vpc.urn,
            )


def policies() -> list[StackValidationPolicy]:
    return [stack_policy("vpc-flow-logs", "Every VPC logs its traffic with a flow log.", _flow_logged, ADVISORY)]
