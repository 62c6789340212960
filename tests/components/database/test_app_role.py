"""AMY's own database role: its password is made once and kept in its secret, PostgreSQL gets only its SCRAM
verifier, and on a real PostgreSQL the role may use every table the master user makes, now or later, and nothing
more."""

from __future__ import annotations

import base64
import contextlib
import glob
import hashlib
import hmac
import json
import os
import pwd
import shutil
import sys
import tempfile
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import boto3
import pytest
from moto import mock_aws

from components.database import app_role
from components.fargate_service.service import app_role_script
from tests.system import require, run, running, unavailable, wait_until

SECRET_NAME = "amy-unit/database/app"


def test_the_verifier_is_scram_sha_256_as_rfc_7677_computes_it() -> None:
    """RFC 7677's example: the server's signature of its exchange, from the ServerKey of the verifier."""
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    verifier = app_role.scram_verifier("pencil", salt, 4096)
    head, keys = verifier.rsplit("$", 1)
    assert head == "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=="
    server_key = base64.b64decode(keys.split(":")[1])
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth_message = f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}"
    signature = hmac.new(server_key, auth_message.encode(), hashlib.sha256).digest()
    assert base64.b64encode(signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def test_passwords_are_long_and_need_no_quoting() -> None:
    password = app_role.new_password()
    assert len(password) == app_role.PASSWORD_LENGTH and password.isalnum()
    assert app_role.new_password() != password


def test_the_sql_sends_the_verifier_never_the_password_and_grants_only_data_access() -> None:
    sql = app_role.statements("amy", "amy", "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5")
    assert "PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5'" in sql[1]
    assert "LOGIN NOCREATEDB NOCREATEROLE" in sql[1]
    granted = [statement for statement in sql if statement.startswith(("GRANT", "ALTER DEFAULT"))]
    assert not [statement for statement in granted if "ALL PRIVILEGES" in statement or "CREATE" in statement.split("TO")[0]]
    assert 'ALTER DEFAULT PRIVILEGES FOR ROLE "amy" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES' in sql[7]
    with pytest.raises(ValueError, match="no quote"):
        app_role.statements("amy", "amy", "x'; DROP ROLE amy; --")


@pytest.fixture
def secrets() -> Iterator[tuple[object, str]]:
    """Secrets Manager with the role's secret as the program makes it: no value."""
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        arn = client.create_secret(Name=SECRET_NAME)["ARN"]
        yield client, arn


def test_the_first_release_stores_a_password_and_later_ones_reuse_it(secrets: tuple[object, str]) -> None:
    client, arn = secrets
    executed: list[Sequence[str]] = []
    app_role.provision(client, arn, "amy", "amy", executed.append)
    stored = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])  # type: ignore[attr-defined]
    assert stored["username"] == "amy_app"
    app_role.provision(client, arn, "amy", "amy", executed.append)
    assert json.loads(client.get_secret_value(SecretId=arn)["SecretString"]) == stored  # type: ignore[attr-defined]
    # Each run sets the stored password again, under a new salt.
    assert len(executed) == 2 and executed[0][1] != executed[1][1]
    assert all(stored["password"] not in statement for sql in executed for statement in sql)


# --- On a real PostgreSQL -------------------------------------------------------------------------------------


def postgres_tool(name: str) -> str:
    """Debian keeps the server's tools in /usr/lib/postgresql/<major>/bin, off PATH."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        unavailable(f"{name} is not installed (Debian package postgresql; see .ci/apt-packages.txt)")
    return found


@contextlib.contextmanager
def postgresql() -> Iterator[Path]:
    """A PostgreSQL server on a unix socket in a directory of its own, as RDS has it: a superuser, and a master user
    `amy` with CREATEROLE owning the database `amy`; yields the socket directory. PostgreSQL refuses to run as root,
    so root runs it as nobody."""
    initdb, postgres, psql = postgres_tool("initdb"), postgres_tool("postgres"), require("psql")
    root = Path(tempfile.mkdtemp(prefix="amy-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        as_user = [require("setpriv"), f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    try:
        (root / "password").write_text("superuser\n")
        os.chmod(root / "password", 0o644)
        data, sockets = root / "data", root / "sockets"
        result = run([*as_user, initdb, "-D", str(data), "-U", "postgres", "--pwfile", str(root / "password"),
                      "--auth-local=scram-sha-256", "--auth-host=scram-sha-256"], timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        run([*as_user, "mkdir", str(sockets)])
        server = [*as_user, postgres, "-D", str(data), "-k", str(sockets), "-c", "listen_addresses="]
        socket = sockets / ".s.PGSQL.5432"
        with running(server, log=root / "postgres.log", ready=socket.exists, what="PostgreSQL", timeout=60):
            wait_until(lambda: sql(psql, sockets, "postgres", "superuser", "SELECT 1", database="postgres").returncode == 0,
                       "PostgreSQL to accept connections", timeout=30)  # fmt: skip
            for statement in ("CREATE ROLE amy LOGIN CREATEROLE PASSWORD 'master'", "CREATE DATABASE amy OWNER amy"):
                result = sql(psql, sockets, "postgres", "superuser", statement, database="postgres")
                assert result.returncode == 0, result.stderr
            yield sockets
    finally:
        shutil.rmtree(root, ignore_errors=True)


def sql(psql: str, sockets: Path, user: str, password: str, statement: str, database: str = "amy"):
    return run(
        [psql, "--no-psqlrc", "-h", str(sockets), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", statement],
        env={"PGPASSWORD": password},
    )


@pytest.mark.system
def test_amys_role_uses_every_table_the_migrations_make_and_changes_no_schema(secrets: tuple[object, str]) -> None:
    client, arn = secrets
    psql = require("psql")
    with postgresql() as sockets:

        def master(statement: str) -> None:
            result = sql(psql, sockets, "amy", "master", statement)
            assert result.returncode == 0, result.stderr

        master("CREATE TABLE workshops (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, slug text)")
        master("CREATE TABLE persons (id serial PRIMARY KEY, name text)")
        settings = {"PGHOST": str(sockets), "PGDATABASE": "amy", "PGUSER": "amy", "PGPASSWORD": "master"}
        app_role.provision(client, arn, "amy", "amy", app_role.psql(settings))
        password = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])["password"]  # type: ignore[attr-defined]

        def app(statement: str) -> str:
            result = sql(psql, sockets, "amy_app", password, statement)
            assert result.returncode == 0, f"{statement}: {result.stderr}"
            return result.stdout.strip()

        def refused(statement: str) -> str:
            result = sql(psql, sockets, "amy_app", password, statement)
            assert result.returncode != 0, statement
            return result.stderr

        app("INSERT INTO workshops (slug) VALUES ('2026-01-15-ttt')")
        app("INSERT INTO persons (name) VALUES ('Ada')")
        app("UPDATE persons SET name = 'Grace'")
        assert app("SELECT name FROM persons") == "Grace"
        app("DELETE FROM workshops")
        # A migration after the grants: the default privileges reach what the master user makes later.
        master("CREATE TABLE memberships (id serial PRIMARY KEY, name text)")
        app("INSERT INTO memberships (name) VALUES ('gold')")
        assert "permission denied" in refused("CREATE TABLE mine (id int)")
        assert "must be owner" in refused("DROP TABLE persons")
        assert "permission denied" in refused("ALTER ROLE amy_app CREATEDB")
        # The next release sets the same stored password again: AMY keeps connecting.
        app_role.provision(client, arn, "amy", "amy", app_role.psql(settings))
        assert app("SELECT count(*) FROM memberships") == "1"


def test_the_migration_task_runs_it_through_djangos_connection(
    secrets: tuple[object, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `manage.py shell -c "$AMY_DATABASE_ROLE"` runs the task's copy: exec'd in the shell command's globals, where
    Django's connection is the master user's."""
    _, arn = secrets
    executed: list[str] = []

    class Cursor:
        def __enter__(self) -> Cursor:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def execute(self, statement: str) -> None:
            executed.append(statement)

    class Connection:
        settings_dict: ClassVar[dict[str, str]] = {"NAME": "amy", "USER": "amy_master"}

        def cursor(self) -> Cursor:
            return Cursor()

    django = types.ModuleType("django")
    db = types.ModuleType("django.db")
    db.connection = Connection()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "django", django)
    monkeypatch.setitem(sys.modules, "django.db", db)
    monkeypatch.setenv("AMY_APP_DATABASE_LOGIN_ARN", arn)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    script = app_role_script()
    exec(compile(script, "AMY_DATABASE_ROLE", "exec"), {"__name__": "django.core.management.commands.shell"})
    assert 'ALTER DEFAULT PRIVILEGES FOR ROLE "amy_master"' in executed[7]
    assert executed[2] == 'GRANT CONNECT ON DATABASE "amy" TO "amy_app"'
