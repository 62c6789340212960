"""The legacy host's files, rendered from the templates beside this module.

One rendering, two deliveries: cloud-init writes the files at first boot
(`user_data`), and the SSM document `configure` rewrites whatever changed on
a running host (`configure_script`). Paths are template variables so tests
can render the same files into a temporary root and run them.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from components.database import app_role
from stack_config import releases

TEMPLATES = Path(__file__).parent / "templates"
# EC2 refuses user data over 16 KiB; it is sent gzip-compressed.
USER_DATA_LIMIT = 16 * 1024
# libyaml's emitter where PyYAML was built with it (its wheels are), the pure-Python one otherwise: with lines never
# folded they write the same text (tests/components/legacy_host/test_host_files.py), and libyaml in a twentieth of the time.
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Wider than any line: where each emitter folds a long line differs, so neither folds.
_YAML_UNFOLDED = 2**31 - 1
# SSM refuses a Command document over 64 KiB.
DOCUMENT_LIMIT = 64 * 1024
# On a new host the configure script first waits for cloud-init (`cloud-init status --wait`), which upgrades every
# package of the image (`package_upgrade`), installs PACKAGES (a compiler, Node.js and npm among them) and runs
# amy-bootstrap (the CloudWatch agent, a clone of AMY): on an image some months old that is
# tens of minutes, not the ten the document allowed. Half an hour leaves room; on a running host it takes seconds.
CONFIGURE_COMMAND_TIMEOUT_SECONDS = 1800
PACKAGES = (
    "nginx",
    "certbot",
    "git",
    "curl",
    "postgresql-client",
    "python3-boto3",
    # The deploy installs its pinned uv with it.
    "pipx",
    "nodejs",
    "npm",
    # What AMY's dependencies build and run against.
    "build-essential",
    "libpq-dev",
    "libcairo2",
    "libjpeg-dev",
    "libffi-dev",
    "zlib1g-dev",
    "fonts-liberation",
)
CERTBOT_LOG = "/var/log/letsencrypt/letsencrypt.log"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)
# host.env is read by bash (`source`) and by systemd (EnvironmentFile=): every value is single-quoted where it is not
# plain, so no value ever runs as shell. systemd.exec(5) reads a '-quoted value verbatim, as POSIX shell does; stack
# config refuses quotes in the values, so the two never part ways on shlex's '"'"' for a quote.
_environment.filters["shell_quote"] = shlex.quote


@dataclass(frozen=True)
class HostLayout:
    """Where things live on the host."""

    app_dir: str
    acme_webroot: str = "/var/www/acme"
    certificate_dir: str = ""
    gunicorn_socket: str = "/run/amy/gunicorn.sock"
    # AMY's settings as amy-env writes them: for systemd (EnvironmentFile=) and for the scripts (`source`).
    env_file: str = "/etc/amy/amy.env"
    shell_env_file: str = "/etc/amy/amy.sh"
    host_env_file: str = "/etc/amy/host.env"
    redis_config: str = "/etc/amy/redis.conf"
    redis_dir: str = "/var/lib/amy-redis"
    # Redis listens here alone: no TCP port, a 0660 socket of the group amy.
    redis_socket: str = "/run/amy-redis/redis.sock"
    # Where the deploy's uv installs each release's Python (UV_PYTHON_INSTALL_DIR), as amy, whose virtualenvs use it.
    python_dir: str = "/opt/amy/python"
    http_port: int = 80
    https_port: int = 443

    @classmethod
    def for_domain(cls, domain: str) -> HostLayout:
        return cls(app_dir=f"/webapps/{domain}", certificate_dir=f"/etc/letsencrypt/live/{domain}")

    @property
    def log_dir(self) -> str:
        return f"{self.app_dir}/logs"

    @property
    def repo_dir(self) -> str:
        return f"{self.app_dir}/repo"

    def log_files(self) -> dict[str, str]:
        """The file each log source of the host writes, by source."""
        return {
            "nginx-access": f"{self.log_dir}/nginx-access.log",
            "nginx-error": f"{self.log_dir}/nginx-error.log",
            "gunicorn": f"{self.log_dir}/gunicorn_supervisor.log",
            "application": f"{self.log_dir}/application.log",
            "rqworker": f"{self.log_dir}/rqworker.log",
            "rqscheduler": f"{self.log_dir}/rqscheduler.log",
            "cron": f"{self.log_dir}/cron.log",
            "certbot": CERTBOT_LOG,
            "deploy": f"{self.log_dir}/deploy.log",
        }


@dataclass(frozen=True)
class HostSettings:
    """What the host is told; no secret is among it."""

    stack: str
    region: str
    domain: str
    repository: str
    gunicorn_workers: int
    certbot_email: str
    acme_directory: str
    parameters_path: str
    # The master user's RDS-managed secret (migrations), and the secret of AMY's own role (everything else).
    database_secret_arn: str
    app_database_secret_arn: str
    dumps_bucket: str
    # How many release dumps DB_backups/ keeps.
    keep_release_dumps: int
    # Where the host puts its metrics (dumps, deploys, the certificate's days), the one its role allows.
    metrics_namespace: str
    log_groups: Mapping[str, str]
    # Whether the host runs Redis with RQ's worker and scheduler.
    rq_workers: bool
    required_settings: Sequence[str]
    layout: HostLayout = field(default=HostLayout(app_dir="/webapps/amy"))
    # How often amy-env.timer rewrites AMY's environment: RDS rotates the database password every 7 days.
    env_refresh_seconds: int = 900
    # Every place outside AWS's APIs the host fetches from (the ACME directory and AMY's repository above, apt's
    # mirror in the image): no script names one of its own, so each can point elsewhere.
    # Where uv downloads the Pythons from (UV_PYTHON_INSTALL_MIRROR); its default, python-build-standalone's releases.
    python_downloads: str = "https://github.com/astral-sh/python-build-standalone/releases/download"
    # The CA bundle the dumps verify the database's certificate with (sslmode=verify-full).
    rds_ca_bundle_url: str = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
    cloudwatch_agent_url: str = "https://amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/amd64/latest/amazon-cloudwatch-agent.deb"
    # Where `npm ci` fetches a release's front-end packages (npm_config_registry).
    npm_registry: str = "https://registry.npmjs.org/"


@dataclass(frozen=True)
class HostFile:
    path: str
    content: str
    mode: int = 0o644
    # Written by cloud-init too. A file only deploys use may come with the configure association alone, which runs
    # before any deploy (the deploy's association waits for it): user data holds 16 KiB.
    first_boot: bool = True

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content.encode()).hexdigest()


def _render(template: str, settings: HostSettings, **extra: object) -> str:
    layout = settings.layout
    return _environment.get_template(template).render(
        **{name: getattr(layout, name) for name in layout.__dataclass_fields__},
        log_dir=layout.log_dir,
        redis_socket_dir=str(Path(layout.redis_socket).parent),
        repo_dir=layout.repo_dir,
        stack=settings.stack,
        region=settings.region,
        domain=settings.domain,
        repository=settings.repository,
        gunicorn_workers=settings.gunicorn_workers,
        certbot_email=settings.certbot_email,
        contact_email=settings.certbot_email,
        acme_directory=settings.acme_directory,
        parameters_path=settings.parameters_path,
        database_secret_arn=settings.database_secret_arn,
        app_database_secret_arn=settings.app_database_secret_arn,
        dumps_bucket=settings.dumps_bucket,
        keep_release_dumps=settings.keep_release_dumps,
        metrics_namespace=settings.metrics_namespace,
        required_settings=settings.required_settings,
        env_refresh_seconds=settings.env_refresh_seconds,
        python_downloads=settings.python_downloads,
        rds_ca_bundle_url=settings.rds_ca_bundle_url,
        cloudwatch_agent_url=settings.cloudwatch_agent_url,
        npm_registry=settings.npm_registry,
        **extra,
    )


def _script(name: str) -> str:
    """Scripts are not templates: they read the host's settings from host.env at run time."""
    return (TEMPLATES / name).read_text()


def render(settings: HostSettings) -> list[HostFile]:
    """Every file the host needs, at its path on the host."""
    units = "/etc/systemd/system"
    files = [
        HostFile("/etc/amy/host.env", _render("host.env.j2", settings)),
        HostFile("/etc/amy/maintenance.html", _render("maintenance.html.j2", settings)),
        HostFile("/etc/nginx/sites-available/amy-http.conf", _render("nginx-http.conf.j2", settings)),
        HostFile("/etc/nginx/sites-available/amy-https.conf", _render("nginx-https.conf.j2", settings)),
        HostFile(f"{units}/amy-gunicorn.service", _render("amy-gunicorn.service.j2", settings)),
        HostFile(f"{units}/amy-env.service", _render("amy-env.service.j2", settings)),
        HostFile(f"{units}/amy-env.timer", _render("amy-env.timer.j2", settings)),
        HostFile(f"{units}/amy-dump.service", _render("amy-dump.service.j2", settings)),
        HostFile(f"{units}/amy-dump.timer", _render("amy-dump.timer.j2", settings)),
        HostFile(f"{units}/amy-certificate.service", _render("amy-certificate.service.j2", settings)),
        HostFile(f"{units}/amy-certificate-check.service", _render("amy-certificate-check.service.j2", settings)),
        HostFile(f"{units}/amy-certificate-check.timer", _render("amy-certificate-check.timer.j2", settings)),
        HostFile("/etc/logrotate.d/amy", _render("logrotate.j2", settings)),
        HostFile(
            "/etc/amy/cloudwatch-agent.json", _render("cloudwatch-agent.json.j2", settings, collect_list=_collect_list(settings))
        ),
        HostFile("/usr/local/sbin/amy-env", _script("amy-env.py"), 0o755),
        HostFile("/usr/local/sbin/amy-aws", _script("amy-aws.py"), 0o755),
        HostFile("/usr/local/sbin/amy-dump", _script("amy-dump.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-deploy", _script("amy-deploy.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-maintenance", _script("amy-maintenance.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-certificate", _script("amy-certificate.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-certificate-check", _script("amy-certificate-check.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-bootstrap", _script("amy-bootstrap.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-configure", _script("amy-configure.sh"), 0o755),
        HostFile("/usr/local/sbin/amy-services", _script("amy-services.sh"), 0o755),
        # The table of AMY's releases stack config checks appVersion against, which the deploy asks.
        HostFile("/usr/local/sbin/amy-release", Path(releases.__file__).read_text(), 0o755),
        # AMY's database role, which the deploy makes before it migrates as the master user.
        HostFile("/usr/local/sbin/amy-database-role", Path(app_role.__file__).read_text(), 0o755, first_boot=False),
    ]
    # RQ needs Redis: without a cache the host runs neither.
    return [*files, *_rq_files(settings)] if settings.rq_workers else files


def _rq_files(settings: HostSettings) -> list[HostFile]:
    """RQ's worker and scheduler, and the Redis they use."""
    units = "/etc/systemd/system"
    return [
        *(
            HostFile(f"{units}/amy-{process}.service", _render("amy-rq.service.j2", settings, process=process))
            for process in ("rqworker", "rqscheduler")
        ),
        HostFile(settings.layout.redis_config, _render("redis.conf.j2", settings)),
        HostFile(f"{units}/amy-redis.service", _render("amy-redis.service.j2", settings)),
    ]


def retired(settings: HostSettings) -> list[str]:
    """What a host of these settings must not keep from earlier ones: RQ and Redis once the release has no RQ."""
    return [] if settings.rq_workers else [file.path for file in _rq_files(settings)]


def _collect_list(settings: HostSettings) -> list[dict[str, str]]:
    return [
        {"file_path": path, "log_group_name": settings.log_groups[source], "log_stream_name": "{instance_id}"}
        for source, path in settings.layout.log_files().items()
    ]


def cloud_config(settings: HostSettings, files: Sequence[HostFile]) -> str:
    packages = [*PACKAGES, "redis-server"] if settings.rq_workers else list(PACKAGES)
    config = {
        "package_update": True,
        "package_upgrade": True,
        "packages": packages,
        "users": [
            "default",
            {"name": "amy", "system": True, "homedir": settings.layout.app_dir, "shell": "/bin/bash", "lock_passwd": True},
        ],
        "ssh_pwauth": False,
        "write_files": [
            {
                "path": file.path,
                "content": file.content,
                "permissions": f"{file.mode:#o}".replace("0o", "0"),
                "owner": "root:root",
            }
            for file in files
            if file.first_boot
        ],
        "runcmd": [["/usr/local/sbin/amy-bootstrap"]],
    }
    return "#cloud-config\n" + yaml.dump(config, Dumper=_YAML_DUMPER, sort_keys=False, width=_YAML_UNFOLDED)


def user_data(settings: HostSettings, files: Sequence[HostFile]) -> str:
    """The cloud-config gzip-compressed and base64-encoded, as EC2's user_data_base64 takes it."""
    compressed = gzip.compress(cloud_config(settings, files).encode(), mtime=0)
    if len(compressed) > USER_DATA_LIMIT:
        raise ValueError(f"the host's user data is {len(compressed)} bytes compressed; EC2 takes {USER_DATA_LIMIT}")
    return base64.b64encode(compressed).decode()


def configure_script(files: Sequence[HostFile], gone: Sequence[str] = ()) -> str:
    """A shell script that stops and removes each retired file's unit and file (`gone`), writes each file whose
    content differs, then runs amy-configure with the changed paths."""
    # On a new host, cloud-init writes the files first; wait for it to finish (or fail, which fails this).
    lines = ["#!/bin/bash", "set -euo pipefail", "cloud-init status --wait >/dev/null", "changed=()"]
    for path in gone:
        stop = [f"  systemctl disable --now '{Path(path).name}'"] if path.startswith("/etc/systemd/system/") else []
        lines += [f"if [[ -e '{path}' ]]; then", *stop, f"  rm -f '{path}'", "fi"]
    for file in files:
        # Compressed: SSM takes 64 KiB of document, and the host's files in base64 come close to that.
        encoded = base64.b64encode(gzip.compress(file.content.encode(), mtime=0)).decode()
        lines += [
            f"if ! echo '{file.digest}  {file.path}' | sha256sum --check --status 2>/dev/null; then",
            f"  install -D -m {file.mode:o} /dev/null '{file.path}'",
            f"  echo '{encoded}' | base64 -d | gunzip > '{file.path}'",
            f"  changed+=('{file.path}')",
            "fi",
        ]
    lines.append('/usr/local/sbin/amy-configure "${changed[@]}"')
    return "\n".join(lines) + "\n"


def configure_document(files: Sequence[HostFile], gone: Sequence[str] = ()) -> str:
    """The SSM Command document that applies the files to a running host and retires what it no longer runs."""
    document = {
        "schemaVersion": "2.2",
        "description": "Write AMY's host files that changed and reload what uses them.",
        "mainSteps": [
            {
                "action": "aws:runShellScript",
                "name": "configure",
                "inputs": {
                    "runCommand": configure_script(files, gone).splitlines(),
                    "timeoutSeconds": str(CONFIGURE_COMMAND_TIMEOUT_SECONDS),
                },
            }
        ],
    }
    content = json.dumps(document, indent=1)
    if len(content.encode()) > DOCUMENT_LIMIT:
        raise ValueError(f"the configure document is {len(content.encode())} bytes; SSM takes {DOCUMENT_LIMIT}")
    return content
