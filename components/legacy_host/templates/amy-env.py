#!/usr/bin/python3
"""Write AMY's environment from SSM Parameter Store and the application's database secret.

Every parameter under AMY_PARAMETERS_PATH becomes a variable named after its
last path segment; the secret of AMY's own database role (amy_app, which the
deploy's amy-database-role makes) gives AMY_DATABASE_USER and
AMY_DATABASE_PASSWORD. The master user's is for migrations only. Written, readable by root and amy only: a systemd
EnvironmentFile for the services, the same as shell exports for the host's
scripts, and the `postactivate` operators source once the virtualenv exists.

Where to look comes from the host's settings (host.env) in the environment,
as its unit (EnvironmentFile=) and the scripts that run it (`set -a; source`)
give them: it never parses a file that a shell also reads.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import boto3

# Who runs AMY: the shell exports are readable by its group, postactivate is its own.
APP_USER = "amy"


class SettingsError(Exception):
    pass


def collect(ssm, secrets, parameters_path: str, database_secret_arn: str, required: Iterable[str]) -> dict[str, str]:
    """AMY's settings from Parameter Store and its database role's secret; every required one must be there."""
    env: dict[str, str] = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=parameters_path, WithDecryption=True):
        for parameter in page["Parameters"]:
            env[parameter["Name"].rsplit("/", 1)[-1]] = parameter["Value"]
    try:
        secret = json.loads(secrets.get_secret_value(SecretId=database_secret_arn)["SecretString"])
    except secrets.exceptions.ResourceNotFoundException:
        raise SettingsError(
            f"{database_secret_arn} holds no password yet: the first deploy makes AMY's database role and stores it"
        ) from None
    env["AMY_DATABASE_USER"] = secret["username"]
    env["AMY_DATABASE_PASSWORD"] = secret["password"]
    missing = sorted(set(required) - set(env))
    if missing:
        names = ", ".join(f"{parameters_path}{name}" for name in missing)
        raise SettingsError(f"missing from Parameter Store: {names}")
    multiline = sorted(key for key, value in env.items() if "\n" in value)
    if multiline:
        raise SettingsError(f"values must be one line: {', '.join(multiline)}")
    return dict(sorted(env.items()))


def systemd_environment(env: Mapping[str, str]) -> str:
    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "".join(f"{key}={quoted(value)}\n" for key, value in env.items())


def postactivate(env: Mapping[str, str]) -> str:
    return "".join(f"export {key}={shlex.quote(value)}\n" for key, value in env.items())


def write_private(path: Path, content: str, owner: str | None = None, group: str | None = None) -> bool:
    """Write `content` to `path` readable by its owner (and `group`), atomically; whether it changed."""
    if path.exists() and path.read_text() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        stream.write(content)
    os.chmod(temporary, 0o640 if group else 0o600)
    if owner or group:
        user = pwd.getpwnam(owner or "root")
        gid = grp.getgrnam(group).gr_gid if group else user.pw_gid
        os.chown(temporary, user.pw_uid, gid)
    os.replace(temporary, path)
    return True


def restart_services() -> None:
    """Restart AMY's running services (amy-services lists the installed ones) so they read the new environment.

    --no-block: a service's start runs this script first (Requires=/After=amy-env.service), so waiting for the
    restart here would wait on ourselves; queued, the restart runs once this run has exited. try-restart leaves a
    stopped service stopped (systemctl(1)).
    """
    services = subprocess.run(["amy-services"], capture_output=True, text=True, check=True).stdout.split()
    if services:
        subprocess.run(["systemctl", "try-restart", "--no-block", *services], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--restart-on-change", action="store_true", help="restart AMY's services if anything changed")
    args = parser.parse_args(argv)

    host = os.environ
    session = boto3.Session(region_name=host["AWS_DEFAULT_REGION"])
    try:
        env = collect(
            session.client("ssm"),
            session.client("secretsmanager"),
            host["AMY_PARAMETERS_PATH"],
            host["AMY_APP_DATABASE_LOGIN_ARN"],
            host["AMY_REQUIRED_SETTINGS"].split(","),
        )
    except SettingsError as error:
        print(f"amy-env: {error}", file=sys.stderr)
        return 1
    # What the services read and what the scripts source; postactivate follows them and restarts nothing.
    changed = write_private(Path(host["AMY_ENV_FILE"]), systemd_environment(env))
    changed |= write_private(Path(host["AMY_SHELL_ENV_FILE"]), postactivate(env), group=APP_USER)
    venv_bin = Path(host["AMY_APP_DIR"]) / "repo" / ".venv" / "bin"
    if venv_bin.is_dir():
        write_private(venv_bin / "postactivate", postactivate(env), owner=APP_USER)
    print(f"amy-env: {len(env)} settings, {'changed' if changed else 'unchanged'}")
    if changed and args.restart_on_change:
        restart_services()
    return 0


if __name__ == "__main__":
    sys.exit(main())
