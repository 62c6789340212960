"""docs/fsbp-controls.md maps each FSBP control to policies that exist, or to a reason; every policy is in it."""

from __future__ import annotations

import re

from tests.policies.pack import POLICIES
from tooling.harness import ROOT

TABLE = ROOT / "docs" / "fsbp-controls.md"
CONTROL_ROW = re.compile(r"^\| [A-Za-z0-9]+\.\d+ \|")
NAME = re.compile(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`")


def control_rows() -> dict[str, list[str]]:
    """Each control's row: what it asks, checkov, policy, why no policy or notes."""
    rows: dict[str, list[str]] = {}
    for line in TABLE.read_text().splitlines():
        if CONTROL_ROW.match(line):
            control, *cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert control not in rows, f"{control} is in the table twice"
            rows[control] = cells
    return rows


def named_policies(cell: str) -> list[str]:
    return NAME.findall(cell)


def test_every_control_has_a_policy_or_a_reason() -> None:
    rows = control_rows()
    assert len(rows) >= 100
    for control, (asks, checkov, policy, reason) in rows.items():
        assert asks and checkov, control
        assert named_policies(policy) or (policy == "—" and reason), f"{control} names no policy and gives no reason"


def test_the_table_names_only_policies_of_the_pack() -> None:
    named = {name for _asks, _checkov, policy, _reason in control_rows().values() for name in named_policies(policy)}
    beyond = set(re.findall(r"^\| `([a-z0-9-]+)` \|", TABLE.read_text(), re.MULTILINE))
    assert (named | beyond) - set(POLICIES) == set()


def test_every_policy_of_the_pack_is_in_the_table() -> None:
    assert set(POLICIES) - set(NAME.findall(TABLE.read_text())) == set()
