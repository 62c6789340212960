"""Secrets never in plain text: not in an instance's user data, not in String parameters, not in a task's environment.

A secret is known by its name (AMY's secret settings, or a name that says it is one) or by how its value looks (a
private key, an AWS access key, a GitHub token, a URL with a password)."""

from __future__ import annotations

import base64
import binascii
import email
import gzip
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml
from pulumi_policy import ResourceValidationPolicy

from ecs import TASK_DEFINITION, containers
from support import ADVISORY, ResourcePolicy, as_list, resource_policy

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
PARAMETER = "aws:ssm/parameter:Parameter"

# The same names as components/app_settings.py's SECRET_SETTINGS and DATABASE_CREDENTIALS (the pack runs from
# policies/ alone; a test holds them equal).
SECRET_SETTINGS = (
    "AMY_SECRET_KEY",
    "AMY_RECAPTCHA_PRIVATE_KEY",
    "AMY_SOCIAL_AUTH_GITHUB_SECRET",
    "AMY_GITHUB_API_TOKEN",
    "AMY_MAILGUN_API_KEY",
    "AMY_REPORTS_SALT_FRONT",
    "AMY_REPORTS_SALT_BACK",
)
DATABASE_CREDENTIALS = ("AMY_DATABASE_USER", "AMY_DATABASE_PASSWORD")
# What Security Hub's ECS.8 looks for besides.
AWS_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA")
SECRET_NAMES = frozenset((*SECRET_SETTINGS, *DATABASE_CREDENTIALS, *AWS_CREDENTIALS))
SECRET_LOOKING_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|SALT|PRIVATE|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE)
SECRET_LOOKING_VALUES = {
    "a private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "an AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    "a URL with a password": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"$]+@"),
}
_NAMES = "|".join(sorted(SECRET_NAMES))
# A secret's name given a literal value: NAME=value (shell, env files, systemd), "NAME": "value" (JSON, YAML) or
# NAME: value at the start of a YAML line. A value that starts with $ is read at run time, which is the point.
ASSIGNED = re.compile(
    rf"(?<![\w$])(?P<name>{_NAMES})=[\"']?(?=[^$\"'\s])"
    rf"|[\"'](?P<quoted>{_NAMES})[\"']\s*:\s*[\"'](?=[^$\"'])"
    rf"|^[ \t-]*(?P<key>{_NAMES}):[ \t]+(?=[^$\"'{{\[|>\s])",
    re.MULTILINE,
)
GZIP_MAGIC = b"\x1f\x8b"


def secret_name(name: str) -> bool:
    return name in SECRET_NAMES or SECRET_LOOKING_NAME.search(name) is not None


def secret_looking(value: str) -> list[str]:
    """What kinds of secret `value` holds, by their look."""
    return [kind for kind, pattern in SECRET_LOOKING_VALUES.items() if pattern.search(value)]


def _text(data: bytes) -> str:
    return (gzip.decompress(data) if data.startswith(GZIP_MAGIC) else data).decode("utf-8", "replace")


def _from_base64(encoded: str) -> str:
    try:
        return _text(base64.b64decode("".join(encoded.split()), validate=True))
    except (binascii.Error, ValueError, OSError, EOFError):
        return encoded


def _write_files(config: Any) -> Iterator[str]:
    """The files a cloud-config writes, decoded as cloud-init decodes them (b64, gzip, or both)."""
    files = config.get("write_files") if isinstance(config, dict) else None
    for entry in (entry for entry in as_list(files) if isinstance(entry, dict)):
        content, encoding = str(entry.get("content", "")), str(entry.get("encoding", "")).lower()
        if encoding in ("b64", "base64", "gz+b64", "gzip+base64", "gz+base64", "gzip+b64"):
            yield _from_base64(content)
        else:
            yield content


def user_data_texts(text: str) -> Iterator[str]:
    """User data as the instance reads it: the text itself, each part of a MIME multipart, each file a
    cloud-config writes."""
    yield text
    if text.startswith("Content-Type: multipart/") or text.startswith("MIME-Version:"):
        for part in email.message_from_string(text).walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                yield from user_data_texts(_text(payload))
    elif text.startswith("#cloud-config"):
        try:
            yield from _write_files(yaml.safe_load(text))
        except yaml.YAMLError:
            return


def decoded_user_data(props: Mapping[str, Any]) -> str:
    """An instance's user data as text: given as text (userData) or base64 (userDataBase64, gzipped or not)."""
    if props.get("userDataBase64"):
        return _from_base64(str(props["userDataBase64"]))
    return str(props.get("userData") or "")


def _problems_in(texts: Iterable[str]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        for match in ASSIGNED.finditer(text):
            found[f"assigns {match['name'] or match['quoted'] or match['key']} a value"] = None
        for kind in secret_looking(text):
            found[f"holds {kind}"] = None
    return list(found)


def _user_data_problems(text: str) -> Iterator[str]:
    for problem in _problems_in(user_data_texts(text)):
        yield (
            f"user data {problem}; anyone allowed to describe the instance reads its user data: fetch the secret "
            "at boot from Parameter Store (SecureString) or Secrets Manager instead"
        )


def _instance_user_data(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    yield from _user_data_problems(decoded_user_data(props))


def _launch_template_user_data(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    # A launch template's userData is always base64.
    yield from _user_data_problems(_from_base64(str(props.get("userData") or "")))


def _parameter_encrypted(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("type") == "SecureString":
        return
    name = str(props.get("name", ""))
    value = str(props.get("value") or props.get("insecureValue") or "")
    reasons = ([f"{name.rsplit('/', 1)[-1]} is a secret's name"] if secret_name(name.rsplit("/", 1)[-1]) else []) + [
        f"its value looks like {kind}" for kind in secret_looking(value)
    ]
    if reasons:
        yield (
            f"parameter {name} is a plain {props.get('type')} but holds a secret ({'; '.join(reasons)}); make it a "
            "SecureString (type SecureString, encrypted with a KMS key) and give its value outside the program"
        )


def _secrets_by_reference(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for container in containers(props):
        for variable in as_list(container.get("environment")):
            name, value = str(variable.get("name", "")), str(variable.get("value", ""))
            looks = secret_looking(value)
            if secret_name(name) or looks:
                shown = f" ({', '.join(looks)})" if looks else ""
                yield (
                    f"container {container.get('name')} has {name} in its plain environment{shown}; "
                    "pass it in secrets from Parameter Store or Secrets Manager"
                )


def policies() -> list[ResourceValidationPolicy]:
    return [
        ResourcePolicy(
            "ec2-user-data-no-secrets",
            "No secret is written into the user data of an instance or a launch template.",
            {INSTANCE: _instance_user_data, LAUNCH_TEMPLATE: _launch_template_user_data},
            ADVISORY,
        ),
        resource_policy(
            "ssm-parameter-secrets-encrypted",
            "Secrets in Parameter Store are SecureStrings.",
            [PARAMETER],
            _parameter_encrypted,
            ADVISORY,
        ),
        resource_policy(
            "ecs-secrets-not-in-environment",
            "Secrets come through a task's secrets, never its plain environment.",
            [TASK_DEFINITION],
            _secrets_by_reference,
            ADVISORY,
        ),
    ]
