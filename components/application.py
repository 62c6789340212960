"""AMY as every web tier runs it: one struct the legacy host and the Fargate service both take."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from stack_config import AppVersion

# AMY's container image listens on port 80, and the legacy host's nginx forwards to gunicorn behind it.
APP_PORT = 80


@dataclass(frozen=True)
class Application:
    """Which release runs, under which names, with which settings, logging where."""

    # What every name the stack gives in the account starts with: `amy-<stack>`.
    name_prefix: str
    stack: str
    region: str
    domain: str
    zone_id: str
    version: AppVersion
    gunicorn_workers: int
    # Whether RQ's worker and scheduler run beside the web processes (only where there is Redis).
    rq_workers: bool
    # Parameter Store path of every AMY_* setting, like `/amy/<stack>/env/`.
    settings_path: str
    # The plain settings the program writes, by name.
    environment: Mapping[str, pulumi.Input[str]]
    # What operators keep under `settings_path` that AMY needs; referenced, never read by the program.
    operator_settings: Sequence[str]
    # Every setting AMY must find before it starts.
    required_settings: Sequence[str]
    # The RDS-managed secret of the database's master user, for migrations.
    database_secret_arn: pulumi.Input[str]
    # The secret of AMY's own database role, which the release step makes, stores and grants.
    app_database_secret_arn: pulumi.Input[str]
    # Log group name by source.
    log_groups: Mapping[str, str]
    email_attachments_bucket: str | None
    # The pre-release database snapshot: no release starts before it exists.
    release_snapshot: pulumi.Resource
    # Production's guard against deleting the tier by accident.
    protect: bool
    # The stack's permissions boundary, which every role of the tier carries.
    permissions_boundary: pulumi.Input[str]
    # Where shells on the tier (Session Manager on the host, ECS Exec in tasks) are logged, under which key.
    session_log_group_name: pulumi.Input[str]
    session_log_group_arn: pulumi.Input[str]
    session_key_arn: pulumi.Input[str]


@dataclass(frozen=True)
class Address:
    """Where the application's name points: the host's address, or an alias to the load balancer."""

    ip: pulumi.Input[str] | None = None
    alias_name: pulumi.Input[str] | None = None
    alias_zone_id: pulumi.Input[str] | None = None
