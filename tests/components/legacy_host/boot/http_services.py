"""HTTP services the boot test runs in its own process, on loopback, for the guest to reach through QEMU.

- `FileServer`: static trees by path prefix (the apt repository, the Python index, the releases' git repository
  over git's dumb HTTP protocol) and the EC2 instance metadata service's credential endpoints, so the guest's
  boto3 gets credentials as on EC2. It also answers requests in absolute form (`GET http://name/path`), as a
  proxy would, so host-side tools can use it under the names the guest uses.
- `TlsFront`: HTTPS under AWS's own host names, with a certificate from the test's authority that the guest
  trusts: fixed files for some names (the RDS CA bundle, the CloudWatch agent's package), moto for the rest.
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import ssl
import threading
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast

IMDS_ROLE = "amy-host-role"
IMDS_TOKEN = "boot-test-imds-token"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-request is no error of the test's."""

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log: Path | None = getattr(self.server, "log", None)
        if log is not None:
            with log.open("a") as stream:
                stream.write(f"{self.headers.get('Host', '-')} {format % args}\n")

    def send(self, status: int, body: bytes, content_type: str = "application/octet-stream") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def target(self) -> str:
        """The request's path, whether it came in origin form or, through a proxy setting, in absolute form."""
        if self.path.startswith(("http://", "https://")):
            parsed = urllib.parse.urlsplit(self.path)
            return parsed.path + (f"?{parsed.query}" if parsed.query else "")
        return self.path

    def send_file(self, path: Path) -> None:
        if not path.is_file():
            self.send(404, b"not found\n", "text/plain")
            return
        self.send(200, path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream")


class FileServer(_Server):
    """Static trees under URL prefixes, and IMDSv2's token and role-credential endpoints."""

    def __init__(self, port: int, trees: Mapping[str, Path], log: Path) -> None:
        super().__init__(port, _FileHandler)
        self.trees = dict(trees)
        self.log = log


class _FileHandler(_Handler):
    @property
    def files(self) -> FileServer:
        return cast(FileServer, self.server)

    def do_PUT(self) -> None:
        if self.target() == "/latest/api/token":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send(200, IMDS_TOKEN.encode(), "text/plain")
        else:
            self.send(405, b"", "text/plain")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urllib.parse.unquote(self.target().split("?", 1)[0])
        if path.startswith("/latest/"):
            self._metadata(path)
            return
        for prefix, tree in self.files.trees.items():
            if path.startswith(prefix):
                relative = path[len(prefix) :].lstrip("/")
                target = (tree / relative).resolve()
                if not target.is_relative_to(tree.resolve()):
                    break
                self.send_file(target / "index.html" if target.is_dir() else target)
                return
        self.send(404, b"not found\n", "text/plain")

    def _metadata(self, path: str) -> None:
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            self.send(401, b"", "text/plain")
            return
        credentials = "/latest/meta-data/iam/security-credentials/"
        if path == credentials:
            self.send(200, IMDS_ROLE.encode(), "text/plain")
        elif path == credentials + IMDS_ROLE:
            expiration = (datetime.now(UTC) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
            document = {
                "Code": "Success",
                "Type": "AWS-HMAC",
                "AccessKeyId": "ASIABOOTTEST",
                "SecretAccessKey": "boot-test-secret",
                "Token": "boot-test-session",
                "Expiration": expiration,
                "LastUpdated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            self.send(200, json.dumps(document).encode(), "application/json")
        elif path == "/latest/meta-data/instance-id":
            self.send(200, b"i-0b00757e57000000", "text/plain")
        else:
            self.send(404, b"", "text/plain")


class TlsFront(_Server):
    """HTTPS for AWS host names: `files` by host name and path, everything else passed to moto as it came."""

    def __init__(self, port: int, certificate: Path, key: Path, moto_port: int, files: Mapping[str, Path], log: Path) -> None:
        super().__init__(port, _FrontHandler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate, key)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.moto_port = moto_port
        self.files = dict(files)
        self.log = log


class _FrontHandler(_Handler):
    @property
    def front(self) -> TlsFront:
        return cast(TlsFront, self.server)

    def _handle(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        fixed = self.front.files.get(f"{host}{self.path.split('?', 1)[0]}")
        if fixed is not None and self.command in ("GET", "HEAD"):
            self.send_file(fixed)
            return
        body = self._body()
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ("transfer-encoding", "expect")}
        headers["Content-Length"] = str(len(body))
        moto = http.client.HTTPConnection("127.0.0.1", self.front.moto_port, timeout=60)
        try:
            moto.request(self.command, self.path, body=body, headers=headers)
            response = moto.getresponse()
            data = response.read()
        finally:
            moto.close()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()
