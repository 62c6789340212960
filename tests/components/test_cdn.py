"""The CDN alone: HTTPS everywhere, long caching of /static/, nothing else served."""

from __future__ import annotations

import pytest

from components.cdn import CACHING_OPTIMIZED_POLICY_ID, Cdn, CdnArgs
from tooling.harness import CLOUDFRONT_ZONE_ID, Plan, record

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return record(
        "unit",
        lambda: Cdn(
            "cdn",
            CdnArgs(
                static_domain="static.example.org", origin_domain="amy.example.org", zone_id="Z123", certificate_arn="arn:cert"
            ),
        ),
    )


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
