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
]


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
    )


def test_every_importable_resource_is_read() -> None:
    assert loaded(layout="legacy", importIds=IMPORT_IDS).adoption == AdoptionConfig(
        database="amy-db",
        database_subnet_group="amy-db-subnets",
        database_parameter_group="amy-postgres16",
        dumps_bucket="carpentries-amy-dumps",
        distribution="E2AMYSTATIC01",
        instance="i-0123456789abcdef0",
        elastic_ip="eipalloc-0123456789abcdef0",
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"importIds": ["vpc=vpc-1"]}, "amy:importIds names 'vpc'; importable are database"),
        ({"importIds": ["instance=web-1"]}, "amy:importIds has 'instance=web-1', which is not an id of a instance"),
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
