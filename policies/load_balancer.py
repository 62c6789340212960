"""Application load balancers: HTTP only redirects, HTTPS uses a modern TLS policy, bad headers dropped, requests logged."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema, ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy

LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
]


def _http_redirects(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("protocol") != "HTTP":
        return
    for action in as_list(props.get("defaultActions")):
        if action.get("type") != "redirect" or (action.get("redirect") or {}).get("protocol") != "HTTPS":
            yield (
                f"the HTTP listener on port {props.get('port')} serves a {action.get('type')} action; "
                "make it only redirect to HTTPS"
            )


def _tls_policy(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("protocol") != "HTTPS":
        return
    policy = props.get("sslPolicy")
    if policy not in config["allowedPolicies"]:
        yield f"the HTTPS listener uses TLS policy {policy}; use one of {', '.join(config['allowedPolicies'])}"


def _application(props: Mapping[str, Any]) -> bool:
    return props.get("loadBalancerType", "application") == "application"


def _drops_invalid_headers(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if _application(props) and props.get("dropInvalidHeaderFields") is not True:
        yield "the load balancer forwards invalid header fields; set dropInvalidHeaderFields to true"


def _access_logs(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    logs = props.get("accessLogs") or {}
    if logs.get("enabled") is not True or not logs.get("bucket"):
        yield "the load balancer keeps no access logs; set accessLogs with a bucket and enabled true"


def policies() -> list[ResourceValidationPolicy]:
    tls_schema = PolicyConfigSchema(
        properties={
            "allowedPolicies": {
                "type": "array",
                "items": {"type": "string"},
                "default": TLS_POLICIES,
                "description": "TLS security policies an HTTPS listener may use (TLS 1.2 or newer).",
            }
        }
    )
    return [
        resource_policy(
            "alb-http-redirects-only", "HTTP listeners only redirect to HTTPS.", LISTENERS, _http_redirects, ADVISORY
        ),
        resource_policy(
            "alb-tls-policy", "HTTPS listeners use an allowed TLS 1.2+ policy.", LISTENERS, _tls_policy, ADVISORY, tls_schema
        ),
        resource_policy(
            "alb-drop-invalid-headers",
            "Load balancers drop invalid header fields.",
            LOAD_BALANCERS,
            _drops_invalid_headers,
            ADVISORY,
        ),
        resource_policy("alb-access-logs", "Load balancers log every request.", LOAD_BALANCERS, _access_logs, ADVISORY),
    ]
