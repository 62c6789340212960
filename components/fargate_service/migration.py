"""Migrations: once per release, after the pre-release snapshot and before any service rolls."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_command as command

# `pulumi up` runs the runner beside this module with the project's virtualenv (Pulumi.yaml's `virtualenv`),
# from the project directory; both paths are relative so the command is the same from any checkout.
RUNNER = ".venv/bin/python -m components.fargate_service.run_task"


def migrate(
    name: str,
    region: str,
    cluster: aws.ecs.Cluster,
    task_definition: aws.ecs.TaskDefinition,
    subnet_ids: pulumi.Input[Sequence[str]],
    security_group_id: pulumi.Input[str],
    release_snapshot: pulumi.Resource,
    parent: pulumi.Resource,
) -> command.local.Command:
    """A command resource runs the one-off migration task and waits for it. It is replaced, and so runs again,
    exactly when the migration task definition changes, which a new version does."""
    return command.local.Command(
        f"{name}-migrate",
        create=RUNNER,
        environment={
            "AWS_REGION": region,
            "AMY_CLUSTER": cluster.arn,
            "AMY_TASK_DEFINITION": task_definition.arn,
            "AMY_SUBNETS": pulumi.Output.from_input(subnet_ids).apply(",".join),
            "AMY_SECURITY_GROUP": security_group_id,
        },
        triggers=[task_definition.arn],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[release_snapshot]),
    )
