"""The documents the Fargate service hands to AWS: container definitions and the roles' policies. Pure builders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.aws_documents import email_attachments_statement


def container_definition(
    name: str,
    image: str,
    command: Sequence[str],
    environment: Mapping[str, str],
    secrets: Mapping[str, str],
    log_group: str,
    region: str,
    port: int | None,
) -> dict[str, Any]:
    """One container as ECS's RegisterTaskDefinition takes it."""
    definition: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "command": list(command),
        "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
        "secrets": [{"name": key, "valueFrom": value} for key, value in sorted(secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": name},
        },
        "readonlyRootFilesystem": False,
        "privileged": False,
        "stopTimeout": 30,
    }
    if port is not None:
        definition["portMappings"] = [{"containerPort": port, "protocol": "tcp", "name": "http"}]
    return definition


def parameter_arns(region: str, account: str, path: str, names: Sequence[str]) -> dict[str, str]:
    """The Parameter Store ARN of each setting under `path`, by name."""
    return {name: f"arn:aws:ssm:{region}:{account}:parameter{path}{name}" for name in names}


def task_secrets(parameter_arns: Mapping[str, str], database_secret_arn: str) -> dict[str, str]:
    """Every secret setting by reference: Parameter Store ARNs, and the JSON keys of the database secret the task
    connects with (AMY's own role's; the master user's for the migration)."""
    return {
        **parameter_arns,
        "AMY_DATABASE_USER": f"{database_secret_arn}:username::",
        "AMY_DATABASE_PASSWORD": f"{database_secret_arn}:password::",
    }


def execution_policy(parameter_arns: Mapping[str, str], database_secret_arns: Sequence[str]) -> dict[str, Any]:
    """The execution role may read exactly the settings and the database secrets the containers reference."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSettings",
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": sorted(parameter_arns.values()),
            },
            {
                "Sid": "ReadDatabaseSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": sorted(database_secret_arns),
            },
        ],
    }


def migration_policy(app_database_secret_arn: str) -> dict[str, Any]:
    """The migration's own: read the password of AMY's database role, and store it the first time it makes it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ApplicationPassword",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                "Resource": app_database_secret_arn,
            }
        ],
    }


def task_policy(email_attachments_bucket: str | None, session_log_group_arn: str, session_key_arn: str) -> dict[str, Any]:
    """What AMY itself may do: ECS Exec's channels, logging each session to the sessions' group under their key (the
    ECS developer guide's "IAM permissions required for ECS Exec" with logging and encryption), and the e-mail
    attachments bucket when there is one."""
    group = session_log_group_arn.removesuffix(":*")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ExecuteCommand",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        },
        {
            "Sid": "LogSessions",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": [group, f"{group}:log-stream:*"],
        },
        {"Sid": "FindSessionLog", "Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"},
        {"Sid": "SessionEncryption", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": session_key_arn},
    ]
    if email_attachments_bucket:
        statements.append(email_attachments_statement(email_attachments_bucket))
    return {"Version": "2012-10-17", "Statement": statements}


def image_lifecycle_policy(keep: int) -> dict[str, Any]:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Keep the newest {keep} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
                "action": {"type": "expire"},
            }
        ]
    }
