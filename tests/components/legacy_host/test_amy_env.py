"""The host's amy-env script and its timer: settings collected from AWS, written so bash and systemd read them back,
rewritten on every tick of the timer, and the services restarted only when they changed."""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import pwd
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from components.legacy_host.files import TEMPLATES, HostLayout, render
from tests.components.legacy_host.support import DOMAIN, settings

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:amy-unit/database/app-AbCdEf"
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


def test_before_the_first_deploy_stores_the_roles_password_it_says_so() -> None:
    ssm = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    secrets = boto3.client("secretsmanager", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    ssm_stub, secrets_stub = Stubber(ssm), Stubber(secrets)
    ssm_stub.add_response("get_parameters_by_path", {"Parameters": []}, {"Path": PATH, "WithDecryption": True})
    secrets_stub.add_client_error("get_secret_value", service_error_code="ResourceNotFoundException")
    ssm_stub.activate()
    secrets_stub.activate()
    with pytest.raises(amy_env.SettingsError, match=r"holds no password yet: the first deploy makes AMY's database role"):
        amy_env.collect(ssm, secrets, PATH, SECRET_ARN, [])


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


# The timer, the unit and the script together: the environment is rewritten on every tick, and the services restart
# only when it changed.


def rendered_units(**overrides: object) -> dict[str, configparser.ConfigParser]:
    host_settings = replace(settings(HostLayout.for_domain(DOMAIN)), **overrides)
    units = {}
    for file in render(host_settings):
        if file.path.startswith("/etc/systemd/system/"):
            parser = configparser.ConfigParser(strict=False, interpolation=None)
            parser.optionxform = str  # type: ignore[assignment,method-assign]
            parser.read_string(file.content)
            units[Path(file.path).name] = parser
    return units


def test_the_timer_can_start_the_environment_service_again() -> None:
    """systemd.timer(5): a unit still active when the timer elapses is not started again, and RemainAfterExit=yes
    keeps a oneshot active after its first run; without it the oneshot ends inactive, ready for the next tick."""
    units = rendered_units()
    service = units["amy-env.service"]["Service"]
    assert service["Type"] == "oneshot"
    assert service.get("RemainAfterExit", "no") == "no"
    assert units["amy-env.timer"]["Timer"]["OnUnitActiveSec"] == "900s"


def test_the_timer_period_is_a_setting_of_the_host() -> None:
    timer = rendered_units(env_refresh_seconds=20)["amy-env.timer"]["Timer"]
    assert (timer["OnBootSec"], timer["OnUnitActiveSec"]) == ("20s", "20s")


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """amy-env's environment under tmp_path, moto for AWS, and stand-ins for systemctl and amy-services that record
    how they were called; yields the record."""
    calls = tmp_path / "calls"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, output in (("systemctl", ""), ("amy-services", "amy-gunicorn.service amy-rqworker.service")):
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >>"{calls}"\necho "{output}"\n')
        stub.chmod(0o755)
    environment = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AMY_PARAMETERS_PATH": PATH,
        "AMY_REQUIRED_SETTINGS": "AMY_SECRET_KEY,AMY_DATABASE_PASSWORD",
        "AMY_APP_DIR": str(tmp_path / "app"),
        "AMY_ENV_FILE": str(tmp_path / "etc/amy.env"),
        "AMY_SHELL_ENV_FILE": str(tmp_path / "etc/amy.sh"),
    }
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(amy_env, "APP_USER", pwd.getpwuid(os.getuid()).pw_name)
    with mock_aws():
        boto3.client("ssm").put_parameter(Name=f"{PATH}AMY_SECRET_KEY", Value="s3cr3t", Type="SecureString")
        arn = boto3.client("secretsmanager").create_secret(
            Name="amy-production/database/app", SecretString=json.dumps({"username": "amy_app", "password": "first"})
        )["ARN"]
        monkeypatch.setenv("AMY_APP_DATABASE_LOGIN_ARN", arn)
        yield calls


def rotate(password: str) -> None:
    secrets = boto3.client("secretsmanager")
    arn = os.environ["AMY_APP_DATABASE_LOGIN_ARN"]
    secrets.put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "amy_app", "password": password}))


def test_a_rotated_password_restarts_the_services_without_waiting_for_them(host: Path) -> None:
    assert amy_env.main(["--restart-on-change"]) == 0
    restart = "systemctl try-restart --no-block amy-gunicorn.service amy-rqworker.service"
    assert host.read_text().splitlines() == ["amy-services ", restart]
    assert 'AMY_DATABASE_PASSWORD="first"' in Path(os.environ["AMY_ENV_FILE"]).read_text()

    # The next tick finds the same settings: nothing restarts.
    assert amy_env.main(["--restart-on-change"]) == 0
    assert host.read_text().splitlines() == ["amy-services ", restart]

    # The role's password changed (an operator rotated it, README): the next tick writes it and restarts the services.
    rotate("second")
    assert amy_env.main(["--restart-on-change"]) == 0
    assert host.read_text().splitlines() == ["amy-services ", restart] * 2
    assert 'AMY_DATABASE_PASSWORD="second"' in Path(os.environ["AMY_ENV_FILE"]).read_text()
    assert "export AMY_DATABASE_PASSWORD=second" in Path(os.environ["AMY_SHELL_ENV_FILE"]).read_text()


def test_without_the_flag_a_change_is_written_and_nothing_restarts(host: Path) -> None:
    """As the deploy runs it: the deploy restarts the services itself, after installing the release."""
    assert amy_env.main([]) == 0
    assert not host.exists()
    assert Path(os.environ["AMY_SHELL_ENV_FILE"]).stat().st_mode & 0o777 == 0o640
