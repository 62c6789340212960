"""The service's front under mocks: the load balancer, its listeners and maintenance rule, DNS, and access logs."""

from __future__ import annotations

import json

import pulumi
import pytest
from parliament import analyze_policy_string

from components.fargate_service.load_balancer import LOG_DELIVERY_SERVICE, access_logs_policy, log_delivery_principal
from stack_config import ServiceConfig, StackConfig
from tests.components.fargate_service.support import LISTENER
from tests.components.support import varied
from tooling.harness import ACCOUNT_ID, ELB_LOG_ACCOUNTS, Plan, record

BUCKET_ARN = "arn:aws:s3:::amy-unit-alb-logs"
ELB_WRITER = {"AWS": "arn:aws:iam::127311923021:root"}
SERVICE_WRITER = {"Service": LOG_DELIVERY_SERVICE}
BUCKET = "aws:s3/bucket:Bucket"


def test_http_listener_only_redirects_to_https(plan: Plan) -> None:
    http = next(listener for listener in plan.of_type(LISTENER) if listener.inputs["port"] == 80).inputs
    assert http["protocol"] == "HTTP"
    assert http["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]


def test_https_listener_uses_tls_1_3_and_the_shared_certificate(plan: Plan, config: StackConfig) -> None:
    https = next(listener for listener in plan.of_type(LISTENER) if listener.inputs["port"] == 443).inputs
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation", f"{config.name_prefix}-certificates-app")
    assert https["certificateArn"] == validation.outputs["certificateArn"]
    assert https["defaultActions"][0]["targetGroupArn"] == plan.one("aws:lb/targetGroup:TargetGroup").outputs["arn"]


def test_both_listeners_are_on_the_load_balancer(plan: Plan) -> None:
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs["arn"]
    assert sorted(listener.inputs["port"] for listener in plan.of_type(LISTENER)) == [80, 443]
    assert {listener.inputs["loadBalancerArn"] for listener in plan.of_type(LISTENER)} == {alb}


def test_load_balancer_drops_bad_headers_and_logs_every_request(plan: Plan, config: StackConfig) -> None:
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["internal"] is False
    assert alb["enableDeletionProtection"] is config.protect_stateful_resources
    bucket = plan.one(BUCKET, f"{config.name_prefix}-service-alb-logs").outputs
    assert alb["accessLogs"] == {"bucket": bucket["bucket"], "prefix": "alb", "enabled": True}
    policy = json.loads(
        plan.one("aws:s3/bucketPolicy:BucketPolicy", f"{config.name_prefix}-service-alb-logs-policy").inputs["policy"]
    )
    delivery = next(s for s in policy["Statement"] if s["Sid"] == "LoadBalancerLogs")
    assert delivery["Principal"] == {"AWS": f"arn:aws:iam::{ELB_LOG_ACCOUNTS[config.region]}:root"}
    # Where the load balancer writes: the prefix, then AWSLogs/<its account>/.
    assert delivery["Resource"] == f"{bucket['arn']}/alb/AWSLogs/{ACCOUNT_ID}/*"


def test_the_access_logs_bucket_is_uniquely_named_and_outlives_a_destroy(plan: Plan, config: StackConfig) -> None:
    """Autonamed from `amy-<stack>-service-alb-logs`, so two stacks in one account never meet; protected where the
    stack protects, retained by `pulumi destroy` elsewhere."""
    bucket = plan.one(BUCKET, f"{config.name_prefix}-service-alb-logs")
    assert "bucket" not in bucket.inputs
    assert bucket.outputs["bucket"].startswith(f"{config.name_prefix}-service-alb-logs-")
    assert len(f"{config.name_prefix}-service-alb-logs") + 8 <= 63
    assert bucket.inputs["forceDestroy"] is False
    assert (bucket.protect, bucket.retain_on_delete) == (config.protect_stateful_resources, not config.protect_stateful_resources)
    ownership = plan.one(
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{config.name_prefix}-service-alb-logs-ownership"
    )
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_the_access_logs_bucket_follows_the_stacks_protection(ecs_stack: str, config: StackConfig) -> None:
    flipped = not config.protect_stateful_resources
    bucket = varied(ecs_stack, {"amy:protectStatefulResources": flipped}).one(BUCKET, f"{config.name_prefix}-service-alb-logs")
    assert (bucket.protect, bucket.retain_on_delete) == (flipped, not flipped)


def test_the_load_balancer_is_public_behind_the_entry_group(plan: Plan, config: StackConfig) -> None:
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["subnets"] == plan.one("awsx:ec2:Vpc").outputs["publicSubnetIds"]
    assert alb["securityGroups"] == [plan.one("aws:ec2/securityGroup:SecurityGroup", f"{config.name_prefix}-network-entry").id]


def test_deletion_protection_follows_the_stack(ecs_stack: str, config: StackConfig) -> None:
    flipped = not config.protect_stateful_resources
    alb = varied(ecs_stack, {"amy:protectStatefulResources": flipped}).one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["enableDeletionProtection"] is flipped


def test_access_logs_are_private_encrypted_with_s3_keys_and_expire_with_the_logs(plan: Plan, config: StackConfig) -> None:
    bucket = f"{config.name_prefix}-service-alb-logs"
    encryption = plan.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", f"{bucket}-encryption"
    ).inputs["rules"][0]
    assert encryption["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    block = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{bucket}-public-access").inputs
    for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[setting] is True, setting
    [rule] = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", f"{bucket}-lifecycle").inputs["rules"]
    assert rule["expiration"] == {"days": config.log_retention_days}


def test_the_load_balancer_is_made_only_once_it_may_write_its_logs(plan: Plan, config: StackConfig) -> None:
    policy = plan.one("aws:s3/bucketPolicy:BucketPolicy", f"{config.name_prefix}-service-alb-logs-policy")
    assert policy.urn in plan.one("aws:lb/loadBalancer:LoadBalancer").dependencies


def test_target_group_checks_version_and_drains_quickly(plan: Plan) -> None:
    group = plan.one("aws:lb/targetGroup:TargetGroup").inputs
    assert group["healthCheck"]["path"] == "/version/"
    assert group["targetType"] == "ip"
    assert group["deregistrationDelay"] == 30


def test_maintenance_on_answers_503_for_every_path_first(with_workers: Plan, plan: Plan, service_config: ServiceConfig) -> None:
    rule = with_workers.one("aws:lb/listenerRule:ListenerRule").inputs
    assert rule["priority"] == 1
    assert rule["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    [action] = rule["actions"]
    assert action["fixedResponse"]["statusCode"] == "503"
    assert len(action["fixedResponse"]["messageBody"].encode()) <= 1024
    https = next(listener for listener in with_workers.of_type(LISTENER) if listener.inputs["port"] == 443)
    assert rule["listenerArn"] == https.outputs["arn"]
    assert len(plan.of_type("aws:lb/listenerRule:ListenerRule")) == (1 if service_config.maintenance else 0)


def test_the_application_name_points_at_the_load_balancer(plan: Plan, config: StackConfig) -> None:
    record = plan.one("aws:route53/record:Record", f"{config.name_prefix}-app-dns").inputs
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs
    assert record["name"] == config.dns.domain
    assert record["zoneId"] == config.dns.zone_id
    assert record["aliases"] == [{"name": alb["dnsName"], "zoneId": alb["zoneId"], "evaluateTargetHealth": True}]


def writer_in(region: str) -> dict[str, str]:
    """The principal the program lets write access logs, for a stack in `region`."""

    class Front(pulumi.ComponentResource):
        def __init__(self) -> None:
            super().__init__("amy:test:Front", "front")

    def program() -> None:
        pulumi.export("writer", log_delivery_principal(Front()))

    return record("unit", program, {"amy:region": region}).outputs["writer"]


@pytest.mark.parametrize(("region", "account"), [("us-east-1", "127311923021"), ("eu-west-1", "156460612806")])
def test_load_balancers_of_an_older_region_deliver_logs_as_its_elb_account(region: str, account: str) -> None:
    """The account comes from the provider's aws_elb_service_account, whose table the harness answers from."""
    assert writer_in(region) == {"AWS": f"arn:aws:iam::{account}:root"}


def test_load_balancers_of_a_newer_region_deliver_logs_as_the_service() -> None:
    """The data source fails for a region it has no account for; the program reads that as the service's region."""
    assert "ap-southeast-7" not in ELB_LOG_ACCOUNTS
    assert writer_in("ap-southeast-7") == SERVICE_WRITER


def test_the_access_logs_policy_lets_only_the_writer_put_this_accounts_logs_and_refuses_plain_http() -> None:
    [deny, delivery] = access_logs_policy(BUCKET_ARN, ACCOUNT_ID, ELB_WRITER)["Statement"]
    assert delivery["Principal"] == ELB_WRITER
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"] == f"{BUCKET_ARN}/alb/AWSLogs/{ACCOUNT_ID}/*"
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("writer", [ELB_WRITER, SERVICE_WRITER])
def test_the_access_logs_policy_passes_the_parliament_linter(writer: dict[str, str]) -> None:
    findings = analyze_policy_string(json.dumps(access_logs_policy(BUCKET_ARN, ACCOUNT_ID, writer))).findings
    assert [(f.issue, f.detail) for f in findings] == []


def test_load_balancer_and_target_group_are_named_within_elbs_limit(plan: Plan, config: StackConfig) -> None:
    """ELB names are at most 32 characters; Pulumi's autoname adds 8 to the logical name, which a stack's
    name_prefix plus `-service-alb` already passes, so both are named from the prefix instead."""
    names = {
        plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["name"],
        plan.one("aws:lb/targetGroup:TargetGroup").inputs["name"],
    }
    assert names == {config.name_prefix, f"{config.name_prefix}-web"}
    assert all(len(name) <= 32 for name in names)
