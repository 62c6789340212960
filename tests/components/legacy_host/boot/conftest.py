"""The booted host, shared by the boot tests of a module: the image, the environment's services, the guest."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from moto.server import ThreadedMotoServer

from components.legacy_host import deploy_document, maintenance_document
from components.legacy_host.alarms import metrics_namespace
from components.legacy_host.files import (
    CONFIGURE_COMMAND_TIMEOUT_SECONDS,
    HostLayout,
    HostSettings,
    cloud_config,
    configure_document,
    render,
    retired,
    user_data,
)
from components.logs import HOST_SOURCES
from stack_config.releases import AppVersion, shape_of
from tests.components.legacy_host.boot import environment as env
from tests.components.legacy_host.boot.http_services import FileServer, TlsFront
from tests.components.legacy_host.boot.image import image
from tests.components.legacy_host.boot.pythons import Pythons, pythons
from tests.components.legacy_host.boot.releases import index, repository
from tests.components.legacy_host.boot.vm import Guest, Result, Seed
from tests.components.legacy_host.support import Reply, https_request
from tests.system import free_port, require

# Bounds, generous for software emulation on two cores.
BOOT_SECONDS = 900
DEPLOY_SECONDS = 900
TIMINGS: dict[str, float] = {}
# Where the SSM agent's stand-in writes a document's script (the agent: <orchestration dir>/<step>/_script.sh).
SSM_SCRIPT = "/var/lib/amy-boot-test/ssm/_script.sh"


@contextlib.contextmanager
def timed(what: str) -> Iterator[None]:
    began = time.monotonic()
    try:
        yield
    finally:
        TIMINGS[what] = TIMINGS.get(what, 0.0) + time.monotonic() - began


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.section("boot test timings")
        for what, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{seconds:8.1f} s  {what}")


def host_settings(database_secret_arn: str, app_database_secret_arn: str) -> HostSettings:
    """The program's settings for the host, every place it fetches from being one of the test's services."""
    return HostSettings(
        stack=env.STACK,
        region=env.REGION,
        domain=env.DOMAIN,
        repository=env.REPOSITORY,
        gunicorn_workers=2,
        certbot_email="ops@example.org",
        acme_directory=env.ACME_DIRECTORY,
        parameters_path=env.PARAMETERS_PATH,
        database_secret_arn=database_secret_arn,
        app_database_secret_arn=app_database_secret_arn,
        dumps_bucket=env.BUCKET,
        keep_release_dumps=2,
        metrics_namespace=metrics_namespace(env.STACK),
        log_groups={source: f"/amy/{env.STACK}/{source}" for source in HOST_SOURCES},
        rq_workers=True,
        required_settings=env.REQUIRED_SETTINGS,
        layout=HostLayout.for_domain(env.DOMAIN),
        python_downloads=env.PYTHON_DOWNLOADS,
        rds_ca_bundle_url=f"https://{env.RDS_BUNDLE}",
        cloudwatch_agent_url=f"https://{env.CLOUDWATCH_AGENT}",
        npm_registry=env.NPM_REGISTRY,
    )


@dataclass
class Host:
    """The booted guest and the services around it."""

    guest: Guest
    settings: HostSettings
    database: env.Database
    aws_endpoint: str
    https_port: int
    pebble_root: Path
    pythons: Pythons
    # The configure association's first run, after cloud-init.
    configured: Result = field(init=False)
    deploys: dict[str, Result] = field(default_factory=dict)

    def run(self, *argv: str, timeout: float = 300) -> Result:
        return self.guest.agent.run(argv, timeout=timeout)

    def shell(self, script: str, timeout: float = 300) -> Result:
        return self.guest.agent.shell(script, timeout=timeout)

    def ssm_document(self, document: dict, timeout: float, **parameters: str) -> Result:
        """Run a Command document's shell script as the SSM agent's aws:runShellScript does: its lines, parameters
        substituted, written to an executable `_script.sh` that `sh -c <path>` runs, so a `#!` line picks the shell
        (the agent's runscript plugin: ShellCommand "sh", ShellArgs ["-c"], the script's path as the command)."""
        lines = document["mainSteps"][0]["inputs"]["runCommand"]
        script = "\n".join(lines) + "\n"
        for name, value in parameters.items():
            script = script.replace(f"{{{{ {name} }}}}", value)
        write = f"mkdir -p {Path(SSM_SCRIPT).parent} && cat >{SSM_SCRIPT} && chmod 0700 {SSM_SCRIPT}"
        written = self.guest.agent.run(["sh", "-c", write], input=script, timeout=60)
        assert written.returncode == 0, written
        return self.guest.agent.run(["sh", "-c", SSM_SCRIPT], timeout=timeout)

    def configure(self, settings: HostSettings) -> Result:
        """Apply `settings` as `pulumi up` does to a running host: the configure association's document."""
        document = json.loads(configure_document(render(settings), retired(settings)))
        with timed("configure (SSM association)"):
            result = self.ssm_document(document, CONFIGURE_COMMAND_TIMEOUT_SECONDS)
        self.settings = settings
        return result

    def needs_python(self, version: str) -> None:
        """Skip unless the guest can get the Python of `version`'s shape (stack_config/releases.py)."""
        parsed = AppVersion.parse(version)
        shape = shape_of(parsed) if parsed else None
        assert shape is not None, f"{version} is no release the host knows"
        missing = self.pythons.missing(shape.python)
        if missing:
            pytest.skip(f"{version} needs {missing}")

    def deploy(self, version: str, *, without_python: bool = False) -> Result:
        """The deploy of `version` (once per run); skipped when the guest cannot get the release's Python, unless
        the caller expects it to fail either way (`without_python`)."""
        if not without_python:
            self.needs_python(version)
        if version not in self.deploys:
            with timed(f"deploy {version}"):
                self.deploys[version] = self.ssm_document(deploy_document(), DEPLOY_SECONDS, version=version)
        return self.deploys[version]

    def maintenance(self, state: str) -> Result:
        return self.ssm_document(maintenance_document(), 60, state=state)

    def https(self, path: str) -> Reply:
        """A request to the site from outside, verifying the chain nginx sends against pebble's root."""
        return https_request(self.https_port, path, cafile=self.pebble_root, host=env.DOMAIN)

    def unit(self, unit: str, *properties: str) -> dict[str, str]:
        result = self.run("systemctl", "show", unit, *(f"--property={name}" for name in properties))
        return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)

    def aws(self, service: str):
        return env.aws(service, self.aws_endpoint)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    for tool in ("qemu-system-x86_64", "qemu-img", "mmdebstrap", "socat", "genisoimage"):
        require(tool)

    directory = tmp_path_factory.mktemp("boot")
    ca = env.certificate_authority(directory / "ca")
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    aws_endpoint = f"http://127.0.0.1:{moto_port}"
    try:
        secrets = env.aws("secretsmanager", aws_endpoint)
        secret = secrets.create_secret(
            Name="rds!db-boot-test",
            SecretString=json.dumps({"username": env.DATABASE_USER, "password": "boot-test-password"}),
        )
        # As the program makes it: no value until the first deploy's amy-database-role stores the role's password.
        app_secret = secrets.create_secret(Name=env.APP_DATABASE_SECRET)
        ssm = env.aws("ssm", aws_endpoint)
        for name, value in env.SETTINGS.items():
            kind = "SecureString" if name == "AMY_SECRET_KEY" else "String"
            ssm.put_parameter(Name=f"{env.PARAMETERS_PATH}{name}", Value=value, Type=kind)
        env.aws("s3", aws_endpoint).create_bucket(Bucket=env.BUCKET, CreateBucketConfiguration={"LocationConstraint": env.REGION})
        settings = host_settings(secret["ARN"], app_secret["ARN"])
        files = render(settings)
        packages = yaml.safe_load(cloud_config(settings, files))["packages"]
        with timed("image (built or cached)"):
            machine = image(packages)
        with timed("index (built or cached)"):
            python_index = index()
        with timed("releases repository"):
            releases = repository(directory / "releases")
            release_pythons = pythons(python_index)
        (directory / "npm").mkdir()
        aws_certificate, aws_key = ca.issue(directory / "aws-tls", [*env.AWS_NAMES, f"*.s3.{env.REGION}.amazonaws.com"])
        (directory / "rds-bundle.pem").write_text(ca.certificate.read_text())
        fixed = {
            env.RDS_BUNDLE: directory / "rds-bundle.pem",
            env.CLOUDWATCH_AGENT: env.cloudwatch_agent_package(directory),
        }
        http_port, https_port = free_port(), free_port()
        files_port, front_port = free_port(), free_port()
        trees = {
            "/debian": machine.repository,
            "/simple": python_index / "simple",
            "/files": python_index / "files",
            "/amy.git": releases,
            "/python-build-standalone": release_pythons.directory,
            "/npm": directory / "npm",
        }
        with (
            FileServer(files_port, trees, directory / "files-access.log"),
            TlsFront(front_port, aws_certificate, aws_key, moto_port, fixed, directory / "aws-access.log"),
            env.postgres(directory, ca) as database,
            env.acme(directory, ca, http_port) as (acme_port, pebble_root),
        ):
            seed = Seed(base64.b64decode(user_data(settings, files)), env.vendor_data(ca))
            guest = Guest(
                machine,
                directory,
                seed,
                env.forwards(files_port, front_port, acme_port, database.port),
                {80: http_port, 443: https_port},
            )
            try:
                with timed("QEMU start to agent"):
                    guest.start()
                    guest.wait_for_agent(BOOT_SECONDS)
                with timed("cloud-init (status --wait)"):
                    guest.agent.run(["cloud-init", "status", "--wait"], timeout=BOOT_SECONDS)
                booted = Host(guest, settings, database, aws_endpoint, https_port, pebble_root, release_pythons)
                # As the configure association does once cloud-init is done, before the deploy's may run.
                booted.configured = booted.configure(settings)
                yield booted
            finally:
                guest.stop()
                # The guest's disk grows to a gigabyte or more: kept only when asked, with the logs.
                if not os.environ.get("AMY_BOOT_KEEP"):
                    (directory / "root.qcow2").unlink(missing_ok=True)
    finally:
        moto.stop()
