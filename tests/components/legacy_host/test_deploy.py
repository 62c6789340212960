"""The deploy script, run by bash with every program it calls replaced by a stand-in that records its arguments:
each release installs with its own tool, pinned, from its own lockfile; a release the table does not know, or a
checkout that is not the release it claims, stops the deploy."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.legacy_host.files import render
from stack_config import releases
from tests.components.legacy_host.support import settings, temp_layout, write_files
from tests.system import require, run

pytestmark = pytest.mark.system

# Programs the deploy runs that are not the host's own scripts: each records `name args…` and succeeds. runuser
# records the command it would run as amy (after `bash -c … _ <repo>`). uv answers --version with the installed one.
STANDINS = ("runuser", "uv", "pipx", "systemctl", "curl", "amy-env", "amy-services", "amy-aws", "amy-database-role")
# What the deploy runs as the database's master user rather than as AMY's own role.
AS_MASTER = "as amy: amy-database-role as-master"
RECORD = 'printf "%s\\n" "$(basename "$0") $*" >>"$DEPLOY_CALLS"\n'


@dataclass(frozen=True)
class Host:
    root: Path
    script: Path
    app_dir: Path
    calls: Path
    env: dict[str, str]

    @property
    def repo(self) -> Path:
        return self.app_dir / "repo"

    def checkout(self, *files: str) -> None:
        """What `git checkout` of the tag leaves: the release's files (a name ending in / is a directory)."""
        for name in ("manage.py", *files):
            path = self.repo / name
            if name.endswith("/"):
                path.mkdir(parents=True, exist_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("")

    def deploy(self, version: str, *, uv_installed: str = releases.UV_VERSION) -> tuple[int, list[str], str]:
        """Run the deploy; its exit code, the calls as amy (`as amy: …`) and as root, and its log."""
        result = run(["bash", str(self.script), version], env={**self.env, "STANDIN_UV_VERSION": uv_installed}, timeout=60)
        calls = self.calls.read_text().splitlines() if self.calls.exists() else []
        log = (self.app_dir / "logs/deploy.log").read_text()
        return result.returncode, calls, log + result.stderr

    @property
    def in_maintenance(self) -> bool:
        return (self.app_dir / "maintenance_on.html").exists()


@pytest.fixture
def host(tmp_path: Path) -> Host:
    require("bash")
    layout = temp_layout(tmp_path)
    written = write_files(tmp_path, render(settings(layout)))
    app_dir = Path(layout.app_dir)
    (app_dir / "logs").mkdir(parents=True)
    (app_dir / "maintenance_off.html").write_text("idle")
    # As the first deploy leaves it, owned by amy (who does not exist here).
    Path(layout.python_dir).mkdir(parents=True)
    standins = tmp_path / "standins"
    standins.mkdir()
    for name in STANDINS:
        body = RECORD
        if name == "runuser":
            body = 'shift 8; printf "%s\\n" "as amy: $*" >>"$DEPLOY_CALLS"\n'
        elif name == "uv":
            body = RECORD + '[[ $1 != --version ]] || echo "uv $STANDIN_UV_VERSION (0000000 2026-11-01)"\n'
        (standins / name).write_text("#!/bin/bash\n" + body)
        (standins / name).chmod(0o755)
    sbin = written["/usr/local/sbin/amy-deploy"].parent
    env = {
        "PATH": f"{standins}:{sbin}:{os.environ['PATH']}",
        "AMY_HOST_ENV": str(written["/etc/amy/host.env"]),
        "AMY_MAINTENANCE_PAGE": str(written["/etc/amy/maintenance.html"]),
        "DEPLOY_CALLS": str(tmp_path / "calls"),
    }
    return Host(tmp_path, written["/usr/local/sbin/amy-deploy"], app_dir, tmp_path / "calls", env)


@pytest.mark.parametrize(
    ("version", "files", "install"),
    [
        (
            "v4.6.3",
            ("Pipfile.lock", "amy/"),
            "as amy: env PIPENV_VENV_IN_PROJECT=1 uvx --python 3.11.18 --from pipenv==2024.4.1 pipenv sync",
        ),
        (
            "v4.7.2",
            ("poetry.lock", "amy/"),
            "as amy: env POETRY_VIRTUALENVS_IN_PROJECT=true uvx --python 3.12.16 --from poetry==2.0.0 poetry sync "
            "--no-interaction",
        ),
        ("v4.8.0", ("uv.lock", "src/"), "as amy: uv sync --frozen --no-dev --python 3.14.10"),
    ],
)
def test_each_release_installs_with_its_own_tool_and_python_from_its_lockfile(
    host: Host, version: str, files: tuple[str, ...], install: str
) -> None:
    host.checkout(*files)
    code, calls, log = host.deploy(version)
    assert code == 0, log
    python = releases.shape_of(releases.AppVersion.parse(version)).python  # type: ignore[arg-type,union-attr]
    venv = f"as amy: uv venv --clear --seed --python {python} .venv"
    assert calls.index(f"as amy: uv python install {python}") < calls.index(venv) < calls.index(install)
    # No other installer runs: today's `uv sync --frozen` on a release without uv.lock is what failed.
    installers = [call for call in calls if " sync" in call]
    assert installers == [install]
    assert calls.index(install) < calls.index(f"{AS_MASTER} .venv/bin/python manage.py migrate --no-input")
    assert not any(call.startswith("pipx") for call in calls)
    assert not host.in_maintenance
    assert (host.app_dir / "deployed-version").read_text() == f"{version}\n"
    # A success clears the host-deploy-failed alarm.
    assert calls[-1] == "amy-aws put-metric DeployFailed 0"


def test_the_release_makes_amys_database_role_first_and_migrates_as_the_master_user(host: Host) -> None:
    host.checkout("uv.lock", "src/")
    code, calls, log = host.deploy("v4.8.0")
    assert code == 0, log
    # The role and its grants exist before AMY's environment names it, and before the dump connects as it.
    assert calls.index("amy-database-role provision") < calls.index("amy-env ")
    as_master = [call.removeprefix(AS_MASTER).strip() for call in calls if call.startswith(AS_MASTER)]
    assert as_master == [".venv/bin/python manage.py migrate --no-input", ".venv/bin/python manage.py createcachetable"]
    # Everything else AMY runs connects as its own role.
    assert "as amy: .venv/bin/python manage.py check --deploy" in calls
    assert "as amy: .venv/bin/python manage.py collectstatic --no-input" in calls


def test_uv_is_installed_at_its_pinned_version_when_another_one_is_there(host: Host) -> None:
    host.checkout("poetry.lock", "amy/")
    code, calls, log = host.deploy("v4.7.2", uv_installed="0.4.0")
    assert code == 0, log
    assert f"pipx install --force uv=={releases.UV_VERSION}" in calls
    assert f"installing uv {releases.UV_VERSION} (found: 0.4.0)" in log


def test_a_checkout_that_is_not_the_release_it_claims_stops_before_installing_anything(host: Host) -> None:
    """v4.7.2 with only a uv.lock: the table says poetry.lock, so nothing is installed and the site stays in
    maintenance for an operator to look at."""
    host.checkout("uv.lock", "src/")
    code, calls, log = host.deploy("v4.7.2")
    assert code != 0
    assert "the checkout of v4.7.2 lacks poetry.lock, amy/ or manage.py" in log
    assert "FAILED at line" in log
    assert not any("uv venv" in call or " sync" in call for call in calls)
    assert host.in_maintenance
    # The host-deploy-failed alarm goes off, and stays until a deploy succeeds.
    assert calls[-1] == "amy-aws put-metric DeployFailed 1"


def test_a_step_that_fails_as_amy_stops_the_deploy_in_maintenance_and_says_so(host: Host) -> None:
    """poetry sync fails: a command inside a function (as_amy), which the ERR trap must see too."""
    host.checkout("poetry.lock", "amy/")
    runuser = Path(host.env["PATH"].split(":")[0]) / "runuser"
    runuser.write_text(runuser.read_text() + '[[ "$*" != *"poetry sync"* ]]\n')
    code, calls, log = host.deploy("v4.7.2")
    assert code != 0
    assert "FAILED at line" in log
    assert calls[-1] == "amy-aws put-metric DeployFailed 1"
    assert not any("manage.py" in call for call in calls)
    assert host.in_maintenance


def test_a_release_the_table_does_not_know_stops_before_maintenance(host: Host) -> None:
    code, calls, log = host.deploy("v4.9.0")
    assert code != 0
    assert "v4.9.0 is not a release this host knows how to install; it knows v4.6.x, v4.7.0–v4.7.2, v4.8.0" in log
    assert calls == []
    assert not host.in_maintenance


def test_a_step_that_fails_as_amy_names_the_step_not_only_the_helper_it_ran_in(host: Host) -> None:
    """Every step as amy runs through as_amy: the line of the failing command alone is as_amy's, whichever step
    failed (the boot test's deploy said "FAILED at line 16" for uv's Python install). The log names the steps'
    lines in the script too."""
    host.checkout("poetry.lock", "amy/")
    runuser = Path(host.env["PATH"].split(":")[0]) / "runuser"
    runuser.write_text(runuser.read_text() + '[[ "$*" != *"uv python install"* ]]\n')
    code, _, log = host.deploy("v4.7.2")
    assert code != 0
    lines = host.script.read_text().splitlines()
    helper = next(number for number, line in enumerate(lines, 1) if line.startswith("as_amy() {"))
    install = next(number for number, line in enumerate(lines, 1) if line.strip() == 'as_amy uv python install "$python"')
    step = next(number for number, line in enumerate(lines, 1) if line == "install_uv")
    assert f"FAILED at line {helper} in as_amy, called from line {install} in install_uv, called from line {step};" in log


def test_a_deploy_that_fails_before_maintenance_does_not_say_the_site_is_in_maintenance(host: Host) -> None:
    """The database role comes before maintenance: a failure there leaves the site as it was, and says so."""
    role = Path(host.env["PATH"].split(":")[0]) / "amy-database-role"
    role.write_text(role.read_text() + "exit 1\n")
    host.checkout("poetry.lock", "amy/")
    code, calls, log = host.deploy("v4.7.2")
    assert code != 0
    assert not host.in_maintenance
    assert "stays in maintenance" not in log
    assert "the site is as it was (not in maintenance)" in log
    assert calls[-1] == "amy-aws put-metric DeployFailed 1"
