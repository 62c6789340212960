"""ACM certificates for the application and the CDN, validated through Route 53."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

VALIDATION_TTL = 300


@dataclass
class CertificatesArgs:
    zone_id: str
    domain: str
    static_domain: str
    # CloudFront takes certificates from us-east-1 only.
    cdn_provider: aws.Provider


class Certificates(pulumi.ComponentResource):
    """One certificate for the application's name in the stack's region (the load
    balancer's; the legacy host keeps certbot until the layout moves) and one for
    the CDN's name in us-east-1. Both exist in every layout so a switch replaces neither."""

    app_certificate_arn: pulumi.Output[str]
    cdn_certificate_arn: pulumi.Output[str]

    def __init__(self, name: str, args: CertificatesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:edge:Certificates", name, None, opts)
        self._name = name
        self._zone_id = args.zone_id
        self.app_certificate_arn = self._validated("app", args.domain, None)
        self.cdn_certificate_arn = self._validated("cdn", args.static_domain, args.cdn_provider)
        self.register_outputs({"app": self.app_certificate_arn, "cdn": self.cdn_certificate_arn})

    def _validated(self, label: str, domain: str, provider: aws.Provider | None) -> pulumi.Output[str]:
        in_region = pulumi.ResourceOptions(parent=self, provider=provider)
        certificate = aws.acm.Certificate(
            f"{self._name}-{label}",
            domain_name=domain,
            validation_method="DNS",
            opts=in_region,
        )
        # One name per certificate, so exactly one validation record.
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            f"{self._name}-{label}-validation",
            zone_id=self._zone_id,
            name=option.resource_record_name.apply(_required),
            type=option.resource_record_type.apply(_required),
            records=[option.resource_record_value.apply(_required)],
            ttl=VALIDATION_TTL,
            allow_overwrite=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        validation = aws.acm.CertificateValidation(
            f"{self._name}-{label}",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=in_region,
        )
        return validation.certificate_arn


def _required(value: str | None) -> str:
    if value is None:
        raise ValueError("ACM returned a validation option without a DNS record")
    return value
