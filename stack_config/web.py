"""The web tier: the AMY release it runs, and the legacy layout's host or the ecs layout's service."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack_config import catalogue, releases
from stack_config.reader import NAMESPACE, Reader, shown
from stack_config.releases import AppVersion

# RDS snapshot identifiers are at most 255 characters (CreateDBSnapshot).
SNAPSHOT_IDENTIFIER_LIMIT = 255
AMI_ID = re.compile(r"^ami-[0-9a-f]{8,17}$")
# x86_64 families only: the host runs Ubuntu's amd64 image.
HOST_INSTANCE_TYPE = re.compile(
    r"^(?:t3|t3a|m5|m5a|m6i|m6a|m7i|m7a|c5|c6i|c7i|r5|r6i|r7i)\.(?:micro|small|medium|large|xlarge|[0-9]+xlarge)$"
)
ROOT_VOLUME_GB = (20, 1024)
# Release dumps the host keeps on its root disk; the dumps bucket keeps every one.
KEEP_RELEASE_DUMPS = (1, 100)
GUNICORN_WORKERS = (1, 32)
TASKS = (1, 50)
KEEP_IMAGES = (5, 1000)
# Fargate's CPU units and the memory (MiB) each allows.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
}

# Keys of one layout only; set in a stack of the other layout they would do nothing, and are refused.
HOST_KEYS = ("hostInstanceType", "hostAmiId", "hostRootVolumeGb", "certbotEmail", "acmeDirectory", "appRepository")
SERVICE_KEYS = ("taskCpu", "taskMemory", "minTasks", "maxTasks", "keepImages", "maintenance")
KEYS = {
    "appVersion": "string",
    "gunicornWorkers": "integer",
    "hostInstanceType": "string",
    "hostAmiId": "string",
    "hostRootVolumeGb": "integer",
    "certbotEmail": "string",
    "acmeDirectory": "string",
    "appRepository": "string",
    "hostKeepReleaseDumps": "integer",
    "taskCpu": "integer",
    "taskMemory": "integer",
    "minTasks": "integer",
    "maxTasks": "integer",
    "keepImages": "integer",
    "maintenance": "boolean",
}


@dataclass(frozen=True)
class HostConfig:
    """The legacy layout's EC2 host."""

    instance_type: str
    ami_id: str | None
    root_volume_gb: int
    certbot_email: str
    acme_directory: str
    repository: str
    # How many of the dumps taken before each release stay in DB_backups/.
    keep_release_dumps: int


@dataclass(frozen=True)
class ServiceConfig:
    """The ecs layout's Fargate service."""

    cpu: int
    memory: int
    min_tasks: int
    max_tasks: int
    keep_images: int
    maintenance: bool


def moved_to_ecs(rq_workers: bool) -> dict[str, str | None]:
    """The config overrides that move a `legacy` stack to `ecs` as its stack file would: RQ kept on ElastiCache where
    it ran, the host's keys removed (they would do nothing there, and are refused)."""
    return {
        f"{NAMESPACE}:layout": "ecs",
        f"{NAMESPACE}:cacheMode": "elasticache" if rq_workers else "none",
        **{f"{NAMESPACE}:{key}": None for key in HOST_KEYS},
    }


def app_version(reader: Reader, layout: str | None) -> AppVersion | None:
    value = reader.string("appVersion")
    if value is None:
        return None
    version = AppVersion.parse(value)
    if version is None:
        reader.problem("appVersion", f"must be a release tag like v4.7.2; got {shown(value)}")
        return None
    # An ECS task runs the release's own image, built the release's own way; the host installs it from its lockfile.
    if layout == "legacy" and releases.shape_of(version) is None:
        reader.problem(
            "appVersion",
            f"{version} is not a release the legacy host knows how to install: it knows {releases.known()} "
            "(stack_config/releases.py, by their lockfiles); add the release's shape there: its lockfile, tool, "
            "Python and code directory, from its tag",
        )
        return None
    return version


def gunicorn_workers(reader: Reader) -> int | None:
    return reader.bounded("gunicornWorkers", *GUNICORN_WORKERS, " workers")


def host(reader: Reader) -> HostConfig | None:
    instance_type = reader.matching(
        "hostInstanceType", HOST_INSTANCE_TYPE, "an x86_64 type (t3, t3a, m5-m7, c5-c7, r5-r7 families) like t3.medium"
    )
    if instance_type is not None and instance_type not in catalogue.ec2_instance_types():
        reader.problem(
            "hostInstanceType", f"is not an EC2 instance type (botocore's EC2 model lists none such); got {shown(instance_type)}"
        )
        instance_type = None
    ami_id = reader.matching("hostAmiId", AMI_ID, "an AMI id like ami-0123456789abcdef0, or unset to look one up", required=False)
    root_volume = reader.bounded("hostRootVolumeGb", *ROOT_VOLUME_GB, " GiB")
    email = reader.email("certbotEmail", "for Let's Encrypt's notices")
    acme_directory = reader.https_url("acmeDirectory")
    repository = reader.https_url("appRepository")
    keep_release_dumps = reader.bounded("hostKeepReleaseDumps", *KEEP_RELEASE_DUMPS, " dumps")
    if (
        instance_type is None
        or root_volume is None
        or email is None
        or acme_directory is None
        or repository is None
        or keep_release_dumps is None
    ):
        return None
    return HostConfig(
        instance_type=instance_type,
        ami_id=ami_id,
        root_volume_gb=root_volume,
        certbot_email=email,
        acme_directory=acme_directory,
        repository=repository,
        keep_release_dumps=keep_release_dumps,
    )


def service(reader: Reader) -> ServiceConfig | None:
    cpu = reader.integer("taskCpu")
    memory = reader.integer("taskMemory")
    if cpu is not None and cpu not in FARGATE_MEMORY:
        reader.problem("taskCpu", f"must be a Fargate CPU size ({', '.join(map(str, FARGATE_MEMORY))}); got {cpu}")
    elif cpu is not None and memory is not None and memory not in FARGATE_MEMORY[cpu]:
        allowed = FARGATE_MEMORY[cpu]
        reader.problem(
            "taskMemory", f"must be one Fargate allows with {cpu} CPU units ({allowed[0]}-{allowed[-1]} MiB); got {memory}"
        )
    min_tasks = reader.bounded("minTasks", *TASKS, " tasks")
    max_tasks = reader.bounded("maxTasks", *TASKS, " tasks")
    if min_tasks is not None and max_tasks is not None and max_tasks < min_tasks:
        reader.problem("maxTasks", f"must be at least {NAMESPACE}:minTasks ({min_tasks}); got {max_tasks}")
    keep_images = reader.bounded("keepImages", *KEEP_IMAGES, " images")
    maintenance = reader.boolean("maintenance")
    if cpu is None or memory is None or min_tasks is None or max_tasks is None or keep_images is None or maintenance is None:
        return None
    return ServiceConfig(
        cpu=cpu, memory=memory, min_tasks=min_tasks, max_tasks=max_tasks, keep_images=keep_images, maintenance=maintenance
    )
