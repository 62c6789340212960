"""The difference between two offline plans of a stack, read the way `pulumi preview --diff` reads.

Resources are matched by URN. A changed input replaces the resource when the provider says so: the table in
`tooling/data/aws-replacements.json` (the Terraform AWS provider's ForceNew inputs, which pulumi-aws bridges;
its `_about` says how it was read) or the resource's own `replaceOnChanges` option. A replace or delete of what
holds data, or of anything protected, is data at risk.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

REPLACEMENTS = Path(__file__).parent / "data" / "aws-replacements.json"
# What losing costs data or the stack's identity, beyond anything the stack protects: its replace or delete is
# data at risk whatever the options say.
HOLDS_DATA = {
    "aws:rds/instance:Instance": "the database and its automated backups",
    "aws:backup/vault:Vault": "the backup vault and its recovery points",
    "aws:backup/plan:Plan": "the backup plan: no recovery points are taken while it is gone",
    "aws:backup/selection:Selection": "the database's place in the backup plan",
    "aws:kms/key:Key": "the key the backups and dumps are encrypted with",
    "aws:cloudwatch/logGroup:LogGroup": "the log group and its events",
    "aws:cloudfront/distribution:Distribution": "the CDN and the name it answers on",
    "aws:acm/certificate:Certificate": "a certificate in use",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "the lock that keeps recovery points from deletion",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "the lock that keeps dumps from deletion",
    "aws:cloudtrail/trail:Trail": "the account's CloudTrail trail: no API call is recorded while it is gone",
}
DUMPS_TAG = ("Purpose", "database-dumps")
# Custom types the AWS table cannot know, with what replaces them.
OTHER_PROVIDERS: dict[str, tuple[str, ...]] = {
    # pulumi-command: `triggers` is its replace-on-change input ("Trigger replacements on changes to this input").
    "command:local:Command": ("triggers",),
    # A provider in another region is another provider, and replaces what it manages.
    "pulumi:providers:aws": ("region",),
}
SECRET = "[secret]"
MISSING = object()


@dataclass(frozen=True)
class InputChange:
    path: str
    old: Any
    new: Any
    # Whether this change alone replaces the resource.
    replaces: bool


@dataclass(frozen=True)
class Change:
    kind: str  # create, delete, update, replace
    urn: str
    type: str
    name: str
    inputs: tuple[InputChange, ...] = ()
    # Why the change puts data at risk; empty when it does not.
    risk: str = ""

    @property
    def symbol(self) -> str:
        return {"create": "+", "delete": "-", "update": "~", "replace": "+-"}[self.kind]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "inputs": [{"path": c.path, "old": _json(c.old), "new": _json(c.new), "replaces": c.replaces} for c in self.inputs],
            "dataAtRisk": self.risk or None,
        }


@dataclass
class Review:
    stack: str
    against: str
    changes: list[Change] = field(default_factory=list)

    @property
    def at_risk(self) -> list[Change]:
        return [change for change in self.changes if change.risk]

    def counts(self) -> dict[str, int]:
        kinds = ("create", "update", "replace", "delete")
        return {kind: sum(change.kind == kind for change in self.changes) for kind in kinds}

    def lines(self) -> list[str]:
        counts = self.counts()
        summary = ", ".join(f"{counts[kind]} to {kind}" for kind in ("create", "update", "replace", "delete"))
        lines = [f"Review of stack {self.stack} against {self.against}: {summary}"]
        if not self.changes:
            lines.append("  no changes")
        for change in self.changes:
            forced = [c.path for c in change.inputs if c.replaces]
            cause = f" (forced by {', '.join(forced)})" if forced else ""
            lines.append(f" {change.symbol:>2} {change.type} {change.name}{cause}")
            if change.risk:
                lines.append(f"      DATA AT RISK: {change.risk}")
            lines += [f"      {'±' if c.replaces else '~'} {c.path}: {_shown(c.old)} → {_shown(c.new)}" for c in change.inputs]
        if self.at_risk:
            lines.append(f"{len(self.at_risk)} change(s) put data at risk")
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "against": self.against,
            "counts": self.counts(),
            "changes": [change.as_json() for change in self.changes],
        }


@cache
def replacements() -> dict[str, Any]:
    return json.loads(REPLACEMENTS.read_text())


def review(stack: str, against: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Review:
    """What applying `after` to a stack in the state `before` would do; both are plans as `bin/plan --json` writes."""
    old = {resource["urn"]: resource for resource in before["resources"]}
    new = {resource["urn"]: resource for resource in after["resources"]}
    changes: dict[str, Change] = {}
    for urn in sorted(old.keys() | new.keys()):
        if urn not in old:
            changes[urn] = Change("create", urn, new[urn]["type"], new[urn]["name"])
        elif urn not in new:
            changes[urn] = Change("delete", urn, old[urn]["type"], old[urn]["name"])
        elif (change := _compare(old[urn], new[urn])) is not None:
            changes[urn] = change
    # A provider whose region changes is a new provider: every resource it manages is made anew in the new region.
    moved = {urn for urn, change in changes.items() if change.type.startswith("pulumi:providers:") and change.kind == "replace"}
    for urn, resource in new.items():
        if urn in old and resource.get("provider") in moved and changes.get(urn, Change("update", urn, "", "")).kind == "update":
            inherited = (*changes[urn].inputs,) if urn in changes else ()
            provider = InputChange("(provider)", resource["provider"].rsplit("::", 1)[-1], "region changed", True)
            changes[urn] = Change("replace", urn, resource["type"], resource["name"], (*inherited, provider))
    result = Review(stack, against)
    result.changes = [_risky(change, old.get(urn, {})) for urn, change in sorted(changes.items())]
    return result


def _compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Change | None:
    if not new.get("custom", True):
        # A component is a grouping; its children carry the changes (awsx's remote components included).
        return None
    secret = set(old.get("secretInputs", ())) | set(new.get("secretInputs", ()))
    forcing = _forcing_paths(new["type"], new["options"].get("replaceOnChanges", ()))
    ignored = set(new["options"].get("ignoreChanges", ()))
    changes = []
    for path, before, after in _differences(old["inputs"], new["inputs"]):
        top = path.split(".", 1)[0].split("[", 1)[0].split("#", 1)[0]
        if top in ignored:
            continue
        general = _general(path)
        replaces = any(general == forced or general.startswith(forced + ".") for forced in forcing)
        shown_before, shown_after = (_masked(before), _masked(after)) if top in secret else (before, after)
        changes.append(InputChange(path, shown_before, shown_after, replaces))
    if not changes:
        return None
    kind = "replace" if any(change.replaces for change in changes) else "update"
    return Change(kind, new["urn"], new["type"], new["name"], tuple(changes))


def _forcing_paths(type_: str, option: Any) -> set[str]:
    """Input paths (array indices dropped) whose change replaces a resource of `type_`."""
    if type_ in OTHER_PROVIDERS:
        forced: tuple[str, ...] = OTHER_PROVIDERS[type_]
    elif (entry := replacements().get(type_)) is not None:
        forced = tuple(entry["replaceOnChange"])
    else:
        raise KeyError(f"{type_} is not in {REPLACEMENTS.name}: add it from the provider's schema before using it")
    return {*forced, *(path.replace("[*]", "") for path in option)}


def _masked(value: Any) -> Any:
    return MISSING if value is MISSING else SECRET


def _risky(change: Change, old: Mapping[str, Any]) -> Change:
    if change.kind not in ("replace", "delete"):
        return change
    reasons = []
    if change.type in HOLDS_DATA:
        reasons.append(HOLDS_DATA[change.type])
    tags = (old.get("inputs") or {}).get("tags") or {}
    if change.type == "aws:s3/bucket:Bucket" and tags.get(DUMPS_TAG[0]) == DUMPS_TAG[1]:
        reasons.append("the bucket of the database's dumps")
    if old.get("options", {}).get("protect"):
        reasons.append("a protected resource (pulumi up refuses this until it is unprotected)")
    if not reasons:
        return change
    verb = "replacing" if change.kind == "replace" else "deleting"
    return Change(change.kind, change.urn, change.type, change.name, change.inputs, f"{verb} {'; '.join(reasons)}")


def _differences(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, str) and isinstance(new, str) and old != new and (document := _documents(old, new)):
        # A JSON document in a string (a policy, container definitions): the change inside it, after `#`.
        yield from _differences(*document, f"{path}#")
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            yield from _differences(old.get(key, MISSING), new.get(key, MISSING), f"{path}.{key}" if path else key)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (before, after) in enumerate(zip(old, new, strict=True)):
            yield from _differences(before, after, f"{path}[{index}]")
    elif old != new:
        yield path, old, new


def _documents(old: str, new: str) -> tuple[Any, Any] | None:
    if not (old[:1] in "{[" and new[:1] in "{["):
        return None
    try:
        return json.loads(old), json.loads(new)
    except json.JSONDecodeError:
        return None


def _general(path: str) -> str:
    """A path with its array indices and any document inside it dropped, as the replacement table writes paths."""
    path = path.split("#", 1)[0]
    while "[" in path:
        start = path.index("[")
        path = path[:start] + path[path.index("]", start) + 1 :]
    return path


def _shown(value: Any) -> str:
    if value is MISSING:
        return "(unset)"
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _json(value: Any) -> Any:
    return None if value is MISSING else value


def plan_at(ref: str, stack: str, root: Path, python: str) -> dict[str, Any]:
    """The offline plan of `stack` as the project was at git `ref`: a temporary worktree of it, run by the same
    virtualenv, the harness writing its registrations as `bin/plan --json` does. A stack that did not exist at
    `ref` had nothing."""
    git = ["git", "-C", str(root)]
    # A ref is never an option to git.
    found = subprocess.run(
        [*git, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if ref.startswith("-") or found.returncode != 0:
        raise ReviewError(f"--against {ref!r} is not a commit of this repository")
    commit = found.stdout.strip()
    stack_file = subprocess.run([*git, "cat-file", "-e", f"{commit}:Pulumi.{stack}.yaml"], capture_output=True, check=False)
    if stack_file.returncode != 0:
        return {"resources": []}
    with tempfile.TemporaryDirectory(prefix="amy-review-") as directory:
        worktree = Path(directory) / "tree"
        added = subprocess.run(
            [*git, "worktree", "add", "--detach", "--quiet", str(worktree), commit], capture_output=True, text=True, check=False
        )
        if added.returncode != 0:
            raise ReviewError(f"cannot check out {ref}: {added.stderr.strip()}")
        try:
            written = Path(directory) / "plan.json"
            # pulumi-aws loaded lazily by this tree's finder (tooling/lazy_sdk.py), whatever REF's tooling was: it
            # concerns the virtualenv's SDK, not the program.
            script = (
                "import importlib.util, json, sys; "
                "spec = importlib.util.spec_from_file_location('lazy_sdk', sys.argv[3]); "
                "lazy = importlib.util.module_from_spec(spec); spec.loader.exec_module(lazy); lazy.install(); "
                "from tooling.harness import run; "
                "open(sys.argv[2], 'w').write(json.dumps(run(sys.argv[1]).as_json()))"
            )
            environment = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
            result = subprocess.run(
                [python, "-c", script, stack, str(written), str(Path(__file__).with_name("lazy_sdk.py"))],
                cwd=worktree,
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                last = (result.stderr.strip().splitlines() or ["no output"])[-1]
                raise ReviewError(f"the plan of {stack} at {ref} failed: {last}")
            return json.loads(written.read_text())
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(worktree)], capture_output=True, check=False)


class ReviewError(Exception):
    """The plan to compare with could not be made."""
