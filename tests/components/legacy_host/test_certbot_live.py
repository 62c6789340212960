"""certbot gets a certificate through the rendered HTTP site (HTTP-01 on the webroot) from a local ACME server,
and the rendered HTTPS site serves it: the path amy-certificate takes on the host, against pebble instead of
Let's Encrypt, with pebble-challtestsrv as the DNS server that sends pebble's validation to loopback."""

from __future__ import annotations

import json
import re
import ssl
import urllib.request
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
    pebble, challtestsrv = require("pebble"), require("pebble-challtestsrv")

    layout = temp_layout(tmp_path, http_port=free_port(), https_port=free_port())
    Path(layout.log_dir).mkdir(parents=True)
    Path(layout.acme_webroot).mkdir(parents=True)
    written = write_files(tmp_path, render(settings(layout)))

    # pebble's API listens with a certificate from a test CA that certbot is told to trust.
    ca = authority(tmp_path / "ca")
    listener_certificate, listener_key = ca.issue(tmp_path / "pebble-tls", ["localhost"], ["127.0.0.1"])
    acme_port, management_port, dns_port = free_port(), free_port(), free_port(udp=True)
    pebble_config = tmp_path / "pebble.json"
    pebble_config.write_text(
        json.dumps(
            {
                "pebble": {
                    "listenAddress": f"127.0.0.1:{acme_port}",
                    "managementListenAddress": f"127.0.0.1:{management_port}",
                    "certificate": str(listener_certificate),
                    "privateKey": str(listener_key),
                    # pebble validates HTTP-01 on this port of the address DNS gives for the domain: nginx's.
                    "httpPort": layout.http_port,
                    "tlsPort": free_port(),
                    "ocspResponderURL": "",
                    "externalAccountBindingRequired": False,
                }
            }
        )
    )

    nginx_dir = tmp_path / "nginx"
    sites = nginx_dir / "sites"
    sites.mkdir(parents=True)
    (sites / "amy-http.conf").write_text(loopback_only(written[HTTP_SITE].read_text()))
    conf = nginx_conf(nginx_dir, [sites / "*.conf"])

    dns = [
        challtestsrv,
        "-dns01", f"127.0.0.1:{dns_port}",
        "-http01", "", "-https01", "", "-tlsalpn01", "",
        "-management", f"127.0.0.1:{free_port()}",
        "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
    ]  # fmt: skip
    acme = [pebble, "-config", str(pebble_config), "-dnsserver", f"127.0.0.1:{dns_port}", "-strict=false"]
    # No validation delay, no rejected nonces: a fast, deterministic run.
    acme_env = {"PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"}
    with (
        running(dns, log=tmp_path / "challtestsrv.out", ready=lambda: accepts(dns_port), what="pebble-challtestsrv DNS"),
        running(acme, log=tmp_path / "pebble.out", env=acme_env, ready=lambda: accepts(acme_port), what="pebble"),
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
                "--server", f"https://127.0.0.1:{acme_port}/dir",
                "--agree-tos", "-m", "ops@example.org", "--no-eff-email", "--non-interactive",
                "--config-dir", str(directory / "config"), "--work-dir", str(directory / "work"),
                "--logs-dir", str(directory / "logs"),
            ],
            env={"REQUESTS_CA_BUNDLE": str(ca.certificate)},
            timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- pebble ---\n{log_tail(tmp_path / 'pebble.out')}"
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
        context = ssl.create_default_context(cafile=str(ca.certificate))
        with urllib.request.urlopen(f"https://127.0.0.1:{management_port}/roots/0", context=context, timeout=10) as response:
            (tmp_path / "pebble-root.pem").write_bytes(response.read())
        reply = https_request(layout.https_port, "/", cafile=tmp_path / "pebble-root.pem")
        # No gunicorn here: the idle page's absence leaves nginx's own 503.
        assert reply.status == 503
