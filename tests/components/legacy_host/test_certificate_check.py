"""The daily certificate report, run by bash with openssl on a real certificate and a recording uploader."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from components.legacy_host.files import render
from tests.components.legacy_host.support import DOMAIN, authority, settings, temp_layout, write_files
from tests.system import require, run

pytestmark = pytest.mark.system


def report(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """The rendered files under tmp_path, with amy-aws replaced by a recorder: the script, the certificate's
    directory and the environment to run it with."""
    require("bash")
    layout = temp_layout(tmp_path)
    written = write_files(tmp_path, render(settings(layout)))
    standins = tmp_path / "standins"
    standins.mkdir()
    (standins / "amy-aws").write_text('#!/bin/bash\nprintf "%s\\n" "amy-aws $*" >>"$CALLS"\n')
    (standins / "amy-aws").chmod(0o755)
    env = {
        "PATH": f"{standins}:{os.environ['PATH']}",
        "AMY_HOST_ENV": str(written["/etc/amy/host.env"]),
        "CALLS": str(tmp_path / "calls"),
    }
    return written["/usr/local/sbin/amy-certificate-check"], Path(layout.certificate_dir), env


def test_the_days_the_certificate_has_left_are_put_as_a_metric(tmp_path: Path) -> None:
    require("openssl")
    script, live, env = report(tmp_path)
    # A certificate valid for 2 days from now: 2 days left, or 1 whole day if a second passed.
    certificate, _ = authority(tmp_path / "ca").issue(tmp_path / "tls", [DOMAIN])
    live.mkdir(parents=True)
    shutil.copy(certificate, live / "fullchain.pem")
    result = run(["bash", str(script)], env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    [call] = (tmp_path / "calls").read_text().splitlines()
    assert call in {f"amy-aws put-metric CertificateDaysLeft {days} --unit None" for days in (1, 2)}
    assert f"days left on {live}/fullchain.pem" in result.stdout


def test_without_a_certificate_it_reports_none_left(tmp_path: Path) -> None:
    script, _, env = report(tmp_path)
    result = run(["bash", str(script)], env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calls").read_text() == "amy-aws put-metric CertificateDaysLeft 0 --unit None\n"
