"""Each resource policy passes a compliant resource and flags every failure mode, naming the fix."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import ResourceValidationPolicy

from tests.policies.pack import POLICIES, dumps, resource_violations, with_

RDS = "aws:rds/instance:Instance"
DATABASE = {
    "backupRetentionPeriod": 35,
    "skipFinalSnapshot": False,
    "finalSnapshotIdentifier": "amy-final",
    "deletionProtection": True,
    "copyTagsToSnapshot": True,
    "storageEncrypted": True,
    "publiclyAccessible": False,
}
PLAN = {
    "rules": [
        {"ruleName": "daily", "lifecycle": {"deleteAfter": 35}},
        {"ruleName": "monthly", "lifecycle": {"deleteAfter": 365}},
    ]
}
INSTANCE = {
    "metadataOptions": {"httpTokens": "required"},
    "rootBlockDevice": {"encrypted": True},
    "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True}],
}
REPLICATION_GROUP = {"snapshotRetentionLimit": 7, "atRestEncryptionEnabled": True, "transitEncryptionEnabled": True}
HTTP_LISTENER = {
    "protocol": "HTTP",
    "port": 80,
    "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}],
}
HTTPS_LISTENER = {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
LOAD_BALANCER = {"dropInvalidHeaderFields": True, "accessLogs": {"bucket": "logs", "enabled": True}}
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
CONTAINER = {
    "name": "web",
    "environment": [{"name": "AMY_DEBUG", "value": "false"}],
    "secrets": [{"name": "AMY_SECRET_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/amy/x"}],
    "logConfiguration": {"logDriver": "awslogs"},
    "privileged": False,
}
BLOCK = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}

# policy, resource type, compliant props, config
PASSING: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
    ("rds-backup-retention", RDS, DATABASE, {"minimumDays": 35}),
    ("rds-final-snapshot", RDS, DATABASE, None),
    ("rds-deletion-protection", RDS, DATABASE, None),
    ("rds-copy-tags-to-snapshot", RDS, DATABASE, None),
    ("rds-storage-encrypted", RDS, DATABASE, None),
    ("rds-not-public", RDS, DATABASE, None),
    ("backup-plan-retention", "aws:backup/plan:Plan", PLAN, {"minimumDays": 35}),
    ("backup-vault-encrypted", "aws:backup/vault:Vault", {"kmsKeyArn": "arn:aws:kms:us-east-1:1:key/k"}, None),
    ("elasticache-snapshots", "aws:elasticache/replicationGroup:ReplicationGroup", REPLICATION_GROUP, None),
    ("elasticache-encrypted", "aws:elasticache/replicationGroup:ReplicationGroup", REPLICATION_GROUP, None),
    # Redis as a replication group is what the policy asks for; only a plain cluster fails it.
    ("elasticache-no-plain-cluster", "aws:elasticache/replicationGroup:ReplicationGroup", REPLICATION_GROUP, None),
    ("ec2-imdsv2-required", "aws:ec2/instance:Instance", INSTANCE, None),
    ("ec2-volumes-encrypted", "aws:ec2/instance:Instance", INSTANCE, None),
    ("ebs-volume-encrypted", "aws:ebs/volume:Volume", {"encrypted": True}, None),
    (
        "security-group-no-open-ingress",
        "aws:ec2/securityGroup:SecurityGroup",
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]},
                {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/16"]},
            ]
        },
        None,
    ),
    (
        "security-group-rule-no-open-ingress",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {"type": "ingress", "protocol": "tcp", "fromPort": 80, "toPort": 80, "ipv6CidrBlocks": ["::/0"]},
        None,
    ),
    (
        "security-group-ingress-rule-no-open-ingress",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
        None,
    ),
    ("alb-http-redirects-only", "aws:lb/listener:Listener", HTTP_LISTENER, None),
    ("alb-tls-policy", "aws:lb/listener:Listener", HTTPS_LISTENER, None),
    ("alb-drop-invalid-headers", "aws:lb/loadBalancer:LoadBalancer", LOAD_BALANCER, None),
    ("alb-access-logs", "aws:lb/loadBalancer:LoadBalancer", LOAD_BALANCER, None),
    ("cloudfront-viewers-https", "aws:cloudfront/distribution:Distribution", DISTRIBUTION, None),
    ("cloudfront-viewer-tls", "aws:cloudfront/distribution:Distribution", DISTRIBUTION, None),
    ("cloudfront-origin-https", "aws:cloudfront/distribution:Distribution", DISTRIBUTION, None),
    (
        "log-group-retention",
        "aws:cloudwatch/logGroup:LogGroup",
        {"name": "/amy/x/web", "retentionInDays": 365},
        {"minimumDays": 365},
    ),
    ("ecs-no-public-ip", "aws:ecs/service:Service", {"networkConfiguration": {"assignPublicIp": False}}, None),
    ("ecs-no-privileged-containers", "aws:ecs/taskDefinition:TaskDefinition", {"containerDefinitions": dumps([CONTAINER])}, None),
    (
        "ecs-secrets-not-in-environment",
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": dumps([CONTAINER])},
        None,
    ),
    ("ecs-containers-log", "aws:ecs/taskDefinition:TaskDefinition", {"containerDefinitions": dumps([CONTAINER])}, None),
    ("s3-public-access-blocked", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", BLOCK, None),
]

# policy, resource type, failing props, config, what the message must say
FAILING: list[tuple[str, str, dict[str, Any], dict[str, Any] | None, str]] = [
    (
        "rds-backup-retention",
        RDS,
        with_(DATABASE, backupRetentionPeriod=7),
        {"minimumDays": 35},
        "kept 7 days; keep them at least 35",
    ),
    ("rds-backup-retention", RDS, with_(DATABASE, backupRetentionPeriod=None), None, "unset, so RDS keeps 1 day"),
    ("rds-final-snapshot", RDS, with_(DATABASE, skipFinalSnapshot=True), None, "set skipFinalSnapshot to false"),
    ("rds-final-snapshot", RDS, with_(DATABASE, finalSnapshotIdentifier=None), None, "no finalSnapshotIdentifier is set"),
    ("rds-deletion-protection", RDS, with_(DATABASE, deletionProtection=False), None, "set deletionProtection to true"),
    ("rds-copy-tags-to-snapshot", RDS, with_(DATABASE, copyTagsToSnapshot=None), None, "set copyTagsToSnapshot to true"),
    ("rds-storage-encrypted", RDS, with_(DATABASE, storageEncrypted=False), None, "storage is not encrypted"),
    ("rds-not-public", RDS, with_(DATABASE, publiclyAccessible=True), None, "set publiclyAccessible to false"),
    (
        "backup-plan-retention",
        "aws:backup/plan:Plan",
        {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 7}}]},
        {"minimumDays": 35},
        "rule 'daily' deletes its points after 7 days",
    ),
    ("backup-plan-retention", "aws:backup/plan:Plan", {"rules": [{"ruleName": "daily"}]}, None, "sets no deleteAfter"),
    ("backup-vault-encrypted", "aws:backup/vault:Vault", {}, None, "give it a customer managed key"),
    (
        "elasticache-snapshots",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        with_(REPLICATION_GROUP, snapshotRetentionLimit=0),
        None,
        "set snapshotRetentionLimit to 1 day or more",
    ),
    (
        "elasticache-encrypted",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        with_(REPLICATION_GROUP, atRestEncryptionEnabled=False),
        None,
        "not encrypted at rest",
    ),
    (
        "elasticache-encrypted",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        with_(REPLICATION_GROUP, transitEncryptionEnabled=None),
        None,
        "connect with rediss://",
    ),
    (
        "elasticache-no-plain-cluster",
        "aws:elasticache/cluster:Cluster",
        {"snapshotRetentionLimit": 7},
        None,
        "use a replication group",
    ),
    (
        "ec2-imdsv2-required",
        "aws:ec2/instance:Instance",
        with_(INSTANCE, metadataOptions={"httpTokens": "optional"}),
        None,
        "IMDSv2",
    ),
    (
        "ec2-volumes-encrypted",
        "aws:ec2/instance:Instance",
        with_(INSTANCE, rootBlockDevice={}),
        None,
        "root volume is not encrypted",
    ),
    (
        "ec2-volumes-encrypted",
        "aws:ec2/instance:Instance",
        with_(INSTANCE, ebsBlockDevices=[{"deviceName": "/dev/sdf"}]),
        None,
        "volume /dev/sdf is not encrypted",
    ),
    ("ebs-volume-encrypted", "aws:ebs/volume:Volume", {}, None, "set encrypted to true"),
    (
        "security-group-no-open-ingress",
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
        None,
        "inline ingress: tcp 22-22 is open to 0.0.0.0/0",
    ),
    (
        "security-group-no-open-ingress",
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}]},
        None,
        "all ports is open to ::/0",
    ),
    (
        "security-group-rule-no-open-ingress",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {"type": "ingress", "protocol": "tcp", "fromPort": 80, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]},
        None,
        "tcp 80-443 is open",
    ),
    (
        "security-group-ingress-rule-no-open-ingress",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv6": "::/0"},
        None,
        "tcp 5432-5432 is open to ::/0",
    ),
    (
        "security-group-ingress-rule-no-open-ingress",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"},
        None,
        "all ports is open to 0.0.0.0/0",
    ),
    (
        "alb-http-redirects-only",
        "aws:lb/listener:Listener",
        with_(HTTP_LISTENER, defaultActions=[{"type": "forward", "targetGroupArn": "arn:tg"}]),
        None,
        "serves a forward action",
    ),
    (
        "alb-http-redirects-only",
        "aws:alb/listener:Listener",
        with_(HTTP_LISTENER, defaultActions=[{"type": "redirect", "redirect": {"protocol": "HTTP", "port": "8080"}}]),
        None,
        "make it only redirect to HTTPS",
    ),
    (
        "alb-tls-policy",
        "aws:lb/listener:Listener",
        with_(HTTPS_LISTENER, sslPolicy="ELBSecurityPolicy-2016-08"),
        None,
        "uses TLS policy ELBSecurityPolicy-2016-08",
    ),
    (
        "alb-tls-policy",
        "aws:lb/listener:Listener",
        HTTPS_LISTENER,
        {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]},
        "use one of ELBSecurityPolicy-TLS13-1-3-2021-06",
    ),
    (
        "alb-drop-invalid-headers",
        "aws:lb/loadBalancer:LoadBalancer",
        with_(LOAD_BALANCER, dropInvalidHeaderFields=False),
        None,
        "set dropInvalidHeaderFields to true",
    ),
    ("alb-access-logs", "aws:lb/loadBalancer:LoadBalancer", with_(LOAD_BALANCER, accessLogs=None), None, "keeps no access logs"),
    (
        "alb-access-logs",
        "aws:lb/loadBalancer:LoadBalancer",
        with_(LOAD_BALANCER, accessLogs={"bucket": "logs", "enabled": False}),
        None,
        "keeps no access logs",
    ),
    (
        "cloudfront-viewers-https",
        "aws:cloudfront/distribution:Distribution",
        with_(DISTRIBUTION, defaultCacheBehavior={"viewerProtocolPolicy": "allow-all"}),
        None,
        "behavior default lets viewers use plain HTTP",
    ),
    (
        "cloudfront-viewers-https",
        "aws:cloudfront/distribution:Distribution",
        with_(DISTRIBUTION, orderedCacheBehaviors=[{"pathPattern": "/static/*", "viewerProtocolPolicy": "allow-all"}]),
        None,
        "behavior /static/* lets viewers use plain HTTP",
    ),
    (
        "cloudfront-viewer-tls",
        "aws:cloudfront/distribution:Distribution",
        with_(DISTRIBUTION, viewerCertificate={"acmCertificateArn": "arn:cert", "minimumProtocolVersion": "TLSv1"}),
        None,
        "viewers may use TLS older than 1.2 (TLSv1)",
    ),
    (
        "cloudfront-viewer-tls",
        "aws:cloudfront/distribution:Distribution",
        with_(DISTRIBUTION, viewerCertificate={"cloudfrontDefaultCertificate": True}),
        None,
        "CloudFront default",
    ),
    (
        "cloudfront-origin-https",
        "aws:cloudfront/distribution:Distribution",
        with_(
            DISTRIBUTION,
            origins=[
                {
                    "originId": "o",
                    "customOriginConfig": {"originProtocolPolicy": "match-viewer", "originSslProtocols": ["TLSv1.2"]},
                }
            ],
        ),
        None,
        "origin o may be reached over HTTP",
    ),
    (
        "cloudfront-origin-https",
        "aws:cloudfront/distribution:Distribution",
        with_(
            DISTRIBUTION,
            origins=[
                {
                    "originId": "o",
                    "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.1", "TLSv1.2"]},
                }
            ],
        ),
        None,
        "set originSslProtocols to [TLSv1.2]",
    ),
    ("log-group-retention", "aws:cloudwatch/logGroup:LogGroup", {"name": "/amy/x/web"}, None, "keeps events forever"),
    (
        "log-group-retention",
        "aws:cloudwatch/logGroup:LogGroup",
        {"name": "/amy/x/web", "retentionInDays": 30},
        {"minimumDays": 365},
        "keeps events 30 days; keep them at least 365",
    ),
    (
        "ecs-no-public-ip",
        "aws:ecs/service:Service",
        {"networkConfiguration": {"assignPublicIp": True}},
        None,
        "assignPublicIp to false",
    ),
    (
        "ecs-no-privileged-containers",
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": dumps([with_(CONTAINER, privileged=True)])},
        None,
        "container web is privileged",
    ),
    (
        "ecs-secrets-not-in-environment",
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": dumps([with_(CONTAINER, environment=[{"name": "AMY_DATABASE_PASSWORD", "value": "x"}])])},
        None,
        "has AMY_DATABASE_PASSWORD in its plain environment",
    ),
    (
        "ecs-containers-log",
        "aws:ecs/taskDefinition:TaskDefinition",
        {"containerDefinitions": dumps([with_(CONTAINER, logConfiguration=None)])},
        None,
        "container web sends its logs nowhere",
    ),
    (
        "s3-public-access-blocked",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        with_(BLOCK, restrictPublicBuckets=False),
        None,
        "set restrictPublicBuckets to true",
    ),
]


@pytest.mark.parametrize(("policy", "type_", "props", "config"), PASSING, ids=[case[0] for case in PASSING])
def test_compliant_resources_pass(policy: str, type_: str, props: dict[str, Any], config: dict[str, Any] | None) -> None:
    assert resource_violations(policy, type_, props, config) == []


@pytest.mark.parametrize(
    ("policy", "type_", "props", "config", "expected"), FAILING, ids=[f"{case[0]}-{index}" for index, case in enumerate(FAILING)]
)
def test_each_failure_mode_is_flagged_with_its_fix(
    policy: str, type_: str, props: dict[str, Any], config: dict[str, Any] | None, expected: str
) -> None:
    found = resource_violations(policy, type_, props, config)
    assert any(expected in message for message in found), found


def test_policies_ignore_other_resource_types() -> None:
    assert resource_violations("rds-not-public", "aws:s3/bucket:Bucket", {"publiclyAccessible": True}) == []


def test_every_resource_policy_has_a_passing_and_a_failing_case() -> None:
    resource_policies = {name for name, policy in POLICIES.items() if isinstance(policy, ResourceValidationPolicy)}
    assert resource_policies == {case[0] for case in PASSING}
    assert resource_policies == {case[0] for case in FAILING}
