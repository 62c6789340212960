"""The manage.py commands a deploy runs, against the database AMY's settings name; rqworker and rqscheduler
where the release has RQ (as django-rq gave AMY before v4.7), from the rq package itself."""

import argparse
import os
import sys
from pathlib import Path

import psycopg

from fakeamy.release import BROKEN_MIGRATION, RQ, VERSION

ROOT = Path(__file__).resolve().parents[2]


def connect():
    return psycopg.connect(
        host=os.environ["AMY_DATABASE_HOST"],
        port=os.environ.get("AMY_DATABASE_PORT", "5432"),
        dbname=os.environ["AMY_DATABASE_NAME"],
        user=os.environ["AMY_DATABASE_USER"],
        password=os.environ["AMY_DATABASE_PASSWORD"],
        sslmode="require",
        connect_timeout=10,
    )


def check(args):
    missing = [name for name in ("AMY_SECRET_KEY", "AMY_DATABASE_HOST") if not os.environ.get(name)]
    if missing:
        print(f"SystemCheckError: missing settings: {', '.join(missing)}", file=sys.stderr)
        return 1
    print("System check identified no issues (0 silenced).")
    return 0


def migrate(args):
    if BROKEN_MIGRATION:
        print(f"django.db.utils.ProgrammingError: migration of {VERSION} failed", file=sys.stderr)
        return 1
    with connect() as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS fakeamy_migrations (version text PRIMARY KEY, applied timestamptz DEFAULT now())"
        )
        connection.execute("INSERT INTO fakeamy_migrations (version) VALUES (%s) ON CONFLICT DO NOTHING", (VERSION,))
    print(f"Applying fakeamy.{VERSION}... OK")
    return 0


def createcachetable(args):
    with connect() as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS fakeamy_cache (key text PRIMARY KEY, value text)")
    return 0


def collectstatic(args):
    static = ROOT / "staticfiles"
    static.mkdir(exist_ok=True)
    (static / "version.txt").write_text(VERSION)
    print("1 static file copied.")
    return 0


COMMANDS = {"check": check, "migrate": migrate, "createcachetable": createcachetable, "collectstatic": collectstatic}
if RQ:
    from fakeamy.queues import rqscheduler, rqworker

    COMMANDS |= {"rqworker": rqworker, "rqscheduler": rqscheduler}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        print(f"Unknown command: {argv[0] if argv else ''!r}", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(prog=f"manage.py {argv[0]}")
    parser.add_argument("--deploy", action="store_true")
    parser.add_argument("--no-input", action="store_true")
    parser.add_argument("-v", "--verbosity", type=int, default=1)
    return COMMANDS[argv[0]](parser.parse_args(argv[1:]))
