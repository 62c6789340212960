"""CloudWatch log groups: one per log source of either layout, with one retention."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# The nine streams the legacy host writes.
HOST_SOURCES = (
    "nginx-access",
    "nginx-error",
    "gunicorn",
    "application",
    "rqworker",
    "rqscheduler",
    "cron",
    "certbot",
    "deploy",
)
# One per ECS service or task; the RQ processes keep their groups across layouts.
SERVICE_SOURCES = ("web", "rqworker", "rqscheduler", "migrate")


def log_sources() -> tuple[str, ...]:
    """Every application source, each once. The same in both layouts, so switching deletes no logs."""
    return tuple(dict.fromkeys(HOST_SOURCES + SERVICE_SOURCES))


def log_group_name(stack: str, source: str) -> str:
    return f"/amy/{stack}/{source}"


@dataclass
class LogsArgs:
    stack: str
    retention_days: int
    protect: bool


class Logs(pulumi.ComponentResource):
    """Log groups named `/amy/<stack>/<source>`."""

    groups: dict[str, aws.cloudwatch.LogGroup]
    # The same names as plain strings, for what is rendered before deployment.
    names: dict[str, str]

    def __init__(self, name: str, args: LogsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:observability:Logs", name, None, opts)
        # Logs outlive `pulumi destroy`: protected where the stack protects, retained elsewhere.
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=not args.protect)
        self.names = {source: log_group_name(args.stack, source) for source in log_sources()}
        self.groups = {
            source: aws.cloudwatch.LogGroup(
                f"{name}-{source}",
                name=self.names[source],
                retention_in_days=args.retention_days,
                opts=stateful,
            )
            for source in log_sources()
        }
        self.register_outputs({source: group.name for source, group in self.groups.items()})
