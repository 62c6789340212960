"""Adoption: the existing resources a stack's first `pulumi up` imports, named as name=id."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import AdoptionConfig, StackConfig
from tests.stack_config.support import declared, loaded, problems

IMPORT_IDS = [
    "database=amy-db",
    "databaseSubnetGroup=amy-db-subnets",
    "databaseParameterGroup=amy-postgres16",
    "dumpsBucket=carpentries-amy-dumps",
    "distribution=E2AMYSTATIC01",
    "instance=i-0123456789abcdef0",
    "elasticIp=eipalloc-0123456789abcdef0",
    "appRecord=Z06153042KQ9ITN8V4BWW_amy.carpentries.org_A",
    "staticRecord=Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_A",
    "staticRecordIpv6=Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_AAAA",
]
# The zone and names the records above belong to.
DNS = {"zoneId": "Z06153042KQ9ITN8V4BWW", "domain": "amy.carpentries.org", "staticDomain": "amy-static.carpentries.org"}


def test_each_stack_adopts_what_its_stack_file_names(stack: str, stack_config: StackConfig) -> None:
    ids = dict(entry.split("=", 1) for entry in declared(stack, "importIds") or ())
    assert stack_config.adoption == AdoptionConfig(
        database=ids.get("database"),
        database_subnet_group=ids.get("databaseSubnetGroup"),
        database_parameter_group=ids.get("databaseParameterGroup"),
        dumps_bucket=ids.get("dumpsBucket"),
        distribution=ids.get("distribution"),
        instance=ids.get("instance"),
        elastic_ip=ids.get("elasticIp"),
        app_record=ids.get("appRecord"),
        static_record=ids.get("staticRecord"),
        static_record_ipv6=ids.get("staticRecordIpv6"),
    )


def test_every_importable_resource_is_read() -> None:
    assert loaded(layout="legacy", importIds=IMPORT_IDS, dbIdentifier="amy-db", **DNS).adoption == AdoptionConfig(
        database="amy-db",
        database_subnet_group="amy-db-subnets",
        database_parameter_group="amy-postgres16",
        dumps_bucket="carpentries-amy-dumps",
        distribution="E2AMYSTATIC01",
        instance="i-0123456789abcdef0",
        elastic_ip="eipalloc-0123456789abcdef0",
        app_record="Z06153042KQ9ITN8V4BWW_amy.carpentries.org_A",
        static_record="Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_A",
        static_record_ipv6="Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_AAAA",
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"importIds": ["vpc=vpc-1"]}, "amy:importIds names 'vpc'; importable are database"),
        ({"importIds": ["instance=web-1"]}, "amy:importIds has 'instance=web-1', which is not an id of instance"),
        (
            {"importIds": ["appRecord=amy.carpentries.org"]},
            "amy:importIds has 'appRecord=amy.carpentries.org', which is not an id",
        ),
        # The program's records, by zone, name and type: another one would not match what is imported.
        (
            {**DNS, "importIds": ["appRecord=Z06153042KQ9ITN8V4BWW_www.carpentries.org_A"]},
            "amy:importIds has appRecord=Z06153042KQ9ITN8V4BWW_www.carpentries.org_A; "
            "the record the program makes is Z06153042KQ9ITN8V4BWW_amy.carpentries.org_A",
        ),
        (
            {**DNS, "importIds": ["staticRecordIpv6=Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_A"]},
            "amy:importIds has staticRecordIpv6=Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_A; the record the "
            "program makes is Z06153042KQ9ITN8V4BWW_amy-static.carpentries.org_AAAA",
        ),
        (
            {"importIds": ["database=amy-legacy-db"], "dbIdentifier": None},
            "amy:importIds imports database amy-legacy-db while amy:dbIdentifier is amy-production",
        ),
        ({"importIds": ["database=a", "database=b"]}, "amy:importIds names database twice"),
        (
            {"layout": "ecs", "cacheMode": "none", "importIds": ["instance=i-0123456789abcdef0"]},
            "amy:importIds imports the legacy host (instance, elasticIp) only with layout 'legacy'",
        ),
    ],
)
def test_bad_import_ids_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
