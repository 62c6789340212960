"""Median wall time of the offline plan per stack, against importing the SDKs alone.

    .venv/bin/python -m tooling.benchmark [--runs N]

Each run is a fresh process, as an operator's `bin/plan` is. Target: at most
1.5 s per stack on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from tooling.harness import ROOT, known_stacks

TARGET_SECONDS = 1.5


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

    baseline = median_seconds([sys.executable, "-c", "import pulumi, pulumi_aws"], args.runs)
    print(f"{'what':<28} {'median s':>9} {'× import':>9}")
    print(f"{'import pulumi, pulumi_aws':<28} {baseline:>9.3f} {1:>9.2f}")
    for stack in known_stacks():
        seconds = median_seconds([sys.executable, "-m", "tooling.plan", stack], args.runs)
        verdict = "ok" if seconds <= TARGET_SECONDS else f"over the {TARGET_SECONDS} s target"
        print(f"{'plan ' + stack:<28} {seconds:>9.3f} {seconds / baseline:>9.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
