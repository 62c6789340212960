"""The CDN alone: HTTPS everywhere, long caching of /static/, nothing else served, every request logged."""

from __future__ import annotations

import json
import re

import botocore.session
import pulumi_aws as aws
import pytest
from parliament import analyze_policy_string

from components.cdn import CACHING_OPTIMIZED_POLICY_ID, Cdn, CdnArgs, access_logs_policy
from stack_config.stack import MAX_STACK_NAME
from tests.aws_shapes import request_errors
from tooling.harness import ACCOUNT_ID, CLOUDFRONT_ZONE_ID, Plan, Registration, record

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
DESTINATION = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"
ACCESS_LOG_GROUP = "/amy/unit/cdn-access"


def build(protect: bool = True, region: str = "us-east-1") -> Plan:
    """The CDN of a stack in `region`, with the us-east-1 provider the program gives it."""

    def program() -> None:
        Cdn(
            "cdn",
            CdnArgs(
                static_domain="static.example.org",
                origin_domain="amy.example.org",
                zone_id="Z123",
                certificate_arn="arn:cert",
                us_east_1=aws.Provider("aws-us-east-1", region="us-east-1"),
                name_prefix="amy-unit",
                access_log_group_name=ACCESS_LOG_GROUP,
                log_retention_days=90,
                protect=protect,
            ),
        )

    return record("unit", program, {"amy:region": region})


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


@pytest.fixture(scope="module")
def elsewhere() -> Plan:
    """A stack outside us-east-1: its CDN's logs are delivered in us-east-1 all the same."""
    return build(region="eu-west-1")


def in_us_east_1(plan: Plan, registration: Registration) -> bool:
    return registration.provider_urn == plan.one("pulumi:providers:aws", "aws-us-east-1").urn


def test_origin_is_the_application_over_tls_1_2_only(plan: Plan) -> None:
    [origin] = plan.one(DISTRIBUTION).inputs["origins"]
    assert origin["domainName"] == "amy.example.org"
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]


def test_static_files_are_cached_compressed_over_https(plan: Plan) -> None:
    [behavior] = plan.one(DISTRIBUTION).inputs["orderedCacheBehaviors"]
    assert behavior["pathPattern"] == "/static/*"
    assert behavior["cachePolicyId"] == CACHING_OPTIMIZED_POLICY_ID
    assert behavior["compress"] is True
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"


def test_every_other_path_answers_404_at_the_edge(plan: Plan) -> None:
    default = plan.one(DISTRIBUTION).inputs["defaultCacheBehavior"]
    assert default["viewerProtocolPolicy"] == "redirect-to-https"
    function = plan.one("aws:cloudfront/function:Function")
    assert "statusCode: 404" in function.inputs["code"]
    assert default["functionAssociations"] == [{"eventType": "viewer-request", "functionArn": function.outputs["arn"]}]


def test_viewers_get_the_certificate_and_tls_1_2_or_newer(plan: Plan) -> None:
    distribution = plan.one(DISTRIBUTION).inputs
    assert distribution["aliases"] == ["static.example.org"]
    assert distribution["viewerCertificate"] == {
        "acmCertificateArn": "arn:cert",
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }


def test_alias_records_point_the_static_name_at_the_distribution(plan: Plan) -> None:
    distribution = plan.one(DISTRIBUTION).outputs
    records = plan.of_type("aws:route53/record:Record")
    assert sorted(r.inputs["type"] for r in records) == ["A", "AAAA"]
    for record_ in records:
        assert record_.inputs["name"] == "static.example.org"
        assert record_.inputs["aliases"] == [
            {"name": distribution["domainName"], "zoneId": CLOUDFRONT_ZONE_ID, "evaluateTargetHealth": False}
        ]


def test_every_request_is_logged_to_a_group_in_us_east_1_for_the_stacks_retention(elsewhere: Plan) -> None:
    group = elsewhere.one(LOG_GROUP)
    assert group.inputs == {"name": ACCESS_LOG_GROUP, "retentionInDays": 90}
    assert in_us_east_1(elsewhere, group)
    assert group.outputs["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:{ACCESS_LOG_GROUP}"


def test_the_delivery_runs_from_the_distribution_to_the_group_in_us_east_1(elsewhere: Plan) -> None:
    """CloudFront standard logging (v2): a delivery source for the distribution, a destination for the group, and
    the delivery between them, all three in us-east-1 whatever the stack's region; no bucket, so no ACLs."""
    source, destination, delivery = elsewhere.one(SOURCE), elsewhere.one(DESTINATION), elsewhere.one(DELIVERY)
    assert source.inputs == {
        "name": "amy-unit-cdn",
        "logType": "ACCESS_LOGS",
        "resourceArn": elsewhere.one(DISTRIBUTION).outputs["arn"],
    }
    assert destination.inputs == {
        "name": "amy-unit-cdn-access-logs",
        "outputFormat": "json",
        "deliveryDestinationConfiguration": {"destinationResourceArn": elsewhere.one(LOG_GROUP).outputs["arn"]},
    }
    assert delivery.inputs == {"deliverySourceName": "amy-unit-cdn", "deliveryDestinationArn": destination.outputs["arn"]}
    assert all(in_us_east_1(elsewhere, r) for r in (source, destination, delivery, elsewhere.one(RESOURCE_POLICY)))
    assert elsewhere.of_type("aws:s3/bucket:Bucket") == []


def test_only_log_delivery_may_write_the_group_and_only_for_this_account(plan: Plan) -> None:
    group_arn = plan.one(LOG_GROUP).outputs["arn"]
    policy = plan.one(RESOURCE_POLICY)
    # Scoped to the group (one policy per group), not one of the account's ten account-wide ones.
    assert policy.inputs["resourceArn"] == group_arn
    assert "policyName" not in policy.inputs
    [statement] = json.loads(policy.inputs["policyDocument"])["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"{group_arn}:log-stream:*"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:*"},
    }


def test_the_delivery_waits_for_the_groups_policy(plan: Plan) -> None:
    assert plan.one(RESOURCE_POLICY).urn in plan.one(DELIVERY).dependencies


def test_the_access_logs_policy_passes_the_parliament_linter() -> None:
    policy = access_logs_policy(f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:{ACCESS_LOG_GROUP}")
    assert [(f.issue, f.detail) for f in analyze_policy_string(json.dumps(policy)).findings] == []


def test_the_group_outlives_a_destroy_and_nothing_else_of_the_cdn_does(plan: Plan) -> None:
    group = plan.one(LOG_GROUP)
    assert (group.protect, group.retain_on_delete) == (True, False)
    assert [r.name for r in plan.registrations if r.protect or r.retain_on_delete] == [group.name]
    unprotected = build(protect=False).one(LOG_GROUP)
    assert (unprotected.protect, unprotected.retain_on_delete) == (False, True)


def test_the_log_delivery_requests_fit_cloudwatch_logs_for_the_longest_stack_name(plan: Plan) -> None:
    """What the provider sends CloudWatch Logs, checked against botocore's model, with the names of the longest
    stack: delivery sources and destinations allow 60 word characters or hyphens."""
    longest = f"amy-{'a' * MAX_STACK_NAME}"
    source, destination = plan.one(SOURCE).inputs, plan.one(DESTINATION).inputs
    policy = plan.one(RESOURCE_POLICY).inputs
    requests = {
        "PutDeliverySource": {**source, "name": source["name"].replace("amy-unit", longest)},
        "PutDeliveryDestination": {
            "name": destination["name"].replace("amy-unit", longest),
            "outputFormat": destination["outputFormat"],
            "deliveryDestinationConfiguration": destination["deliveryDestinationConfiguration"],
        },
        "CreateDelivery": plan.one(DELIVERY).inputs,
        "PutResourcePolicy": policy,
    }
    for operation, request in requests.items():
        assert request_errors("logs", operation, request) == "", operation
    # botocore checks a string's least length, not its most nor its pattern: those from the model by hand.
    model = botocore.session.get_session().get_service_model("logs")
    for shape, name in (
        ("DeliverySourceName", requests["PutDeliverySource"]["name"]),
        ("DeliveryDestinationName", requests["PutDeliveryDestination"]["name"]),
    ):
        metadata = model.shape_for(shape).metadata
        assert len(name) <= metadata["max"], (shape, name)
        assert re.fullmatch(metadata["pattern"], name), (shape, name)
