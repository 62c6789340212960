"""The legacy host booted whole: the program's user data on a Debian trixie guest under QEMU, with the services
it talks to stood in on the test's side (see environment.py). The tests share one boot and run in file order, as
an operator's day would: boot, deploy each release shape, check the site, switch maintenance, rotate the
database password, dump, and fail a deploy. A test that needs a release installed skips, naming the archive, when
the guest cannot get that release's Python (see pythons.py).

Run alone: `.venv/bin/pytest -m boot` (AMY_BOOT_KEEP=1 keeps the guest's console and the services' logs).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from components.legacy_host import deploy_document
from components.legacy_host.files import CERTBOT_LOG
from tests.components.legacy_host.boot import environment as env
from tests.components.legacy_host.boot.conftest import Host, timed
from tests.components.legacy_host.boot.image import AT_BOOT
from tests.system import wait_until

pytestmark = [pytest.mark.system, pytest.mark.boot]

MAINTENANCE_PATHS = ("/", "/version/", "/static/app.css", "/admin/")
# The shortened refresh period the rotation test gives amy-env.timer.
REFRESH_SECONDS = 10
TIMERS = ("amy-env.timer", "amy-dump.timer", "amy-certificate-check.timer", "certbot.timer")


def deployed(host: Host, version: str) -> None:
    result = host.deploy(version)
    assert result.returncode == 0, f"{result}\n--- deploy.log ---\n{host.run('tail', '-40', deploy_log(host)).stdout}"


def deploy_log(host: Host) -> str:
    return f"{host.settings.layout.log_dir}/deploy.log"


def as_amy(host: Host, command: str, timeout: float = 300):
    """`command` run by bash as amy in the checkout, with AMY's environment as the deploy gives it."""
    layout = host.settings.layout
    script = f"set -a && source {layout.shell_env_file} && set +a && cd {layout.repo_dir} && {command}"
    return host.run("runuser", "-u", "amy", "--", "bash", "-c", script, timeout=timeout)


def as_root_with_host_env(host: Host, command: str, timeout: float = 300):
    """`command` run by bash as root with the host's settings exported, as the deploy runs its steps."""
    return host.shell(f"set -a && source {host.settings.layout.host_env_file} && set +a && {command}", timeout=timeout)


def metric_values(host: Host, name: str) -> list[float]:
    """What the host put of its metric `name` in moto's CloudWatch."""
    cloudwatch = host.aws("cloudwatch")
    namespace = host.settings.metrics_namespace
    if not cloudwatch.list_metrics(Namespace=namespace, MetricName=name)["Metrics"]:
        return []
    now = datetime.now(UTC)
    statistics = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        StartTime=now - timedelta(hours=2),
        EndTime=now + timedelta(minutes=5),
        Period=60,
        Statistics=["Maximum"],
    )
    return [point["Maximum"] for point in statistics["Datapoints"]]


def serves(host: Host, version: str) -> None:
    reply = host.https("/version/")
    assert (reply.status, reply.body) == (200, version)


# First boot


def test_cloud_init_finishes_without_error(host: Host) -> None:
    status = host.run("cloud-init", "status", "--long", "--format=json")
    report = json.loads(status.stdout)
    output = host.run("tail", "-30", "/var/log/cloud-init-output.log").stdout
    assert report["status"] == "done", f"{report}\n{output}"
    assert report["errors"] == [], f"{report['errors']}\n{output}"
    assert report.get("recoverable_errors", {}) == {}, report["recoverable_errors"]


def test_cloud_init_installed_the_packages_from_the_local_repository(host: Host) -> None:
    sources = host.run("apt-get", "indextargets", "--format", "$(URI)").stdout
    assert sources and all(uri.startswith("http://apt.amy.test/") for uri in sources.split()), sources
    for package in AT_BOOT:
        status = host.run("dpkg-query", "--show", "--showformat=${Status}", package).stdout
        assert status == "install ok installed", package
    history = host.run("cat", "/var/log/apt/history.log").stdout
    assert all(re.search(rf"^Install: .*\b{package}:amd64", history, re.MULTILINE) for package in AT_BOOT), history


def test_bootstrap_starts_redis_and_schedules_the_timers(host: Host) -> None:
    assert host.unit("amy-redis.service", "ActiveState")["ActiveState"] == "active"
    # On its socket alone, which only root, redis and the group amy may use.
    socket = host.run("stat", "--format=%a %U %G %F", host.settings.layout.redis_socket).stdout.strip()
    assert socket == "660 redis amy socket", socket
    assert host.shell("ss -Hltn | grep -c ':6379 '").stdout.strip() == "0"
    for timer in TIMERS:
        state = host.unit(timer, "ActiveState", "UnitFileState", "NextElapseUSecRealtime", "NextElapseUSecMonotonic")
        assert state["ActiveState"] == "active" and state["UnitFileState"] == "enabled", (timer, state)
        scheduled = state["NextElapseUSecRealtime"] not in ("", "n/a") or state["NextElapseUSecMonotonic"] not in ("", "infinity")
        assert scheduled, (timer, state)


def test_the_certificate_comes_from_pebble_and_nginx_serves_it(host: Host) -> None:
    def serving() -> bool:
        try:
            host.https("/version/")
        except OSError:
            return False
        return True

    with timed("certificate (certbot against pebble)"):
        wait_until(serving, "nginx serving HTTPS with the certificate amy-certificate got", timeout=300)
    assert host.run("test", "-s", CERTBOT_LOG).returncode == 0
    # Verified against pebble's root: nginx sends the chain certbot saved. Before any deploy, the idle page.
    reply = host.https("/version/")
    assert reply.status == 503 and "maintenance" in reply.body.lower(), reply
    # amy-certificate starts the check, which puts the days left for the host-certificate alarm.
    wait_until(lambda: any(days > 0 for days in metric_values(host, "CertificateDaysLeft")), "CertificateDaysLeft", timeout=120)


def test_the_configure_association_writes_what_only_deploys_need(host: Host) -> None:
    """On EC2 the configure association runs once cloud-init is done (the fixture runs its document): it writes the
    files user data had no room for, amy-database-role among them."""
    assert host.configured.returncode == 0, host.configured
    assert host.run("test", "-x", "/usr/local/sbin/amy-database-role").returncode == 0


def test_a_release_the_host_does_not_know_fails_before_maintenance(host: Host) -> None:
    result = host.ssm_document(deploy_document(), 120, version="v4.9.0")
    assert result.returncode != 0 and "is not a release this host knows" in result.stderr + result.stdout, result
    assert "maintenance: off" in host.run("amy-maintenance", "status").stdout


# Deploys, in the order AMY's releases came


def test_a_pipenv_release_deploys(host: Host) -> None:
    deployed(host, "v4.6.2")
    serves(host, "v4.6.2")


def test_its_migrations_ran_in_postgresql(host: Host) -> None:
    assert host.deploy("v4.6.2").returncode == 0
    assert host.database.query("SELECT version FROM fakeamy_migrations") == "v4.6.2"
    assert host.database.query("SELECT to_regclass('fakeamy_cache') IS NOT NULL") == "t"


def test_rq_worker_and_scheduler_run_a_queued_job(host: Host) -> None:
    assert host.deploy("v4.6.2").returncode == 0
    for unit in ("amy-rqworker.service", "amy-rqscheduler.service"):
        assert host.unit(unit, "ActiveState")["ActiveState"] == "active", unit
    # One job for the worker now, one the scheduler must move to the queue first; through Redis's socket, as the
    # release's own settings reach it (AMY_REDIS_URL from Parameter Store, as amy).
    jobs = (
        "import sys, time, datetime; sys.path.insert(0, 'amy'); from rq import Queue; from fakeamy.queues import connection\n"
        "queue = Queue('default', connection=connection())\n"
        "jobs = [queue.enqueue('fakeamy.jobs.answer', 42),"
        " queue.enqueue_in(datetime.timedelta(seconds=1), 'fakeamy.jobs.answer', 43)]\n"
        "for _ in range(240):\n"
        "    if all(job.get_status(refresh=True) in ('finished', 'failed') for job in jobs): break\n"
        "    time.sleep(0.5)\n"
        "for job in jobs: print(job.get_status(), job.result)"
    )
    result = as_amy(host, f".venv/bin/python -c {shlex.quote(jobs)}")
    assert result.stdout.splitlines() == ["finished v4.6.2 answers 42", "finished v4.6.2 answers 43"], result


def test_a_poetry_release_deploys_and_rq_stops_cleanly(host: Host) -> None:
    """v4.7 has no RQ, so stack config takes the cache away with it: `pulumi up` applies the configure document of
    a host without RQ (which retires RQ and Redis) before the deploy."""
    host.needs_python("v4.7.2")
    if host.settings.rq_workers:
        configured = host.configure(replace(host.settings, rq_workers=False))
        assert configured.returncode == 0, configured
    deployed(host, "v4.7.2")
    serves(host, "v4.7.2")
    for unit in ("amy-rqworker.service", "amy-rqscheduler.service", "amy-redis.service"):
        state = host.unit(unit, "ActiveState", "LoadState")
        assert state == {"ActiveState": "inactive", "LoadState": "not-found"}, (unit, state)


def test_each_deploy_after_the_first_dumps_the_database_privately_and_to_the_bucket(host: Host) -> None:
    assert host.deploy("v4.7.2").returncode == 0
    backups = f"{host.settings.layout.app_dir}/DB_backups"
    listing = host.run("stat", "--format=%a %U %n", backups).stdout.split()
    assert listing[:2] == ["700", "amy"], listing
    dumps = host.shell(f"stat --format='%a %U %n' {backups}/*.dump").stdout.splitlines()
    assert dumps and all(line.startswith("600 amy ") for line in dumps), dumps
    objects = host.aws("s3").list_objects_v2(Bucket=env.BUCKET, Prefix="releases/").get("Contents", [])
    assert any("v4.7.2" in item["Key"] for item in objects), objects


def test_a_uv_release_deploys(host: Host) -> None:
    deployed(host, "v4.8.0")
    serves(host, "v4.8.0")


# The running site


def test_every_amy_unit_is_active_or_scheduled(host: Host) -> None:
    assert host.deploy("v4.8.0").returncode == 0
    for unit in ("amy-gunicorn.service", "nginx.service"):
        assert host.unit(unit, "ActiveState")["ActiveState"] == "active", unit
    for timer in TIMERS:
        assert host.unit(timer, "ActiveState")["ActiveState"] == "active", timer
    failed = host.run("systemctl", "list-units", "--state=failed", "--plain", "--no-legend", "amy-*").stdout
    assert failed.strip() == "", failed


def test_the_site_answers_its_version_over_https_with_pebbles_certificate(host: Host) -> None:
    assert host.deploy("v4.8.0").returncode == 0
    serves(host, "v4.8.0")
    reply = host.https("/")
    assert reply.status == 200 and reply.header("Strict-Transport-Security"), reply


def test_maintenance_on_answers_503_everywhere_and_off_restores_the_site(host: Host) -> None:
    assert host.deploy("v4.8.0").returncode == 0
    on = host.maintenance("on")
    assert on.returncode == 0 and "maintenance: on" in on.stdout, on
    try:
        for path in MAINTENANCE_PATHS:
            reply = host.https(path)
            assert reply.status == 503 and "maintenance" in reply.body.lower(), (path, reply)
    finally:
        off = host.maintenance("off")
    assert off.returncode == 0 and "maintenance: off" in off.stdout, off
    serves(host, "v4.8.0")


def test_a_rotated_database_password_reaches_gunicorn_within_one_refresh(host: Host) -> None:
    assert host.deploy("v4.8.0").returncode == 0
    dropin = "/etc/systemd/system/amy-env.timer.d/boot-test.conf"
    host.shell(
        f"mkdir -p {dropin.rsplit('/', 1)[0]} && printf '[Timer]\\nOnUnitActiveSec={REFRESH_SECONDS}s\\n"
        f"RandomizedDelaySec=0\\nAccuracySec=1s\\n' >{dropin} && systemctl daemon-reload && systemctl restart amy-env.timer"
    )
    # AMY's own role's password, changed as an operator would: a new value in its secret, which
    # amy-database-role sets in PostgreSQL; amy-env then carries it to the services.
    password = "rotatedBootTestPassword0123456789abcdef"
    host.aws("secretsmanager").put_secret_value(
        SecretId=host.settings.app_database_secret_arn,
        SecretString=json.dumps({"username": "amy_app", "password": password}),
    )
    provision = as_root_with_host_env(host, "amy-database-role provision")
    assert provision.returncode == 0, provision

    def gunicorn_has_it() -> bool:
        environment = host.shell(
            "tr '\\0' '\\n' </proc/$(systemctl show --property=MainPID --value amy-gunicorn.service)/environ"
        ).stdout
        return f"AMY_DATABASE_PASSWORD={password}" in environment.splitlines()

    with timed("rotation reaching gunicorn"):
        wait_until(gunicorn_has_it, "the rotated password in gunicorn's environment", timeout=2 * REFRESH_SECONDS + 20)
    serves(host, "v4.8.0")


def test_the_periodic_dump_uploads_under_its_units_sandbox(host: Host) -> None:
    # What the dump needs of a deploy is its first step, AMY's database role and environment: made here as the
    # deploy makes them (again, when a release is deployed already), so the dump does not wait for a release.
    prepared = as_root_with_host_env(host, "amy-database-role provision && amy-env")
    assert prepared.returncode == 0, prepared
    assert host.database.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'amy_app'") == "t"
    with timed("periodic dump"):
        result = host.run("systemctl", "start", "amy-dump.service", timeout=300)
    state = host.unit("amy-dump.service", "Result")
    log = host.run("tail", "-20", f"{host.settings.layout.log_dir}/cron.log").stdout
    journal = host.run("journalctl", "--no-pager", "--lines=20", "--unit=amy-dump.service").stdout
    assert result.returncode == 0 and state["Result"] == "success", f"{result}\n{log}\n{journal}"
    head = host.aws("s3").head_object(Bucket=env.BUCKET, Key="periodic/amy.dump")
    assert head["ContentLength"] > 0
    # As amy_app, AMY's own role, whose password the deploy's first step stored in the application's secret.
    assert host.run("grep", "-qx", 'AMY_DATABASE_USER="amy_app"', host.settings.layout.env_file).returncode == 0
    assert 1.0 in metric_values(host, "DumpSucceeded")


def test_a_failing_deploy_exits_non_zero_and_leaves_maintenance_on(host: Host) -> None:
    """v4.7.1's migration fails; where the guest cannot get its Python (3.12.16), the install fails before that.
    Either way the deploy fails after maintenance went on, and that is what is checked, with where it failed."""
    python = "3.12.16"
    result = host.deploy("v4.7.1", without_python=True)
    assert result.returncode != 0, result
    output = result.stdout + result.stderr
    assert "FAILED at line" in output, output
    if host.pythons.missing(python):
        # uv refused to install the release's Python: the mirror has no such archive.
        assert f"cpython-{python}" in output, output
    else:
        assert "migration of v4.7.1 failed" in output, output
    try:
        status = host.run("amy-maintenance", "status")
        assert "maintenance: on" in status.stdout, status
        for path in MAINTENANCE_PATHS:
            assert host.https(path).status == 503, path
        if host.database.query("SELECT to_regclass('fakeamy_migrations') IS NOT NULL") == "t":
            assert host.database.query("SELECT count(*) FROM fakeamy_migrations WHERE version = 'v4.7.1'") == "0"
        # The host-deploy-failed alarm's metric.
        assert 1.0 in metric_values(host, "DeployFailed")
    finally:
        host.maintenance("off")
