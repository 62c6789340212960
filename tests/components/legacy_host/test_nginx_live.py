"""The rendered nginx sites, live: nginx in front of gunicorn on the layout's unix socket, TLS, redirects, maintenance."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.legacy_host.alarms import SERVER_ERRORS_PATTERN
from components.legacy_host.files import HostLayout, HostSettings, render
from tests.components.legacy_host.support import (
    DOMAIN,
    Reply,
    authority,
    by_path,
    http_request,
    https_request,
    loopback_only,
    nginx_command,
    nginx_conf,
    settings,
    temp_layout,
    write_files,
)
from tests.system import accepts, accepts_unix, free_port, require, run, running, wait_until

pytestmark = pytest.mark.system

HTTP_SITE = "/etc/nginx/sites-available/amy-http.conf"
HTTPS_SITE = "/etc/nginx/sites-available/amy-https.conf"
VERSION = "v9.8.7-live-test"
# What the tiny app answers; a maintenance page never contains it.
APP = textwrap.dedent(
    f'''
    """A stand-in for AMY: /version/ answers the version, anything else echoes what nginx passed on."""


    def application(environ, start_response):
        if environ["PATH_INFO"] == "/version/":
            body = "{VERSION}"
        else:
            body = "app path={{}} host={{}} proto={{}}".format(
                environ["PATH_INFO"], environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_PROTO")
            )
        data = body.encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
        return [data]
    '''
)
MAINTENANCE_PATHS = ("/", "/version/", "/static/x.css", "/admin/")


@dataclass(frozen=True)
class Site:
    root: Path
    layout: HostLayout
    settings: HostSettings
    written: dict[str, Path]
    ca: Path
    nginx_dir: Path

    @property
    def app_dir(self) -> Path:
        return Path(self.layout.app_dir)

    @property
    def page(self) -> str:
        """The rendered maintenance page, as bootstrap copies it to maintenance_off.html."""
        return self.written["/etc/amy/maintenance.html"].read_text()

    def https(self, path: str, *, address: str = "127.0.0.1", method: str = "GET") -> Reply:
        return https_request(self.layout.https_port, path, cafile=self.ca, address=address, method=method)

    def http(self, path: str, *, address: str = "127.0.0.1") -> Reply:
        return http_request(self.layout.http_port, path, address=address)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The rendered sites under a temporary root, with a test certificate, served by a live nginx on loopback."""
    nginx = require("nginx")
    # Short: the gunicorn socket's path must fit a sockaddr_un.
    root = tmp_path_factory.mktemp("ngx")
    layout = temp_layout(root, http_port=free_port(), https_port=free_port())
    assert len(layout.gunicorn_socket.encode()) < 100, f"{layout.gunicorn_socket} is too long for a unix socket"
    host_settings = settings(layout)
    written = write_files(root, render(host_settings))
    for directory in (layout.log_dir, layout.acme_webroot, Path(layout.gunicorn_socket).parent):
        Path(directory).mkdir(parents=True, exist_ok=True)
    ca = authority(root / "ca")
    certificate, key = ca.issue(root / "tls", [DOMAIN])
    Path(layout.certificate_dir).mkdir(parents=True)
    shutil.copy(certificate, Path(layout.certificate_dir) / "fullchain.pem")
    shutil.copy(key, Path(layout.certificate_dir) / "privkey.pem")

    nginx_dir = root / "nginx"
    sites = nginx_dir / "sites"
    sites.mkdir(parents=True)
    for name in (HTTP_SITE, HTTPS_SITE):
        (sites / Path(name).name).write_text(loopback_only(written[name].read_text()))
    conf = nginx_conf(nginx_dir, [sites / "*.conf"])

    def listening() -> bool:
        return all(accepts(port, address) for port in (layout.http_port, layout.https_port) for address in ("127.0.0.1", "::1"))

    with running(nginx_command(nginx, conf), log=nginx_dir / "nginx.out", ready=listening, what="nginx on the site's ports"):
        yield Site(root, layout, host_settings, written, ca.certificate, nginx_dir)


@pytest.fixture(autouse=True)
def idle_page(site: Site) -> Iterator[None]:
    """Each test starts as bootstrap leaves the host: no maintenance, the idle page in place; and ends without maintenance."""
    on, off = site.app_dir / "maintenance_on.html", site.app_dir / "maintenance_off.html"
    on.unlink(missing_ok=True)
    off.write_text(site.page)
    yield
    on.unlink(missing_ok=True)


def start_gunicorn(site: Site) -> AbstractContextManager[subprocess.Popen[bytes]]:
    gunicorn = require("gunicorn")
    app = site.root / "app"
    app.mkdir(exist_ok=True)
    (app / "amy_stub.py").write_text(APP)
    socket = site.layout.gunicorn_socket
    return running(
        [gunicorn, "--workers", "1", "--chdir", str(app), "--bind", f"unix:{socket}", "amy_stub:application"],
        log=site.root / "gunicorn.out",
        ready=lambda: accepts_unix(socket),
        what="gunicorn on the layout's socket",
        timeout=15,
    )


@pytest.fixture
def gunicorn(site: Site) -> Iterator[subprocess.Popen[bytes]]:
    with start_gunicorn(site) as process:
        yield process


def test_nginx_accepts_the_rendered_sites_as_they_are(site: Site) -> None:
    nginx = require("nginx")
    # The rendered files themselves (listening on every address), not the loopback copies nginx serves in these tests.
    conf = nginx_conf(site.root / "nginx-check", [site.written[HTTP_SITE], site.written[HTTPS_SITE]])
    result = run(nginx_command(nginx, conf, "-t"), timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr, result.stderr


def test_https_proxies_to_gunicorn_on_the_unix_socket(site: Site, gunicorn: subprocess.Popen[bytes]) -> None:
    for address in ("127.0.0.1", "::1"):
        reply = site.https("/version/", address=address)
        assert (reply.status, reply.body) == (200, VERSION)
        assert reply.header("Strict-Transport-Security") == "max-age=63072000"
    echoed = site.https("/workshops/?page=2")
    assert echoed.status == 200
    assert echoed.body == f"app path=/workshops/ host={DOMAIN} proto=https"
    # nginx writes the access log the CloudWatch agent collects.
    access_log = Path(site.layout.log_files()["nginx-access"])
    assert 'GET /version/ HTTP/1.1" 200' in access_log.read_text()


def test_maintenance_on_answers_503_with_the_page_on_every_path(site: Site, gunicorn: subprocess.Popen[bytes]) -> None:
    page = site.page.replace("is under maintenance", "is under planned maintenance")
    (site.app_dir / "maintenance_on.html").write_text(page)
    for path in MAINTENANCE_PATHS:
        reply = site.https(path)
        assert (reply.status, reply.body) == (503, page), path
        assert reply.header("Content-Type") == "text/html", path
        assert reply.header("Retry-After") == "300", path
    # A form posted during a deploy gets the page too (not nginx's 405 for POST to a static file).
    posted = site.https("/admin/", method="POST")
    assert (posted.status, posted.body) == (503, page)

    (site.app_dir / "maintenance_on.html").unlink()
    reply = site.https("/version/")
    assert (reply.status, reply.body) == (200, VERSION)


def test_http_redirects_to_https_with_the_same_path(site: Site) -> None:
    for address in ("127.0.0.1", "::1"):
        reply = site.http("/workshops/request/?next=/dashboard/&x=1", address=address)
        assert reply.status == 301
        assert reply.header("Location") == f"https://{DOMAIN}/workshops/request/?next=/dashboard/&x=1"


def test_acme_challenges_are_served_over_http_from_the_webroot(site: Site) -> None:
    challenges = Path(site.layout.acme_webroot) / ".well-known/acme-challenge"
    challenges.mkdir(parents=True, exist_ok=True)
    (challenges / "token-123").write_text("token-123.thumbprint")
    reply = site.http("/.well-known/acme-challenge/token-123")
    assert (reply.status, reply.body) == (200, "token-123.thumbprint")
    assert reply.header("Content-Type") == "text/plain"
    # A missing token is a 404, not a redirect a validator would follow to HTTPS.
    assert site.http("/.well-known/acme-challenge/missing").status == 404


def test_with_gunicorn_down_https_answers_503_with_the_idle_page(site: Site) -> None:
    with start_gunicorn(site):
        assert site.https("/version/").status == 200
    for path in ("/", "/version/"):
        reply = site.https(path)
        assert (reply.status, reply.body) == (503, site.page), path


def test_the_maintenance_script_switches_nginx(site: Site, gunicorn: subprocess.Popen[bytes]) -> None:
    bash = require("bash")
    script = site.written["/usr/local/sbin/amy-maintenance"]
    env = {
        "AMY_HOST_ENV": str(site.written["/etc/amy/host.env"]),
        "AMY_MAINTENANCE_PAGE": str(site.written["/etc/amy/maintenance.html"]),
    }

    def maintenance(command: str) -> str:
        result = run([bash, str(script), command], env=env, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    on, off = site.app_dir / "maintenance_on.html", site.app_dir / "maintenance_off.html"
    # With the idle page in place (as after bootstrap or a deploy), `on` moves it in.
    assert maintenance("on") == "maintenance: on"
    assert on.exists() and not off.exists()
    reply = site.https("/admin/")
    assert (reply.status, reply.body) == (503, site.page)
    assert maintenance("status") == "maintenance: on"
    assert maintenance("off") == "maintenance: off"
    assert off.exists() and not on.exists()
    reply = site.https("/version/")
    assert (reply.status, reply.body) == (200, VERSION)

    # Without it, `on` copies the host's page.
    off.unlink()
    assert maintenance("on") == "maintenance: on"
    reply = site.https("/")
    assert (reply.status, reply.body) == (503, by_path(render(site.settings))["/etc/amy/maintenance.html"].content)
    assert maintenance("off") == "maintenance: off"
    assert site.https("/").status == 200


def delimited(line: str) -> list[str]:
    """A log line as a space-delimited filter pattern reads it: a part in double quotes or in brackets is one field,
    without them (CloudWatch Logs user guide, "Filter pattern syntax")."""
    return [quoted or bracketed or bare for quoted, bracketed, bare in re.findall(r'"([^"]*)"|\[([^\]]*)\]|(\S+)', line)]


def test_the_access_log_tells_gunicorns_server_errors_from_maintenance(site: Site) -> None:
    """The host-5xx metric filter's fields line up with the https site's log lines, and its last one, gunicorn's
    status, is a 5xx when gunicorn failed or was down (502), but "-" for the maintenance page's 503."""
    access_log = Path(site.layout.log_files()["nginx-access"])
    fields = SERVER_ERRORS_PATTERN.strip("[]").split(", ")
    assert fields[-1] == "upstream_status=5*"

    def logged(path: str) -> list[str]:
        before = len(access_log.read_text().splitlines())
        site.https(path)
        wait_until(lambda: len(access_log.read_text().splitlines()) > before, "nginx logging the request")
        line = delimited(access_log.read_text().splitlines()[-1])
        assert len(line) == len(fields), line
        return line

    with start_gunicorn(site):
        assert logged("/version/")[5:] == ["200", "16", "-", "-", "200"]
        (site.app_dir / "maintenance_on.html").write_text(site.page)
        served = logged("/version/")
        (site.app_dir / "maintenance_on.html").unlink()
    assert (served[5], served[-1]) == ("503", "-")
    down = logged("/version/")
    assert (down[5], down[-1]) == ("503", "502")
    assert [fnmatch.fnmatchcase(line[-1], "5*") for line in (served, down)] == [False, True]
