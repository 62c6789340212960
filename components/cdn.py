"""CloudFront in front of the application's `/static/` files, and its access logs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

# AWS managed cache policies; their ids are fixed and documented, so no look-up is needed.
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ORIGIN_ID = "amy-app"
# CloudFront moves a name to a distribution only when `_<name>` has a TXT record naming that distribution
# (CloudFront developer guide, "Moving an alternate domain name to a different distribution").
ALIAS_MOVE_TTL = 300
# CloudWatch Logs' vended log delivery writes the access logs; only CreateLogStream and PutLogEvents may be granted to
# it in a log group's resource policy (the CloudWatch Logs API reference, PutResourcePolicy).
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"
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
    # The us-east-1 provider: CloudFront's log deliveries are made there, and the group they write to.
    us_east_1: aws.Provider
    # Names the stack's log deliveries, `amy-<stack>`.
    name_prefix: str
    # The access logs' group, like `/amy/<stack>/cdn-access`, and how long it keeps them.
    access_log_group_name: str
    log_retention_days: int
    # Production's guard: the access logs' group is protected, or else retained on destroy.
    protect: bool
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
    Every request is logged (standard logging v2) to a log group in us-east-1.
    """

    distribution: aws.cloudfront.Distribution
    access_log_group: aws.cloudwatch.LogGroup

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
        self.access_log_group = self._access_logs(name, args)
        self.register_outputs({"domain_name": self.distribution.domain_name, "access_log_group": self.access_log_group.name})

    def _access_logs(self, name: str, args: CdnArgs) -> aws.cloudwatch.LogGroup:
        """CloudFront standard logging (v2): CloudWatch Logs delivers every request, as JSON, to a log group. Unlike
        standard logging (legacy) it needs no bucket with ACLs enabled. Its source, destination and delivery must be
        made in us-east-1 (CloudFront developer guide, standard logging v2), and a CloudWatch Logs destination is a log
        group in the same region."""
        in_us_east_1 = pulumi.ResourceOptions(parent=self, provider=args.us_east_1)
        group = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=args.access_log_group_name,
            retention_in_days=args.log_retention_days,
            opts=pulumi.ResourceOptions.merge(
                in_us_east_1, pulumi.ResourceOptions(protect=args.protect, retain_on_delete=not args.protect)
            ),
        )
        # One policy per log group, scoped to it: the account's ten account-wide resource policies stay untouched.
        policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-access-logs-policy",
            resource_arn=group.arn,
            policy_document=group.arn.apply(lambda arn: json.dumps(access_logs_policy(arn))),
            opts=in_us_east_1,
        )
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-access-logs-source",
            name=f"{args.name_prefix}-cdn",
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
            opts=in_us_east_1,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-access-logs-destination",
            name=f"{args.name_prefix}-cdn-access-logs",
            output_format="json",
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=group.arn,
            ),
            opts=in_us_east_1,
        )
        aws.cloudwatch.LogDelivery(
            f"{name}-access-logs-delivery",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            # Without the group's policy in place CloudWatch Logs would write one of its own, if the deployer may.
            opts=pulumi.ResourceOptions.merge(in_us_east_1, pulumi.ResourceOptions(depends_on=[policy])),
        )
        return group


def access_logs_policy(group_arn: str) -> dict[str, Any]:
    """Let CloudWatch Logs' log delivery write streams of the group, for deliveries of the group's own account and
    region: the statement the CloudWatch Logs user guide ("Logs sent to CloudWatch Logs") shows it adding itself."""
    partition, region, account = group_arn.split(":")[1], group_arn.split(":")[3], group_arn.split(":")[4]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSLogDeliveryWrite",
                "Effect": "Allow",
                "Principal": {"Service": LOG_DELIVERY_SERVICE},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{group_arn}:log-stream:*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account}:*"},
                },
            }
        ],
    }
