"""Audit: what the stack records of the account beyond its own logs, where the account records nothing else."""

from __future__ import annotations

from stack_config.reader import Reader

KEYS = {"cloudTrail": "boolean", "sessionManagerPreferences": "boolean"}


def cloud_trail(reader: Reader) -> bool | None:
    """Whether the stack makes the account's CloudTrail trail: only where the account has none (one stack per
    account sets it; a second trail would record every management event again, and be charged for it)."""
    return reader.boolean("cloudTrail")


def session_manager_preferences(reader: Reader) -> bool | None:
    """Whether a `legacy` stack sets the region's Session Manager preferences (the account-wide document
    SSM-SessionManagerRunShell), so every shell on its host is logged: one stack per account and region does."""
    return reader.boolean("sessionManagerPreferences")
