"""Reading raw config strings: every problem collected, each naming its key and what is allowed."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import TypeVar, cast

NAMESPACE = "amy"
# The shortest retention of anything kept for recovery: backups, dumps, logs.
MIN_RETENTION_DAYS = 7
# Patterns are matched whole (fullmatch: `$` alone would let a trailing newline through) and spelled in ASCII
# classes (`\d`, `\s` and `\w` match far more in Unicode). Values that reach the host's shell, nginx or its pages
# (an e-mail, a URL, a DNS name) allow no shell metacharacter: no quote, `$`, backtick, `;`, `&`, `|`, space or
# parenthesis.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# A host name or address, an optional port, and a path of unreserved characters (RFC 3986): no query, no fragment.
HTTPS_URL = re.compile(r"https://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?")
DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")

# No setting takes more; a longer value is refused before anything reads it.
MAX_VALUE_LENGTH = 1024
# A refusal fits one screen.
MAX_PROBLEMS_SHOWN = 25
# How much of a refused value a problem quotes.
SHOWN_LENGTH = 60
# Integers as the CLI writes them: ASCII digits only (Python's int() also takes other scripts' digits).
INTEGER = re.compile(r"[-+]?[0-9]{1,12}")
# Every setting is printable ASCII: names, ids, addresses, windows, versions. Nothing invisible or lookalike.
PRINTABLE = re.compile(r"[\x20-\x7e]*")

T = TypeVar("T")


def shown(value: str) -> str:
    """A value quoted for a message, cut to a readable length."""
    if len(value) <= SHOWN_LENGTH:
        return repr(value)
    return f"{value[:SHOWN_LENGTH]!r}… ({len(value)} characters)"


class StackConfigError(Exception):
    """The stack configuration has problems; `problems` lists each one."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        self.stack = stack
        self.problems = problems
        # One screen: the first problems in full, the count of the rest.
        lines = [f"  - {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"  … and {len(problems) - MAX_PROBLEMS_SHOWN} more; fix these first")
        super().__init__(f"stack {stack!r}: {len(problems)} configuration problem(s):\n" + "\n".join(lines))


class Reader:
    """Parses raw config strings, collecting every problem instead of stopping at the first."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw
        self.problems: list[str] = []
        # Keys whose value was refused as text, so no later check reads or repeats it.
        self._refused: set[str] = set()

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{NAMESPACE}:{key} {message}")

    def optional(self, key: str) -> str | None:
        """A key that may be unset, as its raw string; None also for a value refused as text."""
        value = self.raw.get(f"{NAMESPACE}:{key}")
        if value is None or key in self._refused:
            return None
        if len(value) > MAX_VALUE_LENGTH:
            self._refuse(key, f"is {len(value)} characters long; no setting takes more than {MAX_VALUE_LENGTH}")
            return None
        if not PRINTABLE.fullmatch(value):
            position, character = next((i, c) for i, c in enumerate(value) if not PRINTABLE.fullmatch(c))
            name = unicodedata.name(character, f"U+{ord(character):04X}")
            self._refuse(
                key, f"must be printable ASCII text; got {shown(value)}, with {name} (U+{ord(character):04X}) at {position}"
            )
            return None
        return value

    def _refuse(self, key: str, message: str) -> None:
        self.problem(key, message)
        self._refused.add(key)

    def _get(self, key: str, parse: Callable[[str], T], kind: str) -> T | None:
        value = self.optional(key)
        if value is None:
            if key not in self._refused:
                self.problem(key, f"is required ({kind}); set it with `pulumi config set {key} …`")
            return None
        try:
            return parse(value)
        except ValueError:
            self.problem(key, f"must be {kind}, got {shown(value)}")
            return None

    def string(self, key: str) -> str | None:
        return self._get(key, str, "a string")

    def integer(self, key: str) -> int | None:
        return self._get(key, _parse_int, "an integer")

    def boolean(self, key: str) -> bool | None:
        return self._get(key, _parse_bool, "true or false")

    def string_list(self, key: str) -> tuple[str, ...] | None:
        if self.optional(key) is None:
            return None
        return self._get(key, _parse_string_list, "a list of strings")

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.string(key)
        if value is None:
            return None
        if value not in allowed:
            self.problem(key, f"must be one of {', '.join(allowed)}; got {shown(value)}")
            return None
        return value

    def bounded(self, key: str, low: int, high: int, unit: str = "") -> int | None:
        value = self.integer(key)
        if value is None:
            return None
        if not low <= value <= high:
            self.problem(key, f"must be between {low} and {high}{unit}; got {value}")
            return None
        return value

    def matching(self, key: str, pattern: re.Pattern[str], what: str, *, required: bool = True) -> str | None:
        """A string that must match `pattern`; `what` says what is allowed, with an example."""
        value = self.string(key) if required else self.optional(key)
        if value is not None and not pattern.fullmatch(value):
            self.problem(key, f"must be {what}; got {shown(value)}")
            return None
        return value

    def email(self, key: str, purpose: str, *, required: bool = True) -> str | None:
        return self.matching(key, EMAIL, f"an e-mail address {purpose}", required=required)

    def https_url(self, key: str) -> str | None:
        return self.matching(key, HTTPS_URL, "an https:// URL")


def _parse_int(value: str) -> int:
    if not INTEGER.fullmatch(value):
        raise ValueError(value)
    return int(value)


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(value)
    return lowered == "true"


def _parse_string_list(value: str) -> tuple[str, ...]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(value) from error
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        raise ValueError(value)
    return tuple(cast(list[str], parsed))


def is_domain(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(DOMAIN_LABEL.fullmatch(label) for label in labels)
