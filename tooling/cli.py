"""`bin/plan`'s entry point: what comes before the plan's own imports.

The policy pack's process starts first, so that its start-up (a fifth of a second) runs on the other core while this
one imports the plan, and pulumi-aws's lazy loading (tooling/lazy_sdk.py) is installed before anything imports
pulumi_aws. `python -m tooling.plan` comes here too.
"""

from __future__ import annotations

import gc
import sys

from tooling import lazy_sdk, pack_process


def main(argv: list[str] | None = None) -> int:
    # A short run: the cyclic collector, during the run and once more at exit, would only re-scan the SDK's many
    # thousand classes, a third of the time.
    gc.disable()
    pack = pack_process.start()
    try:
        lazy_sdk.install()
        from tooling import plan  # noqa: PLC0415 - after the pack has started and the finder is in place

        status = plan.main(argv, pack=pack)
    finally:
        # The plan stops the pack when it is done with it; not when it stops before (a usage error, say).
        if pack.poll() is None:
            pack.kill()
        pack.wait()
    gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(main())
