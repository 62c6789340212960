"""The application's name in DNS: one record for every layout."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.application import Address

# How long resolvers keep the host's address; the layout move's runbook counts on it.
TTL_SECONDS = 300


def app_record(
    name: str, zone_id: str, domain: str, address: Address, import_id: str | None, opts: pulumi.ResourceOptions
) -> aws.route53.Record:
    """One record whatever the layout, so a layout switch changes it in place (Route 53 swaps a record's value or
    alias within one change batch: terraform-provider-aws route53/record.go). A record per web tier would be two
    resources for one (zone, name, type): the new one is created while the old one exists, and Route 53 refuses."""
    alias: list[aws.route53.RecordAliasArgs] | None = None
    if address.alias_name is not None and address.alias_zone_id is not None:
        alias = [aws.route53.RecordAliasArgs(name=address.alias_name, zone_id=address.alias_zone_id, evaluate_target_health=True)]
    return aws.route53.Record(
        name,
        zone_id=zone_id,
        name=domain,
        type="A",
        ttl=None if alias else TTL_SECONDS,
        records=None if alias or address.ip is None else [address.ip],
        aliases=alias,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(import_=import_id)),
    )
