"""ElastiCache for RQ: one encrypted Redis node reached only from the application, and the URL RQ connects to."""

from __future__ import annotations

import re

import pulumi
import pytest

from components.cache import Cache, CacheArgs, final_snapshot_identifier
from stack_config.stack import MAX_STACK_NAME
from tests.aws_shapes import request_errors
from tests.components.support import cache_overrides, varied_config, with_redis
from tests.stacks import stacks_with_layout
from tooling.harness import Plan, record
from tooling.review import replacements

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


@pytest.fixture(scope="module")
def plan() -> Plan:
    def program() -> None:
        cache = Cache(
            "cache",
            CacheArgs(
                name_prefix="amy-unit",
                node_type="cache.t4g.small",
                snapshot_days=7,
                vpc_id="vpc-1",
                subnet_ids=["subnet-private-a", "subnet-private-b"],
                app_security_group_id="sg-app",
            ),
        )
        pulumi.export("url", cache.url)

    return record("unit", program)


def test_one_redis_node_encrypted_at_rest_and_in_transit(plan: Plan) -> None:
    redis = plan.one(REPLICATION_GROUP).inputs
    assert (redis["engine"], redis["numCacheClusters"], redis["port"]) == ("redis", 1, 6379)
    assert redis["atRestEncryptionEnabled"] is True
    assert redis["transitEncryptionEnabled"] is True
    assert (redis["replicationGroupId"], redis["nodeType"]) == ("amy-unit-redis", "cache.t4g.small")


def test_snapshots_are_kept_the_given_days_and_changes_wait_for_the_window(plan: Plan) -> None:
    redis = plan.one(REPLICATION_GROUP).inputs
    assert redis["snapshotRetentionLimit"] == 7
    assert redis["autoMinorVersionUpgrade"] is True
    assert redis["applyImmediately"] is False
    assert redis["snapshotWindow"] != redis["maintenanceWindow"]


def test_deleting_redis_takes_a_final_snapshot_named_for_the_stack(plan: Plan) -> None:
    redis = plan.one(REPLICATION_GROUP)
    assert redis.inputs["finalSnapshotIdentifier"] == "amy-unit-redis-final" == final_snapshot_identifier("amy-unit")
    # A new name is no replacement: it names the snapshot of the next deletion.
    assert "finalSnapshotIdentifier" not in replacements()[REPLICATION_GROUP]["replaceOnChange"]


def test_the_final_snapshot_name_fits_elasticache_for_the_longest_stack_name() -> None:
    name = final_snapshot_identifier(f"amy-{'a' * MAX_STACK_NAME}")
    request = {"ReplicationGroupId": "amy-unit-redis", "FinalSnapshotIdentifier": name}
    assert request_errors("elasticache", "DeleteReplicationGroup", request) == ""
    # Letters, digits and single hyphens, a letter first and no hyphen last: the shape of ElastiCache's identifiers.
    assert re.fullmatch(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*", name)


def test_redis_lives_in_the_given_subnets(plan: Plan) -> None:
    subnets = plan.one("aws:elasticache/subnetGroup:SubnetGroup")
    assert subnets.inputs["subnetIds"] == ["subnet-private-a", "subnet-private-b"]
    assert plan.one(REPLICATION_GROUP).inputs["subnetGroupName"] == subnets.outputs["name"]


def test_only_the_application_reaches_redis_and_only_on_its_port(plan: Plan) -> None:
    group = plan.one(GROUP)
    assert group.inputs["vpcId"] == "vpc-1"
    assert group.inputs["revokeRulesOnDelete"] is True
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    assert plan.one(REPLICATION_GROUP).inputs["securityGroupIds"] == [group.id]
    [rule] = plan.of_type(INGRESS)
    assert rule.inputs["securityGroupId"] == group.id
    assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", 6379, 6379)
    assert rule.inputs["referencedSecurityGroupId"] == "sg-app"
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs


def test_rq_connects_over_tls_to_the_primary_endpoint(plan: Plan) -> None:
    endpoint = plan.one(REPLICATION_GROUP).outputs["primaryEndpointAddress"]
    assert plan.outputs["url"] == f"rediss://{endpoint}:6379/0"


@pytest.mark.parametrize("stack", stacks_with_layout("ecs"))
def test_each_stack_of_the_ecs_layout_gets_the_configured_redis_in_its_private_subnets(stack: str) -> None:
    plan = with_redis(stack)
    config = varied_config(stack, cache_overrides("elasticache"))
    assert config.elasticache is not None
    redis = plan.one(REPLICATION_GROUP).inputs
    assert redis["atRestEncryptionEnabled"] is True
    assert redis["transitEncryptionEnabled"] is True
    assert redis["snapshotRetentionLimit"] >= 1
    assert redis["snapshotRetentionLimit"] == config.elasticache.snapshot_days
    assert redis["nodeType"] == config.elasticache.node_type
    assert redis["replicationGroupId"] == f"{config.name_prefix}-redis"
    assert redis["finalSnapshotIdentifier"] == f"{config.name_prefix}-redis-final"
    subnets = plan.one("aws:elasticache/subnetGroup:SubnetGroup").inputs["subnetIds"]
    assert subnets == plan.one("awsx:ec2:Vpc").outputs["privateSubnetIds"]
    [rule] = [r for r in plan.of_type(INGRESS) if r.name == f"{config.name_prefix}-cache-from-app"]
    app_group = plan.one(GROUP, f"{config.name_prefix}-network-app").id
    assert rule.inputs["referencedSecurityGroupId"] == app_group


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_the_legacy_host_keeps_its_own_redis(stack: str) -> None:
    assert with_redis(stack).of_type(REPLICATION_GROUP) == []
