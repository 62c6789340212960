"""CloudFront in front of the application's `/static/` files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# AWS managed cache policies; their ids are fixed and documented, so no look-up is needed.
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ORIGIN_ID = "amy-app"
# CloudFront moves a name to a distribution only when `_<name>` has a TXT record naming that distribution
# (CloudFront developer guide, "Moving an alternate domain name to a different distribution").
ALIAS_MOVE_TTL = 300
NOT_FOUND_FUNCTION = """\
function handler(event) {
    return { statusCode: 404, statusDescription: 'Not Found' };
}
"""


@dataclass
class CdnArgs:
    static_domain: str
    origin_domain: str
    zone_id: str
    certificate_arn: pulumi.Input[str]
    # An existing distribution to adopt, by id.
    distribution_import: str | None = None
    # False while another distribution holds `static_domain` (see docs/adopting-production.md).
    alias: bool = True
    # Existing A and AAAA records of `static_domain` to adopt, by type.
    record_imports: Mapping[str, str | None] = field(default_factory=dict)


class Cdn(pulumi.ComponentResource):
    """Serves `https://<static domain>/static/*` from the application's own host.

    AMY's static files carry hashed names, so the edge may keep them as long as
    the managed CachingOptimized policy allows. Any other path answers 404 at
    the edge, so the application itself is never reachable under the CDN's name.
    """

    distribution: aws.cloudfront.Distribution

    def __init__(self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:edge:Cdn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        not_found = aws.cloudfront.Function(
            f"{name}-not-found",
            runtime="cloudfront-js-2.0",
            comment="Answer 404 outside /static/",
            code=NOT_FOUND_FUNCTION,
            publish=True,
            opts=child,
        )
        self.distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            comment=f"AMY static files on {args.static_domain}",
            aliases=[args.static_domain] if args.alias else [],
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class="PriceClass_100",
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ORIGIN_ID,
                    domain_name=args.origin_domain,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,
                        https_port=443,
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"],
                    ),
                )
            ],
            ordered_cache_behaviors=[
                aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                    path_pattern="/static/*",
                    target_origin_id=ORIGIN_ID,
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=["GET", "HEAD", "OPTIONS"],
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_OPTIMIZED_POLICY_ID,
                    compress=True,
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_DISABLED_POLICY_ID,
                function_associations=[
                    aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                        event_type="viewer-request",
                        function_arn=not_found.arn,
                    )
                ],
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none"),
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=args.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            ),
            opts=pulumi.ResourceOptions(parent=self, import_=args.distribution_import),
        )
        if not args.alias:
            # The name stays with the other distribution until `aws cloudfront associate-alias` moves it here.
            aws.route53.Record(
                f"{name}-alias-move",
                zone_id=args.zone_id,
                name=f"_{args.static_domain}",
                type="TXT",
                ttl=ALIAS_MOVE_TTL,
                records=[self.distribution.domain_name],
                opts=child,
            )
        for record_type in ("A", "AAAA") if args.alias else ():
            aws.route53.Record(
                f"{name}-alias-{record_type.lower()}",
                zone_id=args.zone_id,
                name=args.static_domain,
                type=record_type,
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=self.distribution.domain_name,
                        zone_id=self.distribution.hosted_zone_id,
                        evaluate_target_health=False,
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self, import_=args.record_imports.get(record_type)),
            )
        self.register_outputs({"domain_name": self.distribution.domain_name})
