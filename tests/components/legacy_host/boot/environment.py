"""What stands around the guest as AWS and the internet stand around the production host, all on loopback:

| guest sees                                     | at             | the test runs                                   |
|------------------------------------------------|----------------|-------------------------------------------------|
| apt.amy.test, pypi.amy.test, git.amy.test,     | 10.0.2.100:80  | FileServer: apt repository, index, git (dumb),  |
| python.amy.test, npm.amy.test                  |                | Pythons (uv's mirror), an empty npm registry    |
| 169.254.169.254 (IMDS, DNAT in the guest)      | 10.0.2.100:80  | FileServer: IMDSv2 role credentials             |
| AWS API names, RDS CA bundle, CloudWatch agent | 10.0.2.101:443 | TlsFront: files; moto (SSM, Secrets Manager,    |
|                                                |                | S3, CloudWatch) for the rest                    |
| acme.amy.test                                  | 10.0.2.102:443 | pebble (and pebble-challtestsrv as its DNS)     |
| the database's RDS name                        | 10.0.2.103:5432| PostgreSQL with TLS, a throwaway cluster        |

The guest learns these through vendor-data (the environment's, as EC2 has its own), never through the user data,
which is exactly what the program renders, its URL settings naming these services: the names in /etc/hosts, the
test authority among its trusted CAs, the local apt repository as its sources, the index in pip's and uv's system
configuration, and the IMDS address sent to the stand-in.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import yaml

from components.legacy_host import LOCAL_REDIS_URL
from tests.components.legacy_host.boot.image import SUITE
from tests.components.legacy_host.boot.releases import INDEX_HOST, INDEX_URL
from tests.components.legacy_host.boot.vm import GuestForward
from tests.components.legacy_host.support import Authority, authority, pebble
from tests.system import accepts, free_port, require, running, unavailable

REGION = "eu-west-1"
DOMAIN = "amy.test"
STACK = "production"
PARAMETERS_PATH = f"/amy/{STACK}/env/"
BUCKET = f"amy-{STACK}-dumps"
DATABASE_HOST = f"amy-{STACK}.c0ffee0b00t5.{REGION}.rds.amazonaws.com"
DATABASE_NAME = "amy"
# The master user, as RDS makes it (the deploy's amy-database-role makes AMY's own role, amy_app, as this one).
DATABASE_USER = "amy"
APP_DATABASE_SECRET = f"amy-{STACK}/database/app"
FILES_ADDRESS, AWS_ADDRESS, ACME_ADDRESS, DATABASE_ADDRESS = "10.0.2.100", "10.0.2.101", "10.0.2.102", "10.0.2.103"
ACME_HOST = "acme.amy.test"
ACME_DIRECTORY = f"https://{ACME_HOST}/dir"
REPOSITORY = "http://git.amy.test/amy.git"
# uv's UV_PYTHON_INSTALL_MIRROR: the archives python-build-standalone publishes, by release tag (see pythons.py).
PYTHON_HOST = "python.amy.test"
PYTHON_DOWNLOADS = f"http://{PYTHON_HOST}/python-build-standalone"
# An npm registry that has nothing: the fake releases depend on no package, and `npm ci` asks for none.
NPM_HOST = "npm.amy.test"
NPM_REGISTRY = f"http://{NPM_HOST}/npm/"
RDS_BUNDLE = "truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
CLOUDWATCH_AGENT = "amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb"
AWS_NAMES = (
    f"ssm.{REGION}.amazonaws.com",
    f"secretsmanager.{REGION}.amazonaws.com",
    f"s3.{REGION}.amazonaws.com",
    f"{BUCKET}.s3.{REGION}.amazonaws.com",
    "s3.amazonaws.com",
    f"{BUCKET}.s3.amazonaws.com",
    f"monitoring.{REGION}.amazonaws.com",
    f"logs.{REGION}.amazonaws.com",
    f"sts.{REGION}.amazonaws.com",
    RDS_BUNDLE.split("/", maxsplit=1)[0],
    CLOUDWATCH_AGENT.split("/", maxsplit=1)[0],
)
MOTO_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
# Settings operators and the program keep in Parameter Store; the database's come from its secret.
SETTINGS = {
    "AMY_SECRET_KEY": "boot-test-secret-key",
    "AMY_ALLOWED_HOSTS": DOMAIN,
    "AMY_DEBUG": "false",
    "AMY_DATABASE_HOST": DATABASE_HOST,
    "AMY_DATABASE_PORT": "5432",
    "AMY_DATABASE_NAME": DATABASE_NAME,
    # What the program puts there for the host's own Redis: its unix socket, the queue's database number appended.
    "AMY_REDIS_URL": LOCAL_REDIS_URL,
}
# Where the guest keeps the test authority, as update-ca-certificates would find it.
TRUSTED = "/usr/local/share/ca-certificates/amy-boot-test.crt"
REQUIRED_SETTINGS = ("AMY_SECRET_KEY", "AMY_ALLOWED_HOSTS", "AMY_DATABASE_HOST")
CLOUDWATCH_AGENT_CTL = """#!/bin/sh
# The CloudWatch agent's control script, as the boot test stands it in: it checks the configuration it is given
# (every file it is to collect names a log group) and keeps it where the agent would.
set -e
config=
while [ $# -gt 0 ]; do
  case $1 in -c) config=${2#file:}; shift 2 ;; *) shift ;; esac
done
python3 -c 'import json, sys; files = json.load(open(sys.argv[1]))["logs"]["logs_collected"]["files"]["collect_list"]; \
assert files and all(f["file_path"] and f["log_group_name"] for f in files)' "$config"
install -D -m 0644 "$config" /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
"""


@dataclass(frozen=True)
class Database:
    port: int
    password: str
    superuser: str

    def query(self, sql: str) -> str:
        psql = require("psql")
        result = subprocess.run(
            [psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", self.superuser, "-d", DATABASE_NAME, "-Atc", sql],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "PGPASSWORD": self.password},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


def aws(service: str, endpoint: str):
    return boto3.client(service, endpoint_url=endpoint, **MOTO_CREDENTIALS)  # type: ignore[call-overload]


def certificate_authority(directory: Path) -> Authority:
    return authority(directory)


def cloudwatch_agent_package(directory: Path) -> Path:
    """A stand-in amazon-cloudwatch-agent .deb: its control script only checks and keeps the configuration."""
    dpkg_deb = require("dpkg-deb")
    tree = directory / "cloudwatch-agent"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: amazon-cloudwatch-agent\nVersion: 1.300000.0+boottest\nArchitecture: amd64\n"
        "Maintainer: amy-infra <amy-infra@localhost>\nDescription: Stand-in for the CloudWatch agent (boot test)\n"
    )
    ctl = tree / "opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"
    ctl.parent.mkdir(parents=True)
    ctl.write_text(CLOUDWATCH_AGENT_CTL)
    ctl.chmod(0o755)
    package = directory / "amazon-cloudwatch-agent.deb"
    result = subprocess.run(
        [dpkg_deb, "--root-owner-group", "--build", str(tree), str(package)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return package


@contextlib.contextmanager
def postgres(directory: Path, ca: Authority) -> Iterator[Database]:
    """A throwaway PostgreSQL cluster on loopback that requires TLS, with the certificate of the database's RDS
    name from the test authority, and AMY's database and user."""
    bin_dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    if not bin_dirs:
        unavailable("PostgreSQL is not installed (Debian package postgresql; see .ci/apt-packages.txt)")
    binaries = bin_dirs[-1]
    # The server refuses to run as root: run it as postgres, in a directory postgres owns.
    as_postgres: list[str] = []
    data_root = Path(tempfile.mkdtemp(prefix="amy-boot-pg-"))
    if os.geteuid() == 0:
        as_postgres = [require("runuser"), "-u", "postgres", "--"]
        shutil.chown(data_root, "postgres", "postgres")
    data = data_root / "data"
    password = "boot-test-password"
    password_file = data_root / "password"
    password_file.write_text(password + "\n")
    if as_postgres:
        shutil.chown(password_file, "postgres", "postgres")
    subprocess.run(
        [*as_postgres, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
         f"--pwfile={password_file}", "--no-sync"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    certificate, key = ca.issue(directory / "postgres-tls", [DATABASE_HOST])
    for source, name in ((certificate, "server.crt"), (key, "server.key")):
        shutil.copy(source, data / name)
        (data / name).chmod(0o600)
        if as_postgres:
            shutil.chown(data / name, "postgres", "postgres")
    (data / "pg_hba.conf").write_text("local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
    port = free_port()
    command = [
        *as_postgres, str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data_root),
        "-c", "listen_addresses=127.0.0.1", "-c", "ssl=on", "-c", "fsync=off",
    ]  # fmt: skip
    try:
        with running(command, log=directory / "postgres.log", ready=lambda: accepts(port), what="PostgreSQL", timeout=60):
            subprocess.run(
                [require("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DATABASE_NAME],
                check=True, capture_output=True, timeout=30, env={**os.environ, "PGPASSWORD": password},
            )  # fmt: skip
            database = Database(port, password, "postgres")
            # As RDS's master user: no superuser, but it may make roles (rds_superuser has CREATEROLE).
            database.query(f"CREATE ROLE {DATABASE_USER} LOGIN CREATEROLE PASSWORD '{password}'")
            database.query(f"ALTER DATABASE {DATABASE_NAME} OWNER TO {DATABASE_USER}")
            yield database
    finally:
        shutil.rmtree(data_root, ignore_errors=True)


@contextlib.contextmanager
def acme(directory: Path, ca: Authority, http_port: int) -> Iterator[tuple[int, Path]]:
    """pebble on loopback (its directory at acme.amy.test through the guest forward), validating HTTP-01 on the
    host port that leads to the guest's port 80; pebble-challtestsrv answers its DNS with 127.0.0.1. Yields
    pebble's port and the file of its root certificate, which the site's chain verifies against."""
    with pebble(directory, ca, http_port, names=(ACME_HOST, "localhost")) as server:
        yield server.port, server.root


def forwards(files_port: int, aws_port: int, acme_port: int, database_port: int) -> list[GuestForward]:
    return [
        GuestForward(FILES_ADDRESS, 80, files_port),
        GuestForward(AWS_ADDRESS, 443, aws_port),
        GuestForward(ACME_ADDRESS, 443, acme_port),
        GuestForward(DATABASE_ADDRESS, 5432, database_port),
    ]


def vendor_data(ca: Authority) -> str:
    """The environment's cloud-config: names, trust, package sources and the metadata address (see above)."""
    hosts = textwrap.dedent(
        f"""\
        {FILES_ADDRESS} apt.amy.test {INDEX_HOST} git.amy.test {PYTHON_HOST} {NPM_HOST}
        {AWS_ADDRESS} {" ".join(AWS_NAMES)}
        {ACME_ADDRESS} {ACME_HOST}
        {DATABASE_ADDRESS} {DATABASE_HOST}
        """
    )
    authority_pem = ca.certificate.read_text()
    # No bytecode compiled at install: thousands of files per environment pipx makes, minutes under emulation;
    # Python compiles what it imports when it first does.
    pip = f"[global]\nindex-url = {INDEX_URL}\ntrusted-host = {INDEX_HOST}\n[install]\ncompile = false\n"
    uv = f'[[index]]\nurl = "{INDEX_URL}"\ndefault = true\n'
    imds = (
        "table ip boot-test-imds {\n"
        "  chain output {\n"
        "    type nat hook output priority -100;\n"
        f"    ip daddr 169.254.169.254 tcp dport 80 dnat to {FILES_ADDRESS}:80\n"
        "  }\n"
        "}\n"
    )
    config = {
        "bootcmd": [
            f"grep -q apt.amy.test /etc/hosts || printf '%s' '{hosts}' >>/etc/hosts",
            f"printf '%s' '{pip}' >/etc/pip.conf",
            f"mkdir -p /etc/uv && printf '%s' '{uv}' >/etc/uv/uv.toml",
            f"printf '%s' '{imds}' | nft -f -",
            # The authority among the trusted ones, as update-ca-certificates would add it, without rehashing every
            # certificate (over a minute under emulation): the bundle, the hashed link, and the source for later runs.
            f"test -e {TRUSTED} || {{ printf '%s' '{authority_pem}' >{TRUSTED}"
            f" && cat {TRUSTED} >>/etc/ssl/certs/ca-certificates.crt"
            f" && ln -s {TRUSTED} /etc/ssl/certs/$(openssl x509 -hash -noout -in {TRUSTED}).0; }}",
        ],
        "apt": {
            "preserve_sources_list": False,
            "sources_list": f"Types: deb\nURIs: http://apt.amy.test/debian\nSuites: {SUITE}\nComponents: main\nTrusted: yes\n",
        },
    }
    return "#cloud-config\n" + yaml.safe_dump(config, sort_keys=False, width=1000)
