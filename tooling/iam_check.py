"""IAM documents checked against the catalogue of AWS's actions, resource ARNs and condition keys that parliament
ships (its `iam_definition.json`, drawn from the Service Authorization Reference), so no action, ARN format or
condition key is invented.

Beyond parliament's own findings: a condition key that is not always in the request context must be one the
catalogue lists for every action of the statement, on every resource type the statement names. IAM evaluates an
absent key as false (or, for a negated operator, true): an Allow that names a key the action never carries grants
nothing, and such a Deny never applies ("IAM JSON policy elements: Condition", IAM user guide).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from parliament import analyze_policy_string, expand_action, iam_definition, is_arn_match

from tooling.harness import Plan

Kind = Literal["identity", "trust", "resource"]
# Parliament's findings that mean a document is wrong, not merely broad: RESOURCE_STAR, for one, is how the
# actions that only take "*" are written.
BLOCKING = {
    "MALFORMED",
    "MALFORMED_JSON",
    "DUPLICATE_SID",
    "INVALID_SID",
    "NO_VERSION",
    "INVALID_VERSION",
    "UNKNOWN_ACTION",
    "UNKNOWN_PREFIX",
    "UNKNOWN_PRINCIPAL",
    "UNKNOWN_OPERATOR",
    "UNKNOWN_CONDITION_FOR_ACTION",
    "RESOURCE_MISMATCH",
    "MISMATCHED_TYPE",
    "MISMATCHED_TYPE_OPERATION_TO_NULL",
    "INVALID_ARN",
}
# Global keys in the context of every request, or of every request a service makes for a resource (aws:SourceArn,
# aws:SourceAccount), whatever the action (IAM user guide, "AWS global condition context keys").
ALWAYS_PRESENT = {
    "aws:principalaccount",
    "aws:principalarn",
    "aws:requestedregion",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:viaawsservice",
}
SERVICE_PRINCIPAL_SUFFIX = ".amazonaws.com"
OIDC_PROVIDER_FORMAT = "arn:*:iam::*:oidc-provider/*"

_SERVICES = {service["prefix"]: service for service in iam_definition}


def problems(document: Mapping[str, Any], kind: Kind = "identity") -> list[str]:
    """What is wrong with `document`, as sentences; nothing for a sound one."""
    if kind == "trust":
        return _trust_problems(document)
    found = []
    for finding in analyze_policy_string(json.dumps(document)).findings:
        if finding.issue == "RESOURCE_MISMATCH":
            found += _uncovered(document, finding.detail)
        elif finding.issue == "UNKNOWN_CONDITION_FOR_ACTION" and _global_key(finding.detail):
            continue
        elif finding.issue in BLOCKING:
            found.append(f"{finding.issue}: {finding.detail}")
    return found + [problem for statement in _statements(document) for problem in _condition_problems(statement)]


def _global_key(detail: str) -> bool:
    """Parliament's detail names the key second: `Unknown condition KEY for action ACTION`."""
    return detail.split()[2].lower() in ALWAYS_PRESENT


def _uncovered(document: Mapping[str, Any], mismatches: Sequence[Mapping[str, str]]) -> list[str]:
    """Parliament wants every resource type an action requires in the statement that grants it; IAM decides per
    resource, across statements (AWS's own examples grant RunInstances on the image and on the new instance in
    separate statements, with different conditions), and some actions list alternatives (the listener of an
    application or of a network load balancer). An action is covered when some statement of the document grants it
    on a resource of one of its required types."""
    actions = sorted({mismatch["action"] for mismatch in mismatches})
    return [
        f"RESOURCE_MISMATCH: no statement grants {action} on a resource of a type it requires"
        for action in actions
        if not any(_grants(statement, action, fmt) for fmt in _required_formats(action) for statement in _statements(document))
    ]


def _required_formats(action: str) -> list[str]:
    prefix, name = action.split(":")
    service = _SERVICES[prefix]
    formats = {resource["resource"]: _glob(resource["arn"]) for resource in service["resources"]}
    rows = _privilege(prefix, name)["resource_types"]
    return [formats[row["resource_type"].rstrip("*")] for row in rows if row["resource_type"].endswith("*")] or ["*"]


def _grants(statement: Mapping[str, Any], action: str, arn_format: str) -> bool:
    prefix, name = action.split(":")
    actions = [e for a in _listed(statement.get("Action", [])) for e in expand_action(a)]
    if not any(e["service"] == prefix and e["action"].lower() == name.lower() for e in actions):
        return False
    resources = _listed(statement.get("Resource", []))
    return (arn_format == "*" and "*" in resources) or any(
        resource != "*" and is_arn_match("", arn_format, resource) for resource in resources
    )


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _listed(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _condition_problems(statement: Mapping[str, Any]) -> Iterator[str]:
    keys = {key for block in statement.get("Condition", {}).values() for key in block}
    keys = {key for key in keys if key.lower() not in ALWAYS_PRESENT}
    if not keys or "Action" not in statement:
        return
    resources = _listed(statement.get("Resource", "*"))
    for action in _listed(statement["Action"]):
        for expanded in expand_action(action):
            privilege = _privilege(expanded["service"], expanded["action"])
            service = _SERVICES[expanded["service"]]
            for key in sorted(keys):
                if not _supports(privilege, service, resources, key):
                    yield (
                        f"{statement.get('Sid', '?')}: {expanded['service']}:{expanded['action']} does not evaluate {key} "
                        f"on {', '.join(resources)}"
                    )


def _privilege(prefix: str, action: str) -> dict[str, Any]:
    return next(p for p in _SERVICES[prefix]["privileges"] if p["privilege"].lower() == action.lower())


def _supports(privilege: Mapping[str, Any], service: Mapping[str, Any], resources: Sequence[str], key: str) -> bool:
    """Whether `key` is in the context of the action on each of its resource types that the statement's resources
    name: the keys of the action's row for that type, of the type itself, and of the action's row without a type."""
    formats = {resource["resource"]: resource for resource in service["resources"]}
    rows = privilege["resource_types"]
    general = [k for row in rows if not row["resource_type"] for k in row["condition_keys"]]
    typed = [row for row in rows if row["resource_type"]]
    if not typed:
        return any(_key_matches(pattern.lower(), key.lower()) for pattern in general)
    matched = False
    for row in typed:
        name = row["resource_type"].rstrip("*")
        described = formats.get(name)
        if described is None or not any(is_arn_match(name, _glob(described["arn"]), resource) for resource in resources):
            continue
        matched = True
        keys = [*row["condition_keys"], *described["condition_keys"], *general]
        if not any(_key_matches(pattern.lower(), key.lower()) for pattern in keys):
            return False
    return matched


def _glob(arn_format: str) -> str:
    """The catalogue's ARN format (`arn:${Partition}:…`) as the glob parliament matches resources against."""
    return re.sub(r"\$\{[^}]*\}", "*", arn_format)


def _key_matches(pattern: str, key: str) -> bool:
    if "${" not in pattern:
        return pattern == key
    stem = pattern.split("${", 1)[0]
    return key.startswith(stem) and len(key) > len(stem)


def _trust_problems(document: Mapping[str, Any]) -> list[str]:
    """Trust policies have no Resource, which parliament requires: their actions, principals and keys by hand."""
    found = []
    for statement in _statements(document):
        for action in _listed(statement["Action"]):
            if not expand_action(action, raise_exceptions=False):
                found.append(f"unknown action {action}")
        principal = statement.get("Principal", {})
        for service in _listed(principal.get("Service", [])):
            if not service.endswith(SERVICE_PRINCIPAL_SUFFIX):
                found.append(f"not a service principal: {service}")
        for provider in _listed(principal.get("Federated", [])):
            if not is_arn_match("oidc-provider", OIDC_PROVIDER_FORMAT, provider) or not provider.startswith("arn:aws:iam::"):
                found.append(f"not an OIDC provider's ARN: {provider}")
            host = provider.split("oidc-provider/", 1)[-1]
            for block in statement.get("Condition", {}).values():
                found += [f"not a key of {host}: {key}" for key in block if key.split(":")[0] != host]
    return found


def registered_documents(plan: Plan) -> Iterator[tuple[str, Kind, dict[str, Any]]]:
    """Every IAM document the plan registers: trust policies, inline and managed policies, boundaries, and the
    resource policies of buckets, topics and KMS keys; with where it comes from."""
    fields: dict[str, tuple[str, Kind]] = {
        "aws:iam/role:Role": ("assumeRolePolicy", "trust"),
        "aws:iam/rolePolicy:RolePolicy": ("policy", "identity"),
        "aws:iam/policy:Policy": ("policy", "identity"),
        "aws:s3/bucketPolicy:BucketPolicy": ("policy", "resource"),
        "aws:sns/topicPolicy:TopicPolicy": ("policy", "resource"),
        "aws:kms/key:Key": ("policy", "resource"),
    }
    for registration in plan.registrations:
        if registration.type in fields:
            field, kind = fields[registration.type]
            yield f"{registration.name} ({field})", kind, json.loads(registration.inputs[field])
