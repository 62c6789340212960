"""Median wall time of the offline plan per stack, and of its review against HEAD, against importing the SDKs alone.

    .venv/bin/python -m tooling.benchmark [--runs N]

Each run is a fresh process through `bin/plan`, as an operator's is. Targets on a 2-core machine: a plan with its
verdict at most 1.5 s; `--against` at most twice the plan.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from tooling.harness import ROOT, known_stacks

TARGET_SECONDS = 1.5
AGAINST_RATIO = 2.0


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        finished = subprocess.run(command, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        # 1 is a verdict (a mandatory violation, a problem in the account) after a whole run; anything else is not.
        if finished.returncode not in (0, 1):
            raise subprocess.CalledProcessError(finished.returncode, command)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmark", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    python = str(ROOT / ".venv" / "bin" / "python")
    # Untimed: the first plan after the virtualenv is made fills tooling/lazy_sdk.py's cache of pulumi-aws's code.
    for stack in known_stacks():
        subprocess.run(["bin/plan", stack], check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
    floor = median_seconds([python, "-c", "import pulumi, pulumi_aws"], args.runs)
    print(f"{'what':<32} {'median s':>9} {'× import':>9}")
    print(f"{'import pulumi, pulumi_aws':<32} {floor:>9.3f} {1:>9.2f}")
    for stack in known_stacks():
        plan = median_seconds(["bin/plan", stack], args.runs)
        verdict = "ok" if plan <= TARGET_SECONDS else f"over the {TARGET_SECONDS} s target"
        print(f"{'bin/plan ' + stack:<32} {plan:>9.3f} {plan / floor:>9.2f}  {verdict}")
        against = median_seconds(["bin/plan", stack, "--against", "HEAD"], args.runs)
        ratio = against / plan
        verdict = "ok" if ratio <= AGAINST_RATIO else f"over {AGAINST_RATIO:g}× the plan"
        label = f"bin/plan {stack} --against HEAD"
        print(f"{label:<32} {against:>9.3f} {against / floor:>9.2f}  {ratio:.2f}× the plan, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
