"""The VPC, its flow log, and the three security groups every layout uses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from components import iam
from components.application import APP_PORT
from stack_config import ExistingNetworkConfig, NatStrategy

ANYWHERE_V4 = "0.0.0.0/0"
ANYWHERE_V6 = "::/0"
POSTGRES_PORT = 5432
PUBLIC_PORTS = {"http": 80, "https": 443}
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
# What VPC Flow Logs does with the group it is given (the log group already exists): as AWS CDK grants its flow log
# role, to the group alone, not the VPC user guide's example of every group.
FLOW_LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
FLOW_LOG_AGGREGATION_SECONDS = 600


@dataclass
class NetworkArgs:
    cidr_block: str
    availability_zones: tuple[str, ...]
    nat_strategy: NatStrategy
    region: str
    # Where the VPC's flow log goes, like `/amy/<stack>/vpc-flow-logs`, and for how long.
    flow_log_group_name: str
    log_retention_days: int
    # Production's guard: the flow log group is protected, or else retained on destroy.
    protect: bool
    # The stack's boundary, which the flow log's role carries like every role of the stack.
    permissions_boundary: pulumi.Input[str]
    # Subnets that exist already; then no VPC is created.
    existing: ExistingNetworkConfig | None = None


class Network(pulumi.ComponentResource):
    """Public, private (egress through NAT) and isolated subnets over two zones.

    Security groups are made here, before any tier, so the database can admit
    the application's group while the application still needs the database's
    address. `entry` takes the internet's HTTP(S) (the ALB, or the legacy
    host); `app` runs AMY and is reached only from `entry`; `database` admits
    PostgreSQL only from `app`. Every flow, accepted or rejected, is logged.
    """

    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    entry_security_group: aws.ec2.SecurityGroup
    app_security_group: aws.ec2.SecurityGroup
    database_security_group: aws.ec2.SecurityGroup
    flow_log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:network:Network", name, None, opts)
        self._name = name
        if args.existing:
            self.vpc_id = pulumi.Output.from_input(args.existing.vpc_id)
            self.public_subnet_ids = pulumi.Output.from_input(list(args.existing.public_subnet_ids))
            self.private_subnet_ids = pulumi.Output.from_input(list(args.existing.private_subnet_ids))
            self.isolated_subnet_ids = pulumi.Output.from_input(list(args.existing.isolated_subnet_ids))
        else:
            vpc = awsx.ec2.Vpc(
                f"{name}-vpc",
                cidr_block=args.cidr_block,
                availability_zone_names=list(args.availability_zones),
                enable_dns_hostnames=True,
                enable_dns_support=True,
                subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
                subnet_specs=[
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, name="public"),
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE, name="private"),
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED, name="isolated"),
                ],
                nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=nat_gateway_strategy(args.nat_strategy)),
                # A remote component gets only the providers named for it, not its parent's.
                opts=pulumi.ResourceOptions(parent=self, providers=_aws_provider(self)),
            )
            self.vpc_id = vpc.vpc_id
            self.public_subnet_ids = vpc.public_subnet_ids
            self.private_subnet_ids = vpc.private_subnet_ids
            self.isolated_subnet_ids = vpc.isolated_subnet_ids

        self.entry_security_group = self._group("entry", "Public entry point: HTTP and HTTPS from the internet")
        self.app_security_group = self._group("app", "AMY's application: reached only from the entry point")
        self.database_security_group = self._group("database", "PostgreSQL: reached only from the application")
        self._open_entry_to_internet()
        self._allow_entry_to_app()
        self._allow_app_egress()
        self._allow_app_to_database()
        self.flow_log_group = self._flow_log(args)

        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "isolated_subnet_ids": self.isolated_subnet_ids,
            }
        )

    def _flow_log(self, args: NetworkArgs) -> aws.cloudwatch.LogGroup:
        """The VPC's flow log, in a group of its own that VPC Flow Logs writes to through a role only it may assume,
        for this account's flow logs."""
        name = f"{self._name}-flow-logs"
        group = aws.cloudwatch.LogGroup(
            name,
            name=args.flow_log_group_name,
            retention_in_days=args.log_retention_days,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=not args.protect),
        )
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self)).partition
        role = iam.role(
            f"{name}-role",
            description="VPC Flow Logs: write the VPC's flow log to its log group",
            trust=pulumi.Output.all(partition, account).apply(
                lambda values: json.dumps(flow_logs_trust(values[0], args.region, values[1]))
            ),
            boundary=args.permissions_boundary,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=group.arn.apply(lambda arn: json.dumps(flow_logs_policy(arn))),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ec2.FlowLog(
            f"{self._name}-flow-log",
            vpc_id=self.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
            # The role's ARN exists before its policy does; a flow log made in between could not deliver.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        return group

    def _group(self, role: str, description: str) -> aws.ec2.SecurityGroup:
        # No inline rules: every rule is its own resource, so none is silently dropped.
        return aws.ec2.SecurityGroup(
            f"{self._name}-{role}",
            vpc_id=self.vpc_id,
            description=description,
            revoke_rules_on_delete=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _open_entry_to_internet(self) -> None:
        for protocol, port in PUBLIC_PORTS.items():
            for family, cidr_ipv4, cidr_ipv6 in (("ipv4", ANYWHERE_V4, None), ("ipv6", None, ANYWHERE_V6)):
                aws.vpc.SecurityGroupIngressRule(
                    f"{self._name}-entry-{protocol}-{family}",
                    security_group_id=self.entry_security_group.id,
                    description=f"{protocol.upper()} from the internet",
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=cidr_ipv4,
                    cidr_ipv6=cidr_ipv6,
                    opts=pulumi.ResourceOptions(parent=self),
                )

    def _allow_entry_to_app(self) -> None:
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-entry-to-app",
            security_group_id=self.entry_security_group.id,
            description="Forward requests to the application",
            ip_protocol="tcp",
            from_port=APP_PORT,
            to_port=APP_PORT,
            referenced_security_group_id=self.app_security_group.id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-app-from-entry",
            security_group_id=self.app_security_group.id,
            description="Requests from the entry point",
            ip_protocol="tcp",
            from_port=APP_PORT,
            to_port=APP_PORT,
            referenced_security_group_id=self.entry_security_group.id,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _allow_app_egress(self) -> None:
        # AMY calls out to Mailgun, GitHub, S3, SSM and package mirrors.
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-app-egress",
            security_group_id=self.app_security_group.id,
            description="Outbound HTTPS and other calls of the application",
            ip_protocol="-1",
            cidr_ipv4=ANYWHERE_V4,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _allow_app_to_database(self) -> None:
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-database-from-app",
            security_group_id=self.database_security_group.id,
            description="PostgreSQL from the application",
            ip_protocol="tcp",
            from_port=POSTGRES_PORT,
            to_port=POSTGRES_PORT,
            referenced_security_group_id=self.app_security_group.id,
            opts=pulumi.ResourceOptions(parent=self),
        )


def flow_logs_trust(partition: str, region: str, account: str) -> dict[str, Any]:
    """VPC Flow Logs may assume the role only for this account's flow logs in the region: the confused-deputy
    conditions the VPC user guide recommends, the flow log's id a wildcard since the role exists first."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*"},
                },
            }
        ],
    }


def flow_logs_policy(group_arn: str) -> dict[str, Any]:
    """Write streams and events to the flow log's group, and nowhere else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": FLOW_LOG_ACTIONS,
                "Resource": [group_arn, f"{group_arn}:*"],
            }
        ],
    }


def nat_gateway_strategy(strategy: NatStrategy) -> awsx.ec2.NatGatewayStrategy:
    """awsx's name for a `natStrategy`: `one-per-az` is ONE_PER_AZ."""
    return awsx.ec2.NatGatewayStrategy[strategy.replace("-", "_").upper()]


def _aws_provider(resource: pulumi.Resource) -> dict[str, pulumi.ProviderResource]:
    provider = resource.get_provider("aws::")
    return {"aws": provider} if provider is not None else {}
