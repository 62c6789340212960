"""The values stack config allows that a source of truth lists: AWS's regions and EC2 instance types (botocore)
and PostgreSQL's reserved words (its parser). `python -m tooling.catalogue` writes catalogue.json from them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path


@cache
def _catalogue() -> dict[str, list[str]]:
    return json.loads((Path(__file__).parent / "catalogue.json").read_text())


def regions() -> frozenset[str]:
    return frozenset(_catalogue()["regions"])


def ec2_instance_types() -> frozenset[str]:
    return frozenset(_catalogue()["ec2InstanceTypes"])


def postgres_reserved_words() -> frozenset[str]:
    return frozenset(_catalogue()["postgresReservedWords"])
