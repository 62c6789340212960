"""The boot test's machine image: a Debian trixie root filesystem built with mmdebstrap, and the local apt
repository its cloud-init installs from.

Trixie is the Debian release closest to Ubuntu 24.04 (systemd, cloud-init, Python 3). The image carries what an
Ubuntu cloud image has (systemd, cloud-init, openssh-server, sudo, locales) and, to fit the time budget, the heavy
packages of the host's cloud-config already installed; the others (`AT_BOOT`) cloud-init installs at first boot
from the repository, which holds every package the build downloaded, so `package_update`, `package_upgrade` and
`packages` run for real against it.

Built once per set of inputs and kept in a cache directory outside the work tree (never committed), keyed by a
digest of everything that goes into the build: package lists, hooks (the agent with them), mmdebstrap's version.
A build goes to a temporary directory renamed into place when complete, under a lock, so concurrent runs never
see half an image.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.system import require, unavailable

SUITE = "trixie"
MIRROR = "http://deb.debian.org/debian"
# What an Ubuntu cloud image has that cloud-init and the host's scripts rely on, and the boot test's own tools.
BASE_PACKAGES = (
    "linux-image-amd64",
    "initramfs-tools",
    "systemd-sysv",
    "udev",
    "dbus",
    "cloud-init",
    "netbase",
    "iproute2",
    "e2fsprogs",
    "kmod",
    "procps",
    "ca-certificates",
    "openssh-server",
    "sudo",
    "locales",
    "python3",
    # The guest's IMDS address leads to the test's stand-in (see vendor-data).
    "nftables",
)
# Of the cloud-config's packages, these cloud-init installs at first boot; the image carries the others.
AT_BOOT = ("nginx", "redis-server")
ROOT_SIZE = "8G"
UNUSED_GENERATORS = (
    "systemd-gpt-auto-generator",
    "systemd-hibernate-resume-generator",
    "systemd-ssh-generator",
    "systemd-tpm2-generator",
    "systemd-debug-generator",
    "systemd-run-generator",
    "systemd-system-update-generator",
    "systemd-rc-local-generator",
)
GUEST_AGENT = Path(__file__).with_name("guest_agent.py")
AGENT_UNIT = """[Unit]
Description=Boot test agent: runs the test's commands from a virtio port (stand-in for the SSM agent)
ConditionPathExists=/dev/virtio-ports/amy.agent

[Service]
ExecStart=/usr/bin/python3 /usr/local/lib/amy-boot-test/guest_agent.py /dev/virtio-ports/amy.agent
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
"""


@dataclass(frozen=True)
class Image:
    """A built image: kernel, initrd, the root filesystem (raw ext4, used read-only through overlays) and the
    apt repository (`repository/`, with `dists/` and `pool/`) that cloud-init installs from."""

    directory: Path

    @property
    def kernel(self) -> Path:
        return self.directory / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.directory / "initrd.img"

    @property
    def root(self) -> Path:
        return self.directory / "root.ext4"

    @property
    def repository(self) -> Path:
        return self.directory / "repository"


def cache_root() -> Path:
    """Where built images, the package index and host tools are kept between runs: AMY_BOOT_CACHE, or the
    user's cache directory. Remove it to rebuild everything."""
    configured = os.environ.get("AMY_BOOT_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "amy-infra" / "boot"


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache entry `directory` for the block: one build of it at a time."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with directory.with_name(f"{directory.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    """Remove a tree, refusing while anything is mounted inside it (a build's /proc or /dev)."""
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    inside = [mount for mount in mounts if Path(mount).is_relative_to(path)]
    if inside:
        raise RuntimeError(f"not removing {path}: {', '.join(inside)} still mounted there")
    shutil.rmtree(path, ignore_errors=True)


def cached(directory: Path, build: Callable[[Path], None]) -> Path:
    """`directory` once `build(partial)` has filled a temporary sibling that is then renamed into place."""
    if (directory / ".complete").exists():
        return directory
    with locked(directory):
        if (directory / ".complete").exists():
            return directory
        partial = directory.with_name(f"{directory.name}.partial")
        _remove(partial)
        partial.mkdir(parents=True)
        try:
            build(partial)
        except BaseException:
            _remove(partial)
            raise
        (partial / ".complete").touch()
        _remove(directory)
        partial.rename(directory)
    return directory


def _version(tool: str) -> str:
    return subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def image(packages: Sequence[str]) -> Image:
    """The image for a cloud-config that installs `packages`, built unless cached."""
    if os.geteuid() != 0:
        unavailable("building the boot image needs root (mmdebstrap --mode=root and mke2fs -d keep ownership)")
    mmdebstrap, mke2fs = require("mmdebstrap"), require("mke2fs")
    ftparchive = require("apt-ftparchive")
    at_boot = sorted(set(AT_BOOT) & set(packages))
    installed = sorted((set(packages) - set(at_boot)) | set(BASE_PACKAGES))
    inputs = {
        "suite": SUITE,
        "mirror": MIRROR,
        "installed": installed,
        "at_boot": at_boot,
        "hooks": _hooks(at_boot, Path("pool")),
        "size": ROOT_SIZE,
        "mmdebstrap": _version(mmdebstrap),
    }
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]

    def build(directory: Path) -> None:
        root = directory / "rootfs"
        pool = directory / "repository" / "pool"
        pool.mkdir(parents=True)
        hooks = _hooks(at_boot, pool)
        command = [
            mmdebstrap,
            "--mode=root",
            "--variant=apt",
            "--format=directory",
            "--skip=download/empty",
            f"--include={','.join(installed)}",
            *(f"--customize-hook={hook}" for hook in hooks),
            SUITE,
            str(root),
            MIRROR,
        ]
        _check(command, directory / "mmdebstrap.log", timeout=1800)
        boot = root / "boot"
        shutil.copy(next(boot.glob("vmlinuz-*")), directory / "vmlinuz")
        shutil.copy(next(boot.glob("initrd.img-*")), directory / "initrd.img")
        _check(
            [mke2fs, "-q", "-t", "ext4", "-L", "amyroot", "-d", str(root), str(directory / "root.ext4"), ROOT_SIZE],
            directory / "mke2fs.log",
            timeout=900,
        )
        _remove(root)
        _repository(ftparchive, directory / "repository")

    return Image(cached(cache_root() / f"image-{key}", build))


def _hooks(at_boot: Sequence[str], pool: Path) -> list[str]:
    """mmdebstrap's customize hooks: keep the packages cloud-init installs at boot, then make the tree bootable
    under QEMU with the agent and no first-boot jobs the guest does not need."""
    return [
        # The packages cloud-init installs at boot, as it installs them (with their recommends), downloaded only.
        f'chroot "$1" apt-get install --download-only --yes -o APT::Install-Recommends=true {" ".join(at_boot)}',
        f"sync-out /var/cache/apt/archives {pool}",
        'rm -f "$1"/var/cache/apt/archives/*.deb "$1"/etc/apt/sources.list && rm -rf "$1"/var/lib/apt/lists/*',
        'echo "/dev/vda / ext4 defaults 0 1" >"$1/etc/fstab"',
        "echo 'datasource_list: [ NoCloud, None ]' >\"$1/etc/cloud/cloud.cfg.d/90-boot-test.cfg\"",
        'mkdir -p "$1/usr/local/lib/amy-boot-test"',
        f'printf %s {_quoted(GUEST_AGENT.read_text())} >"$1/usr/local/lib/amy-boot-test/guest_agent.py"',
        f'printf %s {_quoted(AGENT_UNIT)} >"$1/etc/systemd/system/amy-boot-test-agent.service"',
        # As on Ubuntu's cloud images, systemd-networkd brings up what cloud-init renders.
        'chroot "$1" systemctl enable amy-boot-test-agent.service systemd-networkd.service',
        # No console login prompt to wait for, and no clock to sync: the guest has no network beyond the test's.
        'chroot "$1" systemctl mask systemd-timesyncd.service serial-getty@ttyS0.service',
        # Generators for what a QEMU guest without TPM, EFI, hibernation or vsock has not: every daemon-reload (a dozen
        # during a boot) runs the rest, each process costly under emulation.
        'mkdir -p "$1/etc/systemd/system-generators" && for generator in ' + " ".join(UNUSED_GENERATORS) + "; do"
        ' ln -sf /dev/null "$1/etc/systemd/system-generators/$generator"; done',
        # The caches the image was built with are current: skip systemd's first-boot rebuilds (ldconfig, catalog).
        'touch -r "$1/usr" "$1/etc/.updated" "$1/var/.updated"',
    ]


def _repository(ftparchive: str, repository: Path) -> None:
    """An apt repository of every .deb in pool/: `deb http://…/ trixie main`."""
    binary = repository / "dists" / SUITE / "main" / "binary-amd64"
    binary.mkdir(parents=True)
    packages = subprocess.run(
        [ftparchive, "packages", "pool"], cwd=repository, capture_output=True, text=True, check=True, timeout=600
    ).stdout
    (binary / "Packages").write_text(packages)
    release = subprocess.run(
        [
            ftparchive,
            "-o", f"APT::FTPArchive::Release::Suite={SUITE}",
            "-o", f"APT::FTPArchive::Release::Codename={SUITE}",
            "-o", "APT::FTPArchive::Release::Components=main",
            "-o", "APT::FTPArchive::Release::Architectures=amd64",
            "release", ".",
        ],
        cwd=repository / "dists" / SUITE,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout  # fmt: skip
    (repository / "dists" / SUITE / "Release").write_text(release)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _check(command: Sequence[str], log: Path, *, timeout: float) -> None:
    with log.open("w") as output:
        result = subprocess.run(list(command), stdout=output, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{command[0]} exited with {result.returncode}:\n{tail}")
