"""The stack configuration: read once, validated whole, frozen.

Every key lives under the project namespace (`amy:`) and is declared, with its
type, description and default, in Pulumi.yaml. `load` turns the raw strings the
Pulumi CLI hands the program into `StackConfig`, or raises `StackConfigError`
listing every problem at once, before any resource is registered. Each section
(network, dns, database, backups, cache, web, settings, adoption, delivery) is a module
holding its keys, bounds, dataclass and parser; `releases` is the table of AMY's
releases that `appVersion` and `cacheMode` are checked against, which the legacy
host shares.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from stack_config.adoption import AdoptionConfig
from stack_config.backups import BackupConfig
from stack_config.cache import CacheMode, ElastiCacheConfig
from stack_config.database import DatabaseConfig
from stack_config.delivery import GitHubConfig
from stack_config.dns import DnsConfig
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


def from_pulumi() -> StackConfig:
    """Load the running stack's config as the Pulumi CLI hands it to the program."""
    raw = {**pulumi.runtime.get_config_env(), **runtime_config.CONFIG.get()}
    return load(pulumi.get_stack(), {key: str(value) for key, value in raw.items()})
