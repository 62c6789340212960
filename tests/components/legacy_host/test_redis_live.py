"""The rendered Redis configuration, live: it answers on loopback only, protected, and keeps its data across a restart."""

from __future__ import annotations

import io
import ipaddress
import socket
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.legacy_host.files import HostLayout, render
from tests.components.legacy_host.support import settings, temp_layout, write_files
from tests.system import accepts, free_port, require, running

pytestmark = pytest.mark.system


def command(port: int, *args: str) -> object:
    """One Redis command over RESP on 127.0.0.1:port; the reply as str, int, None or list."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        request = f"*{len(args)}\r\n" + "".join(f"${len(arg.encode())}\r\n{arg}\r\n" for arg in args)
        connection.sendall(request.encode())
        stream = connection.makefile("rb")
        return _reply(stream)


def _reply(stream: io.BufferedIOBase) -> object:
    line = stream.readline().decode().rstrip("\r\n")
    kind, rest = line[:1], line[1:]
    if kind == "+":
        return rest
    if kind == "-":
        raise RuntimeError(rest)
    if kind == ":":
        return int(rest)
    if kind == "$":
        return None if int(rest) < 0 else stream.read(int(rest) + 2)[:-2].decode()
    if kind == "*":
        return [_reply(stream) for _ in range(int(rest))]
    raise ValueError(f"unexpected reply {line!r}")


def rendered(config: str) -> dict[str, str]:
    """The rendered directives, by name (a repeated one's values joined as Redis reports them)."""
    directives: dict[str, list[str]] = {}
    for line in config.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.strip().partition(" ")
            directives.setdefault(name, []).append(value)
    return {name: " ".join(values) for name, values in directives.items()}


def listeners(port: int) -> set[str]:
    """The addresses with a TCP socket listening on `port`, from /proc/net/tcp and tcp6."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, _, local_port = local.partition(":")
            if state != "0A" or int(local_port, 16) != port:  # 0A: LISTEN
                continue
            # Each 32-bit word is in host (little-endian) order.
            raw = b"".join(bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8))
            addresses.add(str(ipaddress.ip_address(raw)))
    return addresses


@dataclass(frozen=True)
class Redis:
    layout: HostLayout
    config: Path
    log: Path

    @property
    def port(self) -> int:
        return self.layout.redis_port

    def start(self) -> AbstractContextManager[subprocess.Popen[bytes]]:
        server = require("redis-server")
        return running(
            [server, str(self.config), "--daemonize", "no"],
            log=self.log,
            ready=lambda: accepts(self.port) and self._loaded(),
            what="redis-server with the rendered configuration",
        )

    def _loaded(self) -> bool:
        try:
            return command(self.port, "PING") == "PONG"
        except RuntimeError:  # -LOADING while it reads the append-only file
            return False


def prepare(root: Path) -> Redis:
    """The rendered configuration (with the cache on) under `root`, on a free port."""
    layout = temp_layout(root, redis_port=free_port())
    written = write_files(root, render(settings(layout, rq_workers=True)))
    Path(layout.redis_dir).mkdir(parents=True)
    return Redis(layout, written[layout.redis_config], root / "redis.out")


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    server = prepare(tmp_path_factory.mktemp("redis"))
    with server.start():
        yield server


def test_it_answers_ping_on_loopback(redis: Redis) -> None:
    assert command(redis.port, "PING") == "PONG"


def test_the_server_runs_with_the_rendered_settings(redis: Redis) -> None:
    expected = rendered(redis.config.read_text())
    assert expected["bind"] == "127.0.0.1 -::1" and expected["protected-mode"] == "yes"
    for name in ("bind", "protected-mode", "port", "appendonly", "appendfsync", "maxmemory-policy", "save"):
        assert command(redis.port, "CONFIG", "GET", name) == [name, expected[name]], name
    assert command(redis.port, "CONFIG", "GET", "dir") == ["dir", str(Path(redis.layout.redis_dir).resolve())]


def test_nothing_listens_on_a_non_loopback_address(redis: Redis) -> None:
    addresses = listeners(redis.port)
    assert "127.0.0.1" in addresses
    assert addresses <= {"127.0.0.1", "::1"}, addresses


def test_queued_jobs_survive_a_crash(tmp_path: Path) -> None:
    server = prepare(tmp_path)
    with server.start() as process:
        assert command(server.port, "RPUSH", "rq:queue:default", "job-1") == 1
        # Killed without a chance to save: only the append-only file can bring the queue back.
        process.kill()
        process.wait(10)
    with server.start():
        assert command(server.port, "LRANGE", "rq:queue:default", "0", "-1") == ["job-1"]
