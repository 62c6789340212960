"""DNS: the hosted zone and the two names AMY answers on, both inside it."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import DnsConfig, StackConfig
from tests.stack_config.support import declared, problems


def test_each_stack_dns_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.dns == DnsConfig(
        zone_id=declared(stack, "zoneId"),
        zone_name=declared(stack, "zoneName"),
        domain=declared(stack, "domain"),
        static_domain=declared(stack, "staticDomain"),
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"domain": "AMY..carpentries.org"}, "amy:domain must be a lower-case DNS name"),
        ({"domain": "amy.carpentries.org\n"}, "amy:domain must be printable ASCII text"),
        ({"domain": "amy$(id).carpentries.org"}, "amy:domain must be a lower-case DNS name"),
        ({"domain": "amy.carpentries.org;touch${IFS}x"}, "amy:domain must be a lower-case DNS name"),
        ({"domain": "amy`id`.carpentries.org"}, "amy:domain must be a lower-case DNS name"),
        ({"domain": "amy'.carpentries.org"}, "amy:domain must be a lower-case DNS name"),
        ({"domain": "amý.carpentries.org"}, "amy:domain must be printable ASCII text"),
        ({"zoneName": "carpentries.org", "domain": "amy.example.com"}, "amy:domain must be inside the zone carpentries.org"),
        ({"staticDomain": "https://static.carpentries.org"}, "amy:staticDomain must be a lower-case DNS name"),
        (
            {"zoneName": "carpentries.org", "domain": "amy.carpentries.org", "staticDomain": "amy.carpentries.org"},
            "amy:staticDomain must differ from amy:domain",
        ),
        ({"zoneId": None}, "amy:zoneId is required"),
        ({"zoneId": "carpentries.org"}, "amy:zoneId must be a Route 53 hosted zone id"),
        ({"zoneName": "not a zone"}, "amy:zoneName must be a lower-case DNS name"),
    ],
)
def test_bad_dns_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
