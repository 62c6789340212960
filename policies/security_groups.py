"""Security groups: the internet may reach 80 and 443 only, whether rules are inline or their own resources."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy

GROUP = "aws:ec2/securityGroup:SecurityGroup"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ANYWHERE = {"0.0.0.0/0", "::/0"}
PUBLIC_PORTS = {80, 443}


def _problem(protocol: Any, from_port: Any, to_port: Any, sources: set[str]) -> str | None:
    if not sources & ANYWHERE:
        return None
    ports = None if from_port is None else (int(from_port), int(to_port if to_port is not None else from_port))
    if str(protocol).lower() in ("tcp", "6") and ports is not None and ports[0] == ports[1] and ports[0] in PUBLIC_PORTS:
        return None
    shown = "all ports" if ports is None or str(protocol) in ("-1", "all") else f"{protocol} {ports[0]}-{ports[1]}"
    return (
        f"{shown} is open to {', '.join(sorted(sources & ANYWHERE))}; only TCP 80 and 443 may face the internet, "
        "reach anything else through SSM Session Manager or from another security group"
    )


def _group(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for rule in as_list(props.get("ingress")):
        sources = set(as_list(rule.get("cidrBlocks"))) | set(as_list(rule.get("ipv6CidrBlocks")))
        problem = _problem(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"), sources)
        if problem:
            yield f"inline ingress: {problem}"


def _legacy_rule(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("type") == "ingress":
        sources = set(as_list(props.get("cidrBlocks"))) | set(as_list(props.get("ipv6CidrBlocks")))
        problem = _problem(props.get("protocol"), props.get("fromPort"), props.get("toPort"), sources)
        if problem:
            yield problem


def _ingress_rule(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    sources = {source for source in (props.get("cidrIpv4"), props.get("cidrIpv6")) if source}
    problem = _problem(props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"), sources)
    if problem:
        yield problem


def policies() -> list[ResourceValidationPolicy]:
    description = "Only TCP 80 and 443 are open to 0.0.0.0/0 or ::/0."
    return [
        resource_policy("security-group-no-open-ingress", description, [GROUP], _group, ADVISORY),
        resource_policy("security-group-rule-no-open-ingress", description, [LEGACY_RULE], _legacy_rule, ADVISORY),
        resource_policy("security-group-ingress-rule-no-open-ingress", description, [INGRESS_RULE], _ingress_rule, ADVISORY),
    ]
