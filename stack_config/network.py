"""The network: the VPC the program makes, or one that exists already."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal, cast, get_args

from stack_config.reader import NAMESPACE, Reader, shown

NatStrategy = Literal["none", "single", "one-per-az"]
NAT_STRATEGIES: tuple[NatStrategy, ...] = get_args(NatStrategy)
# Six subnets (public, private, isolated over two zones) must fit.
VPC_PREFIXES = (16, 22)
CIDR = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}")
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
EXISTING_SUBNET_KEYS = ("existingPublicSubnetIds", "existingPrivateSubnetIds", "existingIsolatedSubnetIds")

KEYS = {
    "availabilityZones": "array",
    "vpcCidr": "string",
    "natStrategy": "string",
    "existingVpcId": "string",
    **dict.fromkeys(EXISTING_SUBNET_KEYS, "array"),
}


@dataclass(frozen=True)
class NetworkConfig:
    availability_zones: tuple[str, ...]
    vpc_cidr: str
    nat_strategy: NatStrategy


@dataclass(frozen=True)
class ExistingNetworkConfig:
    """A VPC and subnets that exist already, used instead of creating a network."""

    vpc_id: str
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    isolated_subnet_ids: tuple[str, ...]


def network(reader: Reader, layout: str | None, region: str | None) -> NetworkConfig | None:
    zones = reader.string_list("availabilityZones")
    if zones is None and region is not None:
        zones = (f"{region}a", f"{region}b")
    if zones is not None and region is not None:
        wrong = [zone for zone in zones if not re.fullmatch(re.escape(region) + r"[a-z]", zone)]
        if wrong:
            reader.problem("availabilityZones", f"must be zones of region {region} like {region}a; got {', '.join(wrong)}")
        elif len(set(zones)) != 2 or len(zones) != 2:
            reader.problem("availabilityZones", f"must name exactly two distinct zones; got {list(zones)}")

    cidr = reader.string("vpcCidr")
    if cidr is not None:
        try:
            # The prefix form only: ipaddress also takes a netmask (10.0.0.0/255.255.0.0), which EC2 refuses.
            if not CIDR.fullmatch(cidr):
                raise ValueError(cidr)
            parsed = ipaddress.IPv4Network(cidr)
        except ValueError:
            reader.problem("vpcCidr", f"must be an IPv4 network like 10.0.0.0/16; got {shown(cidr)}")
        else:
            low, high = VPC_PREFIXES
            if not low <= parsed.prefixlen <= high:
                reader.problem(
                    "vpcCidr", f"must have a prefix between /{low} and /{high} to hold six subnets; got /{parsed.prefixlen}"
                )

    nat = reader.choice("natStrategy", NAT_STRATEGIES)
    if nat == "none" and layout == "ecs":
        reader.problem(
            "natStrategy", "must be single or one-per-az with layout 'ecs': tasks in private subnets pull images through NAT"
        )

    if zones is None or cidr is None or nat is None:
        return None
    return NetworkConfig(availability_zones=zones, vpc_cidr=cidr, nat_strategy=cast(NatStrategy, nat))


def existing_network(reader: Reader) -> ExistingNetworkConfig | None:
    vpc_id = reader.optional("existingVpcId")
    subnets = {key: reader.string_list(key) for key in EXISTING_SUBNET_KEYS}
    if vpc_id is None:
        for key, value in subnets.items():
            if value is not None:
                reader.problem(key, f"needs {NAMESPACE}:existingVpcId, the VPC the subnets are in")
        return None
    if not VPC_ID.fullmatch(vpc_id):
        reader.problem("existingVpcId", f"must be a VPC id like vpc-0123456789abcdef0; got {shown(vpc_id)}")
    for key, value in subnets.items():
        if value is None:
            reader.problem(key, f"is required with {NAMESPACE}:existingVpcId: two subnet ids, one per zone")
        elif len(value) != 2 or not all(SUBNET_ID.fullmatch(subnet) for subnet in value):
            reader.problem(key, f"must be two subnet ids like subnet-0123456789abcdef0; got {list(value)}")
    public, private, isolated = (subnets[key] for key in EXISTING_SUBNET_KEYS)
    if public is None or private is None or isolated is None:
        return None
    return ExistingNetworkConfig(
        vpc_id=vpc_id, public_subnet_ids=public, private_subnet_ids=private, isolated_subnet_ids=isolated
    )
