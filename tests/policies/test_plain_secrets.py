"""plain_secrets.py: no secret in user data (however it is encoded), in a String parameter or a task's environment."""

from __future__ import annotations

import base64
import gzip

import pytest

import plain_secrets
from components.app_settings import DATABASE_CREDENTIALS, SECRET_SETTINGS
from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, dumps, resource_violations, with_
from tooling.harness import Plan

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
PARAMETER = "aws:ssm/parameter:Parameter"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
# Shaped like a private key's header, split so no scanner takes this file for one.
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
ACCESS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
# Names the secrets it needs and reads them at run time: what the legacy host's user data does.
HOST_ENV = (
    "AMY_REQUIRED_SETTINGS=AMY_DEBUG,AMY_SECRET_KEY,AMY_DATABASE_PASSWORD\n"
    "AMY_DATABASE_SECRET_ARN='arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1'\n"
)
READER = 'env["AMY_DATABASE_PASSWORD"] = secret["password"]\nexport PGPASSWORD=$AMY_DATABASE_PASSWORD\n'


def cloud_config(*files: str, encoding: str | None = None) -> str:
    entries = "".join(
        f"- path: /etc/amy/file{index}\n"
        + (f"  encoding: {encoding}\n" if encoding else "")
        + "  content: |\n"
        + "".join(f"    {line}\n" for line in content.splitlines())
        for index, content in enumerate(files)
    )
    return f"#cloud-config\nwrite_files:\n{entries}"


def gzipped(text: str) -> str:
    """User data as the legacy host passes it: userDataBase64, gzip inside."""
    return base64.b64encode(gzip.compress(text.encode())).decode()


def multipart(script: str) -> str:
    return (
        'Content-Type: multipart/mixed; boundary="BOUNDARY"\nMIME-Version: 1.0\n\n--BOUNDARY\n'
        'Content-Type: text/x-shellscript; charset="us-ascii"\n\n'
        f"{script}\n--BOUNDARY--\n"
    )


def env_file_of_encoded(content: str) -> str:
    """A cloud-config writing `content` gzipped and base64-encoded, as cloud-init's gz+b64 encoding reads it."""
    return cloud_config(gzipped(content), encoding="gz+b64")


CONTAINER = {
    "name": "web",
    "environment": [{"name": "AMY_DEBUG", "value": "false"}, {"name": "AMY_DATABASE_HOST", "value": "db.internal"}],
    "secrets": [{"name": "AMY_SECRET_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/amy/x"}],
}


def task(*environment: dict[str, str]) -> dict[str, str]:
    return {"containerDefinitions": dumps([with_(CONTAINER, environment=list(environment))])}


PASSING = [
    Pass("ec2-user-data-no-secrets", INSTANCE, {"userDataBase64": gzipped(cloud_config(HOST_ENV, READER))}),
    Pass("ec2-user-data-no-secrets", INSTANCE, {"userData": "#!/bin/bash\n" + READER}),
    Pass("ec2-user-data-no-secrets", LAUNCH_TEMPLATE, {"userData": base64.b64encode(READER.encode()).decode()}),
    Pass("ssm-parameter-secrets-encrypted", PARAMETER, {"name": "/amy/x/env/AMY_SECRET_KEY", "type": "SecureString"}),
    Pass("ssm-parameter-secrets-encrypted", PARAMETER, {"name": "/amy/x/env/AMY_DEBUG", "type": "String", "value": "false"}),
    Pass("ecs-secrets-not-in-environment", TASK_DEFINITION, task(*CONTAINER["environment"])),
]

FAILING = [
    Fail(
        "ec2-user-data-no-secrets",
        INSTANCE,
        {"userDataBase64": gzipped(cloud_config(HOST_ENV + "AMY_SECRET_KEY=django-insecure-0123456789\n"))},
        "user data assigns AMY_SECRET_KEY a value; anyone allowed to describe the instance reads its user data",
    ),
    Fail(
        "ec2-user-data-no-secrets",
        INSTANCE,
        {"userData": '#!/bin/bash\nexport AMY_DATABASE_PASSWORD="hunter2"\n'},
        "assigns AMY_DATABASE_PASSWORD a value",
    ),
    Fail(
        "ec2-user-data-no-secrets",
        INSTANCE,
        {"userData": cloud_config('{"AMY_MAILGUN_API_KEY": "key-0123"}')},
        "assigns AMY_MAILGUN_API_KEY a value",
    ),
    Fail(
        "ec2-user-data-no-secrets",
        INSTANCE,
        {"userDataBase64": gzipped(env_file_of_encoded(PRIVATE_KEY))},
        "user data holds a private key",
    ),
    Fail(
        "ec2-user-data-no-secrets",
        INSTANCE,
        {"userData": multipart(f"aws configure set aws_access_key_id {ACCESS_KEY}")},
        "holds an AWS access key",
    ),
    Fail(
        "ec2-user-data-no-secrets",
        LAUNCH_TEMPLATE,
        {"userData": base64.b64encode(b"DATABASE_URL=postgres://amy:hunter2@db/amy").decode()},
        "holds a URL with a password",
    ),
    Fail(
        "ssm-parameter-secrets-encrypted",
        PARAMETER,
        {"name": "/amy/x/env/AMY_SECRET_KEY", "type": "String", "value": "django-insecure"},
        "parameter /amy/x/env/AMY_SECRET_KEY is a plain String but holds a secret (AMY_SECRET_KEY is a secret's name)",
    ),
    Fail(
        "ssm-parameter-secrets-encrypted",
        PARAMETER,
        {"name": "/amy/x/env/AMY_DATABASE_USER", "type": "String", "value": "amy"},
        "make it a SecureString",
    ),
    Fail(
        "ssm-parameter-secrets-encrypted",
        PARAMETER,
        {"name": "/amy/x/deploy-key", "type": "String", "insecureValue": PRIVATE_KEY},
        "its value looks like a private key",
    ),
    Fail(
        "ecs-secrets-not-in-environment",
        TASK_DEFINITION,
        task({"name": "AMY_DATABASE_PASSWORD", "value": "x"}),
        "container web has AMY_DATABASE_PASSWORD in its plain environment",
    ),
    Fail(
        "ecs-secrets-not-in-environment",
        TASK_DEFINITION,
        task({"name": "AMY_DATABASE_USER", "value": "amy"}),
        "pass it in secrets from Parameter Store or Secrets Manager",
    ),
    Fail(
        "ecs-secrets-not-in-environment",
        TASK_DEFINITION,
        task({"name": "ECS_ENGINE_AUTH_DATA", "value": "{}"}),
        "has ECS_ENGINE_AUTH_DATA in its plain environment",
    ),
    Fail(
        "ecs-secrets-not-in-environment",
        TASK_DEFINITION,
        task({"name": "AMY_EXTRA", "value": f"aws_access_key_id={ACCESS_KEY}"}),
        "has AMY_EXTRA in its plain environment (an AWS access key)",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)


def test_the_policies_know_amys_secrets_by_the_names_the_program_gives_them() -> None:
    assert plain_secrets.SECRET_SETTINGS == SECRET_SETTINGS
    assert plain_secrets.DATABASE_CREDENTIALS == DATABASE_CREDENTIALS


def test_the_user_data_each_stack_renders_names_its_secrets_without_holding_them(stack_plan: Plan) -> None:
    for instance in stack_plan.of_type(INSTANCE):
        assert plain_secrets.user_data_texts(plain_secrets.decoded_user_data(instance.inputs))
        assert resource_violations("ec2-user-data-no-secrets", INSTANCE, instance.inputs) == []
