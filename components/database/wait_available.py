"""Wait, bounded, until the database can be snapshotted, and fail unless it can.

`pulumi up` runs this before each release's snapshot (see `Database` beside it), with its settings in the
environment: AWS_REGION, AMY_DB_INSTANCE (the RDS identifier), AMY_DB_BACKUP_WINDOW (the stack's daily RDS
backup window, hh:mm-hh:mm UTC) and AMY_AWS_BACKUP_START (the daily window AWS Backup starts its job in).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import boto3

# CreateDBSnapshot takes a snapshot only of an instance that is `available` or `storage-optimization` (the
# latter can last a day after storage autoscaling grows the volume); while it is `backing-up`, modifying or
# anything else, it answers InvalidDBInstanceState.
SNAPSHOT_READY = frozenset({"available", "storage-optimization"})
# A daily backup of AMY's database takes minutes; an hour outlasts one that started just before the release.
WAIT_SECONDS = 60 * 60
POLL_SECONDS = 30


def status(rds: Any, identifier: str) -> str:
    [instance] = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
    return instance["DBInstanceStatus"]


def main(environ: Mapping[str, str] = os.environ, sleep: Callable[[float], None] = time.sleep) -> int:
    rds = boto3.client("rds", region_name=environ["AWS_REGION"])
    identifier = environ["AMY_DB_INSTANCE"]
    state, waited = status(rds, identifier), 0
    while state not in SNAPSHOT_READY and waited < WAIT_SECONDS:
        print(f"wait-available: {identifier} is {state}; checking again in {POLL_SECONDS} s")
        sleep(POLL_SECONDS)
        waited += POLL_SECONDS
        state = status(rds, identifier)
    if state in SNAPSHOT_READY:
        print(f"wait-available: {identifier} is {state}; the release snapshot can be taken")
        return 0
    print(
        f"wait-available: {identifier} is still {state} after {WAIT_SECONDS // 60} minutes, so no release snapshot "
        f"can be taken. RDS backs it up daily in {environ['AMY_DB_BACKUP_WINDOW']} UTC and AWS Backup starts its job "
        f"in {environ['AMY_AWS_BACKUP_START']} UTC; release outside those windows, or find out why it is {state} "
        f"(`aws rds describe-events --source-identifier {identifier} --source-type db-instance`), then `pulumi up` again",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
