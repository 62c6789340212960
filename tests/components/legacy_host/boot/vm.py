"""The guest: QEMU booting the image with a NoCloud seed, hermetic user networking, and the agent's port.

Networking is QEMU's user mode with `restrict=on`: the guest reaches nothing but what `guestfwd` sends to the
test's services (each connection runs `socat` to a loopback port), and the host reaches the guest's ports through
`hostfwd` on 127.0.0.1. The guest has no DNS: the names it needs are in /etc/hosts (vendor-data).

Commands run in the guest through `Agent`: one JSON line each way over a virtio serial port, to the agent the
image starts at boot (guest_agent.py). Software emulation (TCG) by default; AMY_BOOT_ACCEL=kvm opts into KVM.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.components.legacy_host.boot.image import Image
from tests.system import require, run, start, stop, unavailable

GUEST_ADDRESS = "10.0.2.15"
GATEWAY = "10.0.2.2"
MEMORY_MB = 3072
CPUS = 2


@dataclass(frozen=True)
class GuestForward:
    """Connections from the guest to address:port go to 127.0.0.1:host_port."""

    address: str
    port: int
    host_port: int


@dataclass(frozen=True)
class Seed:
    """The NoCloud seed: user-data exactly as EC2 would hand it over, and the environment's vendor-data."""

    user_data: bytes
    vendor_data: str
    hostname: str = "amy-host"
    instance_id: str = "i-0b00757e57000000"


@dataclass
class Agent:
    """The test's side of the guest agent."""

    path: Path
    _socket: socket.socket | None = field(default=None, init=False)
    _pending: bytes = field(default=b"", init=False)

    def run(self, argv: Sequence[str], *, timeout: float = 300, input: str = "") -> Result:
        """Run `argv` as root in the guest, bounded by `timeout`; its exit status and output."""
        connection = self._connect()
        request = {"argv": list(argv), "timeout": timeout, "input": input}
        connection.sendall(json.dumps(request).encode() + b"\n")
        connection.settimeout(timeout + 30)
        while b"\n" not in self._pending:
            chunk = connection.recv(65536)
            if not chunk:
                raise ConnectionError("the guest agent's port closed")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        reply = json.loads(line)
        return Result(list(argv), reply["returncode"], reply["stdout"], reply["stderr"])

    def shell(self, script: str, *, timeout: float = 300) -> Result:
        return self.run(["bash", "-c", script], timeout=timeout)

    def _connect(self) -> socket.socket:
        if self._socket is None:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(str(self.path))
            self._socket = connection
        return self._socket

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


@dataclass(frozen=True)
class Result:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"$ {' '.join(self.argv)}\n(exit {self.returncode})\n{self.stdout}\n{self.stderr}"


def seed_image(directory: Path, seed: Seed) -> Path:
    """An ISO 9660 volume labelled cidata, which cloud-init's NoCloud datasource reads."""
    genisoimage = require("genisoimage")
    files = directory / "cidata"
    files.mkdir(parents=True, exist_ok=True)
    (files / "user-data").write_bytes(seed.user_data)
    (files / "vendor-data").write_text(seed.vendor_data)
    (files / "meta-data").write_text(f"instance-id: {seed.instance_id}\nlocal-hostname: {seed.hostname}\n")
    (files / "network-config").write_text(
        f"version: 2\nethernets:\n  eth0:\n    addresses: [{GUEST_ADDRESS}/24]\n    routes: [{{to: 0.0.0.0/0, via: {GATEWAY}}}]\n"
    )
    iso = directory / "seed.iso"
    names = ["user-data", "vendor-data", "meta-data", "network-config"]
    result = run([genisoimage, "-quiet", "-output", str(iso), "-volid", "cidata", "-joliet", "-rock", *names], cwd=files)
    assert result.returncode == 0, result.stderr
    return iso


def accelerator() -> tuple[str, str]:
    """QEMU's accelerator and CPU model: TCG unless AMY_BOOT_ACCEL=kvm (a KVM guest hangs at boot on the machines
    this was written on)."""
    chosen = os.environ.get("AMY_BOOT_ACCEL", "tcg")
    if chosen not in ("tcg", "kvm"):
        raise ValueError(f"AMY_BOOT_ACCEL must be tcg or kvm, not {chosen!r}")
    # Under TCG, a CPU without AVX runs the guest's Python a third faster than `max`: glibc and OpenSSL then take
    # SSE paths, which TCG translates more cheaply. Nehalem is x86-64-v2, which every wheel here accepts.
    return ("tcg,thread=multi", "Nehalem") if chosen == "tcg" else ("kvm", "host")


class Guest:
    """One booted guest: `start()`, then `agent`; `stop()` ends QEMU."""

    def __init__(
        self,
        image: Image,
        directory: Path,
        seed: Seed,
        forwards: Sequence[GuestForward],
        host_ports: Mapping[int, int],
    ) -> None:
        self.image = image
        self.directory = directory
        self.seed = seed
        self.forwards = forwards
        # guest port -> host port on 127.0.0.1
        self.host_ports = dict(host_ports)
        self.console = directory / "console.log"
        self.agent = Agent(directory / "agent.sock")
        self._process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        qemu, qemu_img, socat = require("qemu-system-x86_64"), require("qemu-img"), require("socat")
        disk = self.directory / "root.qcow2"
        created = run([qemu_img, "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(self.image.root), str(disk)], timeout=60)
        assert created.returncode == 0, created.stderr
        seed = seed_image(self.directory, self.seed)
        netdev = ["user", "id=net", "restrict=on", "net=10.0.2.0/24", f"host={GATEWAY}"]
        netdev += [f"hostfwd=tcp:127.0.0.1:{host}-:{guest}" for guest, host in self.host_ports.items()]
        netdev += [
            f"guestfwd=tcp:{forward.address}:{forward.port}-cmd:{socat} STDIO TCP:127.0.0.1:{forward.host_port}"
            for forward in self.forwards
        ]
        accel, cpu = accelerator()
        return [
            qemu,
            "-name", "amy-boot-test",
            "-nodefaults",
            "-machine", "q35",
            "-accel", accel,
            "-cpu", cpu,
            "-smp", str(CPUS),
            "-m", str(MEMORY_MB),
            "-display", "none",
            "-serial", f"file:{self.console}",
            "-kernel", str(self.image.kernel),
            "-initrd", str(self.image.initrd),
            "-append", "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet systemd.show_status=0 mitigations=off",
            "-drive", f"file={disk},if=virtio,format=qcow2,cache=unsafe,discard=unmap",
            "-drive", f"file={seed},if=virtio,format=raw,readonly=on",
            "-netdev", ",".join(netdev),
            "-device", "virtio-net-pci,netdev=net",
            "-device", "virtio-rng-pci",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=agent,path={self.agent.path},server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=amy.agent",
        ]  # fmt: skip

    def start(self) -> None:
        command = self.command()
        self._process = start(command, log=self.directory / "qemu.log")
        deadline = time.monotonic() + 30
        while not self.agent.path.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"QEMU did not start: {(self.directory / 'qemu.log').read_text()[-2000:]}")
            time.sleep(0.1)

    def wait_for_agent(self, timeout: float) -> float:
        """Seconds until the agent answers: the guest has booted far enough to run commands."""
        began = time.monotonic()
        result = self.agent.run(["true"], timeout=timeout)
        assert result.returncode == 0, result
        return time.monotonic() - began

    def stop(self) -> None:
        self.agent.close()
        if self._process is not None:
            stop(self._process, timeout=5)
            self._process = None
