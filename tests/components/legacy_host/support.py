"""What the legacy host's system tests share: settings, a temporary layout, nginx, certificates, HTTP clients."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import ssl
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from components.legacy_host.files import HostFile, HostLayout, HostSettings
from components.logs import HOST_SOURCES
from tests.system import accepts, free_port, require, run, running, wait_until

DOMAIN = "amy.test"


def settings(layout: HostLayout, *, domain: str = DOMAIN, rq_workers: bool = True, acme_directory: str = "") -> HostSettings:
    return HostSettings(
        stack="production",
        region="eu-west-1",
        domain=domain,
        repository="https://github.com/carpentries/amy.git",
        gunicorn_workers=3,
        certbot_email="ops@example.org",
        acme_directory=acme_directory or "https://acme-v02.api.letsencrypt.org/directory",
        parameters_path="/amy/production/",
        database_secret_arn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-amy",
        app_database_secret_arn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:amy-production/database/app-AbCdEf",
        dumps_bucket="amy-production-dumps",
        keep_release_dumps=5,
        metrics_namespace="AMY/production",
        log_groups={source: f"/amy/production/{source}" for source in HOST_SOURCES},
        rq_workers=rq_workers,
        required_settings=("AMY_SECRET_KEY", "AMY_ALLOWED_HOSTS"),
        layout=layout,
    )


def temp_layout(root: Path, *, http_port: int = 80, https_port: int = 443) -> HostLayout:
    """The host's layout with every path under `root`, in the same places as on the host."""
    return HostLayout(
        app_dir=str(root / "webapps" / DOMAIN),
        acme_webroot=str(root / "var/www/acme"),
        certificate_dir=str(root / "etc/letsencrypt/live" / DOMAIN),
        gunicorn_socket=str(root / "run/amy/gunicorn.sock"),
        env_file=str(root / "etc/amy/amy.env"),
        shell_env_file=str(root / "etc/amy/amy.sh"),
        host_env_file=str(root / "etc/amy/host.env"),
        redis_config=str(root / "etc/amy/redis.conf"),
        redis_dir=str(root / "var/lib/amy-redis"),
        redis_socket=str(root / "run/amy-redis/redis.sock"),
        python_dir=str(root / "opt/amy/python"),
        http_port=http_port,
        https_port=https_port,
    )


def under(root: Path, path: str) -> Path:
    """Where a file of the host lives in the temporary root (layout paths already point into it)."""
    host_path = Path(path)
    return host_path if host_path.is_relative_to(root) else root / host_path.relative_to("/")


def write_files(root: Path, files: Iterable[HostFile]) -> dict[str, Path]:
    """Write the rendered files into `root` with their modes; the temporary path of each, by its path on the host."""
    written = {}
    for file in files:
        path = under(root, file.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file.content)
        path.chmod(file.mode)
        written[file.path] = path
    return written


def by_path(files: Iterable[HostFile]) -> dict[str, HostFile]:
    return {file.path: file for file in files}


def loopback_only(site: str) -> str:
    """The rendered server block listening on 127.0.0.1 and ::1 instead of every address, for a live test.

    Only the address of each `listen` changes; the rendered file itself is what `nginx -t` checks.
    """
    site, v4 = re.subn(r"^(\s*listen\s+)(\d+)\b", r"\g<1>127.0.0.1:\g<2>", site, flags=re.MULTILINE)
    site, v6 = re.subn(r"^(\s*listen\s+)\[::\]:(\d+)\b", r"\g<1>[::1]:\g<2>", site, flags=re.MULTILINE)
    assert (v4, v6) == (1, 1), f"expected one IPv4 and one IPv6 listen on every address, rewrote {v4} and {v6}"
    return site


def nginx_conf(directory: Path, includes: Sequence[str | Path]) -> Path:
    """A main nginx.conf for tests that includes the given site files; everything nginx writes stays in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    # Run as root, nginx's workers would switch to nobody, who cannot enter pytest's private temporary directories.
    user = "user root;\n" if os.geteuid() == 0 else ""
    sites = "".join(f"    include {path};\n" for path in includes)
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log notice;
events {{
    worker_connections 64;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {directory}/access.log;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
{sites}}}
"""
    )
    return conf


def nginx_command(nginx: str, conf: Path, *extra: str) -> list[str]:
    directory = conf.parent
    return [nginx, "-p", f"{directory}/", "-c", str(conf), "-e", str(directory / "error.log"), *extra]


# Certificates


def _openssl(*args: str | Path) -> None:
    result = run([require("openssl"), *map(str, args)], timeout=30)
    assert result.returncode == 0, f"openssl {' '.join(map(str, args))} failed:\n{result.stderr}"


@dataclass(frozen=True)
class Authority:
    certificate: Path
    key: Path

    def issue(self, directory: Path, names: Sequence[str], addresses: Sequence[str] = ()) -> tuple[Path, Path]:
        """A server certificate for `names` (and IP `addresses`) signed by this authority: (certificate, key)."""
        directory.mkdir(parents=True, exist_ok=True)
        key, request, certificate = directory / "privkey.pem", directory / "request.csr", directory / "cert.pem"
        extensions = directory / "extensions.cnf"
        alternatives = ",".join([*(f"DNS:{name}" for name in names), *(f"IP:{address}" for address in addresses)])
        extensions.write_text(
            "basicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature\n"
            "extendedKeyUsage = serverAuth\n"
            f"subjectAltName = {alternatives}\n"
            "subjectKeyIdentifier = hash\n"
            "authorityKeyIdentifier = keyid\n"
        )
        _openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", request, "-subj", f"/CN={names[0]}",
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", request, "-CA", self.certificate, "-CAkey", self.key, "-CAcreateserial",
            "-days", "2", "-extfile", extensions, "-out", certificate,
        )  # fmt: skip
        return certificate, key


def authority(directory: Path) -> Authority:
    """A throwaway certificate authority for one test."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "ca.cnf"
    config.write_text(
        "[req]\nprompt = no\ndistinguished_name = dn\nx509_extensions = ca\n"
        "[dn]\nCN = amy-infra test CA\n"
        "[ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n"
    )
    certificate, key = directory / "ca.pem", directory / "ca.key"
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", certificate, "-days", "2", "-config", config,
    )  # fmt: skip
    return Authority(certificate, key)


@dataclass(frozen=True)
class Pebble:
    # pebble's ACME API on loopback, and the file of its root, which the certificates it issues chain to.
    port: int
    root: Path


@contextlib.contextmanager
def pebble(directory: Path, ca: Authority, http_port: int, names: Sequence[str] = ("localhost",)) -> Iterator[Pebble]:
    """pebble on loopback, its API under a certificate from `ca` for `names`, validating HTTP-01 on `http_port` of
    the address its DNS (pebble-challtestsrv, answering 127.0.0.1 for every name) gives the domain."""
    pebble_binary, challtestsrv = require("pebble"), require("pebble-challtestsrv")
    listener_certificate, listener_key = ca.issue(directory / "pebble-tls", list(names), ["127.0.0.1"])
    acme_port, management_port, dns_port = free_port(), free_port(), free_port(udp=True)
    config = directory / "pebble.json"
    config.write_text(
        json.dumps(
            {
                "pebble": {
                    "listenAddress": f"127.0.0.1:{acme_port}",
                    "managementListenAddress": f"127.0.0.1:{management_port}",
                    "certificate": str(listener_certificate),
                    "privateKey": str(listener_key),
                    "httpPort": http_port,
                    "tlsPort": free_port(),
                    "ocspResponderURL": "",
                    "externalAccountBindingRequired": False,
                }
            }
        )
    )
    dns = [
        challtestsrv,
        "-dns01", f"127.0.0.1:{dns_port}",
        "-http01", "", "-https01", "", "-tlsalpn01", "",
        "-management", f"127.0.0.1:{free_port()}",
        "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
    ]  # fmt: skip
    command = [pebble_binary, "-config", str(config), "-dnsserver", f"127.0.0.1:{dns_port}", "-strict=false"]
    # No validation delay, no rejected nonces: a fast, deterministic run.
    environment = {"PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"}
    with (
        running(dns, log=directory / "challtestsrv.log", ready=lambda: accepts(dns_port), what="pebble-challtestsrv DNS"),
        running(command, log=directory / "pebble.log", env=environment, ready=lambda: accepts(acme_port), what="pebble"),
    ):
        root = directory / "pebble-root.pem"

        def fetch_root() -> bool:
            context = ssl.create_default_context(cafile=str(ca.certificate))
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{management_port}/roots/0", context=context, timeout=5) as reply:
                    root.write_bytes(reply.read())
            except OSError:
                return False
            return True

        wait_until(fetch_root, "pebble's root certificate", timeout=30)
        yield Pebble(acme_port, root)


# HTTP clients that connect to a loopback address whatever the host name


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _LoopbackHTTPS(http.client.HTTPSConnection):
    """HTTPS to `address` with `host` as the TLS server name (SNI and verification) and the Host header."""

    def __init__(self, host: str, port: int, address: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address
        self.tls = context

    def connect(self) -> None:
        connection = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(connection, server_hostname=self.host)


def _exchange(connection: http.client.HTTPConnection, method: str, path: str, host: str, body: bytes | None) -> Reply:
    try:
        connection.request(method, path, body=body, headers={"Host": host, "Connection": "close"})
        response = connection.getresponse()
        return Reply(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read().decode(errors="replace"),
        )
    finally:
        connection.close()


def https_request(
    port: int,
    path: str,
    *,
    cafile: Path,
    host: str = DOMAIN,
    address: str = "127.0.0.1",
    method: str = "GET",
    body: bytes | None = None,
) -> Reply:
    """One HTTPS request to address:port for `host`, verifying the server's certificate against `cafile`."""
    context = ssl.create_default_context(cafile=str(cafile))
    return _exchange(_LoopbackHTTPS(host, port, address, context, timeout=10), method, path, host, body)


def http_request(port: int, path: str, *, host: str = DOMAIN, address: str = "127.0.0.1", method: str = "GET") -> Reply:
    """One plain HTTP request to address:port with `host` as the Host header."""
    return _exchange(http.client.HTTPConnection(address, port, timeout=10), method, path, host, None)


def served_certificate(port: int, *, host: str = DOMAIN, address: str = "127.0.0.1") -> bytes:
    """The certificate (DER) the server presents for `host`, unverified."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((address, port), timeout=10) as connection,
        context.wrap_socket(connection, server_hostname=host) as tls,
    ):
        certificate = tls.getpeercert(binary_form=True)
    assert certificate is not None
    return certificate


def sourced(host_env: Path, names: Iterable[str]) -> dict[str, str]:
    """The variables `names` as bash sees them after `source host_env`, read back byte for byte (NUL-separated)."""
    bash = require("bash")
    names = list(names)
    printed = run(
        [bash, "-c", 'set -eu; source "$1"; shift; for name; do printf "%s\\0" "${!name}"; done', "_", str(host_env), *names],
        env={"PATH": os.environ["PATH"]},
        timeout=30,
    )
    assert printed.returncode == 0, printed.stderr
    return dict(zip(names, printed.stdout.split("\0")[:-1], strict=True))
