"""The VPC and the three security groups every layout uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from components.application import APP_PORT
from stack_config import ExistingNetworkConfig, NatStrategy

ANYWHERE_V4 = "0.0.0.0/0"
ANYWHERE_V6 = "::/0"
POSTGRES_PORT = 5432
PUBLIC_PORTS = {"http": 80, "https": 443}


@dataclass
class NetworkArgs:
    cidr_block: str
    availability_zones: tuple[str, ...]
    nat_strategy: NatStrategy
    # Subnets that exist already; then no VPC is created.
    existing: ExistingNetworkConfig | None = None


class Network(pulumi.ComponentResource):
    """Public, private (egress through NAT) and isolated subnets over two zones.

    Security groups are made here, before any tier, so the database can admit
    the application's group while the application still needs the database's
    address. `entry` takes the internet's HTTP(S) (the ALB, or the legacy
    host); `app` runs AMY and is reached only from `entry`; `database` admits
    PostgreSQL only from `app`.
    """

    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    isolated_subnet_ids: pulumi.Output[Sequence[str]]
    entry_security_group: aws.ec2.SecurityGroup
    app_security_group: aws.ec2.SecurityGroup
    database_security_group: aws.ec2.SecurityGroup

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

        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "isolated_subnet_ids": self.isolated_subnet_ids,
            }
        )

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


def nat_gateway_strategy(strategy: NatStrategy) -> awsx.ec2.NatGatewayStrategy:
    """awsx's name for a `natStrategy`: `one-per-az` is ONE_PER_AZ."""
    return awsx.ec2.NatGatewayStrategy[strategy.replace("-", "_").upper()]


def _aws_provider(resource: pulumi.Resource) -> dict[str, pulumi.ProviderResource]:
    provider = resource.get_provider("aws::")
    return {"aws": provider} if provider is not None else {}
