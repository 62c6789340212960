"""security_groups.py: only TCP 80 and 443 face the internet, in inline rules, legacy rules and ingress rules."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids

GROUP = "aws:ec2/securityGroup:SecurityGroup"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

PASSING = [
    Pass(
        "security-group-no-open-ingress",
        GROUP,
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]},
                {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/16"]},
            ]
        },
    ),
    Pass(
        "security-group-rule-no-open-ingress",
        LEGACY_RULE,
        {"type": "ingress", "protocol": "tcp", "fromPort": 80, "toPort": 80, "ipv6CidrBlocks": ["::/0"]},
    ),
    Pass(
        "security-group-ingress-rule-no-open-ingress",
        INGRESS_RULE,
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
    ),
]

FAILING = [
    Fail(
        "security-group-no-open-ingress",
        GROUP,
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
        "inline ingress: tcp 22-22 is open to 0.0.0.0/0",
    ),
    Fail(
        "security-group-no-open-ingress",
        GROUP,
        {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}]},
        "all ports is open to ::/0",
    ),
    Fail(
        "security-group-rule-no-open-ingress",
        LEGACY_RULE,
        {"type": "ingress", "protocol": "tcp", "fromPort": 80, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]},
        "tcp 80-443 is open",
    ),
    Fail(
        "security-group-ingress-rule-no-open-ingress",
        INGRESS_RULE,
        {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv6": "::/0"},
        "tcp 5432-5432 is open to ::/0",
    ),
    Fail(
        "security-group-ingress-rule-no-open-ingress",
        INGRESS_RULE,
        {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"},
        "all ports is open to 0.0.0.0/0",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
