"""Adoption: existing AWS resources the first `pulumi up` imports instead of creating."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack_config.dns import DnsConfig
from stack_config.reader import NAMESPACE, Reader, shown

# Route 53 imports a record by `<zone id>_<name>_<type>` (the Terraform AWS provider's aws_route53_record).
RECORD_ID = re.compile(r"^(Z[A-Z0-9]{1,31})_([a-z0-9.-]+)_(A|AAAA)$")

# What `importIds` may name, and the form of each id.
IMPORTABLE = {
    "database": re.compile(r"^[a-z][a-z0-9-]{0,62}$"),
    "databaseSubnetGroup": re.compile(r"^[a-z0-9][a-z0-9 ._-]{0,254}$"),
    "databaseParameterGroup": re.compile(r"^[a-z][a-z0-9-]{0,254}$"),
    "dumpsBucket": re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "distribution": re.compile(r"^E[A-Z0-9]{6,20}$"),
    "instance": re.compile(r"^i-[0-9a-f]{8,17}$"),
    "elasticIp": re.compile(r"^eipalloc-[0-9a-f]{8,17}$"),
    "appRecord": RECORD_ID,
    "staticRecord": RECORD_ID,
    "staticRecordIpv6": RECORD_ID,
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
    # The application's A record, and the CDN's A and AAAA records.
    app_record: str | None = None
    static_record: str | None = None
    static_record_ipv6: str | None = None


def adoption(reader: Reader, layout: str | None, dns: DnsConfig | None, db_identifier: str | None) -> AdoptionConfig:
    ids: dict[str, str] = {}
    for entry in reader.string_list("importIds") or ():
        name, _, resource_id = entry.partition("=")
        if name not in IMPORTABLE:
            reader.problem("importIds", f"names {shown(name)}; importable are {', '.join(IMPORTABLE)} (as name=id)")
        elif not IMPORTABLE[name].fullmatch(resource_id):
            reader.problem("importIds", f"has {shown(entry)}, which is not an id of {name}")
        elif name in ids:
            reader.problem("importIds", f"names {name} twice")
        else:
            ids[name] = resource_id
    if layout != "legacy" and set(LEGACY_HOST) & set(ids):
        reader.problem("importIds", f"imports the legacy host ({', '.join(LEGACY_HOST)}) only with layout 'legacy'")
    # An import succeeds only where the program describes the resource as it is.
    if "database" in ids and db_identifier is not None and ids["database"] != db_identifier:
        reader.problem(
            "importIds",
            f"imports database {ids['database']} while {NAMESPACE}:dbIdentifier is {db_identifier}; set dbIdentifier to it",
        )
    if dns is not None:
        expected = {
            "appRecord": (dns.domain, "A"),
            "staticRecord": (dns.static_domain, "A"),
            "staticRecordIpv6": (dns.static_domain, "AAAA"),
        }
        for name, (domain, record_type) in expected.items():
            wanted = f"{dns.zone_id}_{domain}_{record_type}"
            if name in ids and ids[name] != wanted:
                reader.problem("importIds", f"has {name}={ids[name]}; the record the program makes is {wanted}")
    return AdoptionConfig(
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
