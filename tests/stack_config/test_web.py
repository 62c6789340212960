"""The web tier: the AMY release each stack runs, and the legacy layout's host or the ecs layout's service."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config import HostConfig, ServiceConfig, StackConfig
from tests.stack_config.support import declared, loaded, problems

LEGACY = {"layout": "legacy"}
ECS = {"layout": "ecs", "cacheMode": "none"}


def test_each_stack_web_tier_is_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert str(stack_config.app_version) == "v" + declared(stack, "appVersion").removeprefix("v")
    assert stack_config.gunicorn_workers == declared(stack, "gunicornWorkers")
    layout = declared(stack, "layout")
    assert stack_config.host == (
        HostConfig(
            instance_type=declared(stack, "hostInstanceType"),
            ami_id=declared(stack, "hostAmiId"),
            root_volume_gb=declared(stack, "hostRootVolumeGb"),
            certbot_email=declared(stack, "certbotEmail"),
            acme_directory=declared(stack, "acmeDirectory"),
            repository=declared(stack, "appRepository"),
            keep_release_dumps=declared(stack, "hostKeepReleaseDumps"),
        )
        if layout == "legacy"
        else None
    )
    assert stack_config.service == (
        ServiceConfig(
            cpu=declared(stack, "taskCpu"),
            memory=declared(stack, "taskMemory"),
            min_tasks=declared(stack, "minTasks"),
            max_tasks=declared(stack, "maxTasks"),
            keep_images=declared(stack, "keepImages"),
            maintenance=declared(stack, "maintenance"),
        )
        if layout == "ecs"
        else None
    )


def test_app_version_names_snapshots_as_the_operators_do() -> None:
    config = loaded(**ECS, appVersion="4.10.0")
    assert str(config.app_version) == "v4.10.0"
    assert config.app_version.slug == "v4-10-0"


@pytest.mark.parametrize("version", ["v4.6.0", "v4.6.7", "v4.7.0", "v4.7.2", "v4.8.0"])
def test_the_legacy_host_runs_each_release_it_knows_how_to_install(version: str) -> None:
    assert str(loaded(**LEGACY, appVersion=version).app_version) == version


def test_an_ecs_task_runs_any_release_its_image_was_built_from() -> None:
    assert str(loaded(**ECS, appVersion="v4.9.0").app_version) == "v4.9.0"


def test_the_ecs_layout_needs_no_host_and_no_certbot_email() -> None:
    config = loaded(**ECS, certbotEmail=None)
    assert config.host is None
    assert config.service is not None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"appVersion": "latest"}, "amy:appVersion must be a release tag like v4.7.2; got 'latest'"),
        ({"appVersion": "v4.7.2\n"}, "amy:appVersion must be printable ASCII text"),
        ({"appVersion": "v٤.7.2"}, "amy:appVersion must be printable ASCII text"),
        # The host installs a release by its lockfile: one whose shape it does not know is refused, with the reason.
        (
            {**LEGACY, "appVersion": "v4.9.0"},
            "amy:appVersion v4.9.0 is not a release the legacy host knows how to install: it knows v4.6.x, "
            "v4.7.0–v4.7.2, v4.8.0 (stack_config/releases.py, by their lockfiles)",
        ),
        ({**LEGACY, "appVersion": "v4.7.3"}, "amy:appVersion v4.7.3 is not a release the legacy host knows how to install"),
        ({**LEGACY, "appVersion": "v4.5.9"}, "amy:appVersion v4.5.9 is not a release the legacy host knows how to install"),
        ({"gunicornWorkers": 0}, "amy:gunicornWorkers must be between 1 and 32 workers; got 0"),
        ({**LEGACY, "certbotEmail": None}, "amy:certbotEmail is required"),
        ({**LEGACY, "certbotEmail": "team at carpentries"}, "amy:certbotEmail must be an e-mail address"),
        ({**LEGACY, "hostAmiId": "ubuntu-24.04"}, "amy:hostAmiId must be an AMI id like ami-0123456789abcdef0"),
        ({**LEGACY, "hostInstanceType": "t4g.medium"}, "amy:hostInstanceType must be an x86_64 type"),
        ({**LEGACY, "hostRootVolumeGb": 8}, "amy:hostRootVolumeGb must be between 20 and 1024 GiB; got 8"),
        ({**LEGACY, "hostKeepReleaseDumps": 0}, "amy:hostKeepReleaseDumps must be between 1 and 100 dumps; got 0"),
        ({**LEGACY, "hostKeepReleaseDumps": 101}, "amy:hostKeepReleaseDumps must be between 1 and 100 dumps; got 101"),
        ({**LEGACY, "hostKeepReleaseDumps": "five"}, "amy:hostKeepReleaseDumps must be an integer, got 'five'"),
        ({**LEGACY, "acmeDirectory": "http://acme.example.org/dir"}, "amy:acmeDirectory must be an https:// URL"),
        # Values the host's scripts read: no shell metacharacter, nothing after a newline, ASCII only.
        ({**LEGACY, "certbotEmail": "a$(touch${IFS}/tmp/x)@x.org"}, "amy:certbotEmail must be an e-mail address"),
        ({**LEGACY, "certbotEmail": "a`id`@x.org"}, "amy:certbotEmail must be an e-mail address"),
        ({**LEGACY, "certbotEmail": "ops@example.org\nAMY_APP_DIR=/tmp"}, "amy:certbotEmail must be printable ASCII text"),
        ({**LEGACY, "certbotEmail": "o'ps@example.org"}, "amy:certbotEmail must be an e-mail address"),
        ({**LEGACY, "certbotEmail": "opś@example.org"}, "amy:certbotEmail must be printable ASCII text"),
        ({**LEGACY, "acmeDirectory": "https://acme.example.org/dir\n"}, "amy:acmeDirectory must be printable ASCII text"),
        ({**LEGACY, "acmeDirectory": "https://acme.example.org/$(id)"}, "amy:acmeDirectory must be an https:// URL"),
        ({**LEGACY, "acmeDirectory": 'https://acme.example.org/"dir"'}, "amy:acmeDirectory must be an https:// URL"),
        ({**LEGACY, "appRepository": "https://github.com/x/amy.git;touch${IFS}/tmp/x"}, "amy:appRepository must be an https://"),
        ({**LEGACY, "appRepository": "https://github.com/x/`id`.git"}, "amy:appRepository must be an https:// URL"),
        ({**LEGACY, "appRepository": "https://github.com/x/amy.git?ref=' a"}, "amy:appRepository must be an https:// URL"),
        ({**LEGACY, "appRepository": "https://gıthub.com/x/amy.git"}, "amy:appRepository must be printable ASCII text"),
        ({**ECS, "taskCpu": 300}, "amy:taskCpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096); got 300"),
        (
            {**ECS, "taskCpu": 512, "taskMemory": 512},
            "amy:taskMemory must be one Fargate allows with 512 CPU units (1024-4096 MiB); got 512",
        ),
        ({**ECS, "minTasks": 0}, "amy:minTasks must be between 1 and 50 tasks; got 0"),
        ({**ECS, "minTasks": 4, "maxTasks": 3}, "amy:maxTasks must be at least amy:minTasks (4); got 3"),
        ({**ECS, "keepImages": 1}, "amy:keepImages must be between 5 and 1000 images; got 1"),
        ({**ECS, "maintenance": "on"}, "amy:maintenance must be true or false, got 'on'"),
    ],
)
def test_bad_web_settings_are_named_with_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
