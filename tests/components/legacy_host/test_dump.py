"""The database dumps: amy-dump run by bash with pg_dump and the uploader replaced by recording stand-ins, and the
uploader itself against moto's S3."""

from __future__ import annotations

import configparser
import importlib.util
import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from moto import mock_aws

from components.legacy_host.files import TEMPLATES, render
from tests.components.legacy_host.support import by_path, settings, temp_layout, write_files
from tests.system import require, run

BUCKET = "amy-unit-dumps"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), TEMPLATES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


amy_aws = load_script("amy-aws")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AMY_DUMPS_BUCKET": BUCKET,
    }.items():
        monkeypatch.setenv(key, value)


@mock_aws
def test_the_uploader_copies_a_dump_with_boto3(aws: None, tmp_path: Path) -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    dump = tmp_path / "amy.dump"
    dump.write_bytes(b"PGDMP" + bytes(range(256)) * 64)
    assert amy_aws.main(["upload", str(dump), "periodic/amy.dump"]) == 0
    stored = boto3.client("s3").get_object(Bucket=BUCKET, Key="periodic/amy.dump")["Body"].read()
    assert stored == dump.read_bytes()


@mock_aws
def test_the_host_puts_its_metrics_in_its_stacks_namespace(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMY_METRICS_NAMESPACE", "AMY/unit")
    assert amy_aws.main(["put-metric", "CertificateDaysLeft", "61", "--unit", "None"]) == 0
    assert amy_aws.main(["put-metric", "DumpSucceeded", "1"]) == 0
    metrics = boto3.client("cloudwatch").list_metrics(Namespace="AMY/unit")["Metrics"]
    assert sorted(metric["MetricName"] for metric in metrics) == ["CertificateDaysLeft", "DumpSucceeded"]


@mock_aws
def test_a_failed_upload_says_so_and_exits_non_zero(aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "amy.dump"
    dump.write_bytes(b"PGDMP")
    assert amy_aws.main(["upload", str(dump), "periodic/amy.dump"]) == 1
    assert "amy-aws: upload failed:" in capsys.readouterr().err


def test_the_dump_unit_keeps_its_sandbox(tmp_path: Path) -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read_string(by_path(render(settings(temp_layout(tmp_path))))["/etc/systemd/system/amy-dump.service"].content)
    service = unit["Service"]
    assert (service["User"], service["NoNewPrivileges"], service["PrivateTmp"]) == ("amy", "true", "true")


# amy-dump itself, with stand-ins: pg_dump writes a dump where it is told, amy-aws and aws record their calls.
STANDINS = {
    "pg_dump": 'for arg; do [[ $arg != --file=* ]] || printf "PGDMP" >"${arg#--file=}"; done\n',
    "amy-aws": "",
    "aws": "exit 1\n",
}


@dataclass(frozen=True)
class Dumper:
    script: Path
    app_dir: Path
    calls: Path
    env: dict[str, str]

    def dump(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
        result = run(["bash", str(self.script), *args], env={**self.env, **(env or {})}, timeout=60)
        calls = self.calls.read_text().splitlines() if self.calls.exists() else []
        return result.returncode, calls, result.stdout + result.stderr


@pytest.fixture
def dumper(tmp_path: Path) -> Dumper:
    require("bash")
    layout = temp_layout(tmp_path)
    written = write_files(tmp_path, render(settings(layout)))
    standins = tmp_path / "standins"
    standins.mkdir()
    for name, body in STANDINS.items():
        (standins / name).write_text(f'#!/bin/bash\nprintf "%s\\n" "{name} $*" >>"$DUMP_CALLS"\n{body}')
        (standins / name).chmod(0o755)
    app_dir = Path(layout.app_dir)
    (app_dir / "DB_backups").mkdir(parents=True)
    env = {
        "PATH": f"{standins}:{os.environ['PATH']}",
        "DUMP_CALLS": str(tmp_path / "calls"),
        "TMPDIR": str(tmp_path),
        "AMY_APP_DIR": str(app_dir),
        "AMY_DUMPS_BUCKET": BUCKET,
        **{f"AMY_DATABASE_{key}": "x" for key in ("HOST", "PORT", "NAME", "USER", "PASSWORD")},
    }
    return Dumper(written["/usr/local/sbin/amy-dump"], app_dir, tmp_path / "calls", env)


def test_the_periodic_dump_is_uploaded_without_the_aws_cli(dumper: Dumper) -> None:
    code, calls, output = dumper.dump("periodic")
    assert code == 0, output
    [pg_dump, upload, metric] = calls
    assert pg_dump.startswith("pg_dump --format=custom --no-owner --file=")
    temporary = pg_dump.split("--file=", 1)[1]
    assert upload == f"amy-aws upload {temporary} periodic/amy.dump"
    # Once it is in the bucket: the host-dumps alarm counts these.
    assert metric == "amy-aws put-metric DumpSucceeded 1"
    assert f"copied to s3://{BUCKET}/periodic/amy.dump (5 bytes)" in output
    # The temporary dump goes once it is uploaded.
    assert not Path(temporary).exists()


def test_a_release_dump_is_private_and_only_the_newest_stay_on_the_disk(dumper: Dumper) -> None:
    """Dumps 0600 in a 0700 directory (as today's host left it, 0755 with 0644 dumps), and DB_backups/ keeping the
    newest AMY_KEEP_RELEASE_DUMPS by age: v4.10.0's sorts before v4.9.0's by name."""
    backups = dumper.app_dir / "DB_backups"
    backups.chmod(0o755)
    older = ["amy-v4.9.0-20260101T000000Z.dump", "amy-v4.10.0-20260201T000000Z.dump", "amy-v4.10.1-20260301T000000Z.dump"]
    for age, name in enumerate(reversed(older), start=1):
        (backups / name).write_text("old")
        moment = time.time() - age * 86400
        os.utime(backups / name, (moment, moment))
    (backups / "notes.txt").write_text("an operator's")

    code, calls, output = dumper.dump("release", "v4.10.2", env={"AMY_KEEP_RELEASE_DUMPS": "3"})
    assert code == 0, output
    [dump] = [path for path in backups.glob("amy-v4.10.2-*.dump")]
    assert calls[-2:] == [f"amy-aws upload {dump} releases/{dump.name}", "amy-aws put-metric DumpSucceeded 1"]
    assert backups.stat().st_mode & 0o7777 == 0o700
    assert dump.stat().st_mode & 0o777 == 0o600
    assert sorted(path.name for path in backups.iterdir()) == sorted([dump.name, *older[1:], "notes.txt"])
    assert f"removed {backups / older[0]} (keeping the newest 3)" in output


def test_a_release_dump_that_fails_to_upload_removes_nothing(dumper: Dumper) -> None:
    backups = dumper.app_dir / "DB_backups"
    (backups / "amy-v4.9.0-20260101T000000Z.dump").write_text("old")
    failing = Path(dumper.env["PATH"].split(":")[0]) / "amy-aws"
    failing.write_text("#!/bin/bash\nexit 1\n")
    code, _, _ = dumper.dump("release", "v4.10.2", env={"AMY_KEEP_RELEASE_DUMPS": "1"})
    assert code != 0
    assert (backups / "amy-v4.9.0-20260101T000000Z.dump").exists()
