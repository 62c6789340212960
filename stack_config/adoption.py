"""Adoption: existing AWS resources the first `pulumi up` imports instead of creating."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack_config.reader import Reader

# What `importIds` may name, and the form of each id.
IMPORTABLE = {
    "database": re.compile(r"^[a-z][a-z0-9-]{0,62}$"),
    "databaseSubnetGroup": re.compile(r"^[a-z0-9][a-z0-9 ._-]{0,254}$"),
    "databaseParameterGroup": re.compile(r"^[a-z][a-z0-9-]{0,254}$"),
    "dumpsBucket": re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "distribution": re.compile(r"^E[A-Z0-9]{6,20}$"),
    "instance": re.compile(r"^i-[0-9a-f]{8,17}$"),
    "elasticIp": re.compile(r"^eipalloc-[0-9a-f]{8,17}$"),
}
LEGACY_HOST = ("instance", "elasticIp")

KEYS = {"importIds": "array"}


@dataclass(frozen=True)
class AdoptionConfig:
    """The import id of each adopted resource; None where the program creates it."""

    database: str | None = None
    database_subnet_group: str | None = None
    database_parameter_group: str | None = None
    dumps_bucket: str | None = None
    distribution: str | None = None
    instance: str | None = None
    elastic_ip: str | None = None


def adoption(reader: Reader, layout: str | None) -> AdoptionConfig:
    ids: dict[str, str] = {}
    for entry in reader.string_list("importIds") or ():
        name, _, resource_id = entry.partition("=")
        if name not in IMPORTABLE:
            reader.problem("importIds", f"names {name!r}; importable are {', '.join(IMPORTABLE)} (as name=id)")
        elif not IMPORTABLE[name].match(resource_id):
            reader.problem("importIds", f"has {entry!r}, which is not an id of a {name}")
        elif name in ids:
            reader.problem("importIds", f"names {name} twice")
        else:
            ids[name] = resource_id
    if layout != "legacy" and set(LEGACY_HOST) & set(ids):
        reader.problem("importIds", f"imports the legacy host ({', '.join(LEGACY_HOST)}) only with layout 'legacy'")
    return AdoptionConfig(
        database=ids.get("database"),
        database_subnet_group=ids.get("databaseSubnetGroup"),
        database_parameter_group=ids.get("databaseParameterGroup"),
        dumps_bucket=ids.get("dumpsBucket"),
        distribution=ids.get("distribution"),
        instance=ids.get("instance"),
        elastic_ip=ids.get("elasticIp"),
    )
