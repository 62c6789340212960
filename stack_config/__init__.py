"""The stack configuration: read once, validated whole, frozen.

Every key lives under the project namespace (`amy:`) and is declared, with its
type, description and default, in Pulumi.yaml. `load` turns the raw strings the
Pulumi CLI hands the program into `StackConfig`, or raises `StackConfigError`
listing every problem at once, before any resource is registered. Each section
(network, dns, database, backups, cache, web, settings, adoption, delivery, audit) is a module
holding its keys, bounds, dataclass and parser; `releases` is the table of AMY's
releases that `appVersion` and `cacheMode` are checked against, which the legacy
host shares.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from stack_config.adoption import AdoptionConfig
from stack_config.backups import BackupConfig
from stack_config.cache import CacheMode, ElastiCacheConfig
from stack_config.database import DatabaseConfig
from stack_config.delivery import GitHubConfig
from stack_config.dns import DnsConfig
from stack_config.files import defaults, read_project, read_stack
from stack_config.network import ExistingNetworkConfig, NatStrategy, NetworkConfig
from stack_config.reader import NAMESPACE, StackConfigError
from stack_config.releases import AppVersion
from stack_config.stack import KEY_TYPES, LAYOUTS, Layout, StackConfig, load, unknown_keys
from stack_config.web import HostConfig, ServiceConfig

__all__ = [
    "KEY_TYPES",
    "LAYOUTS",
    "NAMESPACE",
    "AdoptionConfig",
    "AppVersion",
    "BackupConfig",
    "CacheMode",
    "DatabaseConfig",
    "DnsConfig",
    "ElastiCacheConfig",
    "ExistingNetworkConfig",
    "GitHubConfig",
    "HostConfig",
    "Layout",
    "NatStrategy",
    "NetworkConfig",
    "ServiceConfig",
    "StackConfig",
    "StackConfigError",
    "from_pulumi",
    "load",
    "unknown_keys",
]


# The project directory: Pulumi.yaml and the stack files beside this package.
PROJECT_DIR = Path(__file__).resolve().parent.parent


def from_pulumi() -> StackConfig:
    """Load the running stack's config as the Pulumi CLI hands it to the program, with the stack file's own checks
    (where the stack's config lives in a file: it may live in the Pulumi service instead)."""
    stack = pulumi.get_stack()
    raw = {key: str(value) for key, value in {**pulumi.runtime.get_config_env(), **runtime_config.CONFIG.get()}.items()}
    declared, problems = read_project(PROJECT_DIR)
    if problems:
        raise StackConfigError(stack, problems)
    if (PROJECT_DIR / f"Pulumi.{stack}.yaml").exists():
        stack_file = read_stack(PROJECT_DIR, stack, declared)
        if not stack_file.readable:
            raise StackConfigError(stack, stack_file.problems)
        problems = stack_file.problems
    # The CLI hands over Pulumi.yaml's defaults too: what differs from them, the stack set.
    unchanged = defaults(declared)
    explicit = [key for key, value in raw.items() if unchanged.get(key) != value]
    return load(stack, raw, explicit, problems)
