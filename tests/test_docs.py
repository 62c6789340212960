"""The README links every runbook, every link it makes to the repository resolves, and runbooks fit the program."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.stacks import STACKS, config_of, planned
from tooling.harness import ROOT


def test_every_runbook_is_linked_and_every_link_resolves() -> None:
    readme = (ROOT / "README.md").read_text()
    links = set(re.findall(r"\]\(((?!https?://)[^)#]+)(?:#[^)]*)?\)", readme))
    assert {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")} <= links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_runbooks_link_each_other_correctly() -> None:
    for page in (ROOT / "docs").glob("*.md"):
        for link in re.findall(r"\]\(((?!https?://)[^)#]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / link).exists(), f"{page.name} links {link}"


def swap_commands(stack: str) -> list[list[str]]:
    """The shell commands of the runbook's database swap for `stack`, split into words, with `$STACK` and the
    variables the runbook assigns expanded."""
    runbook = (ROOT / "docs" / "runbooks.md").read_text()
    section = runbook.split("### Swapping the restored database in", 1)[1].split("\n## ", 1)[0]
    lines: list[str] = []
    for line in (line.strip() for line in section.splitlines() if line.startswith("       ")):
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    variables = {"STACK": stack}
    commands = []
    for line in lines:
        escaped = line.replace("\\$", "\0")
        words = [word.replace("\0", "$") for word in shlex.split(re.sub(r"\$(\w+)", lambda m: variables[m[1]], escaped))]
        if len(words) == 1 and (assignment := re.fullmatch(r"(\w+)=(.*)", words[0])):
            variables[assignment[1]] = assignment[2]
        commands.append(words)
    return commands


def top_level(urn: str) -> str:
    """A URN as the CLI writes it: a resource whose parent is the stack has no parent type in its URN, while the
    harness's mock monitor records the stack as the parent type of top-level resources."""
    return urn.replace("pulumi:pulumi:Stack$", "")


@pytest.mark.parametrize("stack", STACKS)
def test_the_database_swap_hands_the_program_over_in_the_state_not_by_refresh(stack: str) -> None:
    """Since Terraform AWS provider v5 an aws_db_instance's id is its DbiResourceId, which a rename keeps, so
    `pulumi refresh` would follow the instance renamed away. The runbook moves that one aside in the state, imports
    the restored one under the program's own URN by its identifier (as the provider's import docs say), and drops
    the old one from the state once `pulumi up` has left it alone."""
    instance = planned(stack).one("aws:rds/instance:Instance")
    pulumi = [words[1:] for words in swap_commands(stack) if words[0] == "pulumi"]
    assert not [words for words in pulumi if words[0] == "refresh"]
    [(renamed, aside)] = [words[2:] for words in pulumi if words[:2] == ["state", "rename"]]
    assert renamed == instance.urn
    old = f"{instance.urn.rsplit('::', 1)[0]}::{aside}"
    [imported] = [words[1:] for words in pulumi if words[0] == "import"]
    assert imported[:3] == ["aws:rds/instance:Instance", instance.name, config_of(stack).database.identifier]
    assert imported[imported.index("--parent") + 1].split("=", 1)[1] == top_level(instance.parent)
    assert imported[imported.index("--provider") + 1].split("=", 1)[1] == top_level(instance.provider_urn)
    assert "--generate-code=false" in imported
    assert ["up", "--exclude", old] in pulumi
    assert pulumi[-1] == ["state", "delete", "--force", old]
