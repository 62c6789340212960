"""Every shell on the web tier recorded: the sessions' key and encrypted log group, the region's Session Manager
preferences where the stack keeps them, and the host and ECS Exec pointed at them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string

from components.iam_documents import SESSION_PREFERENCES_DOCUMENT
from components.session_logging import SessionLogging, SessionLoggingArgs, key_policy, preferences
from tests.aws_shapes import request_errors
from tests.components.support import varied
from tests.stacks import STACKS, config_of, planned
from tooling import account
from tooling.harness import ACCOUNT_ID, Plan, record
from tooling.iam_check import problems, registered_documents

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DOCUMENT = "aws:ssm/document:Document"
GROUP = "/amy/unit/sessions"


def build(protect: bool = True, preferences: bool = True, stack: str = "unit") -> Plan:
    return record(
        stack,
        lambda: SessionLogging(
            "sessions",
            SessionLoggingArgs(
                name_prefix=f"amy-{stack}",
                region="us-east-1",
                log_group_name=f"/amy/{stack}/sessions",
                log_retention_days=365,
                protect=protect,
                break_glass_role="amy-break-glass",
                preferences=preferences,
            ),
        ),
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def statements(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_the_log_group_is_encrypted_with_the_sessions_key_and_kept_for_the_retention(plan: Plan) -> None:
    group = plan.one(LOG_GROUP).inputs
    assert group == {"name": GROUP, "retentionInDays": 365, "kmsKeyId": plan.one(KEY).outputs["arn"]}
    # CloudWatch Logs checks at CreateLogGroup that it may use the key: the key, with its policy, comes first.
    assert plan.one(KEY).urn in plan.one(LOG_GROUP).dependencies
    key = plan.one(KEY).inputs
    assert (key["enableKeyRotation"], key["deletionWindowInDays"]) == (True, 30)
    assert plan.one(ALIAS).inputs == {"name": "alias/amy-unit-sessions", "targetKeyId": plan.one(KEY).outputs["keyId"]}


def test_cloudwatch_logs_may_use_the_key_for_the_session_group_alone(plan: Plan) -> None:
    """The CloudWatch Logs user guide ("Encrypt log data in CloudWatch Logs using AWS KMS"): the regional logs service
    principal, with the log group's ARN as the encryption context."""
    policy = statements(json.loads(plan.one(KEY).inputs["policy"]))
    logs = policy["SessionLogGroup"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:{GROUP}"}
    }
    # Administrators may not use the key; only the break-glass role may disable it, delete it or change its policy.
    administrators = policy["KeyAdministrators"]
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(administrators["Action"])
    guard = next(s for s in policy.values() if s["Effect"] == "Deny")
    assert {"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"} <= set(guard["Action"])
    assert "amy-break-glass" in json.dumps(guard["Condition"])


def test_the_key_policy_passes_the_parliament_linter() -> None:
    """A key policy's `"Resource": "*"` is the key itself (KMS developer guide), which parliament, reading every policy
    as an identity policy, reports as RESOURCE_STAR: that is all it may report."""
    document = key_policy("aws", ACCOUNT_ID, "us-east-1", GROUP, "amy-break-glass")
    findings = analyze_policy_string(json.dumps(document)).findings
    assert {f.issue for f in findings} == {"RESOURCE_STAR"}


def test_the_preferences_stream_every_session_encrypted_to_the_group(plan: Plan) -> None:
    document = plan.one(DOCUMENT).inputs
    assert (document["name"], document["documentType"], document["documentFormat"]) == (
        SESSION_PREFERENCES_DOCUMENT,
        "Session",
        "JSON",
    )
    content = json.loads(document["content"])
    # Session Manager's "Session document schema": version 1.0 only; Standard_Stream sessions take these inputs.
    assert (content["schemaVersion"], content["sessionType"]) == ("1.0", "Standard_Stream")
    inputs = content["inputs"]
    assert inputs["cloudWatchLogGroupName"] == GROUP
    assert inputs["cloudWatchEncryptionEnabled"] is True and inputs["cloudWatchStreamingEnabled"] is True
    assert inputs["kmsKeyId"] == plan.one(KEY).outputs["keyId"]
    assert inputs["runAsEnabled"] is False
    assert 1 <= int(inputs["idleSessionTimeout"]) <= 60
    request = {"Name": document["name"], "Content": document["content"], "DocumentType": "Session", "DocumentFormat": "JSON"}
    assert request_errors("ssm", "CreateDocument", request) == ""


def test_the_preferences_document_is_written_only_where_the_stack_keeps_it() -> None:
    assert build(preferences=False).of_type(DOCUMENT) == []
    assert preferences("g", "k")["inputs"]["cloudWatchLogGroupName"] == "g"


def test_the_key_and_log_outlive_a_destroy() -> None:
    protected = build(protect=True)
    assert {r.type for r in protected.registrations if r.protect} == {KEY, LOG_GROUP}
    unprotected = build(protect=False)
    assert not any(r.protect for r in unprotected.registrations)
    assert {r.type for r in unprotected.registrations if r.retain_on_delete} == {KEY, LOG_GROUP}


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_records_sessions_in_its_own_group_and_legacy_hosts_through_the_preferences(stack: str) -> None:
    config = config_of(stack)
    plan = planned(stack)
    group = plan.one(LOG_GROUP, f"{config.name_prefix}-sessions-log")
    assert group.inputs["name"] == f"/amy/{stack}/sessions"
    documents = [d for d in plan.of_type(DOCUMENT) if d.inputs.get("name") == SESSION_PREFERENCES_DOCUMENT]
    assert len(documents) == int(config.session_preferences)
    assert config.session_preferences == (config.layout == "legacy")


def test_the_host_may_decrypt_sessions_with_the_sessions_key() -> None:
    plan = planned("production")
    key_arn = plan.one(KEY, "amy-production-sessions-key").outputs["arn"]
    policies = [json.loads(p.inputs["policy"]) for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")]
    host = [s for p in policies for s in p["Statement"] if key_arn in as_list(s["Resource"])]
    assert [as_list(s["Action"]) for s in host] == [["kms:Decrypt"]]


def test_ecs_exec_sessions_go_to_the_sessions_group_under_the_sessions_key() -> None:
    plan = varied("testing", {})
    cluster = plan.one("aws:ecs/cluster:Cluster").inputs
    configuration = cluster["configuration"]["executeCommandConfiguration"]
    assert configuration["logging"] == "OVERRIDE"
    assert configuration["kmsKeyId"] == plan.one(KEY, "amy-testing-sessions-key").outputs["arn"]
    assert configuration["logConfiguration"]["cloudWatchLogGroupName"] == "/amy/testing/sessions"
    assert configuration["logConfiguration"]["cloudWatchEncryptionEnabled"] is True


def test_two_stacks_keeping_the_preferences_in_one_account_and_region_collide() -> None:
    """The preferences document is one per account and region: the account model refuses a second claim, so a second
    legacy stack must set `sessionManagerPreferences: false`."""
    report = account.check({"production": build(stack="production"), "staging": build(stack="staging")})
    [collision] = report.collisions
    assert SESSION_PREFERENCES_DOCUMENT in collision.identity


def test_key_policies_are_checked_against_the_catalogue_with_every_registered_document(plan: Plan) -> None:
    """The guide's own statement (kms:Describe* under an ArnEquals on the encryption context) is what the catalogue
    check refuses: DescribeKey carries no encryption context, and the context key is a String."""
    [(_, kind, document)] = [entry for entry in registered_documents(plan) if entry[0].startswith("sessions-key")]
    assert (kind, problems(document, kind)) == ("resource", [])
    guide = json.loads(json.dumps(document))
    logs = next(s for s in guide["Statement"] if s["Sid"] == "SessionLogGroup")
    logs["Action"].append("kms:Describe*")
    logs["Condition"] = {"ArnEquals": logs["Condition"]["StringEquals"]}
    found = problems(guide, "resource")
    assert any(p.startswith("MISMATCHED_TYPE") for p in found)
    assert any(p.startswith("UNKNOWN_CONDITION_FOR_ACTION") for p in found)
