"""What the Fargate service is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.application import Application
from stack_config import ServiceConfig


@dataclass
class FargateServiceArgs:
    app: Application
    service: ServiceConfig
    vpc_id: pulumi.Input[str]
    public_subnet_ids: pulumi.Input[Sequence[str]]
    private_subnet_ids: pulumi.Input[Sequence[str]]
    # The load balancer's group, and the tasks' group that only it reaches.
    entry_security_group_id: pulumi.Input[str]
    app_security_group_id: pulumi.Input[str]
    certificate_arn: pulumi.Input[str]
    # How long the load balancer's access logs are kept.
    log_retention_days: int
    # Whether the release's image is in the repository; before the first push, nothing that runs it is made.
    image_pushed: bool = True
