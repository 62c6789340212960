"""The README links every runbook, and every link it makes to the repository resolves."""

from __future__ import annotations

import re

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
