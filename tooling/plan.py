"""The offline plan: what `pulumi preview` would create for a stack, with no cloud account.

    python -m tooling.plan production [--against REF] [--json PATH] [--diagram PATH.svg]

Prints the tree of components and their children (type and name), the count
of resources by type, the policy pack's verdict, then what one AWS account
holding every stack would make of it (tooling/account.py). `--json` writes
every registration, sorted and stable, so two runs diff cleanly. A bad stack
config, a mandatory policy violation or a problem in the account exits 1.

With `--against REF` it plans the stack at git REF too (tooling/review.py) and
prints, instead of the tree and the account, what applying the working tree
would create, update, replace or delete; `--json` then writes that review. Data
at risk exits 1. `--diagram` draws the stack (tooling/diagram.py).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import importlib
import json
import multiprocessing
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, TypeVar

from tooling import account
from tooling.harness import ROOT, Plan, ProgramError, Registration, known_stacks, run
from tooling.policy_check import Analysis, policy_config, policy_server
from tooling.review import Review, ReviewError, plan_at, review

T = TypeVar("T")


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


def load_program() -> None:
    """Import what the program imports, and the pulumi-aws class of every type the account model knows (the program's
    types, in every layout), which pulumi-aws loads only at first use (tooling/lazy_sdk.py): a worker forked after
    this loads none of it again, nor does this process's own plan."""
    for statement in ast.parse((ROOT / "__main__.py").read_text()).body:
        if isinstance(statement, ast.ImportFrom) and statement.module:
            importlib.import_module(statement.module)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                importlib.import_module(alias.name)
    for type_ in sorted(t for t in account.RULES if t.startswith("aws:")):
        account.sdk_class(type_)


# The parent's event loop, as the forked worker found it: kept, never closed, since closing it would unregister the
# parent's wake-up pipe from the epoll instance parent and worker share.
_inherited_loops: list[asyncio.AbstractEventLoop] = []


def _own_event_loop() -> None:
    """In the forked worker, an event loop of its own: the parent's, if it made one (as under pytest), shares its epoll
    instance and wake-up pipe with the parent, and the threads of its executor did not survive the fork."""
    policy = asyncio.get_event_loop_policy()
    _inherited_loops.append(policy.get_event_loop())
    policy.set_event_loop(policy.new_event_loop())


def _plan_variants(variants: dict[str, account.Variant]) -> dict[str, Plan]:
    _own_event_loop()
    return account.plan_variants(variants)


class Forked(Generic[T]):
    """A call run in a process forked now, on the other core; its result, or what it raised, read once.

    A fork copies only the thread that forks: every fork of a run comes before it opens its gRPC channel to the policy
    pack or starts a thread, and with a pipe rather than a multiprocessing pool, which starts threads of its own.
    """

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._results, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_result, args=(sender, function, args), daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> T:
        try:
            raised, value = self._results.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"a forked worker of bin/plan ended without a result (exit {self._process.exitcode})") from None
        if raised:
            raise value
        return value

    def close(self) -> None:
        self._results.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _send_result(sender: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result: tuple[bool, Any] = (False, function(*args))
    except BaseException as error:  # whatever it raised, raised again in the parent
        result = (True, error)
    try:
        sender.send(result)
    except Exception as error:  # a result or an exception that does not pickle
        sender.send((True, RuntimeError(f"a forked worker of bin/plan could not send {result[1]!r}: {error}")))
    sender.close()


@contextmanager
def forked(function: Callable[..., T], *args: Any) -> Iterator[Forked[T]]:
    call = Forked(function, *args)
    try:
        yield call
    finally:
        call.close()


def account_verdict(
    plan: Plan, limits: Forked[dict[account.Rule, account.Limits]], others: Forked[dict[str, Plan]]
) -> tuple[list[str], bool]:
    """The report on one account holding the stack's plan and the others, and whether it found no problem."""
    account.learn(limits.result())
    try:
        plans = {plan.stack: plan, **others.result()}
    except account.AccountError as error:
        return [f"account: cannot plan {error}"], False
    report = account.check(plans)
    return report.lines(), report.ok


def main(argv: list[str] | None = None, pack: subprocess.Popen[str] | None = None) -> int:
    """The command; `pack` is the policy pack's process if it was started already (tooling/cli.py)."""
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
        # The pack (started by bin/plan before its imports, else now) starts up on the other core while this process
        # loads the program, and analyzes resources while the program runs.
        server = running.enter_context(policy_server(pack))
        before: Future[dict[str, Any]] | None = None
        change: Review | None = None
        limits: Forked[dict[account.Rule, account.Limits]] | None = None
        others: Forked[dict[str, Plan]] | None = None
        if args.against:
            # The plan at REF runs in its own process on the other core while this one plans the working tree; the
            # account is the plain plan's to report.
            executor = running.enter_context(ThreadPoolExecutor(1))
            before = executor.submit(plan_at, args.against, args.stack, ROOT, sys.executable)
        else:
            # On the other core: botocore's limits while this process loads the program, then the other variants
            # in a worker forked once it is loaded, which loads none of it again.
            limits = running.enter_context(forked(account.read_limits))
            variants = account.variants()
            del variants[args.stack]
            load_program()
            others = running.enter_context(forked(_plan_variants, variants))
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
            from tooling import diagram  # noqa: PLC0415 - graphviz only for the plans that draw

            args.diagram.write_text(diagram.render(plan))
            print(f"\nDrew the stack to {args.diagram}")
        verdict = analysis.verdict(plan)
        account_lines, account_ok = account_verdict(plan, limits, others) if limits and others else ([], True)
    print(f"\nPolicies (policies/{args.stack}.json):")
    print("\n".join([*verdict.lines(), *account_lines]))
    return 1 if verdict.mandatory or not account_ok or (change is not None and change.at_risk) else 0


if __name__ == "__main__":
    from tooling.cli import main as run_command

    sys.exit(run_command())
