"""Writes stack_config/catalogue.json: the values stack config allows, taken from their sources of truth.

    .venv/bin/python -m tooling.catalogue [--check]

The program reads the small JSON file instead of loading botocore's models on every plan; a test (and
`--check`) fails when the file no longer matches the installed sources.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version
from typing import Any

import botocore.session
from pglast import keywords

from tooling.harness import ROOT

PATH = ROOT / "stack_config" / "catalogue.json"


def catalogue() -> dict[str, Any]:
    session = botocore.session.get_session()
    partitions = session.get_data("endpoints")["partitions"]
    [aws] = [partition for partition in partitions if partition["partition"] == "aws"]
    ec2 = session.get_service_model("ec2")
    return {
        "_sources": {
            "regions": f"botocore {version('botocore')}: data/endpoints.json, partition aws",
            "ec2InstanceTypes": f"botocore {version('botocore')}: the ec2 service model's InstanceType enum",
            "postgresReservedWords": f"pglast {version('pglast')} (PostgreSQL's parser): reserved and type/function keywords",
        },
        "regions": sorted(aws["regions"]),
        "ec2InstanceTypes": sorted(ec2.shape_for("InstanceType").enum),
        "postgresReservedWords": sorted(keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS),
    }


def render() -> str:
    return json.dumps(catalogue(), indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalogue", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the committed file is stale")
    args = parser.parse_args(argv)
    if args.check:
        if PATH.read_text() != render():
            print(f"{PATH.name} is stale: run python -m tooling.catalogue", file=sys.stderr)
            return 1
        return 0
    PATH.write_text(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
