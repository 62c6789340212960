"""Audit: whether a stack makes the account's CloudTrail trail, and that no two stacks of the account do."""

from __future__ import annotations

import pytest

from stack_config import StackConfig
from tests.stack_config.support import declared, loaded, problems
from tests.stacks import STACKS, config_of


def test_each_stack_makes_a_trail_as_its_stack_file_says(stack: str, stack_config: StackConfig) -> None:
    assert stack_config.cloud_trail is declared(stack, "cloudTrail")


def test_no_trail_unless_asked() -> None:
    """Pulumi.yaml's default: an account's trail is made only where a stack says the account has none."""
    assert loaded().cloud_trail is False
    assert loaded(cloudTrail=True).cloud_trail is True


def test_at_most_one_committed_stack_makes_the_accounts_trail() -> None:
    """All stacks share one account: a second trail would record every management event again, and be charged."""
    assert len([stack for stack in STACKS if config_of(stack).cloud_trail]) <= 1


@pytest.mark.parametrize("value", ["maybe", "yes", "1"])
def test_a_cloud_trail_that_is_not_a_boolean_is_refused(value: str) -> None:
    assert f"amy:cloudTrail must be true or false, got {value!r}" in problems(cloudTrail=value)


def test_a_legacy_stack_keeps_the_session_preferences_unless_told_not_to() -> None:
    """Pulumi.yaml's default: the host's sessions are logged; a second legacy stack in the account sets it false."""
    assert loaded(layout="legacy").session_preferences is True
    assert loaded(layout="legacy", sessionManagerPreferences=False).session_preferences is False


@pytest.mark.parametrize("value", ["on", "yes", "1"])
def test_session_preferences_that_are_not_a_boolean_are_refused(value: str) -> None:
    assert f"amy:sessionManagerPreferences must be true or false, got {value!r}" in problems(sessionManagerPreferences=value)
