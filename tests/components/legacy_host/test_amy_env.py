"""The host's amy-env script: settings collected from stubbed AWS APIs, written so bash and systemd read them back."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from botocore.stub import Stubber

from components.legacy_host.files import TEMPLATES

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123"
PATH = "/amy/unit/env/"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("amy_env", TEMPLATES / "amy-env.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


amy_env = load_script()


def stubbed(parameters: dict[str, str]) -> tuple[object, object]:
    ssm = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    secrets = boto3.client("secretsmanager", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    ssm_stub, secrets_stub = Stubber(ssm), Stubber(secrets)
    ssm_stub.add_response(
        "get_parameters_by_path",
        {"Parameters": [{"Name": f"{PATH}{name}", "Value": value, "Type": "SecureString"} for name, value in parameters.items()]},
        {"Path": PATH, "WithDecryption": True},
    )
    secrets_stub.add_response(
        "get_secret_value",
        {"SecretString": json.dumps({"username": "amy", "password": "p@ss'w\"o$rd\\"})},
        {"SecretId": SECRET_ARN},
    )
    ssm_stub.activate()
    secrets_stub.activate()
    return ssm, secrets


def test_settings_come_from_parameter_store_and_the_database_secret() -> None:
    ssm, secrets = stubbed({"AMY_SECRET_KEY": "s3cr3t", "AMY_DEBUG": "false"})
    env = amy_env.collect(ssm, secrets, PATH, SECRET_ARN, ["AMY_SECRET_KEY", "AMY_DATABASE_PASSWORD"])
    assert env == {
        "AMY_DATABASE_PASSWORD": "p@ss'w\"o$rd\\",
        "AMY_DATABASE_USER": "amy",
        "AMY_DEBUG": "false",
        "AMY_SECRET_KEY": "s3cr3t",
    }


def test_a_missing_required_setting_is_named_with_its_parameter() -> None:
    ssm, secrets = stubbed({"AMY_DEBUG": "false"})
    with pytest.raises(amy_env.SettingsError, match=r"missing from Parameter Store: /amy/unit/env/AMY_SECRET_KEY"):
        amy_env.collect(ssm, secrets, PATH, SECRET_ARN, ["AMY_SECRET_KEY"])


def test_postactivate_reads_back_in_bash_exactly(tmp_path: Path) -> None:
    values = {"AMY_DATABASE_PASSWORD": "p@ss'w\"o$rd\\ `x`", "AMY_SECRET_KEY": "a b;c"}
    script = tmp_path / "postactivate"
    script.write_text(amy_env.postactivate(values))
    printed = subprocess.run(
        ["bash", "-c", f'source {script} && printf "%s\\n%s" "$AMY_DATABASE_PASSWORD" "$AMY_SECRET_KEY"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.split("\n") == list(values.values())


def test_the_systemd_file_quotes_what_systemd_unquotes() -> None:
    text = amy_env.systemd_environment({"AMY_DATABASE_PASSWORD": 'p"a\\ss'})
    assert text == 'AMY_DATABASE_PASSWORD="p\\"a\\\\ss"\n'


def test_files_are_private_and_rewritten_only_on_change(tmp_path: Path) -> None:
    target = tmp_path / "amy.env"
    assert amy_env.write_private(target, "A=1\n") is True
    assert target.stat().st_mode & 0o777 == 0o600
    assert amy_env.write_private(target, "A=1\n") is False
    assert amy_env.write_private(target, "A=2\n") is True
