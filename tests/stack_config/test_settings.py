"""The optional AMY settings a stack declares present in Parameter Store."""

from __future__ import annotations

from stack_config import StackConfig
from stack_config.settings import OPTIONAL_SETTINGS
from tests.stack_config.support import declared, loaded, problems


def test_each_stack_declares_what_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.optional_settings == (declared(stack, "optionalSettings") or ())


def test_every_optional_setting_may_be_declared() -> None:
    assert loaded(optionalSettings=list(OPTIONAL_SETTINGS)).optional_settings == OPTIONAL_SETTINGS


def test_only_optional_settings_may_be_declared_once_each() -> None:
    assert problems(optionalSettings=["AMY_SECRET_KEY"]) == [
        f"amy:optionalSettings may name only {', '.join(OPTIONAL_SETTINGS)}; got AMY_SECRET_KEY"
    ]
    assert problems(optionalSettings=["AMY_LIVE_EMAIL", "AMY_LIVE_EMAIL"]) == ["amy:optionalSettings names a setting twice"]
    assert problems(optionalSettings="AMY_LIVE_EMAIL")[0].startswith("amy:optionalSettings must be a list of strings")
