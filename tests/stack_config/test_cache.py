"""Redis for RQ: which cache each stack runs, allowed only with the layout that can use it."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import ElastiCacheConfig, StackConfig
from tests.stack_config.support import RQ_RELEASE, declared, loaded, problems


def test_each_stack_cache_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.cache_mode == declared(stack, "cacheMode")
    if declared(stack, "cacheMode") == "elasticache":
        assert stack_config.elasticache == ElastiCacheConfig(
            node_type=declared(stack, "cacheNodeType"), snapshot_days=declared(stack, "cacheSnapshotDays")
        )
    else:
        assert stack_config.elasticache is None


def test_elasticache_is_configured_only_with_its_mode() -> None:
    config = loaded(
        layout="ecs", appVersion=RQ_RELEASE, cacheMode="elasticache", cacheNodeType="cache.t4g.micro", cacheSnapshotDays=3
    )
    assert config.elasticache == ElastiCacheConfig(node_type="cache.t4g.micro", snapshot_days=3)
    assert loaded(layout="ecs", cacheMode="none").elasticache is None


@pytest.mark.parametrize(("layout", "mode"), [("legacy", "local"), ("ecs", "elasticache")])
def test_a_release_with_rq_may_have_redis_in_either_layout(layout: str, mode: str) -> None:
    config = loaded(layout=layout, appVersion=RQ_RELEASE, cacheMode=mode)
    assert (config.cache_mode, config.rq_workers) == (mode, True)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"cacheMode": "memcached"}, "amy:cacheMode must be one of none, local, elasticache; got 'memcached'"),
        ({"layout": "legacy", "cacheMode": "elasticache"}, "amy:cacheMode must be one of none, local with layout 'legacy'"),
        ({"layout": "ecs", "cacheMode": "local"}, "amy:cacheMode must be one of none, elasticache with layout 'ecs'"),
        (
            {"layout": "ecs", "appVersion": RQ_RELEASE, "cacheMode": "elasticache", "cacheNodeType": "cache.t1.micro"},
            "amy:cacheNodeType must be an ElastiCache node type",
        ),
        (
            {"layout": "ecs", "appVersion": RQ_RELEASE, "cacheMode": "elasticache", "cacheSnapshotDays": 0},
            "amy:cacheSnapshotDays must be between 1 and 35 days; got 0",
        ),
        # Redis serves RQ alone, and AMY removed django-rq in v4.7.0.
        (
            {"layout": "legacy", "appVersion": "v4.7.2", "cacheMode": "local"},
            "amy:cacheMode must be none with appVersion v4.7.2: AMY removed django-rq in v4.7.0 (its changelog: "
            "\"Remove redis dependency\", #2753), so the release runs no RQ worker for Redis to serve; got 'local'",
        ),
        (
            {"layout": "ecs", "appVersion": "v4.8.0", "cacheMode": "elasticache"},
            "amy:cacheMode must be none with appVersion v4.8.0: AMY removed django-rq in v4.7.0",
        ),
        (
            {"layout": "ecs", "appVersion": "v4.9.0", "cacheMode": "elasticache"},
            "amy:cacheMode must be none with appVersion v4.9.0: stack_config/releases.py does not say whether it has "
            "django-rq (it knows v4.6.x, v4.7.0–v4.7.2, v4.8.0)",
        ),
    ],
)
def test_bad_cache_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
