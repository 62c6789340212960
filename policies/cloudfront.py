"""CloudFront: viewers on HTTPS with TLS 1.2 or newer; custom origins reached over HTTPS with TLS 1.2."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")
MINIMUM_VIEWER_TLS = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")


def _viewers_https(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    behaviors = [("default", props.get("defaultCacheBehavior") or {})]
    behaviors += [(b.get("pathPattern", "?"), b) for b in as_list(props.get("orderedCacheBehaviors"))]
    for path, behavior in behaviors:
        if behavior.get("viewerProtocolPolicy") not in HTTPS_VIEWER_POLICIES:
            yield f"behavior {path} lets viewers use plain HTTP; set viewerProtocolPolicy to redirect-to-https"


def _viewer_tls(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    certificate = props.get("viewerCertificate") or {}
    version = certificate.get("minimumProtocolVersion")
    if certificate.get("cloudfrontDefaultCertificate") is True or version not in MINIMUM_VIEWER_TLS:
        yield (
            f"viewers may use TLS older than 1.2 ({version or 'CloudFront default'}); "
            "serve an ACM certificate with minimumProtocolVersion TLSv1.2_2021"
        )


def _origins_https(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for origin in as_list(props.get("origins")):
        custom = origin.get("customOriginConfig")
        if not custom:
            continue
        if custom.get("originProtocolPolicy") != "https-only":
            yield f"origin {origin.get('originId')} may be reached over HTTP; set originProtocolPolicy to https-only"
        if set(as_list(custom.get("originSslProtocols"))) != {"TLSv1.2"}:
            allowed = custom.get("originSslProtocols")
            yield f"origin {origin.get('originId')} allows {allowed}; set originSslProtocols to [TLSv1.2]"


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy("cloudfront-viewers-https", "Viewers are redirected to HTTPS.", [DISTRIBUTION], _viewers_https, ADVISORY),
        resource_policy("cloudfront-viewer-tls", "Viewers use TLS 1.2 or newer.", [DISTRIBUTION], _viewer_tls, ADVISORY),
        resource_policy(
            "cloudfront-origin-https",
            "Custom origins are reached over HTTPS with TLS 1.2.",
            [DISTRIBUTION],
            _origins_https,
            ADVISORY,
        ),
    ]
