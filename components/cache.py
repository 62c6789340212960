"""Redis on ElastiCache for RQ, reachable only from the application."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

REDIS_PORT = 6379


@dataclass
class CacheArgs:
    name_prefix: str
    node_type: str
    snapshot_days: int
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    app_security_group_id: pulumi.Input[str]


def final_snapshot_identifier(name_prefix: str) -> str:
    """`amy-<stack>-redis-final`: unique per stack in an account, as ElastiCache snapshot names must be."""
    return f"{name_prefix}-redis-final"


class Cache(pulumi.ComponentResource):
    """One encrypted Redis node (at rest and in transit) with daily snapshots and a final one when it is deleted;
    `url` is what RQ connects to."""

    url: pulumi.Output[str]

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:data:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-security-group",
            vpc_id=args.vpc_id,
            description="Redis: reached only from the application",
            revoke_rules_on_delete=True,
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-app",
            security_group_id=group.id,
            description="Redis from the application",
            ip_protocol="tcp",
            from_port=REDIS_PORT,
            to_port=REDIS_PORT,
            referenced_security_group_id=args.app_security_group_id,
            opts=child,
        )
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=args.subnet_ids,
            description="Private subnets of AMY's Redis",
            opts=child,
        )
        replication_group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            replication_group_id=f"{args.name_prefix}-redis",
            description="AMY's RQ queues",
            engine="redis",
            engine_version="7.1",
            node_type=args.node_type,
            num_cache_clusters=1,
            port=REDIS_PORT,
            subnet_group_name=subnets.name,
            security_group_ids=[group.id],
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            snapshot_retention_limit=args.snapshot_days,
            snapshot_window="05:00-06:00",
            # Deleting the group (a layout switch, `pulumi destroy`) snapshots it first, under a name of the stack's
            # own. Not ForceNew (aws-replacements.json): a new name updates the group in place and names the next one.
            final_snapshot_identifier=final_snapshot_identifier(args.name_prefix),
            maintenance_window="sun:09:30-sun:10:30",
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            opts=child,
        )
        self.url = pulumi.Output.concat("rediss://", replication_group.primary_endpoint_address, f":{REDIS_PORT}/0")
        self.register_outputs({"url": self.url})
