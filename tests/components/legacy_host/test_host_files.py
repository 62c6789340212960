"""The rendered host files, checked by the tools that consume them: cloud-init, systemd, bash, and the log paths
the CloudWatch agent collects against what nginx, the units and the scripts write."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shlex
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from components.legacy_host import files as files_module
from components.legacy_host.files import (
    CERTBOT_LOG,
    TEMPLATES,
    USER_DATA_LIMIT,
    HostFile,
    HostSettings,
    cloud_config,
    configure_script,
    render,
    user_data,
)
from components.legacy_host.files import HostLayout as Layout
from components.logs import HOST_SOURCES
from tests.components.legacy_host.support import by_path, settings, write_files
from tests.system import require, run, unavailable

pytestmark = pytest.mark.system

DOMAIN = "amy.carpentries.org"
UNITS = "/etc/systemd/system"
SYSTEM_UNITS = Path("/usr/lib/systemd/system")
EXEC = re.compile(r"^Exec\w+=[-@:+!|]*(\S+)", re.MULTILINE)


@pytest.fixture(scope="module")
def host_settings() -> HostSettings:
    return settings(Layout.for_domain(DOMAIN), domain=DOMAIN, rq_workers=True)


@pytest.fixture(scope="module")
def files(host_settings: HostSettings) -> list[HostFile]:
    return render(host_settings)


def units(files: Iterable[HostFile]) -> list[HostFile]:
    return [file for file in files if file.path.startswith(f"{UNITS}/")]


def test_cloud_init_accepts_the_cloud_config(tmp_path: Path, host_settings: HostSettings, files: list[HostFile]) -> None:
    cloud_init = require("cloud-init")
    config = tmp_path / "cloud-config.yaml"
    config.write_text(cloud_config(host_settings, files))
    result = run([cloud_init, "schema", "--config-file", str(config)], timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"Valid cloud-config: {config}" in output
    assert "deprecat" not in output.lower(), output


@pytest.mark.parametrize("rq_workers", [True, False], ids=["with-rq", "without-rq"])
def test_libyaml_and_pure_python_write_the_same_cloud_config(monkeypatch: pytest.MonkeyPatch, rq_workers: bool) -> None:
    """The user data is the same bytes whether PyYAML has libyaml or not, so every machine plans the same host."""
    assert yaml.__with_libyaml__, "PyYAML's wheels carry libyaml; this one was built without it"
    host = settings(Layout.for_domain(DOMAIN), domain=DOMAIN, rq_workers=rq_workers)
    host_files = render(host)
    written = {}
    for dumper in (yaml.CSafeDumper, yaml.SafeDumper):
        monkeypatch.setattr(files_module, "_YAML_DUMPER", dumper)
        written[dumper] = cloud_config(host, host_files)
    assert written[yaml.CSafeDumper] == written[yaml.SafeDumper]
    # Lines long enough that the two emitters, told a width, would fold them in different places.
    assert max(len(line) for line in written[yaml.SafeDumper].splitlines()) > 1000


def test_user_data_is_the_cloud_config_gzipped_under_ec2s_limit(host_settings: HostSettings, files: list[HostFile]) -> None:
    compressed = base64.b64decode(user_data(host_settings, files), validate=True)
    assert len(compressed) <= USER_DATA_LIMIT
    text = gzip.decompress(compressed).decode()
    assert text == cloud_config(host_settings, files)
    # cloud-init writes every rendered file a first boot needs, with its content and mode; the configure
    # association, which every deploy waits for, writes the rest.
    written = {entry["path"]: entry for entry in yaml.safe_load(text)["write_files"]}
    assert set(written) == {file.path for file in files if file.first_boot}
    assert {file.path for file in files if not file.first_boot} == {"/usr/local/sbin/amy-database-role"}
    assert all(file.path in configure_script(files) for file in files)
    for file in files:
        if not file.first_boot:
            continue
        assert written[file.path]["content"] == file.content, file.path
        assert int(written[file.path]["permissions"], 8) == file.mode, file.path


def _verify(root: Path, unit_paths: Iterable[Path]) -> str:
    """systemd-analyze verify on the units inside `root`; its output, which is empty when it has nothing to report."""
    systemd_analyze = require("systemd-analyze")
    if not SYSTEM_UNITS.is_dir():
        unavailable(f"{SYSTEM_UNITS} is missing: systemd's own units are needed to verify against")
    target = root / SYSTEM_UNITS.relative_to("/")
    if not target.exists():
        shutil.copytree(SYSTEM_UNITS, target, symlinks=True)
    result = run([systemd_analyze, "verify", f"--root={root}", "--man=no", "--generators=no", *map(str, unit_paths)], timeout=60)
    output = (result.stdout + result.stderr).strip()
    if "Failed to initialize manager" in output or "Failed to setup working directory" in output:
        unavailable(f"systemd-analyze verify cannot run here: {output.splitlines()[0]}")
    assert result.returncode == 0 or output, "systemd-analyze failed without saying why"
    return output


def _root_with_units(root: Path, files: list[HostFile]) -> tuple[list[Path], set[str]]:
    """Every rendered file under `root`, and a stub for each executable the units run that the rendering does not
    provide (packages and the app's virtualenv do, on the host): the unit paths and the stubbed executables."""
    written = write_files(root, files)
    stubbed = set()
    for unit in units(files):
        for executable in EXEC.findall(unit.content):
            path = root / executable.lstrip("/")
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("#!/bin/sh\nexit 0\n")
                path.chmod(0o755)
                stubbed.add(executable)
    return [written[unit.path] for unit in units(files)], stubbed


def test_systemd_accepts_the_units(tmp_path: Path, host_settings: HostSettings, files: list[HostFile]) -> None:
    unit_paths, stubbed = _root_with_units(tmp_path, files)
    assert {path.name for path in unit_paths} >= {"amy-gunicorn.service", "amy-redis.service", "amy-dump.timer", "amy-env.timer"}
    # Only what the app's virtualenv and Debian's packages install is stubbed: every amy-* script a unit runs is rendered.
    venv = f"{host_settings.layout.repo_dir}/.venv/bin"
    assert stubbed <= {f"{venv}/gunicorn", f"{venv}/python", "/usr/bin/redis-server", "/usr/bin/install", "/bin/kill"}, stubbed
    assert _verify(tmp_path, unit_paths) == ""


def test_systemd_verify_reports_what_it_does_not_accept(tmp_path: Path, files: list[HostFile]) -> None:
    """The check above can fail: the same verify, on a unit with a typo, says so."""
    unit_paths, _ = _root_with_units(tmp_path, files)
    broken = next(path for path in unit_paths if path.name == "amy-dump.service")
    broken.write_text(broken.read_text().replace("Nice=10", "Nice=10\nNicee=10\nTimeoutStartSec=soon"))
    output = _verify(tmp_path, [broken])
    assert "Unknown key 'Nicee'" in output and "Failed to parse" in output, output


def test_every_shell_script_parses(tmp_path: Path, files: list[HostFile]) -> None:
    bash = require("bash")
    scripts = {file.path: file.content for file in files if file.content.startswith("#!/bin/bash\n")}
    assert len(scripts) == len(list(TEMPLATES.glob("*.sh")))
    scripts["configure (SSM document)"] = configure_script(files, ["/etc/systemd/system/amy-old.service", "/etc/amy/old"])
    for name, content in scripts.items():
        script = tmp_path / "script.sh"
        script.write_text(content)
        result = run([bash, "-n", str(script)], timeout=30)
        assert result.returncode == 0, f"{name}: {result.stderr}"
    python = {file.path: file.content for file in files if file.content.startswith("#!/usr/bin/python3\n")}
    assert set(python) == {f"/usr/local/sbin/{name}" for name in ("amy-env", "amy-aws", "amy-release", "amy-database-role")}
    for path, content in python.items():
        compile(content, path, "exec")


def _written_logs(files: list[HostFile]) -> set[str]:
    """The files that nginx, the units (and gunicorn they start) and the deploy script write their logs to."""
    by = by_path(files)
    paths = set()
    for site in ("amy-http.conf", "amy-https.conf"):
        paths |= set(
            re.findall(r"^\s*(?:access|error)_log\s+(\S+?)[\s;]", by[f"/etc/nginx/sites-available/{site}"].content, re.M)
        )
    for unit in units(files):
        paths |= set(re.findall(r"^Standard(?:Output|Error)=append:(\S+)$", unit.content, re.M))
        paths |= set(re.findall(r"--(?:access|error)-logfile=(\S+)", unit.content))
    app_dir = by["/etc/amy/host.env"].content.split("\nAMY_APP_DIR=", 1)[1].split("\n", 1)[0]
    for deploy in re.findall(r'tee -a "([^"]+)"', by["/usr/local/sbin/amy-deploy"].content):
        paths.add(deploy.replace("$AMY_APP_DIR", shlex.split(app_dir)[0]))
    return paths


def test_every_host_log_source_is_collected_from_a_file_that_is_written(
    host_settings: HostSettings, files: list[HostFile]
) -> None:
    agent = json.loads(by_path(files)["/etc/amy/cloudwatch-agent.json"].content)
    collected = agent["logs"]["logs_collected"]["files"]["collect_list"]
    assert len({entry["file_path"] for entry in collected}) == len(collected), "a file collected twice"
    written = _written_logs(files)

    # certbot logs to its default directory: amy-certificate does not move it.
    certbot = require("certbot")
    assert "--logs-dir" not in by_path(files)["/usr/local/sbin/amy-certificate"].content
    paths_help = run([certbot, "--help", "paths"], timeout=60).stdout
    default = re.search(r"--logs-dir LOGS_DIR\s+Logs directory\. \(default: (\S+)\)", paths_help)
    assert default, paths_help
    written.add(f"{default.group(1)}/letsencrypt.log")

    for source in HOST_SOURCES:
        entries = [entry for entry in collected if entry["log_group_name"] == host_settings.log_groups[source]]
        assert len(entries) == 1, source
        assert entries[0]["file_path"] in written, f"{source}: nothing writes {entries[0]['file_path']}"
    assert CERTBOT_LOG in written


def test_the_configure_script_writes_each_file_as_rendered(files: list[HostFile]) -> None:
    """Each file's content travels compressed in the SSM document; the host's base64 and gunzip give it back."""
    bash = require("bash")
    script = configure_script(files)
    for file in files:
        [encoded] = re.findall(rf"^  echo '([^']+)' \| base64 -d \| gunzip > '{re.escape(file.path)}'$", script, re.MULTILINE)
        decoded = run([bash, "-c", f"echo '{encoded}' | base64 -d | gunzip"], timeout=30)
        assert decoded.stdout == file.content, file.path


def test_no_script_names_a_place_to_fetch_from(host_settings: HostSettings, files: list[HostFile]) -> None:
    """Every endpoint the host uses is a setting, in host.env: a test or another mirror points it elsewhere."""
    for script in (file for file in files if file.path.startswith("/usr/local/sbin/")):
        assert re.findall(r"https?://(?!localhost/)\S+", script.content) == [], script.path
    host_env = by_path(files)["/etc/amy/host.env"].content
    for url in (
        host_settings.repository,
        host_settings.acme_directory,
        host_settings.python_downloads,
        host_settings.rds_ca_bundle_url,
        host_settings.cloudwatch_agent_url,
        host_settings.npm_registry,
    ):
        assert f"={url}\n" in host_env, url
