"""The architecture drawn from a stack's registrations: what it shows, and that the README's pictures are current."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.system import require
from tooling import diagram
from tooling import plan as plan_command
from tooling.harness import ROOT, Plan

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def drawings(stack_plan: Plan) -> dict[str, str]:
    """Each drawn node's label (its lines joined by spaces) by graphviz's name for it."""
    require("dot")
    root = ElementTree.fromstring(diagram.render(stack_plan))
    labels: dict[str, str] = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title")
            assert title is not None and title.text
            labels[title.text] = " ".join(text.text or "" for text in group.iter(f"{SVG}text"))
    return labels


def edges(plan: Plan) -> set[tuple[str, str, str]]:
    """(source label, target label, role) of every edge, labels as the drawing shows them."""
    nodes, by_urn = diagram._nodes(plan)  # pyright: ignore[reportPrivateUsage]
    found = diagram._edges(plan, nodes, by_urn)  # pyright: ignore[reportPrivateUsage]
    return {(nodes[a].label.split("\n")[0], nodes[b].label.split("\n")[0], role) for a, b, role in found}


def test_a_request_reaches_the_database_from_the_dns_name(stack_plan: Plan) -> None:
    drawn = edges(stack_plan)
    request = {(a, b) for a, b, role in drawn if role == diagram.REQUEST}
    front = "EC2 host" if stack_plan.of_type("aws:ec2/instance:Instance") else "ECS service"
    assert any(a.startswith("DNS record") and b in ("Elastic IP", "load balancer") for a, b in request), request
    assert (front, "PostgreSQL") in request
    assert ("CloudFront", "certificate") in request


def test_what_protects_and_watches_the_data_is_drawn(stack_plan: Plan) -> None:
    drawn = edges(stack_plan)
    assert ("backup selection", "PostgreSQL", diagram.PROTECTION) in drawn
    assert ("backup plan", "backup vault", diagram.PROTECTION) in drawn
    assert ("backup vault", "KMS key", diagram.PROTECTION) in drawn
    assert ("release snapshot", "PostgreSQL", diagram.PROTECTION) in drawn
    assert ("event rule", "SNS topic", diagram.WATCH) in drawn
    assert any(a.startswith("alarm") and b == "SNS topic" for a, b, _ in drawn)


def test_components_are_groups_and_gathered_kinds_are_counted(stack_plan: Plan, drawings: dict[str, str]) -> None:
    _, texts = diagram.structure(diagram.render(stack_plan))
    assert f"Database amy-{stack_plan.stack}-db" in texts
    log_groups = len(stack_plan.of_type("aws:cloudwatch/logGroup:LogGroup"))
    counted = [label for label in drawings.values() if label == "log group" or label.startswith("log groups ×")]
    assert sum(int(label.rsplit("×", 1)[1]) if "×" in label else 1 for label in counted) == log_groups


def test_what_lives_in_another_region_says_where(stack_plan: Plan, drawings: dict[str, str]) -> None:
    providers = {p.name: p.inputs["region"] for p in stack_plan.of_type("pulumi:providers:aws")}
    elsewhere = {region for name, region in providers.items() if name not in ("aws", "aws-us-east-1")}
    for region in elsewhere:
        assert any(label.startswith("backup vault") and f"({region})" in label for label in drawings.values())
    # CloudFront and its certificate are made in us-east-1 but serve the stack wherever it is.
    assert not any("(us-east-1)" in label for label in drawings.values())


def test_edges_follow_the_registrations_not_a_list(stack_plan: Plan) -> None:
    """Take away what a backup selection names and its edge to the database goes with it."""
    selections = {r.urn for r in stack_plan.of_type("aws:backup/selection:Selection")}
    cut = [
        dataclasses.replace(r, inputs={**r.inputs, "resources": []}, dependencies=()) if r.urn in selections else r
        for r in stack_plan.registrations
    ]
    assert ("backup selection", "PostgreSQL", diagram.PROTECTION) in edges(stack_plan)
    changed = dataclasses.replace(stack_plan, registrations=cut)
    assert ("backup selection", "PostgreSQL", diagram.PROTECTION) not in edges(changed)


def test_the_committed_pictures_are_current(stack_plan: Plan) -> None:
    """README shows docs/diagrams/<stack>.svg; its nodes, edges and labels must be what the plan draws now.
    Compared by what the drawing says, not by its layout, which differs between graphviz versions."""
    require("dot")
    committed = ROOT / "docs" / "diagrams" / f"{stack_plan.stack}.svg"
    assert committed.exists(), f"run bin/plan {stack_plan.stack} --diagram {committed.relative_to(ROOT)}"
    assert diagram.structure(committed.read_text()) == diagram.structure(diagram.render(stack_plan)), (
        f"{committed.relative_to(ROOT)} is stale: run bin/plan {stack_plan.stack} --diagram {committed.relative_to(ROOT)}"
    )
    assert f"docs/diagrams/{stack_plan.stack}.svg" in (ROOT / "README.md").read_text()


def test_bin_plan_draws_the_stack(stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require("dot")
    drawn = tmp_path / f"{stack}.svg"
    status = plan_command.main([stack, "--diagram", str(drawn)])
    out = capsys.readouterr().out
    assert f"Drew the stack to {drawn}" in out
    assert status == (0 if ", 0 mandatory and " in out else 1)
    titles, texts = diagram.structure(drawn.read_text())
    assert f"stack {stack}" in texts and titles
