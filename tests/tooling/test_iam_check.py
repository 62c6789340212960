"""The IAM check finds what a typo or a guess would put in a document: an action, an ARN format or a condition key
that AWS's catalogue does not have, and a trust in what is not a principal."""

from __future__ import annotations

from typing import Any

from tooling.iam_check import problems

ACCOUNT = "123456789012"


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str], resources: list[str] | str, **condition: Any) -> dict[str, Any]:
    statement = {"Sid": "Test", "Effect": "Allow", "Action": actions, "Resource": resources}
    return statement | ({"Condition": condition} if condition else {})


def test_pass_a_scoped_policy_with_conditions_its_actions_evaluate() -> None:
    parameters = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/amy/unit/*"
    instances = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"
    assert problems(document(allow(["ssm:GetParameter"], [parameters]))) == []
    tagged = {"StringEquals": {"aws:ResourceTag/Environment": "unit"}}
    assert problems(document(allow(["ec2:TerminateInstances"], [instances], **tagged))) == []


def test_fail_an_invented_action() -> None:
    assert any("UNKNOWN_ACTION" in p for p in problems(document(allow(["ssm:GetParameterz"], "*"))))


def test_fail_an_arn_of_another_resource_type() -> None:
    found = problems(document(allow(["ssm:GetParameter"], [f"arn:aws:ssm:us-east-1:{ACCOUNT}:document/amy-unit"])))
    assert any("RESOURCE_MISMATCH" in p for p in found)


def test_fail_a_tag_condition_the_action_never_evaluates() -> None:
    # CloudFront evaluates no request tag on CreateDistribution: such an Allow would grant nothing.
    statement = allow(["cloudfront:CreateDistribution"], "*", StringEquals={"aws:RequestTag/Environment": "unit"})
    assert problems(document(statement)) == [
        "Test: cloudfront:CreateDistribution does not evaluate aws:RequestTag/Environment on *"
    ]


def test_fail_a_service_key_of_another_action() -> None:
    statement = allow(["ssm:GetParameter"], "*", StringEquals={"iam:PassedToService": "ec2.amazonaws.com"})
    assert any("UNKNOWN_CONDITION_FOR_ACTION" in p for p in problems(document(statement)))


def test_pass_and_fail_trust_policies() -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    trust = document(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:pull_request"}},
        }
    )
    assert problems(trust, "trust") == []
    trust["Statement"][0]["Principal"] = {"Federated": f"arn:aws:iam::{ACCOUNT}:role/not-a-provider"}
    trust["Statement"][0]["Action"] = "sts:AssumeRoleWithWebIdentityz"
    assert len(problems(trust, "trust")) == 3
