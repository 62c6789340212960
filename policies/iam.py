"""IAM: no wildcard, decrypt-everything or administrator grants; GitHub's OIDC trust pinned to AMY's repository,
its pull requests kept from reading what the stack holds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import Policy, PolicyResource

from support import ADVISORY, MANDATORY, ResourcePolicy, as_list, of_type, stack_policy, statements

ROLE = "aws:iam/role:Role"
POLICY_DOCUMENTS = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ATTACHMENTS = (
    ROLE_ATTACHMENT,
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
)
# AWS managed policies that hand over the account: everything, everything but IAM, or IAM itself.
ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
# Reads every object, parameter, table and log of the account: the database dumps included.
READ_EVERYTHING_POLICIES = ("ReadOnlyAccess",)
# What Security Hub's KMS.1 and KMS.2 look for: decrypting with any key.
DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")
# The program tags each policy it uses as a permissions boundary (components/iam.py). A boundary grants nothing: it caps
# what a role's own policies may grant, so service-wide actions in it are its point, as long as nothing attaches it.
BOUNDARY_TAG = ("Purpose", "permissions-boundary")
TOKEN_HOST = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
# repo:<owner>/<name>:<context>, owner and name spelled out; the context is environment:…, pull_request, ref:…
SUBJECT = re.compile(r"^repo:([^/:*?]+)/([^/:*?]+):(.+)$")


def _aws_policy_name(arn: Any) -> str:
    """The name of an AWS managed policy from its ARN (arn:aws:iam::aws:policy/…), or empty for any other."""
    parts = str(arn).split(":", 5)
    return parts[5].rsplit("/", 1)[-1] if len(parts) == 6 and parts[4] == "aws" else ""


def _wildcards(document: Any) -> Iterator[str]:
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(action) for action in as_list(statement.get("Action"))]
        everywhere = "*" in as_list(statement.get("Resource")) or "NotResource" in statement
        label = f"statement {statement.get('Sid')!r}" if statement.get("Sid") else "a statement"
        if "*" in actions:
            yield f"{label} allows every action of every service (Action *); list the actions the principal needs"
        elif "NotAction" in statement and everywhere:
            yield f"{label} allows every action but {statement['NotAction']} on every resource; list the actions instead"
        elif everywhere and (services := [action for action in actions if action.endswith(":*")]):
            yield (
                f"{label} allows every action of {', '.join(services)} on every resource (Resource *); "
                "list the actions the principal needs, on the resources it needs them on"
            )


def _decrypts_every_key(document: Any) -> Iterator[str]:
    for statement in statements(document):
        if statement.get("Effect") != "Allow" or "*" not in as_list(statement.get("Resource")):
            continue
        actions = [str(action).lower() for action in as_list(statement.get("Action"))]
        granted = [a for a in DECRYPT_ACTIONS if any(fnmatchcase(a.lower(), action) for action in actions)]
        if granted:
            label = f"statement {statement.get('Sid')!r}" if statement.get("Sid") else "a statement"
            yield (
                f"{label} allows {', '.join(granted)} with every KMS key of the account (Resource *), so the "
                "principal can read whatever any key encrypts; name the keys it needs in Resource"
            )


def is_boundary(props: Mapping[str, Any]) -> bool:
    tags = props.get("tags")
    return isinstance(tags, Mapping) and tags.get(BOUNDARY_TAG[0]) == BOUNDARY_TAG[1]


def _document_decrypt(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if not is_boundary(props):
        yield from _decrypts_every_key(props.get("policy"))


def _role_decrypt(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for inline in as_list(props.get("inlinePolicies")):
        yield from (f"inline policy {inline.get('name')}: {p}" for p in _decrypts_every_key(inline.get("policy")))


def _document_wildcards(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    if not is_boundary(props):
        yield from _wildcards(props.get("policy"))


def _boundaries_attached(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    """A policy tagged as a boundary, which the wildcard and decrypt checks let be broad, attached as a grant: by its
    ARN, or (in a preview, before the ARN is known) by depending on it."""
    for boundary in (p for p in of_type(resources, "aws:iam/policy:Policy") if is_boundary(p.props)):
        arn = boundary.props.get("arn")
        grants = [
            holder
            for type_ in (*ATTACHMENTS, ROLE)
            for holder in of_type(resources, type_)
            if (arn and arn in [holder.props.get("policyArn"), *as_list(holder.props.get("managedPolicyArns"))])
            or (type_ != ROLE and any(d.urn == boundary.urn for d in holder.dependencies))
        ]
        for holder in grants:
            yield (
                f"policy {boundary.name} is tagged {BOUNDARY_TAG[0]}: {BOUNDARY_TAG[1]}, which lets it allow whole "
                f"services, but {holder.name} attaches it as a grant; use it only as a role's permissionsBoundary",
                holder.urn,
            )


def _role_wildcards(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for inline in as_list(props.get("inlinePolicies")):
        yield from (f"inline policy {inline.get('name')}: {problem}" for problem in _wildcards(inline.get("policy")))


def _admin(principal: str, arns: list[Any]) -> Iterator[str]:
    for name in (_aws_policy_name(arn) for arn in arns):
        if name in ADMIN_POLICIES:
            yield (
                f"{principal} gets {name}, which hands over the account; give it a policy scoped to the actions and "
                "resources it works on"
            )


def _attachment_admin(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    named = [
        f"{kind} {name}" for kind in ("role", "user", "group", "roles", "users", "groups") for name in as_list(props.get(kind))
    ]
    yield from _admin(", ".join(named) or "the principal", [props.get("policyArn")])


def _role_admin(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    yield from _admin(f"role {props.get('name')}", as_list(props.get("managedPolicyArns")))


def _github(statement: Mapping[str, Any]) -> bool:
    """Whether a trust statement is for GitHub's OIDC provider: by the provider's ARN, or by its claims."""
    principal = statement.get("Principal")
    federated = principal.get("Federated") if isinstance(principal, Mapping) else None
    conditions = statement.get("Condition") or {}
    keys = [str(key) for operator in conditions.values() if isinstance(operator, Mapping) for key in operator]
    return any(TOKEN_HOST in str(provider) for provider in as_list(federated)) or any(
        key.startswith(f"{TOKEN_HOST}:") for key in keys
    )


def _claim(statement: Mapping[str, Any], claim: str) -> list[str]:
    """The values a trust statement accepts for a claim of GitHub's token, whatever the condition operator."""
    conditions = statement.get("Condition") or {}
    return [
        str(value)
        for operator in conditions.values()
        if isinstance(operator, Mapping)
        for key, values in operator.items()
        if key == f"{TOKEN_HOST}:{claim}"
        for value in as_list(values)
    ]


def _subject_problem(subject: str) -> str | None:
    match = SUBJECT.match(subject)
    if match is None:
        return (
            f"sub {subject} does not name one repository (repo:<owner>/<name>:…, no wildcard), so workflows of "
            "other repositories may assume the role"
        )
    if match[3].startswith("*"):
        return (
            f"sub {subject} admits every workflow of {match[1]}/{match[2]}, any branch or fork's pull request; "
            "name the environment (environment:<name>) or pull_request"
        )
    return None


def github_trusts(trust: Any) -> list[Mapping[str, Any]]:
    """The statements of a role's trust policy that let GitHub's tokens assume it."""
    return [s for s in statements(trust) if s.get("Effect") == "Allow" and _github(s)]


def _oidc_pinned(props: Mapping[str, Any], _config: Mapping[str, Any]) -> Iterator[str]:
    for statement in github_trusts(props.get("assumeRolePolicy")):
        audiences = _claim(statement, "aud")
        if not audiences or set(audiences) != {AUDIENCE}:
            shown = ", ".join(audiences) or "none"
            yield (
                f"GitHub's tokens may assume the role for any audience (aud: {shown}); add the condition "
                f"StringEquals {TOKEN_HOST}:aud {AUDIENCE}"
            )
        subjects = _claim(statement, "sub")
        if not subjects:
            yield (
                "GitHub's tokens of any repository may assume the role (no sub condition); add StringEquals "
                f"{TOKEN_HOST}:sub repo:<owner>/<name>:environment:<name> (githubRepository)"
            )
        for problem in filter(None, map(_subject_problem, subjects)):
            yield f"{problem} (githubRepository)"


def _pull_requests_may_assume(role: PolicyResource) -> bool:
    for statement in github_trusts(role.props.get("assumeRolePolicy")):
        subjects = _claim(statement, "sub")
        if not subjects or any(_subject_problem(s) or s.endswith(":pull_request") for s in subjects):
            return True
    return False


def _pull_request_roles(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    attached: dict[str, list[Any]] = {}
    for attachment in of_type(resources, ROLE_ATTACHMENT):
        attached.setdefault(str(attachment.props.get("role")), []).append(attachment.props.get("policyArn"))
    for role in filter(_pull_requests_may_assume, of_type(resources, ROLE)):
        arns = [*as_list(role.props.get("managedPolicyArns")), *attached.get(str(role.props.get("name")), [])]
        for name in (_aws_policy_name(arn) for arn in arns):
            if name in (*READ_EVERYTHING_POLICIES, *ADMIN_POLICIES):
                yield (
                    f"role {role.name} may be assumed by the workflow of any pull request and attaches {name}, which "
                    "reads every bucket (the database dumps), parameter and log of the account; attach a policy "
                    "scoped to what a preview reads",
                    role.urn,
                )


def policies() -> list[Policy]:
    return [
        ResourcePolicy(
            "iam-no-wildcard-actions",
            "IAM policies grant no Action * and no service:* on every resource.",
            {**dict.fromkeys(POLICY_DOCUMENTS, _document_wildcards), ROLE: _role_wildcards},
            ADVISORY,
        ),
        ResourcePolicy(
            "iam-no-decrypt-on-every-key",
            "IAM policies let no principal decrypt with every KMS key.",
            {**dict.fromkeys(POLICY_DOCUMENTS, _document_decrypt), ROLE: _role_decrypt},
            ADVISORY,
        ),
        ResourcePolicy(
            "iam-no-admin-policies",
            "No principal gets AdministratorAccess, PowerUserAccess or IAMFullAccess.",
            {**dict.fromkeys(ATTACHMENTS, _attachment_admin), ROLE: _role_admin},
            ADVISORY,
        ),
        ResourcePolicy(
            "github-oidc-trust-pinned",
            "A role GitHub's OIDC tokens may assume pins the audience and one repository's subject.",
            {ROLE: _oidc_pinned},
            ADVISORY,
        ),
        stack_policy(
            "iam-boundaries-never-attached",
            "A policy tagged as a permissions boundary is used only as one, never attached as a grant.",
            _boundaries_attached,
            MANDATORY,
        ),
        stack_policy(
            "github-pull-request-roles-scoped",
            "A role GitHub pull requests may assume reads only what a preview needs.",
            _pull_request_roles,
            ADVISORY,
        ),
    ]
