"""Careless or hostile changes to production, one at a time, each refused by name over the analyzer protocol.

Each regression rewrites the production plan's registrations as the change would (inputs and what the cloud
would answer alike), and the pack, with production's policy config (every policy mandatory), must answer it with a
mandatory violation of the policy that guards against it, on the resource the change touched."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest
import yaml

from tooling.harness import Plan, Registration
from tooling.policy_check import Verdict, check, policy_server

TOKEN_HOST = "token.actions.githubusercontent.com"
PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----"
ACCESS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"


def _find(plan: Plan, type_: str, suffix: str) -> Registration:
    [found] = [r for r in plan.registrations if r.type == type_ and r.name.endswith(suffix)]
    return found


def changed(plan: Plan, type_: str, suffix: str, change: Callable[[dict[str, Any]], Mapping[str, Any]]) -> Plan:
    """`plan` with one resource's properties, in its inputs and its outputs alike, updated by `change` (a value of
    None removes the property)."""
    target = _find(plan, type_, suffix)

    def apply(properties: dict[str, Any]) -> dict[str, Any]:
        updated = {**properties, **change(json.loads(json.dumps(properties)))}
        return {key: value for key, value in updated.items() if value is not None}

    registration = replace(target, inputs=apply(target.inputs), outputs=apply(target.outputs))
    return Plan(plan.stack, [registration if r is target else r for r in plan.registrations], plan.outputs)


def added(plan: Plan, beside: tuple[str, str], type_: str, name: str, properties: dict[str, Any]) -> Plan:
    """`plan` with a resource the change adds, next to (same parent and provider as) an existing one."""
    sibling = _find(plan, *beside)
    parent_type = sibling.urn.split("::")[2].rsplit("$", 1)[0]
    registration = replace(
        sibling,
        urn=f"urn:pulumi:{plan.stack}::amy::{parent_type}${type_}::{name}",
        id=name,
        type=type_,
        name=name,
        inputs=properties,
        outputs=properties,
        secret_inputs=(),
        dependencies=(),
        protect=False,
    )
    return Plan(plan.stack, [*plan.registrations, registration], plan.outputs)


def removed(plan: Plan, type_: str) -> Plan:
    return Plan(plan.stack, [r for r in plan.registrations if r.type != type_], plan.outputs)


def with_statement(document: str, statement: dict[str, Any]) -> str:
    parsed = json.loads(document)
    return json.dumps({**parsed, "Statement": [*parsed["Statement"], statement]})


def user_data_with(user_data: str, path: str, line: str) -> str:
    """The legacy host's user data (base64 gzip cloud-config) with `line` added to the file at `path`."""
    config = yaml.safe_load(gzip.decompress(base64.b64decode(user_data)))
    for entry in config["write_files"]:
        if entry["path"] == path:
            entry["content"] += line
    text = "#cloud-config\n" + yaml.safe_dump(config)
    return base64.b64encode(gzip.compress(text.encode())).decode()


def github_trust(role: dict[str, Any], condition: dict[str, Any]) -> dict[str, Any]:
    trust = json.loads(role["assumeRolePolicy"])
    [statement] = trust["Statement"]
    return {"assumeRolePolicy": json.dumps({**trust, "Statement": [{**statement, "Condition": condition}]})}


OPEN_TO_ALL = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*"}
PARAMETER = "aws:ssm/parameter:Parameter"
INSTANCE = "aws:rds/instance:Instance"
KEY = "aws:kms/key:Key"
VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
HOST = "aws:ec2/instance:Instance"
HOST_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"


@dataclass(frozen=True)
class Regression:
    name: str
    apply: Callable[[Plan], Plan]
    policy: str
    # The logical name of the resource the violation must name.
    resource: str


REGRESSIONS = [
    Regression(
        "kms-rotation-off",
        lambda plan: changed(plan, KEY, "-backups-key", lambda _: {"enableKeyRotation": False}),
        "kms-key-rotation",
        "amy-production-backups-key",
    ),
    Regression(
        "vault-force-destroy",
        lambda plan: changed(plan, VAULT, "-backups-vault", lambda _: {"forceDestroy": True}),
        "backup-vault-no-force-destroy",
        "amy-production-backups-vault",
    ),
    Regression(
        "vault-unencrypted",
        lambda plan: changed(plan, VAULT, "-backups-vault", lambda _: {"kmsKeyArn": None}),
        "backup-vault-encrypted",
        "amy-production-backups-vault",
    ),
    Regression(
        "backups-only-monthly",
        lambda plan: changed(
            plan, PLAN, "-backups-plan", lambda p: {"rules": [r for r in p["rules"] if r["ruleName"] != "daily"]}
        ),
        "backup-plan-daily",
        "amy-production-backups-plan",
    ),
    Regression(
        "delete-automated-backups",
        lambda plan: changed(plan, INSTANCE, "-db-instance", lambda _: {"deleteAutomatedBackups": True}),
        "rds-keep-automated-backups",
        "amy-production-db-instance",
    ),
    Regression(
        "rds-force-ssl-removed",
        lambda plan: changed(
            plan,
            PARAMETER_GROUP,
            "-db-parameters",
            lambda p: {"parameters": [x for x in p["parameters"] if x["name"] != "rds.force_ssl"]},
        ),
        "rds-force-ssl",
        "amy-production-db-instance",
    ),
    Regression(
        "rds-force-ssl-off",
        lambda plan: changed(
            plan,
            PARAMETER_GROUP,
            "-db-parameters",
            lambda p: {"parameters": [{**x, "value": "0"} if x["name"] == "rds.force_ssl" else x for x in p["parameters"]]},
        ),
        "rds-force-ssl",
        "amy-production-db-instance",
    ),
    Regression(
        "rds-logs-not-exported",
        lambda plan: changed(plan, INSTANCE, "-db-instance", lambda _: {"enabledCloudwatchLogsExports": []}),
        "rds-log-exports",
        "amy-production-db-instance",
    ),
    Regression(
        "restore-test-dropped",
        lambda plan: removed(plan, "aws:backup/restoreTestingSelection:RestoreTestingSelection"),
        "database-restore-testing",
        "amy-production-db-instance",
    ),
    Regression(
        "secret-in-user-data",
        lambda plan: changed(
            plan,
            HOST,
            "-host-instance",
            lambda p: {"userDataBase64": user_data_with(p["userDataBase64"], "/etc/amy/host.env", "AMY_SECRET_KEY=s3cr3t\n")},
        ),
        "ec2-user-data-no-secrets",
        "amy-production-host-instance",
    ),
    Regression(
        "private-key-in-user-data",
        lambda plan: changed(
            plan,
            HOST,
            "-host-instance",
            lambda p: {"userDataBase64": user_data_with(p["userDataBase64"], "/usr/local/sbin/amy-deploy", PRIVATE_KEY)},
        ),
        "ec2-user-data-no-secrets",
        "amy-production-host-instance",
    ),
    Regression(
        "imdsv1",
        lambda plan: changed(
            plan, HOST, "-host-instance", lambda p: {"metadataOptions": {**p["metadataOptions"], "httpTokens": "optional"}}
        ),
        "ec2-imdsv2-required",
        "amy-production-host-instance",
    ),
    Regression(
        "secret-as-plain-ssm-string",
        lambda plan: added(
            plan,
            (PARAMETER, "-settings-AMY_DEBUG"),
            PARAMETER,
            "amy-production-settings-AMY_SECRET_KEY",
            {"name": "/amy/production/env/AMY_SECRET_KEY", "type": "String", "value": "django-insecure-0123456789"},
        ),
        "ssm-parameter-secrets-encrypted",
        "amy-production-settings-AMY_SECRET_KEY",
    ),
    Regression(
        "access-key-in-a-setting",
        lambda plan: changed(plan, PARAMETER, "-settings-AMY_SITE_BANNER", lambda _: {"value": ACCESS_KEY}),
        "ssm-parameter-secrets-encrypted",
        "amy-production-settings-AMY_SITE_BANNER",
    ),
    Regression(
        "inline-action-star",
        lambda plan: changed(
            plan,
            HOST_POLICY,
            "-host-role-amy",
            lambda p: {"policy": with_statement(p["policy"], {"Effect": "Allow", "Action": "*", "Resource": "*"})},
        ),
        "iam-no-wildcard-actions",
        "amy-production-host-role-amy",
    ),
    Regression(
        "inline-service-star",
        lambda plan: changed(
            plan,
            HOST_POLICY,
            "-host-role-amy",
            lambda p: {"policy": with_statement(p["policy"], {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})},
        ),
        "iam-no-wildcard-actions",
        "amy-production-host-role-amy",
    ),
    Regression(
        "administrator-on-the-host",
        lambda plan: added(
            plan,
            ("aws:iam/rolePolicy:RolePolicy", "-host-role-agents"),
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "amy-production-host-role-admin",
            {"role": "amy-production-host-role-1e9e6ce", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
        "iam-no-admin-policies",
        "amy-production-host-role-admin",
    ),
    Regression(
        "oidc-trust-on-the-organization-without-audience",
        lambda plan: changed(
            plan,
            ROLE,
            "-github-deploy",
            lambda role: github_trust(role, {"StringLike": {f"{TOKEN_HOST}:sub": "repo:carpentries/*"}}),
        ),
        "github-oidc-trust-pinned",
        "amy-production-github-deploy",
    ),
    Regression(
        "oidc-trust-on-every-workflow-of-the-repository",
        lambda plan: changed(
            plan,
            ROLE,
            "-github-deploy",
            lambda role: github_trust(
                role,
                {"StringLike": {f"{TOKEN_HOST}:aud": "sts.amazonaws.com", f"{TOKEN_HOST}:sub": "repo:carpentries/amy-infra:*"}},
            ),
        ),
        "github-oidc-trust-pinned",
        "amy-production-github-deploy",
    ),
    Regression(
        "topic-open-to-everyone",
        lambda plan: changed(
            plan,
            TOPIC_POLICY,
            "-alarms-topic-policy",
            lambda p: {"policy": with_statement(p["policy"], {**OPEN_TO_ALL, "Action": "sns:Publish", "Resource": "*"})},
        ),
        "resource-policy-not-public",
        "amy-production-alarms-topic-policy",
    ),
    Regression(
        "dumps-open-to-everyone",
        lambda plan: changed(
            plan,
            BUCKET_POLICY,
            "-backups-dumps-policy",
            lambda p: {"policy": with_statement(p["policy"], {**OPEN_TO_ALL, "Action": "s3:GetObject", "Resource": "*"})},
        ),
        "resource-policy-not-public",
        "amy-production-backups-dumps-policy",
    ),
    Regression(
        "backup-key-open-to-everyone",
        lambda plan: changed(
            plan,
            KEY,
            "-backups-key",
            lambda _: {
                "policy": json.dumps(
                    {"Version": "2012-10-17", "Statement": [{**OPEN_TO_ALL, "Principal": {"AWS": "*"}, "Action": "kms:*"}]}
                )
            },
        ),
        "resource-policy-not-public",
        "amy-production-backups-key",
    ),
    Regression(
        "vault-access-open-to-everyone",
        lambda plan: added(
            plan,
            (VAULT, "-backups-vault"),
            "aws:backup/vaultPolicy:VaultPolicy",
            "amy-production-backups-vault-policy",
            {
                "backupVaultName": "amy-production",
                "policy": json.dumps(
                    {"Version": "2012-10-17", "Statement": [{**OPEN_TO_ALL, "Action": "backup:DeleteRecoveryPoint"}]}
                ),
            },
        ),
        "resource-policy-not-public",
        "amy-production-backups-vault-policy",
    ),
    Regression(
        "dumps-bucket-force-destroy",
        lambda plan: changed(plan, BUCKET, "-backups-dumps", lambda _: {"forceDestroy": True}),
        "s3-bucket-no-force-destroy",
        "amy-production-backups-dumps",
    ),
    Regression(
        "database-unprotected",
        lambda plan: Plan(
            plan.stack,
            [replace(r, protect=False) if r.type == INSTANCE else r for r in plan.registrations],
            plan.outputs,
        ),
        "stateful-resources-protected",
        "amy-production-db-instance",
    ),
]


def found(verdict: Verdict, regression: Regression) -> bool:
    return any(v.policy == regression.policy and v.urn.endswith(f"::{regression.resource}") for v in verdict.mandatory)


@pytest.fixture(scope="module")
def as_committed(production: Plan) -> Verdict:
    with policy_server() as server:
        return check(server, production)


def test_there_are_many_regressions_each_named_once() -> None:
    assert len(REGRESSIONS) >= 16
    assert len({r.name for r in REGRESSIONS}) == len(REGRESSIONS)


@pytest.mark.parametrize("regression", REGRESSIONS, ids=[r.name for r in REGRESSIONS])
def test_each_regression_of_production_is_refused_by_the_policy_that_guards_against_it(
    production: Plan, as_committed: Verdict, regression: Regression
) -> None:
    assert not found(as_committed, regression)
    with policy_server() as server:
        verdict = check(server, regression.apply(production))
    assert found(verdict, regression), "\n".join(verdict.lines())
