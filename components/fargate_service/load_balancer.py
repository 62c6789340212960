"""The service's front: the Application Load Balancer, its listeners and maintenance rule, DNS, and access logs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.application import APP_PORT
from components.aws_documents import encrypt_by_default, expire_objects, lock_down, tls_only_policy
from components.fargate_service.args import FargateServiceArgs

# TLS 1.3 with TLS 1.2 fallback; nothing older.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# AMY answers /version/ before its ALLOWED_HOSTS check.
HEALTH_CHECK_PATH = "/version/"
DEREGISTRATION_DELAY_SECONDS = 30
IDLE_TIMEOUT_SECONDS = 60
# Where the load balancer writes its access logs in the bucket; AWS adds AWSLogs/<account>/ below it.
ACCESS_LOGS_PREFIX = "alb"
# Regions opened since August 2022 have no ELB account: their load balancers write logs as this service
# (Elastic Load Balancing user guide, "Enable access logs for your Application Load Balancer", step 2).
LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>AMY is under maintenance</title>"
    "<body style='font-family:sans-serif;max-width:40em;margin:4em auto'><h1>AMY is under maintenance</h1>"
    "<p>AMY is being updated and will be back in a few minutes.</p></body></html>"
)


@dataclass(frozen=True)
class Front:
    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    # The web service registers only once this forwards to its target group.
    https_listener: aws.lb.Listener


def front(name: str, args: FargateServiceArgs, parent: pulumi.Resource) -> Front:
    """The load balancer in the public subnets: HTTPS to the web tasks, HTTP redirected, the name pointed at it."""
    child = pulumi.ResourceOptions(parent=parent)
    app = args.app
    logs, logs_policy = _access_logs_bucket(name, args, parent)
    load_balancer = aws.lb.LoadBalancer(
        f"{name}-alb",
        # Named, not autonamed: ELB names are at most 32 characters, and Pulumi's suffix would
        # take a longer stack past it.
        name=app.name_prefix,
        load_balancer_type="application",
        internal=False,
        security_groups=[args.entry_security_group_id],
        subnets=args.public_subnet_ids,
        drop_invalid_header_fields=True,
        enable_deletion_protection=app.protect,
        idle_timeout=IDLE_TIMEOUT_SECONDS,
        access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket, prefix=ACCESS_LOGS_PREFIX, enabled=True),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[logs_policy]),
    )
    target_group = aws.lb.TargetGroup(
        f"{name}-web",
        name=f"{app.name_prefix}-web",
        port=APP_PORT,
        protocol="HTTP",
        target_type="ip",
        vpc_id=args.vpc_id,
        deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            path=HEALTH_CHECK_PATH,
            matcher="200",
            interval=15,
            timeout=5,
            healthy_threshold=2,
            unhealthy_threshold=3,
        ),
        opts=child,
    )
    https = aws.lb.Listener(
        f"{name}-https",
        load_balancer_arn=load_balancer.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=TLS_POLICY,
        certificate_arn=args.certificate_arn,
        default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
        opts=child,
    )
    aws.lb.Listener(
        f"{name}-http",
        load_balancer_arn=load_balancer.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(protocol="HTTPS", port="443", status_code="HTTP_301"),
            )
        ],
        opts=child,
    )
    if args.service.maintenance:
        _maintenance_rule(name, https, child)
    return Front(load_balancer=load_balancer, target_group=target_group, https_listener=https)


def _maintenance_rule(name: str, https: aws.lb.Listener, child: pulumi.ResourceOptions) -> None:
    """Before every other rule: every path answers the maintenance page with 503."""
    aws.lb.ListenerRule(
        f"{name}-maintenance",
        listener_arn=https.arn,
        priority=1,
        conditions=[aws.lb.ListenerRuleConditionArgs(path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"]))],
        actions=[
            aws.lb.ListenerRuleActionArgs(
                type="fixed-response",
                fixed_response=aws.lb.ListenerRuleActionFixedResponseArgs(
                    status_code="503", content_type="text/html", message_body=MAINTENANCE_PAGE
                ),
            )
        ],
        opts=child,
    )


def _access_logs_bucket(
    name: str, args: FargateServiceArgs, parent: pulumi.Resource
) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    """A private bucket the region's load balancers may write this account's access logs to, kept as long as the
    stack keeps logs; it outlives `pulumi destroy` (protected where the stack protects, retained elsewhere)."""
    child = pulumi.ResourceOptions(parent=parent)
    protect = args.app.protect
    bucket_name = f"{name}-alb-logs"
    bucket = aws.s3.Bucket(
        bucket_name,
        force_destroy=False,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=not protect),
    )
    lock_down(bucket_name, bucket, child)
    # Load balancers deliver logs only to buckets encrypted with S3-managed keys (SSE-S3), the same user guide's
    # bucket requirements say.
    encrypt_by_default(bucket_name, bucket, child, kms_key_arn=None)
    expire_objects(bucket_name, bucket, "expire-access-logs", args.log_retention_days, child)
    writer = log_delivery_principal(parent)
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=parent)).account_id
    policy = aws.s3.BucketPolicy(
        f"{bucket_name}-policy",
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.arn, account).apply(
            lambda values: json.dumps(access_logs_policy(values[0], values[1], writer))
        ),
        opts=child,
    )
    return bucket, policy


def log_delivery_principal(parent: pulumi.Resource) -> dict[str, str]:
    """Who writes the region's access logs: its ELB account, as the provider's table has it (the
    aws_elb_service_account data source), or, in a region the table lacks, the log delivery service."""
    try:
        account = aws.elb.get_service_account(opts=pulumi.InvokeOptions(parent=parent))
    except Exception as error:
        # The data source fails with this for a region it has no account for (elb/service_account_data_source.go).
        if "unsupported AWS Region" in str(error):
            return {"Service": LOG_DELIVERY_SERVICE}
        raise
    return {"AWS": account.arn}


def access_logs_policy(bucket_arn: str, account: str, writer: dict[str, str]) -> dict[str, Any]:
    """Let `writer` deliver the account's access logs under the prefix; refuse anything without TLS."""
    policy = tls_only_policy(bucket_arn)
    policy["Statement"].append(
        {
            "Sid": "LoadBalancerLogs",
            "Effect": "Allow",
            "Principal": writer,
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/{ACCESS_LOGS_PREFIX}/AWSLogs/{account}/*",
        }
    )
    return policy
