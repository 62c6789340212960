"""AMY's policy pack: backups, data protection and security, one module per concern."""

from pulumi_policy import PolicyPack

import aws_backup
import cloudfront
import dump_bucket
import ec2
import ecr
import ecs
import elasticache
import iam
import kms
import load_balancer
import log_groups
import network
import plain_secrets
import protection
import rds
import release_snapshot
import resource_policies
import s3
import security_groups
import session_manager

PolicyPack(
    name="amy",
    description=(
        "Backups, data protection and security of AMY's infrastructure: the AWS Foundational Security Best Practices "
        "that apply to it (docs/fsbp-controls.md), and recovery points that outlive a mistake or a compromised account."
    ),
    policies=[
        *rds.policies(),
        *aws_backup.policies(),
        *dump_bucket.policies(),
        *elasticache.policies(),
        *release_snapshot.policies(),
        *protection.policies(),
        *kms.policies(),
        *ec2.policies(),
        *security_groups.policies(),
        *network.policies(),
        *load_balancer.policies(),
        *cloudfront.policies(),
        *log_groups.policies(),
        *ecs.policies(),
        *ecr.policies(),
        *s3.policies(),
        *resource_policies.policies(),
        *iam.policies(),
        *plain_secrets.policies(),
        *session_manager.policies(),
    ],
)
