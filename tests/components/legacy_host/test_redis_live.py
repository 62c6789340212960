"""The rendered Redis configuration, live: no TCP at all, a 0660 socket of the directory's group (amy on the host),
the URL AMY is given reaches it, and queued jobs survive a crash."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from components.legacy_host import LOCAL_REDIS_URL
from components.legacy_host.files import HostLayout, render
from tests.components.legacy_host.support import by_path, settings, temp_layout, write_files
from tests.system import accepts_unix, require, running, unavailable

pytestmark = pytest.mark.system


def command(path: str | Path, *args: str) -> object:
    """One Redis command over RESP on the unix socket at `path`; the reply as str, int, None or list."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5)
        connection.connect(str(path))
        request = f"*{len(args)}\r\n" + "".join(f"${len(arg.encode())}\r\n{arg}\r\n" for arg in args)
        connection.sendall(request.encode())
        return _reply(connection.makefile("rb"))


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


def tcp_listeners(pid: int) -> list[str]:
    """The TCP sockets in LISTEN state that process `pid` holds, from its descriptors and /proc/net/tcp{,6}."""
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(descriptor)
        if match := re.fullmatch(r"socket:\[(\d+)\]", target):
            inodes.add(match[1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:] if Path(table).exists() else []:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                listening.append(fields[1])
    return listening


@dataclass(frozen=True)
class Redis:
    layout: HostLayout
    config: Path
    log: Path

    @property
    def socket(self) -> str:
        return self.layout.redis_socket

    def start(self) -> AbstractContextManager[subprocess.Popen[bytes]]:
        server = require("redis-server")
        return running(
            [server, str(self.config), "--daemonize", "no"],
            log=self.log,
            ready=lambda: accepts_unix(self.socket) and self._loaded(),
            what="redis-server with the rendered configuration",
        )

    def _loaded(self) -> bool:
        try:
            return command(self.socket, "PING") == "PONG"
        except RuntimeError:  # -LOADING while it reads the append-only file
            return False


def other_group() -> int:
    """A group this process is not in, to see the socket take the directory's group rather than the server's."""
    if os.geteuid() != 0:
        unavailable("making a directory of another group needs root")
    install = shutil.which("install")
    assert install, "coreutils' install"
    mine = {os.getegid(), *os.getgroups()}
    for gid in (1, 2, 3, 65534):
        if gid not in mine:
            return gid
    unavailable("no group to give the socket's directory")


def prepare(root: Path) -> Redis:
    """The rendered configuration (with the cache on) under `root`, and the socket's directory as the unit makes it."""
    layout = temp_layout(root)
    assert len(layout.redis_socket.encode()) < 100, f"{layout.redis_socket} is too long for a unix socket"
    files = render(settings(layout, rq_workers=True))
    written = write_files(root, files)
    Path(layout.redis_dir).mkdir(parents=True)
    unit = by_path(files)["/etc/systemd/system/amy-redis.service"].content
    [make_directory] = re.findall(r"^ExecStartPre=\+(.+)$", unit, re.MULTILINE)
    directory = Path(layout.redis_socket).parent
    assert make_directory == f"/usr/bin/install -d -o redis -g amy -m 2750 {directory}"
    # The same directory, with a group that exists here in place of amy.
    directory.mkdir(parents=True)
    os.chown(directory, 0, other_group())
    directory.chmod(0o2750)
    return Redis(layout, written[layout.redis_config], root / "redis.out")


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    # Short: the socket's path must fit a sockaddr_un.
    server = prepare(tmp_path_factory.mktemp("rds"))
    with server.start():
        yield server


def test_it_answers_ping_on_its_socket(redis: Redis) -> None:
    assert command(redis.socket, "PING") == "PONG"


def test_the_server_runs_with_the_rendered_settings(redis: Redis) -> None:
    expected = rendered(redis.config.read_text())
    assert (expected["port"], expected["unixsocketperm"]) == ("0", "660")
    for name in ("port", "unixsocket", "unixsocketperm", "appendonly", "appendfsync", "maxmemory-policy", "save"):
        assert command(redis.socket, "CONFIG", "GET", name) == [name, expected[name]], name
    assert command(redis.socket, "CONFIG", "GET", "dir") == ["dir", str(Path(redis.layout.redis_dir).resolve())]


def test_only_the_owner_and_the_directorys_group_may_use_the_socket(redis: Redis) -> None:
    directory = Path(redis.socket).parent
    mode = os.stat(redis.socket)
    assert stat.S_ISSOCK(mode.st_mode)
    assert stat.S_IMODE(mode.st_mode) == 0o660
    # The set-group-ID directory gives the socket its group (amy on the host), not the server's own.
    assert mode.st_gid == directory.stat().st_gid != os.getegid()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o2750


def test_nothing_listens_on_tcp(redis: Redis) -> None:
    pid = command(redis.socket, "INFO", "server")
    assert isinstance(pid, str)
    process = int(re.search(r"^process_id:(\d+)", pid, re.MULTILINE)[1])  # type: ignore[index]
    assert tcp_listeners(process) == []


def test_the_url_amy_is_given_names_the_socket_and_each_queues_database() -> None:
    """AMY's settings append a queue's database number to AMY_REDIS_URL (`+ "2"`, `+ "15"`); redis-py's from_url reads
    unix://[username@]/path/to/socket.sock?db=N."""
    for queue in ("2", "15"):
        url = urlsplit(LOCAL_REDIS_URL + queue)
        assert (url.scheme, url.netloc, url.path) == ("unix", "", HostLayout.redis_socket)
        assert parse_qs(url.query, strict_parsing=True) == {"db": [queue]}


def test_queued_jobs_survive_a_crash(tmp_path: Path) -> None:
    server = prepare(tmp_path)
    with server.start() as process:
        assert command(server.socket, "RPUSH", "rq:queue:default", "job-1") == 1
        # Killed without a chance to save: only the append-only file can bring the queue back.
        process.kill()
        process.wait(10)
    with server.start():
        assert command(server.socket, "LRANGE", "rq:queue:default", "0", "-1") == ["job-1"]
