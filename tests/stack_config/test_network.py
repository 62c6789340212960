"""The network: the VPC each stack makes, or one that exists already."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import ExistingNetworkConfig, NetworkConfig, StackConfig
from tests.stack_config.support import declared, loaded, problems

EXISTING_NETWORK = {
    "existingVpcId": "vpc-0a1b2c3d4e5f60718",
    "existingPublicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    "existingPrivateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    "existingIsolatedSubnetIds": ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"],
}


def test_each_stack_network_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    region = declared(stack, "region")
    assert stack_config.network == NetworkConfig(
        availability_zones=declared(stack, "availabilityZones") or (f"{region}a", f"{region}b"),
        vpc_cidr=declared(stack, "vpcCidr"),
        nat_strategy=declared(stack, "natStrategy"),
    )
    if declared(stack, "existingVpcId") is None:
        assert stack_config.existing_network is None
    else:
        assert stack_config.existing_network == ExistingNetworkConfig(
            vpc_id=declared(stack, "existingVpcId"),
            public_subnet_ids=declared(stack, "existingPublicSubnetIds"),
            private_subnet_ids=declared(stack, "existingPrivateSubnetIds"),
            isolated_subnet_ids=declared(stack, "existingIsolatedSubnetIds"),
        )


def test_availability_zones_can_be_given() -> None:
    config = loaded(region="us-east-1", availabilityZones=["us-east-1c", "us-east-1d"])
    assert config.network.availability_zones == ("us-east-1c", "us-east-1d")


def test_an_existing_network_is_read_whole() -> None:
    assert loaded(**EXISTING_NETWORK).existing_network == ExistingNetworkConfig(
        vpc_id="vpc-0a1b2c3d4e5f60718",
        public_subnet_ids=("subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"),
        private_subnet_ids=("subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"),
        isolated_subnet_ids=("subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"),
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"layout": "ecs", "natStrategy": "none", "cacheMode": "none"}, "amy:natStrategy must be single or one-per-az"),
        ({"natStrategy": "two"}, "amy:natStrategy must be one of none, single, one-per-az"),
        ({"vpcCidr": "10.0.0.0/8"}, "amy:vpcCidr must have a prefix between /16 and /22"),
        ({"vpcCidr": "10.0.0.300/16"}, "amy:vpcCidr must be an IPv4 network"),
        (
            {"region": "us-east-1", "availabilityZones": ["eu-west-1a", "eu-west-1b"]},
            "amy:availabilityZones must be zones of region us-east-1",
        ),
        ({"availabilityZones": ["us-east-1a"]}, "amy:availabilityZones must name exactly two distinct zones"),
        ({"availabilityZones": "us-east-1a"}, "amy:availabilityZones must be a list of strings"),
        ({"existingPublicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1"]}, "amy:existingPublicSubnetIds needs amy:existingVpcId"),
        ({**EXISTING_NETWORK, "existingVpcId": "vpc-x"}, "amy:existingVpcId must be a VPC id"),
        (
            {**EXISTING_NETWORK, "existingIsolatedSubnetIds": None},
            "amy:existingIsolatedSubnetIds is required with amy:existingVpcId",
        ),
        (
            {**EXISTING_NETWORK, "existingPrivateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1"]},
            "amy:existingPrivateSubnetIds must be two subnet ids",
        ),
    ],
)
def test_bad_network_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
