"""The documents the service hands to AWS, built alone: container definitions, the roles' policies, image expiry."""

from __future__ import annotations

import json

from parliament import analyze_policy_string

from components.fargate_service.task_documents import (
    container_definition,
    execution_policy,
    image_lifecycle_policy,
    parameter_arns,
    task_policy,
    task_secrets,
)
from tests.aws_shapes import request_errors

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123"
SESSION_LOG_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/amy/unit/sessions"
SESSION_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/sessions"
SETTINGS = parameter_arns("us-east-1", "123456789012", "/amy/unit/env/", ["AMY_SECRET_KEY", "AMY_MAILGUN_API_KEY"])


def container(port: int | None) -> dict:
    return container_definition(
        name="web",
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/amy-unit:v4.7.2",
        command=["gunicorn", "config.wsgi"],
        environment={"AMY_STATIC_HOST": "https://static.example.org", "AMY_DEBUG": "false"},
        secrets=task_secrets(SETTINGS, SECRET_ARN),
        log_group="/amy/unit/web",
        region="us-east-1",
        port=port,
    )


def lint(policy: dict) -> list[tuple[str, str | None]]:
    return [(finding.issue, finding.detail) for finding in analyze_policy_string(json.dumps(policy)).findings]


def test_settings_are_named_by_their_parameters_arn_under_the_path() -> None:
    assert SETTINGS == {
        "AMY_SECRET_KEY": "arn:aws:ssm:us-east-1:123456789012:parameter/amy/unit/env/AMY_SECRET_KEY",
        "AMY_MAILGUN_API_KEY": "arn:aws:ssm:us-east-1:123456789012:parameter/amy/unit/env/AMY_MAILGUN_API_KEY",
    }


def test_the_database_credentials_come_from_the_secrets_json_keys() -> None:
    secrets = task_secrets(SETTINGS, SECRET_ARN)
    assert secrets == {
        **SETTINGS,
        "AMY_DATABASE_USER": f"{SECRET_ARN}:username::",
        "AMY_DATABASE_PASSWORD": f"{SECRET_ARN}:password::",
    }


def test_a_container_is_a_valid_register_task_definition_request() -> None:
    request = {"family": "amy-unit-web", "containerDefinitions": [container(80)]}
    assert request_errors("ecs", "RegisterTaskDefinition", request) == ""


def test_a_container_lists_settings_sorted_and_secrets_by_reference() -> None:
    web = container(None)
    assert web["environment"] == [
        {"name": "AMY_DEBUG", "value": "false"},
        {"name": "AMY_STATIC_HOST", "value": "https://static.example.org"},
    ]
    assert [secret["name"] for secret in web["secrets"]] == sorted(task_secrets(SETTINGS, SECRET_ARN))
    assert {secret["valueFrom"] for secret in web["secrets"]} == set(task_secrets(SETTINGS, SECRET_ARN).values())
    assert web["logConfiguration"]["options"] == {
        "awslogs-group": "/amy/unit/web",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "web",
    }
    assert (web["essential"], web["privileged"]) == (True, False)


def test_only_a_container_with_a_port_maps_it() -> None:
    assert container(80)["portMappings"] == [{"containerPort": 80, "protocol": "tcp", "name": "http"}]
    assert "portMappings" not in container(None)


def test_the_execution_role_reads_the_settings_and_the_database_secret_only() -> None:
    app_secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:amy-unit/database/app-AbCdEf"
    policy = execution_policy(SETTINGS, [SECRET_ARN, app_secret])
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [
        ("ssm:GetParameters", sorted(SETTINGS.values())),
        ("secretsmanager:GetSecretValue", sorted([SECRET_ARN, app_secret])),
    ]
    assert lint(policy) == []


def test_the_task_role_gets_the_attachments_bucket_only_when_there_is_one() -> None:
    exec_sids = ["ExecuteCommand", "LogSessions", "FindSessionLog", "SessionEncryption"]
    without = task_policy(None, SESSION_LOG_ARN, SESSION_KEY_ARN)
    assert [statement["Sid"] for statement in without["Statement"]] == exec_sids
    with_bucket = task_policy("amy-unit-attachments", SESSION_LOG_ARN, SESSION_KEY_ARN)
    assert [statement["Sid"] for statement in with_bucket["Statement"]] == [*exec_sids, "EmailAttachments"]
    assert with_bucket["Statement"][-1]["Resource"] == "arn:aws:s3:::amy-unit-attachments/*"
    assert lint(without) == lint(with_bucket) == []


def test_ecs_exec_logs_each_session_to_the_sessions_group_alone_and_decrypts_with_their_key() -> None:
    statements = {s["Sid"]: s for s in task_policy(None, SESSION_LOG_ARN, SESSION_KEY_ARN)["Statement"]}
    assert statements["LogSessions"]["Resource"] == [SESSION_LOG_ARN, f"{SESSION_LOG_ARN}:log-stream:*"]
    assert statements["SessionEncryption"] == {
        "Sid": "SessionEncryption", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": SESSION_KEY_ARN,
    }  # fmt: skip
    assert lint(task_policy(None, SESSION_LOG_ARN, SESSION_KEY_ARN)) == []


def test_the_linter_catches_what_a_typo_would_break() -> None:
    policy = task_policy("amy-unit-attachments", SESSION_LOG_ARN, SESSION_KEY_ARN)
    policy["Statement"][0]["Action"][0] = "ssmmessages:CreateControlChanel"
    assert [issue for issue, _ in lint(policy)] == ["UNKNOWN_ACTION"]


def test_images_beyond_the_newest_kept_expire() -> None:
    [rule] = image_lifecycle_policy(12)["rules"]
    assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 12}
    assert rule["action"] == {"type": "expire"}
