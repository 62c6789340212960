"""AMY's settings: complete once built, written where every process reads them, and all required of the processes."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
import yaml

from components.app_settings import (
    DATABASE_CREDENTIALS,
    REQUIRED_FROM_OPERATORS,
    SECRET_SETTINGS,
    AppSettings,
    AppSettingsArgs,
)
from components.legacy_host import LOCAL_REDIS_URL
from stack_config.cache import CACHE_MODES_BY_LAYOUT, CacheMode
from stack_config.settings import OPTIONAL_SETTINGS
from tests.components.support import cache_overrides, varied, with_redis
from tests.stacks import STACKS, config_of, planned, stacks_with_layout
from tooling.harness import Plan, record

PARAMETER = "aws:ssm/parameter:Parameter"
ATTACHMENTS = "amy-unit-attachments"
# What the program writes whatever the stack: everything but Redis and the attachments bucket.
ALWAYS = {
    "AMY_DEBUG",
    "AMY_SITE_BANNER",
    "AMY_ALLOWED_HOSTS",
    "AMY_CSRF_TRUSTED_ORIGINS",
    "AMY_STATIC_HOST",
    "AMY_DATABASE_HOST",
    "AMY_DATABASE_PORT",
    "AMY_DATABASE_NAME",
}


def build(
    redis_url: str | None = None, email_attachments_bucket: str | None = None, optional_settings: tuple[str, ...] = ()
) -> tuple[Plan, AppSettings]:
    built: list[AppSettings] = []

    def program() -> None:
        args = AppSettingsArgs(
            stack="unit",
            domain="amy.example.org",
            static_domain="static.example.org",
            database_address="amy-unit.example.org",
            database_port=5432,
            database_name="amy",
            redis_url=redis_url,
            email_attachments_bucket=email_attachments_bucket,
            optional_settings=optional_settings,
        )
        built.append(AppSettings("settings", args))

    plan = record("unit", program)
    return plan, built[0]


def written(plan: Plan) -> dict[str, dict[str, Any]]:
    """The settings the program wrote to Parameter Store, by setting name."""
    path = f"/amy/{plan.stack}/env/"
    parameters = {p.inputs["name"]: p.inputs for p in plan.of_type(PARAMETER) if "amy:app:AppSettings" in p.urn}
    assert all(name.startswith(path) for name in parameters), sorted(parameters)
    return {name.removeprefix(path): inputs for name, inputs in parameters.items()}


def host_env(plan: Plan) -> dict[str, str]:
    """/etc/amy/host.env as the legacy host's cloud-init writes it."""
    user_data = plan.one("aws:ec2/instance:Instance").inputs["userDataBase64"]
    config = yaml.safe_load(gzip.decompress(base64.b64decode(user_data)).decode())
    content = next(entry["content"] for entry in config["write_files"] if entry["path"] == "/etc/amy/host.env")
    return dict(line.split("=", 1) for line in content.splitlines() if line and not line.startswith("#"))


def task_environments(plan: Plan) -> dict[str, dict[str, str]]:
    """Each ECS task definition's plain environment, by family."""
    environments = {}
    for definition in plan.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        [container] = json.loads(definition.inputs["containerDefinitions"])
        environments[definition.inputs["family"]] = {v["name"]: v["value"] for v in container["environment"]}
    return environments


def test_every_setting_is_written_when_built() -> None:
    plan, settings = build(redis_url="redis://cache.example.org:6379/0", email_attachments_bucket=ATTACHMENTS)
    values = {name: inputs["value"] for name, inputs in written(plan).items()}
    assert values == {
        "AMY_DEBUG": "false",
        "AMY_SITE_BANNER": "unit",
        "AMY_ALLOWED_HOSTS": "amy.example.org",
        "AMY_CSRF_TRUSTED_ORIGINS": "https://amy.example.org",
        "AMY_STATIC_HOST": "https://static.example.org",
        "AMY_DATABASE_HOST": "amy-unit.example.org",
        "AMY_DATABASE_PORT": "5432",
        "AMY_DATABASE_NAME": "amy",
        "AMY_REDIS_URL": "redis://cache.example.org:6379/0",
        "AMY_EMAIL_ATTACHMENTS_S3_BUCKET_NAME": ATTACHMENTS,
    }
    assert {p.inputs["type"] for p in plan.of_type(PARAMETER)} == {"String"}
    assert set(settings.written) == set(settings.environment) == set(values)
    assert settings.path == "/amy/unit/env/"


def test_without_redis_or_an_attachments_bucket_neither_is_a_setting() -> None:
    plan, settings = build()
    assert set(written(plan)) == ALWAYS
    assert set(settings.environment) == ALWAYS


def test_required_is_every_setting_written_the_database_credentials_and_the_operators_plain_ones() -> None:
    _, settings = build(redis_url="redis://cache.example.org:6379/0", email_attachments_bucket=ATTACHMENTS)
    assert set(settings.required) == {*settings.written, *DATABASE_CREDENTIALS, *REQUIRED_FROM_OPERATORS}
    assert {"AMY_REDIS_URL", "AMY_EMAIL_ATTACHMENTS_S3_BUCKET_NAME"} <= set(settings.required)
    assert len(settings.required) == len(set(settings.required))
    _, bare = build()
    assert "AMY_REDIS_URL" not in bare.required


def test_from_operators_are_the_required_settings_and_the_declared_optional_ones_once_each() -> None:
    """A process that references a parameter which does not exist never starts: no optional one unless declared."""
    _, settings = build()
    assert set(settings.from_operators) == set(REQUIRED_FROM_OPERATORS)
    assert not set(settings.from_operators) & set(OPTIONAL_SETTINGS)
    _, declared = build(optional_settings=("AMY_LIVE_EMAIL", "AMY_RECAPTCHA_PRIVATE_KEY"))
    assert set(declared.from_operators) == {*REQUIRED_FROM_OPERATORS, "AMY_LIVE_EMAIL", "AMY_RECAPTCHA_PRIVATE_KEY"}
    # Every secret is either required or optional: none is left unreferenceable.
    assert set(SECRET_SETTINGS) <= {*REQUIRED_FROM_OPERATORS, *OPTIONAL_SETTINGS}
    assert not set(REQUIRED_FROM_OPERATORS) & set(OPTIONAL_SETTINGS)
    assert len(settings.from_operators) == len(set(settings.from_operators))
    # The program never writes what operators keep, so it never holds a secret's value.
    assert not set(settings.from_operators) & set(settings.written)
    assert not set(DATABASE_CREDENTIALS) & {*settings.written, *settings.from_operators}


@pytest.mark.parametrize(
    ("stack", "mode"), [(stack, mode) for stack in STACKS for mode in CACHE_MODES_BY_LAYOUT[config_of(stack).layout]]
)
def test_the_redis_url_follows_the_cache_mode(stack: str, mode: CacheMode) -> None:
    plan = planned(stack) if config_of(stack).cache_mode == mode else varied(stack, cache_overrides(mode))
    settings = written(plan)
    assert set(settings) >= ALWAYS
    if mode == "none":
        assert "AMY_REDIS_URL" not in settings
    elif mode == "local":
        assert settings["AMY_REDIS_URL"]["value"] == LOCAL_REDIS_URL
    else:
        endpoint = plan.one("aws:elasticache/replicationGroup:ReplicationGroup").outputs["primaryEndpointAddress"]
        assert settings["AMY_REDIS_URL"]["value"] == f"rediss://{endpoint}:6379/0"


def test_each_stack_writes_its_own_names_and_the_attachments_bucket_only_when_configured(stack: str) -> None:
    config = config_of(stack)
    settings = {name: inputs["value"] for name, inputs in written(planned(stack)).items()}
    assert settings["AMY_SITE_BANNER"] == config.stack
    assert settings["AMY_ALLOWED_HOSTS"] == config.dns.domain
    assert settings["AMY_CSRF_TRUSTED_ORIGINS"] == f"https://{config.dns.domain}"
    assert settings["AMY_STATIC_HOST"] == f"https://{config.dns.static_domain}"
    assert settings.get("AMY_EMAIL_ATTACHMENTS_S3_BUCKET_NAME") == config.email_attachments_bucket


def test_a_configured_attachments_bucket_is_a_setting(stack: str) -> None:
    plan = varied(stack, {"amy:emailAttachmentsBucket": ATTACHMENTS})
    assert written(plan)["AMY_EMAIL_ATTACHMENTS_S3_BUCKET_NAME"]["value"] == ATTACHMENTS


@pytest.mark.parametrize("stack", stacks_with_layout("legacy"))
def test_the_host_requires_every_setting_written_including_redis(stack: str) -> None:
    plan = with_redis(stack)
    required = host_env(plan)["AMY_REQUIRED_SETTINGS"].split(",")
    assert "AMY_REDIS_URL" in required
    assert set(written(plan)) <= set(required)
    assert {*DATABASE_CREDENTIALS, *REQUIRED_FROM_OPERATORS} <= set(required)


@pytest.mark.parametrize("stack", stacks_with_layout("ecs"))
def test_every_task_is_given_every_setting_written_including_redis(stack: str) -> None:
    plan = with_redis(stack)
    values = {name: inputs["value"] for name, inputs in written(plan).items()}
    assert "AMY_REDIS_URL" in values
    environments = task_environments(plan)
    assert environments
    for family, environment in environments.items():
        # The migration also makes AMY's database role: where its secret is, and the code that does it.
        own = {"AMY_APP_DATABASE_LOGIN_ARN", "AMY_DATABASE_ROLE"} if family.endswith("-migrate") else set()
        assert set(environment) - set(values) == own, family
        assert {name: value for name, value in environment.items() if name not in own} == values, family
