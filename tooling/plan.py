"""The offline plan: what `pulumi preview` would create for a stack, with no cloud account.

    python -m tooling.plan production [--against REF] [--json PATH] [--diagram PATH.svg]

Prints the tree of components and their children (type and name), the count
of resources by type, then the policy pack's verdict. `--json` writes every
registration, sorted and stable, so two runs diff cleanly. A bad stack config,
or a mandatory policy violation, exits 1.

With `--against REF` it plans the stack at git REF too (tooling/review.py) and
prints, instead of the tree, what applying the working tree would create,
update, replace or delete; `--json` then writes that review. Data at risk exits 1.
`--diagram` draws the stack (tooling/diagram.py).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tooling import diagram
from tooling.harness import ROOT, Plan, ProgramError, Registration, known_stacks, run
from tooling.policy_check import Analysis, policy_config, policy_server
from tooling.review import Review, ReviewError, plan_at, review


def render_tree(plan: Plan) -> list[str]:
    lines = [f"pulumi:pulumi:Stack amy-{plan.stack}"]
    recorded = {r.urn for r in plan.registrations}
    # The stack resource itself is not recorded; its children are the roots.
    roots = sorted((r for r in plan.registrations if r.parent not in recorded), key=_order)

    def walk(registration: Registration, indent: str, last: bool) -> None:
        branch = "└─ " if last else "├─ "
        flags = " [protected]" if registration.protect else ""
        lines.append(f"{indent}{branch}{registration.type} {registration.name}{flags}")
        children = sorted(plan.children(registration.urn), key=_order)
        for index, child in enumerate(children):
            walk(child, indent + ("   " if last else "│  "), index == len(children) - 1)

    for index, root in enumerate(roots):
        walk(root, "", index == len(roots) - 1)
    return lines


def _order(registration: Registration) -> tuple[bool, str, str]:
    # Components first, then resources, each by name.
    return (registration.custom, registration.name, registration.type)


def render_counts(plan: Plan) -> list[str]:
    counts = Counter(r.type for r in plan.registrations)
    width = max(len(type_) for type_ in counts)
    lines = [f"{type_:<{width}}  {count:>3}" for type_, count in sorted(counts.items())]
    lines.append(f"{'total':<{width}}  {sum(counts.values()):>3}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plan", description="Offline plan of a stack of AMY's infrastructure.")
    parser.add_argument("stack", choices=known_stacks())
    parser.add_argument(
        "--against",
        metavar="REF",
        help="review the change from the stack at git REF to the working tree; data at risk exits 1",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every registration (with --against: the review) to PATH")
    parser.add_argument("--diagram", type=Path, metavar="PATH.svg", help="draw the stack's architecture to PATH.svg")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as running:
        before: Future[dict[str, Any]] | None = None
        change: Review | None = None
        if args.against:
            # The plan at REF runs in its own process on the other core while this one plans the working tree.
            executor = running.enter_context(ThreadPoolExecutor(1))
            before = executor.submit(plan_at, args.against, args.stack, ROOT, sys.executable)
        # The pack starts in its own process and analyzes resources while the program runs.
        server = running.enter_context(policy_server())
        analysis = Analysis(server, args.stack, policy_config(args.stack))
        try:
            plan = run(args.stack, on_register=analysis.register)
        except ProgramError as error:
            analysis.close()
            print(f"error: {error}", file=sys.stderr)
            return 1
        written = plan.as_json()
        if before is None:
            print(f"Offline plan of stack {args.stack}: {len(plan.registrations)} resources to create\n")
            print("\n".join(render_tree(plan)))
            print("\nResources by type:")
            print("\n".join(render_counts(plan)))
        else:
            try:
                change = review(args.stack, args.against, before.result(), json.loads(json.dumps(written)))
            except ReviewError as error:
                analysis.close()
                print(f"error: {error}", file=sys.stderr)
                return 1
            print("\n".join(change.lines()))
            written = change.as_json()
        if args.json:
            args.json.write_text(json.dumps(written, indent=2, sort_keys=True) + "\n")
            print(f"\nWrote the {'review' if before else 'registrations'} to {args.json}")
        if args.diagram:
            args.diagram.write_text(diagram.render(plan))
            print(f"\nDrew the stack to {args.diagram}")
        verdict = analysis.verdict(plan)
    print(f"\nPolicies (policies/{args.stack}.json):")
    print("\n".join(verdict.lines()))
    return 1 if verdict.mandatory or (change is not None and change.at_risk) else 0


if __name__ == "__main__":
    # A short run: the cyclic collector, during the run and once more at exit,
    # would only re-scan the SDK's many thousand classes, a third of the time.
    gc.disable()
    status = main()
    gc.freeze()
    sys.exit(status)
