"""CloudWatch log groups expire their events, and not before the minimum."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, minimum_days, resource_policy

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _retention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = props.get("retentionInDays")
    if not days:
        yield f"log group {props.get('name')} keeps events forever; set retentionInDays (the stack's logRetentionDays)"
    elif int(days) < config["minimumDays"]:
        yield f"log group {props.get('name')} keeps events {days} days; keep them at least {config['minimumDays']}"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy(
            "log-group-retention",
            "Log groups set a retention of at least the minimum number of days.",
            [LOG_GROUP],
            _retention,
            ADVISORY,
            minimum_days(7, "Fewest days a log group keeps its events."),
        )
    ]
