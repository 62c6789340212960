"""Each layout's web tier wired to the shared tier: what it is built on, and the outputs it gives operators."""

from __future__ import annotations

import pytest

from layouts import WEB_TIERS
from stack_config import LAYOUTS, StackConfig
from tests.stacks import planned, stacks_with_layout
from tooling.harness import Plan

EXPORTS = {
    "legacy": {"hostInstanceId", "hostPublicIp", "hostAmiId", "deployDocument", "maintenanceDocument"},
    "ecs": {"repositoryUrl", "cluster", "loadBalancer"},
}


def test_every_layout_has_a_web_tier() -> None:
    assert set(WEB_TIERS) == set(LAYOUTS) == set(EXPORTS)


def test_each_stack_exports_its_layouts_outputs_and_no_others(stack_plan: Plan, stack_config: StackConfig) -> None:
    assert stack_plan.outputs["layout"] == stack_config.layout
    others = set().union(*(exports for layout, exports in EXPORTS.items() if layout != stack_config.layout))
    assert EXPORTS[stack_config.layout] <= set(stack_plan.outputs)
    assert not others & set(stack_plan.outputs)


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_the_host_is_exported_as_operators_reach_it(stack: str) -> None:
    plan = planned(stack)
    instance = plan.one("aws:ec2/instance:Instance")
    prefix = f"amy-{stack}"
    assert plan.outputs["hostInstanceId"] == instance.id
    assert plan.outputs["hostAmiId"] == instance.inputs["ami"]
    assert plan.outputs["hostPublicIp"] == plan.one("aws:ec2/eip:Eip").outputs["publicIp"]
    assert (plan.outputs["deployDocument"], plan.outputs["maintenanceDocument"]) == (f"{prefix}-deploy", f"{prefix}-maintenance")


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_the_host_stands_on_the_shared_tier(stack: str) -> None:
    plan = planned(stack)
    instance = plan.one("aws:ec2/instance:Instance").inputs
    assert instance["subnetId"] == plan.one("awsx:ec2:Vpc").outputs["publicSubnetIds"][0]
    groups = [plan.one("aws:ec2/securityGroup:SecurityGroup", f"amy-{stack}-network-{role}").id for role in ("entry", "app")]
    assert instance["vpcSecurityGroupIds"] == groups
    selection = plan.one("aws:backup/selection:Selection", f"amy-{stack}-host-backup").inputs
    assert selection["planId"] == plan.one("aws:backup/plan:Plan").id
    assert selection["iamRoleArn"] == plan.one("aws:iam/role:Role", f"amy-{stack}-backups-role").outputs["arn"]


@pytest.mark.parametrize("stack", stacks_with_layout("ecs"))
def test_the_service_is_exported_as_operators_reach_it(stack: str) -> None:
    plan = planned(stack)
    assert plan.outputs["repositoryUrl"] == plan.one("aws:ecr/repository:Repository").outputs["repositoryUrl"]
    assert plan.outputs["cluster"] == plan.one("aws:ecs/cluster:Cluster").outputs["name"]
    assert plan.outputs["loadBalancer"] == plan.one("aws:lb/loadBalancer:LoadBalancer").outputs["dnsName"]


def test_the_web_tier_keeps_its_name_whatever_the_stack(stack_plan: Plan, stack_config: StackConfig) -> None:
    """The web tier's component is named for the stack and its kind, so its URNs do not change between updates."""
    component = {"legacy": ("amy:web:LegacyHost", "host"), "ecs": ("amy:web:FargateService", "service")}
    type_, kind = component[stack_config.layout]
    assert stack_plan.one(type_).name == f"{stack_config.name_prefix}-{kind}"
