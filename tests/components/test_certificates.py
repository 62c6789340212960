"""Certificates alone: DNS-validated, the CDN's from us-east-1."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from components.certificates import Certificates, CertificatesArgs
from tooling.harness import Plan, record

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"


def build() -> Plan:
    def program() -> None:
        region = aws.Provider("aws", region="eu-west-2")
        cdn = aws.Provider("aws-us-east-1", region="us-east-1")
        Certificates(
            "certs",
            CertificatesArgs(zone_id="Z123", domain="amy.example.org", static_domain="static.example.org", cdn_provider=cdn),
            opts=pulumi.ResourceOptions(providers={"aws": region}),
        )

    return record("unit", program)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def test_each_name_gets_a_dns_validated_certificate(plan: Plan) -> None:
    certificates = {c.name: c.inputs for c in plan.of_type(CERTIFICATE)}
    assert certificates == {
        "certs-app": {"domainName": "amy.example.org", "validationMethod": "DNS"},
        "certs-cdn": {"domainName": "static.example.org", "validationMethod": "DNS"},
    }


def test_the_cdn_certificate_comes_from_us_east_1_and_the_app_certificate_from_the_region(plan: Plan) -> None:
    providers = {p.urn: p.inputs["region"] for p in plan.of_type("pulumi:providers:aws")}
    for label, region in (("app", "eu-west-2"), ("cdn", "us-east-1")):
        assert providers[plan.one(CERTIFICATE, f"certs-{label}").provider_urn] == region
        assert providers[plan.one(VALIDATION, f"certs-{label}").provider_urn] == region


def test_validation_records_carry_what_acm_asked_for_in_the_given_zone(plan: Plan) -> None:
    for label in ("app", "cdn"):
        option = plan.one(CERTIFICATE, f"certs-{label}").outputs["domainValidationOptions"][0]
        record_ = plan.one(RECORD, f"certs-{label}-validation").inputs
        assert record_["zoneId"] == "Z123"
        assert record_["name"] == option["resourceRecordName"]
        assert record_["type"] == option["resourceRecordType"]
        assert record_["records"] == [option["resourceRecordValue"]]


def test_validation_waits_on_the_record(plan: Plan) -> None:
    for label in ("app", "cdn"):
        validation = plan.one(VALIDATION, f"certs-{label}").inputs
        assert validation["certificateArn"] == plan.one(CERTIFICATE, f"certs-{label}").outputs["arn"]
        assert validation["validationRecordFqdns"] == [plan.one(RECORD, f"certs-{label}-validation").outputs["fqdn"]]
