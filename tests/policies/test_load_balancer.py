"""load_balancer.py: HTTP only redirects, HTTPS with an allowed TLS policy, invalid headers dropped, access logged."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

LISTENER = "aws:lb/listener:Listener"
ALB_LISTENER = "aws:alb/listener:Listener"
LB = "aws:lb/loadBalancer:LoadBalancer"
HTTP_LISTENER = {
    "protocol": "HTTP",
    "port": 80,
    "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}],
}
HTTPS_LISTENER = {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
LOAD_BALANCER = {"dropInvalidHeaderFields": True, "accessLogs": {"bucket": "logs", "enabled": True}}

PASSING = [
    Pass("alb-http-redirects-only", LISTENER, HTTP_LISTENER),
    Pass("alb-tls-policy", LISTENER, HTTPS_LISTENER),
    Pass("alb-drop-invalid-headers", LB, LOAD_BALANCER),
    Pass("alb-access-logs", LB, LOAD_BALANCER),
]

FAILING = [
    Fail(
        "alb-http-redirects-only",
        LISTENER,
        with_(HTTP_LISTENER, defaultActions=[{"type": "forward", "targetGroupArn": "arn:tg"}]),
        "serves a forward action",
    ),
    Fail(
        "alb-http-redirects-only",
        ALB_LISTENER,
        with_(HTTP_LISTENER, defaultActions=[{"type": "redirect", "redirect": {"protocol": "HTTP", "port": "8080"}}]),
        "make it only redirect to HTTPS",
    ),
    Fail(
        "alb-tls-policy",
        LISTENER,
        with_(HTTPS_LISTENER, sslPolicy="ELBSecurityPolicy-2016-08"),
        "uses TLS policy ELBSecurityPolicy-2016-08",
    ),
    Fail(
        "alb-tls-policy",
        LISTENER,
        HTTPS_LISTENER,
        "use one of ELBSecurityPolicy-TLS13-1-3-2021-06",
        {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]},
    ),
    Fail(
        "alb-drop-invalid-headers",
        LB,
        with_(LOAD_BALANCER, dropInvalidHeaderFields=False),
        "set dropInvalidHeaderFields to true",
    ),
    Fail("alb-access-logs", LB, with_(LOAD_BALANCER, accessLogs=None), "keeps no access logs"),
    Fail("alb-access-logs", LB, with_(LOAD_BALANCER, accessLogs={"bucket": "logs", "enabled": False}), "keeps no access logs"),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
