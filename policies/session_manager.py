"""Shell sessions on the stack's hosts and containers (Session Manager, ECS Exec) are logged."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from pulumi_policy import PolicyResource, StackValidationPolicy

from support import ADVISORY, of_type, stack_policy

INSTANCE = "aws:ec2/instance:Instance"
DOCUMENT = "aws:ssm/document:Document"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
# The Session Manager preferences document: sessions started without a document of their own follow it.
PREFERENCES = "SSM-SessionManagerRunShell"


def _inputs(document: PolicyResource) -> Mapping[str, Any]:
    content = document.props.get("content")
    try:
        parsed = (json.loads if document.props.get("documentFormat", "JSON") == "JSON" else yaml.safe_load)(str(content))
    except (ValueError, yaml.YAMLError):
        return {}
    inputs = parsed.get("inputs") if isinstance(parsed, dict) else None
    return inputs if isinstance(inputs, Mapping) else {}


def _logs_sessions(document: PolicyResource) -> bool:
    inputs = _inputs(document)
    to_logs = inputs.get("cloudWatchLogGroupName") and inputs.get("cloudWatchEncryptionEnabled") is not False
    to_s3 = inputs.get("s3BucketName") and inputs.get("s3EncryptionEnabled") is not False
    return bool(to_logs or to_s3)


def _exec_logging(cluster: PolicyResource) -> str:
    configuration = (cluster.props.get("configuration") or {}).get("executeCommandConfiguration") or {}
    return str(configuration.get("logging") or "DEFAULT")


def _sessions_logged(resources: list[PolicyResource], _config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    preferences = [
        d for d in of_type(resources, DOCUMENT) if d.props.get("documentType") == "Session" and d.props.get("name") == PREFERENCES
    ]
    if of_type(resources, INSTANCE) and not any(_logs_sessions(d) for d in preferences):
        yield (
            "the stack's instances take Session Manager shells whose commands and output are logged nowhere; add the "
            f"Session document {PREFERENCES} with inputs cloudWatchLogGroupName (or s3BucketName) and encryption on",
            None,
        )
    clusters = {str(c.props.get("arn")): c for c in of_type(resources, CLUSTER)}
    exec_clusters = {str(s.props.get("cluster")) for s in of_type(resources, SERVICE) if s.props.get("enableExecuteCommand")}
    for arn in sorted(exec_clusters):
        cluster = clusters.get(arn)
        if cluster is not None and _exec_logging(cluster) == "NONE":
            yield (
                f"cluster {cluster.name} lets ECS Exec open shells in its tasks and logs none of them; set "
                "configuration.executeCommandConfiguration.logging to DEFAULT or OVERRIDE",
                cluster.urn,
            )


def policies() -> list[StackValidationPolicy]:
    return [
        stack_policy(
            "ssm-session-logging",
            "Session Manager and ECS Exec sessions are logged.",
            _sessions_logged,
            ADVISORY,
        )
    ]
