"""The one way the program makes an IAM role, and the permissions boundary every such role carries."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components.iam_documents import AccessScope, boundary_policy

# Marks a policy made to be a permissions boundary; the policy pack lets a boundary name whole services (it grants
# nothing) and flags one attached as a grant (policies/iam.py).
BOUNDARY_TAGS = {"Purpose": "permissions-boundary"}


def role(
    name: str,
    *,
    trust: pulumi.Input[str],
    description: str,
    boundary: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    role_name: str | None = None,
    max_session_duration: int | None = None,
) -> aws.iam.Role:
    """A role of the stack, bounded by `boundary`: the deployer may create a role only with the stack's boundary
    (iam:PermissionsBoundary), so every role the program makes takes one here. Unnamed roles are named after
    `name` (`amy-<stack>-…-<7 hex>`), which the deployer's `role/amy-<stack>-*` covers."""
    return aws.iam.Role(
        name,
        name=role_name,
        description=description,
        assume_role_policy=trust,
        permissions_boundary=boundary,
        max_session_duration=max_session_duration,
        opts=opts,
    )


class PermissionsBoundary(pulumi.ComponentResource):
    """`amy-<stack>-boundary`: the most any of the stack's workload roles may do (components/iam_documents.py)."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, scope: AccessScope, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:identity:PermissionsBoundary", name, None, opts)
        policy = aws.iam.Policy(
            f"{name}-policy",
            name=f"{scope.name_prefix}-boundary",
            description="The most any role of the stack may do; no IAM, Organizations or account changes",
            policy=json.dumps(boundary_policy(scope)),
            tags=BOUNDARY_TAGS,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = policy.arn
        self.register_outputs({"arn": self.arn})
