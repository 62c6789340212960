"""AMY's settings the operators keep in Parameter Store: which optional ones exist for this stack."""

from __future__ import annotations

from stack_config.reader import Reader

# Settings AMY starts without (its settings module gives each a default); the rest it needs are required.
OPTIONAL_SETTINGS = (
    "AMY_RECAPTCHA_PUBLIC_KEY",
    "AMY_RECAPTCHA_PRIVATE_KEY",
    "AMY_GITHUB_API_TOKEN",
    "AMY_SERVER_EMAIL",
    "AMY_DEFAULT_FROM_EMAIL",
    "AMY_LIVE_EMAIL",
    "AMY_ADMIN_URL",
    "AMY_REPORTS_LINK",
)

KEYS = {"optionalSettings": "array"}


def optional_settings(reader: Reader) -> tuple[str, ...]:
    """The optional settings the operators have put under the stack's path. ECS refuses to start a task that
    references a parameter which does not exist, so only these are referenced."""
    declared = reader.string_list("optionalSettings") or ()
    unknown = [name for name in declared if name not in OPTIONAL_SETTINGS]
    if unknown:
        reader.problem("optionalSettings", f"may name only {', '.join(OPTIONAL_SETTINGS)}; got {', '.join(unknown)}")
    if len(set(declared)) != len(declared):
        reader.problem("optionalSettings", "names a setting twice")
    return tuple(name for name in declared if name in OPTIONAL_SETTINGS)
