"""Valid but unusual stacks plan: every optional key set, the largest allowed numbers, another region."""

from __future__ import annotations

from typing import Any

import pytest

from stack_config.settings import OPTIONAL_SETTINGS
from tooling.harness import Plan, run

EXISTING_NETWORK = {
    "amy:existingVpcId": "vpc-0a1b2c3d4e5f60718",
    "amy:existingPublicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    "amy:existingPrivateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
    "amy:existingIsolatedSubnetIds": ["subnet-0ccccccccccccccc1", "subnet-0ccccccccccccccc2"],
}
EVERY_OPTIONAL_KEY = {
    "amy:availabilityZones": ["us-east-1c", "us-east-1f"],
    "amy:natStrategy": "one-per-az",
    "amy:dbIdentifier": "amy-prod-2",
    "amy:dbMasterUsername": "amy_admin",
    "amy:hostAmiId": "ami-0123456789abcdef0",
    "amy:acmeDirectory": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "amy:appRepository": "https://git.example.org/mirrors/amy.git",
    "amy:emailAttachmentsBucket": "carpentries-amy-attachments",
    "amy:optionalSettings": list(OPTIONAL_SETTINGS),
    "amy:githubOidcProviderOwner": False,
    "amy:githubOidcProviderArn": "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com",
    "amy:githubEnvironment": "prod_2",
    "amy:alarmEmail": "ops+amy@lists.carpentries.org",
    "amy:cdnAlias": False,
    **EXISTING_NETWORK,
}
LARGEST = {
    "amy:dbAllocatedStorageGb": 59578,
    "amy:dbMaxAllocatedStorageGb": 65536,
    "amy:dbBackupRetentionDays": 35,
    "amy:backupDailyRetentionDays": 36500,
    "amy:backupMonthlyRetentionDays": 36500,
    "amy:logRetentionDays": 3653,
    "amy:gunicornWorkers": 32,
    "amy:hostRootVolumeGb": 1024,
    "amy:hostInstanceType": "m7i.48xlarge",
    "amy:dbInstanceClass": "db.r7g.16xlarge",
}
ECS_LARGEST = {
    "amy:layout": "ecs",
    "amy:cacheMode": "elasticache",
    # A release that still has RQ, for whose workers ElastiCache runs.
    "amy:appVersion": "v4.6.3",
    "amy:cacheNodeType": "cache.r7g.16xlarge",
    "amy:cacheSnapshotDays": 35,
    "amy:taskCpu": 4096,
    "amy:taskMemory": 30720,
    "amy:minTasks": 50,
    "amy:maxTasks": 50,
    "amy:keepImages": 1000,
    "amy:maintenance": True,
    "amy:hostInstanceType": None,
    "amy:certbotEmail": None,
}
ANOTHER_REGION = {"amy:region": "eu-west-1", "amy:availabilityZones": ["eu-west-1b", "eu-west-1c"]}

UNUSUAL: dict[str, tuple[str, dict[str, Any]]] = {
    "every optional key": ("production", EVERY_OPTIONAL_KEY),
    "the largest numbers": ("production", LARGEST),
    "the largest ecs numbers": ("testing", {**ECS_LARGEST, "amy:gunicornWorkers": 32}),
    "production moved to ecs, largest": ("production", ECS_LARGEST),
    "another region": ("testing", ANOTHER_REGION),
    "the smallest numbers": (
        "testing",
        {"amy:minTasks": 1, "amy:maxTasks": 1, "amy:keepImages": 5, "amy:taskCpu": 256, "amy:taskMemory": 512},
    ),
}


@pytest.mark.parametrize(("stack", "overrides"), UNUSUAL.values(), ids=list(UNUSUAL))
def test_unusual_but_valid_stacks_plan(stack: str, overrides: dict[str, Any]) -> None:
    plan: Plan = run(stack, overrides)
    assert plan.one("aws:rds/instance:Instance")
    assert plan.outputs["layout"] in ("legacy", "ecs")


def test_another_region_reaches_every_regional_provider() -> None:
    plan = run("testing", ANOTHER_REGION)
    assert plan.one("pulumi:providers:aws", "aws").inputs["region"] == "eu-west-1"
    assert plan.one("aws:rds/instance:Instance").outputs["address"].endswith(".eu-west-1.rds.amazonaws.com")
