"""certbot gets a certificate through the rendered HTTP site (HTTP-01 on the webroot) from a local ACME server,
and the rendered HTTPS site serves it: the path amy-certificate takes on the host, against pebble instead of
Let's Encrypt, with pebble-challtestsrv as the DNS server that sends pebble's validation to loopback."""

from __future__ import annotations

import re
import ssl
from dataclasses import replace
from pathlib import Path

import pytest

from components.legacy_host.files import CERTBOT_LOG, render
from tests.components.legacy_host.support import (
    DOMAIN,
    authority,
    https_request,
    loopback_only,
    nginx_command,
    nginx_conf,
    pebble,
    served_certificate,
    settings,
    temp_layout,
    write_files,
)
from tests.system import accepts, free_port, log_tail, require, run, running, wait_until

pytestmark = pytest.mark.system

HTTP_SITE = "/etc/nginx/sites-available/amy-http.conf"
HTTPS_SITE = "/etc/nginx/sites-available/amy-https.conf"


def test_certbot_obtains_the_certificate_through_nginx_and_nginx_serves_it(tmp_path: Path) -> None:
    nginx, certbot = require("nginx"), require("certbot")

    layout = temp_layout(tmp_path, http_port=free_port(), https_port=free_port())
    Path(layout.log_dir).mkdir(parents=True)
    Path(layout.acme_webroot).mkdir(parents=True)
    written = write_files(tmp_path, render(settings(layout)))

    # pebble's API listens with a certificate from a test CA that certbot is told to trust; it validates HTTP-01 on
    # this port of the address DNS gives for the domain: nginx's.
    ca = authority(tmp_path / "ca")

    nginx_dir = tmp_path / "nginx"
    sites = nginx_dir / "sites"
    sites.mkdir(parents=True)
    (sites / "amy-http.conf").write_text(loopback_only(written[HTTP_SITE].read_text()))
    conf = nginx_conf(nginx_dir, [sites / "*.conf"])

    with (
        pebble(tmp_path, ca, layout.http_port) as acme,
        running(
            nginx_command(nginx, conf),
            log=nginx_dir / "nginx.out",
            ready=lambda: accepts(layout.http_port),
            what="nginx with the HTTP site",
        ) as nginx_process,
    ):
        directory = tmp_path / "letsencrypt"
        result = run(
            [
                certbot, "certonly", "--webroot", "-w", layout.acme_webroot, "-d", DOMAIN,
                "--server", f"https://127.0.0.1:{acme.port}/dir",
                "--agree-tos", "-m", "ops@example.org", "--no-eff-email", "--non-interactive",
                "--config-dir", str(directory / "config"), "--work-dir", str(directory / "work"),
                "--logs-dir", str(directory / "logs"),
            ],
            env={"REQUESTS_CA_BUNDLE": str(ca.certificate)},
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- pebble ---\n{log_tail(tmp_path / 'pebble.log')}"
        live = directory / "config/live" / DOMAIN
        assert (live / "fullchain.pem").is_file() and (live / "privkey.pem").is_file()
        # The file the CloudWatch agent collects as certbot's, under certbot's log directory.
        assert (directory / "logs" / Path(CERTBOT_LOG).name).is_file()
        # pebble fetched the challenge from nginx, through the rendered ACME location.
        access_log = Path(layout.log_files()["nginx-access"]).read_text()
        assert re.search(r'"GET /\.well-known/acme-challenge/\S+ HTTP/1\.1" 200 ', access_log), access_log

        # As amy-certificate does: the HTTPS site, with the certificate certbot keeps, then reload.
        https_settings = settings(replace(layout, certificate_dir=str(live)))
        https_site = next(file for file in render(https_settings) if file.path == HTTPS_SITE)
        assert f"ssl_certificate {live}/fullchain.pem;" in https_site.content
        (sites / "amy-https.conf").write_text(loopback_only(https_site.content))
        assert run([*nginx_command(nginx, conf, "-t")], timeout=30).returncode == 0
        nginx_process.send_signal(1)  # SIGHUP: reload
        wait_until(
            lambda: accepts(layout.https_port),
            "nginx serving HTTPS after the reload",
            process=nginx_process,
            log=nginx_dir / "error.log",
        )

        issued = ssl.PEM_cert_to_DER_cert((live / "cert.pem").read_text())
        assert served_certificate(layout.https_port) == issued
        # The whole chain nginx sends verifies against pebble's root for the domain.
        reply = https_request(layout.https_port, "/", cafile=acme.root)
        # No gunicorn here: the idle page's absence leaves nginx's own 503.
        assert reply.status == 503
