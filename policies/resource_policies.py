"""Resource policies (buckets, topics, keys, backup vaults, repositories) grant nothing to every principal unless a
condition narrows who that is."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationPolicy

from support import ADVISORY, as_list, resource_policy, statements

# Each type that carries a resource policy in its `policy` property.
POLICY_HOLDERS = (
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topic:Topic",
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:backup/vaultPolicy:VaultPolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:sqs/queuePolicy:QueuePolicy",
)
# Condition keys that tie a grant to one account, organization, source resource or network.
NARROWING_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceOrgID",
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "kms:CallerAccount",
    )
)


def _public(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS"))


def _narrowed(condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        return False
    return any(
        str(key).lower() in NARROWING_KEYS and "*" not in as_list(values)
        for operator in condition.values()
        if isinstance(operator, Mapping)
        for key, values in operator.items()
    )


def _not_public(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for statement in statements(props.get("policy")):
        if (
            statement.get("Effect") == "Allow"
            and _public(statement.get("Principal"))
            and not _narrowed(statement.get("Condition"))
        ):
            label = f"statement {statement.get('Sid')!r}" if statement.get("Sid") else "a statement"
            actions = ", ".join(str(action) for action in as_list(statement.get("Action"))) or "its actions"
            yield (
                f"{label} allows {actions} to every principal (Principal *) with no condition that narrows it; "
                "name the principals, or add a condition on aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID"
            )


def policies() -> list[ResourceValidationPolicy]:
    return [
        resource_policy(
            "resource-policy-not-public",
            "No resource policy allows every principal without a condition that narrows it.",
            POLICY_HOLDERS,
            _not_public,
            ADVISORY,
        )
    ]
