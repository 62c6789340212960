"""protection.py: where required, the database, backup vault, KMS key and dumps bucket are protected."""

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from components.backups import DUMPS_BUCKET_TAGS
from stack_config import StackConfig
from tests.policies.pack import resource, stack_fail, stack_pass, stack_violations

REQUIRED = {"required": True}
# Each stateful resource by its logical name after the stack's prefix, and its type.
STATEFUL = {
    "backups-dumps": "aws:s3/bucket:Bucket",
    "backups-key": "aws:kms/key:Key",
    "backups-vault": "aws:backup/vault:Vault",
    "db-instance": "aws:rds/instance:Instance",
    "sessions-key": "aws:kms/key:Key",
    "sessions-log": "aws:cloudwatch/logGroup:LogGroup",
    "network-flow-logs": "aws:cloudwatch/logGroup:LogGroup",
    "cdn-access-logs": "aws:cloudwatch/logGroup:LogGroup",
    "logs-web": "aws:cloudwatch/logGroup:LogGroup",
}


def unprotected(resources: list[PolicyResource], names: list[str]) -> list[PolicyResource]:
    return [resource(r.resource_type, r.name, r.props, protect=False) if r.name in names else r for r in resources]


@stack_pass("stateful-resources-protected")
def test_every_stack_protects_its_stateful_resources_where_its_config_says(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    required = {"required": stack_config.protect_stateful_resources}
    assert stack_violations("stateful-resources-protected", stack_resources, required) == []


@stack_fail("stateful-resources-protected")
def test_unprotected_stateful_resources_are_flagged_only_where_required(
    stack_resources: list[PolicyResource], stack_config: StackConfig
) -> None:
    names = [f"{stack_config.name_prefix}-{suffix}" for suffix in STATEFUL]
    exposed = unprotected(stack_resources, names)
    assert stack_violations("stateful-resources-protected", exposed) == []
    found = [message.split(" ") for message in stack_violations("stateful-resources-protected", exposed, REQUIRED)]
    assert set(names) <= {name for _, name, *_ in found}
    # Nothing else is flagged but what holds data: a resource of a stateful type left unprotected by the stack.
    assert {type_ for type_, *_ in found} <= set(STATEFUL.values()) | {"aws:s3/bucket:Bucket"}


@stack_fail("stateful-resources-protected")
@pytest.mark.parametrize(("suffix", "type_"), STATEFUL.items())
def test_each_unprotected_stateful_resource_is_flagged_with_its_fix(
    stack_resources: list[PolicyResource], stack_config: StackConfig, suffix: str, type_: str
) -> None:
    name = f"{stack_config.name_prefix}-{suffix}"
    protected = [resource(r.resource_type, r.name, r.props, protect=True) for r in stack_resources]
    assert stack_violations("stateful-resources-protected", unprotected(protected, [name]), REQUIRED) == [
        f"{type_} {name} holds data (or the key to it) but is not protected; set protect "
        "(the stack's protectStatefulResources) so no update or destroy can delete it"
    ]


@stack_fail("stateful-resources-protected")
def test_the_dumps_bucket_is_known_by_its_tag_not_its_name() -> None:
    tagged = resource("aws:s3/bucket:Bucket", "carpentries-db-backups", {"tags": DUMPS_BUCKET_TAGS})
    untagged = resource("aws:s3/bucket:Bucket", "old-backups-dumps", {})
    found = stack_violations("stateful-resources-protected", [tagged, untagged], REQUIRED)
    assert [message.split(" ")[1] for message in found] == ["carpentries-db-backups"]
