#!/usr/bin/python3
"""What the host's scripts ask of AWS besides AMY's settings, through Ubuntu's python3-boto3 and the host's role.

    amy-aws upload FILE KEY                    copy FILE to s3://$AMY_DUMPS_BUCKET/KEY (in parts when large; the
                                               bucket encrypts)
    amy-aws put-metric NAME VALUE [--unit U]   put one value of NAME in $AMY_METRICS_NAMESPACE, which the host's
                                               alarms watch and its role allows alone

Not the AWS CLI: its snap runs under snap confinement, which needs privileges a unit with NoNewPrivileges=true
(the dump's) has dropped. The settings (AMY_DUMPS_BUCKET, AMY_METRICS_NAMESPACE, AWS_DEFAULT_REGION) come from the
environment, as the
units (EnvironmentFile=) and the scripts (`set -a; source host.env`) give them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import boto3
from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError


def upload(path: Path, key: str) -> None:
    boto3.client("s3").upload_file(str(path), os.environ["AMY_DUMPS_BUCKET"], key)


def put_metric(name: str, value: float, unit: str) -> None:
    boto3.client("cloudwatch").put_metric_data(
        Namespace=os.environ["AMY_METRICS_NAMESPACE"], MetricData=[{"MetricName": name, "Value": value, "Unit": unit}]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser("upload", help="copy a file to the dumps bucket")
    copy.add_argument("file", type=Path)
    copy.add_argument("key")
    metric = commands.add_parser("put-metric", help="put a value of one of the host's metrics")
    metric.add_argument("name")
    metric.add_argument("value", type=float)
    metric.add_argument("--unit", default="Count")
    args = parser.parse_args(argv)
    try:
        if args.command == "upload":
            upload(args.file, args.key)
        else:
            put_metric(args.name, args.value, args.unit)
    # upload_file raises boto3's S3UploadFailedError for what the API refuses.
    except (Boto3Error, BotoCoreError, ClientError) as error:
        print(f"amy-aws: {args.command} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
