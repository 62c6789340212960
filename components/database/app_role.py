#!/usr/bin/python3
"""AMY's own database role, which AMY connects as; the master user is for migrations and break-glass.

The release step runs this as the master user before it migrates: the legacy host's deploy as
`amy-database-role provision` (psql), the ecs layout's migration through Django (`provision_with_django`). It makes
`amy_app` if missing, sets its password and grants CONNECT, USAGE on schema public, SELECT/INSERT/UPDATE/DELETE on
the tables and USAGE/SELECT on the sequences, now and by default for what the master user creates later.

The password is made here once and kept in the secret `amy-<stack>/database/app`, which the program makes without a
value: it never enters Pulumi's state. PostgreSQL gets its SCRAM-SHA-256 verifier, so no server log holds it.

    amy-database-role provision              make or update the role and its grants
    amy-database-role as-master COMMAND...   run COMMAND as the master user (AMY_DATABASE_USER/PASSWORD)

Environment: AMY_APP_DATABASE_LOGIN_ARN (the role's secret); on the host, from host.env, AMY_DATABASE_SECRET_ARN
(the master user's), AMY_PARAMETERS_PATH and AWS_DEFAULT_REGION. Standard library and boto3 only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import string
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

APP_ROLE = "amy_app"
PASSWORD_LENGTH = 40
# PostgreSQL's own default for the verifiers it makes (scram_iterations).
SCRAM_ITERATIONS = 4096
# The CA bundle the host verifies RDS's certificate with (amy-bootstrap fetches it).
RDS_CA_BUNDLE = "/etc/amy/rds-ca-bundle.pem"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


def new_password() -> str:
    """Letters and digits only: nothing a URL, a shell or an environment file would need to quote."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(PASSWORD_LENGTH))


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677; its `pg_authid` format
    `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, which ALTER ROLE … PASSWORD takes as it is)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def encoded(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${iterations}:{encoded(salt)}${encoded(stored_key)}:{encoded(server_key)}"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def statements(database: str, owner: str, verifier: str, role: str = APP_ROLE) -> list[str]:
    """The SQL that makes `role` what AMY needs, idempotently, run as `owner` (the master user, who migrates)."""
    if "'" in verifier:
        raise ValueError("a SCRAM verifier has no quote")
    app, master = identifier(role), identifier(owner)
    literal = role.replace("'", "''")
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{literal}') "
        f"THEN CREATE ROLE {app}; END IF; END $$",
        # A new role is neither superuser nor replication; only a superuser may even restate that, which RDS's master is not.
        f"ALTER ROLE {app} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD '{verifier}'",
        f"GRANT CONNECT ON DATABASE {identifier(database)} TO {app}",
        # Before PostgreSQL 15 every role may create objects in public; AMY's role only uses them.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {master} IN SCHEMA public GRANT {TABLE_PRIVILEGES} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {master} IN SCHEMA public GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {app}",
    ]


def stored_password(client: Any, secret_id: str) -> str:
    """The role's password from the secret, made and stored first when the secret has none yet."""
    try:
        value = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    except client.exceptions.ResourceNotFoundException:
        # The secret exists (the program made it) but holds no version yet: this is the first release.
        value = None
    if value and value.get("username") == APP_ROLE and value.get("password"):
        return value["password"]
    password = new_password()
    client.put_secret_value(SecretId=secret_id, SecretString=json.dumps({"username": APP_ROLE, "password": password}))
    return password


def provision(client: Any, secret_id: str, database: str, owner: str, execute: Callable[[Sequence[str]], None]) -> None:
    """Store the password first, then set it: a failure after storing is mended by the next run, which sets the
    stored one again."""
    execute(statements(database, owner, scram_verifier(stored_password(client, secret_id))))
    print(f"amy-database-role: {APP_ROLE} can connect to {database} and use its tables")


def provision_with_django() -> None:
    """The ecs layout's migration task: through Django's connection, as the master user the task's settings name."""
    import boto3  # noqa: PLC0415 — AMY's image has boto3; imported where the task runs, not where this is rendered.
    from django.db import connection  # type: ignore[import-not-found]  # noqa: PLC0415 — AMY's image has Django; the program does not.

    def execute(sql: Sequence[str]) -> None:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)

    settings = connection.settings_dict
    client = boto3.client("secretsmanager")
    provision(client, os.environ["AMY_APP_DATABASE_LOGIN_ARN"], settings["NAME"], settings["USER"], execute)


def _master(client: Any, environ: Mapping[str, str]) -> dict[str, str]:
    return json.loads(client.get_secret_value(SecretId=environ["AMY_DATABASE_SECRET_ARN"])["SecretString"])


def _connection(session: Any, environ: Mapping[str, str]) -> dict[str, str]:
    """psql's settings for the master user, from the master secret and the database's settings in Parameter Store."""
    path = environ["AMY_PARAMETERS_PATH"]
    names = {f"{path}AMY_DATABASE_{key}": key for key in ("HOST", "PORT", "NAME")}
    found = session.client("ssm").get_parameters(Names=sorted(names))["Parameters"]
    values = {names[parameter["Name"]]: parameter["Value"] for parameter in found}
    master = _master(session.client("secretsmanager"), environ)
    return {
        "PGHOST": values["HOST"],
        "PGPORT": values["PORT"],
        "PGDATABASE": values["NAME"],
        "PGUSER": master["username"],
        "PGPASSWORD": master["password"],
        "PGSSLMODE": "verify-full",
        "PGSSLROOTCERT": RDS_CA_BUNDLE,
    }


def psql(settings: Mapping[str, str]) -> Callable[[Sequence[str]], None]:
    """Run statements in one transaction through psql, the SQL on its standard input (never on a command line)."""

    def execute(sql: Sequence[str]) -> None:
        script = "".join(f"{statement};\n" for statement in sql)
        environment = {**os.environ, **settings}
        subprocess.run(
            ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"],
            input=script,
            text=True,
            env=environment,
            check=True,
        )

    return execute


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    import boto3  # noqa: PLC0415 — the tests import this module without AWS.

    session = boto3.Session(region_name=environ["AWS_DEFAULT_REGION"])
    if args == ["provision"]:
        settings = _connection(session, environ)
        client = session.client("secretsmanager")
        provision(client, environ["AMY_APP_DATABASE_LOGIN_ARN"], settings["PGDATABASE"], settings["PGUSER"], psql(settings))
        return 0
    if len(args) > 1 and args[0] == "as-master":
        master = _master(session.client("secretsmanager"), environ)
        os.execvpe(
            args[1],
            args[1:],
            {**environ, "AMY_DATABASE_USER": master["username"], "AMY_DATABASE_PASSWORD": master["password"]},
        )
    print("usage: amy-database-role provision | amy-database-role as-master COMMAND...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
