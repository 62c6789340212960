"""The hosted zone and the two names AMY answers on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack_config.reader import NAMESPACE, Reader, is_domain, shown

ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")

KEYS = {"zoneId": "string", "zoneName": "string", "domain": "string", "staticDomain": "string", "cdnAlias": "boolean"}


@dataclass(frozen=True)
class DnsConfig:
    zone_id: str
    zone_name: str
    domain: str
    static_domain: str
    # Whether the CDN answers on static_domain; False while another distribution still holds that name.
    cdn_alias: bool = True


def _in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def dns(reader: Reader) -> DnsConfig | None:
    zone_id = reader.string("zoneId")
    if zone_id is not None and not ZONE_ID.fullmatch(zone_id):
        reader.problem("zoneId", f"must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ; got {shown(zone_id)}")
    zone_name = reader.string("zoneName")
    if zone_name is not None and not is_domain(zone_name):
        reader.problem("zoneName", f"must be a lower-case DNS name like carpentries.org; got {shown(zone_name)}")
        zone_name = None
    names: dict[str, str | None] = {}
    for key in ("domain", "staticDomain"):
        name = reader.string(key)
        if name is None:
            names[key] = None
        elif not is_domain(name):
            reader.problem(key, f"must be a lower-case DNS name like amy.carpentries.org; got {shown(name)}")
            names[key] = None
        elif zone_name is not None and not _in_zone(name, zone_name):
            reader.problem(key, f"must be inside the zone {zone_name}; got {shown(name)}")
            names[key] = None
        else:
            names[key] = name
    domain, static_domain = names["domain"], names["staticDomain"]
    if domain is not None and domain == static_domain:
        reader.problem("staticDomain", f"must differ from {NAMESPACE}:domain: the CDN fronts the application's own host")
    cdn_alias = reader.boolean("cdnAlias")
    if zone_id is None or zone_name is None or domain is None or static_domain is None or cdn_alias is None:
        return None
    return DnsConfig(zone_id=zone_id, zone_name=zone_name, domain=domain, static_domain=static_domain, cdn_alias=cdn_alias)
