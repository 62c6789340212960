"""cloudfront.py: viewers on HTTPS with TLS 1.2 or newer, custom origins over HTTPS with TLS 1.2."""

from __future__ import annotations

import pytest

from tests.policies.pack import Fail, Pass, assert_flagged, assert_passes, case_ids, with_

CLOUDFRONT = "aws:cloudfront/distribution:Distribution"
DISTRIBUTION = {
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
    "orderedCacheBehaviors": [{"pathPattern": "/static/*", "viewerProtocolPolicy": "redirect-to-https"}],
    "viewerCertificate": {"acmCertificateArn": "arn:cert", "minimumProtocolVersion": "TLSv1.2_2021"},
    "origins": [
        {
            "originId": "amy-app",
            "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"]},
        }
    ],
}

PASSING = [
    Pass("cloudfront-viewers-https", CLOUDFRONT, DISTRIBUTION),
    Pass("cloudfront-viewer-tls", CLOUDFRONT, DISTRIBUTION),
    Pass("cloudfront-origin-https", CLOUDFRONT, DISTRIBUTION),
]

FAILING = [
    Fail(
        "cloudfront-viewers-https",
        CLOUDFRONT,
        with_(DISTRIBUTION, defaultCacheBehavior={"viewerProtocolPolicy": "allow-all"}),
        "behavior default lets viewers use plain HTTP",
    ),
    Fail(
        "cloudfront-viewers-https",
        CLOUDFRONT,
        with_(DISTRIBUTION, orderedCacheBehaviors=[{"pathPattern": "/static/*", "viewerProtocolPolicy": "allow-all"}]),
        "behavior /static/* lets viewers use plain HTTP",
    ),
    Fail(
        "cloudfront-viewer-tls",
        CLOUDFRONT,
        with_(DISTRIBUTION, viewerCertificate={"acmCertificateArn": "arn:cert", "minimumProtocolVersion": "TLSv1"}),
        "viewers may use TLS older than 1.2 (TLSv1)",
    ),
    Fail(
        "cloudfront-viewer-tls",
        CLOUDFRONT,
        with_(DISTRIBUTION, viewerCertificate={"cloudfrontDefaultCertificate": True}),
        "CloudFront default",
    ),
    Fail(
        "cloudfront-origin-https",
        CLOUDFRONT,
        with_(
            DISTRIBUTION,
            origins=[
                {
                    "originId": "o",
                    "customOriginConfig": {"originProtocolPolicy": "match-viewer", "originSslProtocols": ["TLSv1.2"]},
                }
            ],
        ),
        "origin o may be reached over HTTP",
    ),
    Fail(
        "cloudfront-origin-https",
        CLOUDFRONT,
        with_(
            DISTRIBUTION,
            origins=[
                {
                    "originId": "o",
                    "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.1", "TLSv1.2"]},
                }
            ],
        ),
        "set originSslProtocols to [TLSv1.2]",
    ),
]


@pytest.mark.parametrize("case", PASSING, ids=case_ids(PASSING))
def test_compliant_resources_pass(case: Pass) -> None:
    assert_passes(case)


@pytest.mark.parametrize("case", FAILING, ids=case_ids(FAILING))
def test_each_failure_mode_is_flagged_with_its_fix(case: Fail) -> None:
    assert_flagged(case)
