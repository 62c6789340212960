"""Running real system software from tests: find a tool, pick free loopback ports, start, wait for and stop processes.

A missing tool skips the test with the Debian package to install, except under
`CI=true`, where it fails: CI must run every system test. Every process is
started in its own session and stopped (with whatever it forked) when the
`running` context ends; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

# The Debian package that provides each tool, for the skip reason.
PACKAGES = {
    "nginx": "nginx",
    "gunicorn": "gunicorn",
    "redis-server": "redis-server",
    "certbot": "certbot",
    "pebble": "pebble",
    "pebble-challtestsrv": "pebble",
    "cloud-init": "cloud-init",
    "systemd-analyze": "systemd",
    "openssl": "openssl",
    "dot": "graphviz",
    "bash": "bash",
    "node": "nodejs",
    "psql": "postgresql-client",
    "setpriv": "util-linux",
    "qemu-system-x86_64": "qemu-system-x86",
    "qemu-img": "qemu-utils",
    "mmdebstrap": "mmdebstrap",
    "mke2fs": "e2fsprogs",
    "apt-ftparchive": "apt-utils",
    "genisoimage": "genisoimage",
    "socat": "socat",
    "git": "git",
    "dpkg-deb": "dpkg",
    "createdb": "postgresql-client",
    "runuser": "util-linux",
}
# Tools in sbin are often missing from an unprivileged PATH.
_EXTRA_PATH = ("/usr/local/sbin", "/usr/sbin", "/sbin")
WAIT_SECONDS = 10.0


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it under CI=true, where every system test must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: system tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def require(tool: str) -> str:
    """The absolute path of `tool`, or skip (fail under CI=true) naming the package that provides it."""
    path = shutil.which(tool) or shutil.which(tool, path=os.pathsep.join(_EXTRA_PATH))
    if path is None:
        package = PACKAGES.get(tool, tool)
        unavailable(f"{tool} is not installed (Debian package {package}; see .ci/apt-packages.txt)")
    return path


def _bindable(family: socket.AddressFamily, kind: socket.SocketKind, host: str, port: int) -> bool:
    try:
        with socket.socket(family, kind) as probe:
            probe.bind((host, port))
    except OSError as error:
        # No IPv6 on this machine: nothing can take the port there either.
        return family == socket.AF_INET6 and error.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL)
    return True


def free_port(*, udp: bool = False) -> int:
    """A port free on 127.0.0.1 and ::1 (TCP, and UDP when asked), for a server the test is about to start."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        kinds = [socket.SOCK_STREAM, socket.SOCK_DGRAM] if udp else [socket.SOCK_STREAM]
        if all(
            _bindable(family, kind, host, port)
            for kind in kinds
            for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
        ):
            return port
    raise RuntimeError("no free loopback port found")


def log_tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_until(
    predicate: Callable[[], bool],
    what: str,
    *,
    timeout: float = WAIT_SECONDS,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Poll `predicate` until it holds, at most `timeout` seconds; fail early if `process` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            detail = f"\n--- {log} ---\n{log_tail(log)}" if log else ""
            raise AssertionError(f"{what}: the process exited with {process.returncode}{detail}")
        if time.monotonic() > deadline:
            detail = f"\n--- {log} ---\n{log_tail(log)}" if log else ""
            raise AssertionError(f"{what}: not after {timeout:.0f} s{detail}")
        time.sleep(0.05)


def accepts(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def accepts_unix(path: str | Path) -> bool:
    """Whether something accepts connections on the unix socket at `path`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1)
            client.connect(str(path))
            return True
    except OSError:
        return False


def wait_for_port(
    port: int,
    *,
    host: str = "127.0.0.1",
    timeout: float = WAIT_SECONDS,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    wait_until(lambda: accepts(port, host), f"{host}:{port} accepting connections", timeout=timeout, process=process, log=log)


def start(
    args: Sequence[str], *, log: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `args` in a new session (so `stop` can reach whatever it forks), output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env} if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )


def _exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the process has exited, without reaping it: while it is unreaped, its group id cannot be reused."""
    return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def stop(process: subprocess.Popen[bytes], timeout: float = WAIT_SECONDS) -> None:
    """SIGTERM the process; SIGKILL its process group (what it forked) once it exited, or after `timeout`; reap it."""
    if process.returncode is None:
        process.terminate()
        deadline = time.monotonic() + timeout
        while not _exited(process) and time.monotonic() < deadline:
            time.sleep(0.02)
    # Only processes this one started share its group id, which is its own id: nginx's or gunicorn's workers.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout)


@contextlib.contextmanager
def running(
    args: Sequence[str],
    *,
    log: Path,
    ready: Callable[[], bool],
    what: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = WAIT_SECONDS,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `args`, wait until `ready()`, yield the process, and stop it however the block ends."""
    process = start(args, log=log, env=env, cwd=cwd)
    try:
        wait_until(ready, what, timeout=timeout, process=process, log=log)
        yield process
    finally:
        stop(process)


def run(
    args: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion (bounded), capturing its output as text; the caller checks the return code."""
    return subprocess.run(
        list(args),
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env is not None else None,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
