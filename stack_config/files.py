"""The project and stack files as the Pulumi CLI reads them, checked before any value is: a file that is not a
mapping, YAML the CLI would refuse or read otherwise, duplicate keys, misspelt sections and namespaces, values of
the wrong shape, and `secure:` values where no secret belongs. Problems are collected, never raised one by one."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from stack_config.reader import NAMESPACE, shown

# What a stack file may hold at its top level (Pulumi's stack settings: config, its secrets provider, and ESC
# environments); anything else is a typo the CLI would ignore or refuse.
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
# Config namespaces a stack may use: the project's own, and the engine's (`pulumi:disable-default-providers`).
NAMESPACES = (NAMESPACE, "pulumi")
# Keys of this project that hold secrets, given with `pulumi config set --secret`; today none does.
SECRET_KEYS: frozenset[str] = frozenset()
# YAML 1.2's core schema, which the CLI's parser follows: only true and false are booleans (`yes` is a string),
# integers are decimal (no octal `010`, no sexagesimal `1:30`).
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader reading YAML 1.2's core schema, that refuses a key given twice (the CLI's parser does; PyYAML
    would silently keep the last value)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, pattern) for tag, pattern in resolvers if not tag.endswith((":bool", ":int"))]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.MarkedYAMLError(
                    problem=f"key {key!r} appears twice (lines {seen[key]} and {line}); the last would win silently",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
# Decimal, as YAML 1.2 reads `010`; PyYAML's constructor would read it as octal 8.
_Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node), 10))


@dataclass
class StackFile:
    """A stack file's config as the CLI hands it to the program: strings, JSON for arrays."""

    values: dict[str, str] = field(default_factory=dict)
    # Keys given as `secure:` values.
    secret_keys: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Whether its `config:` section could be read at all; if not, its problems are the only ones worth reading.
    readable: bool = False


def parse_yaml(path: Path, problems: list[str]) -> Any:
    """The file's YAML, or None with a problem naming the line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        problems.append(f"{path.name} does not exist")
    except UnicodeDecodeError as error:
        problems.append(f"{path.name} is not UTF-8 text ({error.reason} at byte {error.start})")
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        hint = "; YAML indents with spaces only" if "tab character" in str(error.problem) else ""
        problems.append(f"{path.name}{where}: {', '.join(filter(None, (error.context, error.problem)))}{hint}")
    except yaml.YAMLError as error:
        problems.append(f"{path.name}: {error}")
    return None


def encode(value: Any) -> str:
    """A stack-file value as the CLI hands it to the program: a string, JSON for structures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def read_project(root: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Pulumi.yaml's config declarations, by key without namespace."""
    problems: list[str] = []
    project = parse_yaml(root / "Pulumi.yaml", problems)
    if problems:
        return {}, problems
    if not isinstance(project, dict) or project.get("name") != NAMESPACE:
        return {}, [f"Pulumi.yaml must declare the project `name: {NAMESPACE}`"]
    declared = project.get("config") or {}
    if not isinstance(declared, dict) or not all(isinstance(spec, dict) and "type" in spec for spec in declared.values()):
        return {}, ["Pulumi.yaml's config must declare each key with its type"]
    return declared, []


def defaults(declared: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Pulumi.yaml's defaults, as full keys."""
    return {f"{NAMESPACE}:{key}": encode(spec["default"]) for key, spec in declared.items() if "default" in spec}


def read_stack(root: Path, stack: str, declared: Mapping[str, Mapping[str, Any]]) -> StackFile:
    """What Pulumi.<stack>.yaml sets, checked against the keys Pulumi.yaml declares."""
    result = StackFile()
    name = f"Pulumi.{stack}.yaml"
    document = parse_yaml(root / name, result.problems)
    if result.problems:
        return result
    if document is None:
        result.problems.append(f"{name} is empty; it needs a `config:` section")
        return result
    if not isinstance(document, dict):
        result.problems.append(f"{name} must be a mapping with a `config:` section; got {_kind(document)}")
        return result
    for key in document:
        if key not in STACK_FILE_KEYS:
            result.problems.append(f"{name} has the top-level key {shown(str(key))}{_did_you_mean(str(key), STACK_FILE_KEYS)}")
    config = document.get("config")
    if config is None:
        result.problems.append(f"{name} has no `config:` section")
        return result
    if not isinstance(config, dict):
        result.problems.append(f"{name}'s `config:` must be a mapping of keys to values; got {_kind(config)}")
        return result
    result.readable = True
    for key, value in config.items():
        _read_value(result, name, str(key), value, declared)
    return result


def _read_value(result: StackFile, name: str, key: str, value: Any, declared: Mapping[str, Mapping[str, Any]]) -> None:
    namespace, colon, bare = key.partition(":")
    if not colon:
        result.problems.append(
            f"{name}: key {shown(key)} has no namespace; write {NAMESPACE}:{key} (the Pulumi CLI refuses unprefixed keys)"
        )
        return
    if namespace not in NAMESPACES:
        known = [f"{NAMESPACE}:{bare}"] if bare in declared else []
        hint = f"; did you mean {known[0]}?" if known else f"; this project reads {' and '.join(NAMESPACES)} keys only"
        result.problems.append(f"{name}: key {shown(key)} is in no namespace this program reads{hint}")
        return
    secure = isinstance(value, dict) and set(value) == {"secure"}
    if secure and key not in SECRET_KEYS:
        result.problems.append(
            f"{key} is given as a secret (secure:), but it is not one: the program would use it as plain text and "
            "Pulumi would keep it unencrypted in the state; set it in plain text"
        )
        return
    if not secure and key in SECRET_KEYS:
        result.problems.append(f"{key} is a secret: set it with `pulumi config set --secret {bare} …`, never in plain text")
        return
    if secure:
        result.secret_keys.append(key)
        result.values[key] = "[secret]"
        return
    if namespace == NAMESPACE and bare in declared:
        expected = declared[bare]["type"]
        if expected == "array":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                result.problems.append(f"{key} must be a list of strings; got {_kind(value)}")
                return
        elif isinstance(value, (list, dict)):
            result.problems.append(f"{key} must be a single {expected}; got {_kind(value)}")
            return
    result.values[key] = encode(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the value {shown(encode(value))}"


def _did_you_mean(word: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean {close[0]}?" if close else f"; a stack file holds {', '.join(known)}"
