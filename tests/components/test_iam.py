"""Identity across every stack: each role the program makes is bounded, every IAM document it registers is one AWS's
catalogue knows, the guards of the issue are in every policy that bounds a role, and the deployer reaches exactly the
names the program gives."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.iam_documents import (
    PASSED_TO,
    PRODUCTION_ENVIRONMENT,
    SESSION_PREFERENCES_DOCUMENT,
    AccessScope,
    boundary_policy,
    deployer_policies,
    guard_statements,
)
from layouts import access_scope
from tests.components.support import with_redis
from tests.stacks import STACKS, config_of, planned
from tooling.harness import ACCOUNT_ID, Plan
from tooling.iam_check import problems, registered_documents

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def policy(plan: Plan, name: str) -> dict[str, Any]:
    [found] = [p for p in plan.of_type(POLICY) if p.inputs["name"] == name]
    return found.outputs | {"document": json.loads(found.inputs["policy"])}


def deployer_may(scope: AccessScope) -> Callable[[str, str], bool]:
    """Whether one of the deployer's policies allows an action on a resource (Action and Resource patterns as IAM
    matches them; conditions aside)."""
    allowed = [s for d in deployer_policies(scope).values() for s in d["Statement"] if s["Effect"] == "Allow"]

    def may(action: str, resource: str) -> bool:
        return any(
            any(fnmatch.fnmatchcase(action, pattern) for pattern in s["Action"])
            and any(fnmatch.fnmatchcase(resource, pattern) for pattern in as_list(s["Resource"]))
            for s in allowed
        )

    return may


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


@pytest.mark.parametrize("stack", STACKS)
def test_every_role_carries_its_stacks_boundary(stack: str) -> None:
    for plan in (planned(stack), with_redis(stack)):
        workload = policy(plan, f"amy-{stack}-boundary")["arn"]
        github = policy(plan, f"amy-{stack}-github-boundary")["arn"]
        roles = plan.of_type(ROLE)
        assert roles
        for role in roles:
            expected = github if role.name.startswith(f"amy-{stack}-github-") else workload
            assert role.inputs.get("permissionsBoundary") == expected, role.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_role_is_named_within_the_deployers_reach(stack: str) -> None:
    """The deployer may only touch `role/amy-<stack>-*`: autonamed roles take their logical name, which starts so."""
    for role in planned(stack).of_type(ROLE):
        assert role.outputs["name"].startswith(f"amy-{stack}-"), role.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_document_passes_the_catalogue_check(stack: str) -> None:
    for plan in (planned(stack), with_redis(stack)):
        checked = 0
        for where, kind, document in registered_documents(plan):
            assert problems(document, kind) == [], where
            checked += 1
        assert checked >= 10


@pytest.mark.parametrize("stack", STACKS)
def test_every_passed_role_goes_to_a_service_the_deployer_may_pass_it_to(stack: str) -> None:
    for role in planned(stack).of_type(ROLE):
        for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
            service = statement["Principal"].get("Service")
            assert service is None or service in PASSED_TO, role.name
    passing = statements(policy(planned(stack), f"amy-{stack}-github-deploy-identity")["document"])["PassRoles"]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": list(PASSED_TO)}}


@pytest.mark.parametrize("stack", STACKS)
def test_the_deployer_creates_roles_only_with_the_stacks_boundary(stack: str) -> None:
    document = policy(planned(stack), f"amy-{stack}-github-deploy-identity")["document"]
    bounded = statements(document)["BoundedRoles"]
    assert "iam:CreateRole" in bounded["Action"]
    assert bounded["Resource"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/amy-{stack}-*"]
    assert bounded["Condition"] == {
        "StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT_ID}:policy/amy-{stack}-boundary"}
    }
    # No other statement of any part grants an IAM write.
    for part in ("read", "network", "compute", "data", "edge", "guards"):
        for statement in policy(planned(stack), f"amy-{stack}-github-deploy-{part}")["document"]["Statement"]:
            writes = [a for a in statement["Action"] if a.startswith("iam:") and not a.startswith(("iam:Get", "iam:List"))]
            assert statement["Effect"] == "Deny" or not writes, (part, statement["Sid"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_boundary_denies_privilege_escalation(stack: str) -> None:
    document = policy(planned(stack), f"amy-{stack}-boundary")["document"]
    escalation = statements(document)["NoPrivilegeEscalation"]
    assert escalation["Effect"] == "Deny"
    assert set(escalation["Action"]) == {"iam:*", "organizations:*", "account:*"}
    allowed = statements(document)["WorkloadServices"]["Action"]
    assert not [action for action in allowed if action.split(":")[0] in {"iam", "organizations", "account", "sts"}]


@pytest.mark.parametrize("stack", STACKS)
def test_the_dumps_bucket_the_guards_name_is_the_one_the_program_makes(stack: str) -> None:
    scope = access_scope(config_of(stack), ACCOUNT_ID)
    dumps = [
        b for b in planned(stack).of_type("aws:s3/bucket:Bucket") if b.inputs.get("tags", {}).get("Purpose") == "database-dumps"
    ]
    [bucket] = dumps
    assert fnmatch.fnmatchcase(bucket.outputs["bucket"], scope.dumps_bucket)
    others = [b.outputs["bucket"] for b in planned(stack).of_type("aws:s3/bucket:Bucket") if b not in dumps]
    assert not [name for name in others if fnmatch.fnmatchcase(name, scope.dumps_bucket)]


# --- The explicit denies of the issue: in the deployer's guards, and in both boundaries --------------------------


def guards(stack: str) -> list[dict[str, dict[str, Any]]]:
    plan = planned(stack)
    return [
        statements(policy(plan, f"amy-{stack}-github-deploy-guards")["document"]),
        statements(policy(plan, f"amy-{stack}-github-boundary")["document"]),
        statements(policy(plan, f"amy-{stack}-boundary")["document"]),
    ]


def denied(stack: str, sid: str, *actions: str) -> list[dict[str, Any]]:
    """The statement `sid` in each policy that bounds a role of `stack`, checked to deny `actions`."""
    found = []
    for document in guards(stack):
        statement = document[sid]
        assert statement["Effect"] == "Deny"
        assert set(actions) <= set(statement["Action"]), (sid, statement["Action"])
        found.append(statement)
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_deny_creating_iam_users_or_keys(stack: str) -> None:
    for statement in denied(stack, "NoIamUsersOrKeys", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"):
        assert statement["Resource"] == "*"


@pytest.mark.parametrize("stack", STACKS)
def test_deny_stopping_or_deleting_trails(stack: str) -> None:
    for statement in denied(stack, "NoTrailStopOrDelete", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"):
        assert statement["Resource"] == "*"


@pytest.mark.parametrize("stack", STACKS)
def test_deny_deleting_recovery_points(stack: str) -> None:
    denied(stack, "NoRecoveryPointDeletion", "backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")


@pytest.mark.parametrize("stack", STACKS)
def test_deny_deleting_vaults(stack: str) -> None:
    denied(stack, "NoVaultDeletion", "backup:DeleteBackupVault")


@pytest.mark.parametrize("stack", STACKS)
def test_deny_scheduling_key_deletion(stack: str) -> None:
    denied(stack, "NoKeyDeletion", "kms:ScheduleKeyDeletion")


@pytest.mark.parametrize("stack", STACKS)
def test_deny_changing_key_policies(stack: str) -> None:
    denied(stack, "NoKeyPolicyChange", "kms:PutKeyPolicy")


@pytest.mark.parametrize("stack", STACKS)
def test_deny_deleting_object_versions(stack: str) -> None:
    for statement in denied(stack, "NoObjectVersionDeletion", "s3:DeleteObjectVersion"):
        assert statement["Resource"] == "arn:aws:s3:::*/*"


@pytest.mark.parametrize("stack", STACKS)
def test_deny_changing_the_dumps_buckets_policy(stack: str) -> None:
    scope = access_scope(config_of(stack), ACCOUNT_ID)
    for statement in denied(stack, "NoDumpsBucketPolicyChange", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"):
        assert statement["Resource"] == [scope.dumps_bucket_arn]


@pytest.mark.parametrize("stack", STACKS)
def test_deny_deleting_the_production_database(stack: str) -> None:
    deployer, github, workload = guards(stack)
    # In every stack, whatever its account: the database tagged as production's, by the deployer of any stack.
    for document in (deployer, github):
        statement = document["NoProductionDatabaseDeletion"]
        assert (statement["Effect"], statement["Action"]) == ("Deny", ["rds:DeleteDBInstance"])
        assert statement["Condition"] == {"StringEquals": {"aws:ResourceTag/Environment": PRODUCTION_ENVIRONMENT}}
    # And by its ARN, in the stack that protects it, for every role of that stack.
    if config_of(stack).protect_stateful_resources:
        arn = access_scope(config_of(stack), ACCOUNT_ID).database_arn
        for document in (deployer, github, workload):
            assert document["NoDatabaseDeletion"]["Resource"] == [arn]


def test_production_protects_its_database_by_arn() -> None:
    assert "NoDatabaseDeletion" in statements(policy(planned("production"), "amy-production-github-deploy-guards")["document"])


@pytest.mark.parametrize("stack", STACKS)
def test_deny_changing_the_deploy_roles_trust(stack: str) -> None:
    for statement in denied(
        stack, "NoDeployRoleChange", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy"
    ):
        assert statement["Resource"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/amy-{stack}-github-*"]
    for statement in denied(stack, "NoBoundaryOrDeployPolicyChange", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"):
        assert f"arn:aws:iam::{ACCOUNT_ID}:policy/amy-{stack}-boundary" in statement["Resource"]


@pytest.mark.parametrize("stack", STACKS)
def test_deny_changing_the_oidc_provider(stack: str) -> None:
    actions = (
        "iam:DeleteOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint",
        "iam:AddClientIDToOpenIDConnectProvider",
    )
    for statement in denied(stack, "NoOidcProviderChange", *actions):
        assert statement["Resource"] == [f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"]


def test_the_workload_boundary_leaves_restore_tests_free_to_clean_up() -> None:
    """AWS Backup deletes the databases its restore tests make, with the stack's role: only the stack's own database is
    denied to it by ARN, never by a tag a restored copy may carry."""
    scope = access_scope(config_of("production"), ACCOUNT_ID)
    sids = {statement["Sid"] for statement in boundary_policy(scope)["Statement"]}
    assert "NoProductionDatabaseDeletion" not in sids
    assert {statement["Sid"] for statement in guard_statements(scope)} - sids == {"NoProductionDatabaseDeletion"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_deployer_may_make_the_audit_trail_the_backups_copies_and_the_final_snapshots(stack: str) -> None:
    """What the audit trail, the locked and copied backups and the cache's final snapshot ask of AWS, each action on
    the resource it names, allowed by one of the deployer's policies."""
    scope = access_scope(config_of(stack), ACCOUNT_ID)
    may = deployer_may(scope)
    prefix = scope.name_prefix
    copy_region = config_of(stack).backup.copy_region or "us-west-2"
    needed = {
        "ec2:CreateFlowLogs": scope.arn("ec2", "vpc-flow-log/fl-0123"),
        "logs:PutDeliverySource": scope.arn("logs", f"delivery-source:{prefix}-cdn", region="us-east-1"),
        "logs:PutDeliveryDestination": scope.arn("logs", f"delivery-destination:{prefix}-cdn-access-logs", region="us-east-1"),
        "logs:CreateDelivery": scope.arn("logs", "delivery:abc", region="us-east-1"),
        "logs:CreateLogGroup": scope.arn("logs", f"log-group:/amy/{stack}/cdn-access", region="us-east-1"),
        "cloudfront:AllowVendedLogDeliveryForResource": f"arn:aws:cloudfront::{scope.account}:distribution/E123",
        "cloudtrail:CreateTrail": scope.arn("cloudtrail", f"trail/{prefix}-trail"),
        "backup:CreateBackupVault": scope.arn("backup", f"backup-vault:{prefix}", region=copy_region),
        "backup:PutBackupVaultLockConfiguration": scope.arn("backup", f"backup-vault:{prefix}", region=copy_region),
        "kms:TagResource": scope.arn("kms", "key/1234", region=copy_region),
        "s3:PutBucketObjectLockConfiguration": f"arn:aws:s3:::{prefix}-backups-dumps-0a1b2c3",
        "elasticache:CreateSnapshot": scope.arn("elasticache", f"snapshot:{prefix}-redis-final"),
    }
    assert [action for action, resource in needed.items() if not may(action, resource)] == []
    assert "vpc-flow-logs.amazonaws.com" in PASSED_TO


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_stack_keeping_the_session_preferences_may_change_them(stack: str) -> None:
    """The preferences are the account's and region's: another stack's deployer could turn the host's session
    logging off. The session log group's key is set by the deployer that makes the group (logs:AssociateKmsKey)."""
    config = config_of(stack)
    scope = access_scope(config, ACCOUNT_ID)
    may = deployer_may(scope)
    document = scope.arn("ssm", f"document/{SESSION_PREFERENCES_DOCUMENT}")
    for action in ("ssm:CreateDocument", "ssm:UpdateDocument", "ssm:DeleteDocument"):
        assert may(action, document) == config.session_preferences, action
    assert may("logs:AssociateKmsKey", scope.arn("logs", f"log-group:/amy/{stack}/sessions"))
    assert not may("logs:AssociateKmsKey", scope.arn("logs", "log-group:/amy/other/sessions"))
