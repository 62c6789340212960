"""Audit: what the stack records of the account beyond its own logs, where the account records nothing else."""

from __future__ import annotations

from stack_config.reader import Reader

KEYS = {"cloudTrail": "boolean"}


def cloud_trail(reader: Reader) -> bool | None:
    """Whether the stack makes the account's CloudTrail trail: only where the account has none (one stack per
    account sets it; a second trail would record every management event again, and be charged for it)."""
    return reader.boolean("cloudTrail")
