"""A stack's architecture drawn from its plan (`bin/plan STACK --diagram PATH.svg`): components as groups,
resources as nodes, and an edge wherever one resource's inputs name another (its id, ARN, name or address) or
depend on it.

The nodes are the resources an operator reasons about; the others (policies, attachments, rules, listeners…) are
not drawn, but what they connect is: a listener that names a load balancer and a target group draws the edge
between those two. Edges are coloured by what they say: the path of a request, what protects the data, what watches.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import graphviz

from tooling.harness import Plan, Registration

SVG = "{http://www.w3.org/2000/svg}"
REQUEST, PROTECTION, WATCH = "request", "protection", "watch"
# What is drawn, with its label and role.
SHOWN: dict[str, tuple[str, str]] = {
    "aws:route53/record:Record": ("DNS record", REQUEST),
    "aws:cloudfront/distribution:Distribution": ("CloudFront", REQUEST),
    "aws:acm/certificate:Certificate": ("certificate", REQUEST),
    "aws:lb/loadBalancer:LoadBalancer": ("load balancer", REQUEST),
    "aws:lb/targetGroup:TargetGroup": ("target group", REQUEST),
    "aws:ec2/eip:Eip": ("Elastic IP", REQUEST),
    "aws:ec2/instance:Instance": ("EC2 host", REQUEST),
    "aws:ecs/cluster:Cluster": ("ECS cluster", REQUEST),
    "aws:ecs/service:Service": ("ECS service", REQUEST),
    "aws:ecr/repository:Repository": ("ECR repository", REQUEST),
    "aws:rds/instance:Instance": ("PostgreSQL", REQUEST),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("Redis", REQUEST),
    "aws:ssm/document:Document": ("SSM document", REQUEST),
    "aws:rds/snapshot:Snapshot": ("release snapshot", PROTECTION),
    "aws:backup/vault:Vault": ("backup vault", PROTECTION),
    "aws:backup/plan:Plan": ("backup plan", PROTECTION),
    "aws:backup/selection:Selection": ("backup selection", PROTECTION),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": ("restore test", PROTECTION),
    "aws:kms/key:Key": ("KMS key", PROTECTION),
    "aws:s3/bucket:Bucket": ("S3 bucket", PROTECTION),
    "aws:cloudwatch/logGroup:LogGroup": ("log group", WATCH),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("alarm", WATCH),
    "aws:cloudwatch/eventRule:EventRule": ("event rule", WATCH),
    "aws:sns/topic:Topic": ("SNS topic", WATCH),
}
# Several of a kind in one component are one node: nine log groups say no more than one.
GATHERED = {"aws:cloudwatch/logGroup:LogGroup", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:ssm/document:Document"}
# Made through us-east-1 because they serve every region, not because they live apart from the stack.
GLOBAL = {"aws:cloudfront/distribution:Distribution", "aws:acm/certificate:Certificate", "aws:route53/record:Record"}
# What joins two drawn resources without being drawn: a listener its load balancer and target group.
BRIDGES = {
    "aws:lb/listener:Listener",
    "aws:ec2/eipAssociation:EipAssociation",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
}
COLOURS = {REQUEST: "#1f6fb2", PROTECTION: "#2e8540", WATCH: "#c26b00"}
LEGEND = {REQUEST: "the path of a request", PROTECTION: "what protects the data", WATCH: "what watches it"}
# Outputs and inputs that identify a resource when another one names it.
IDENTIFYING = (
    "arn", "name", "bucket", "dnsName", "address", "publicIp", "domainName", "repositoryUrl", "fqdn", "keyId", "identifier",
)  # fmt: skip
# A certificate carries the name it secures, which names the DNS record, not the certificate.
IDENTIFYING_BY_TYPE = {"aws:acm/certificate:Certificate": ("arn",)}


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    role: str
    parent: str


def render(plan: Plan) -> str:
    """The stack as an SVG document."""
    return drawing(plan).pipe(format="svg", encoding="utf-8")


def drawing(plan: Plan) -> graphviz.Digraph:
    """The stack as a graphviz graph."""
    graph = graphviz.Digraph(f"amy-{plan.stack}", format="svg")
    legend = " · ".join(f'<font color="{COLOURS[role]}">{meaning}</font>' for role, meaning in LEGEND.items())
    graph.attr(
        rankdir="LR",
        fontname="Helvetica",
        fontsize="11",
        label=f"<stack {plan.stack}<br/>{legend}>",
        labelloc="t",
        compound="true",
    )
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="white", fontname="Helvetica", fontsize="10")
    graph.attr("edge", arrowsize="0.6")
    nodes, by_urn = _nodes(plan)
    components = {r.urn: r for r in plan.registrations if not r.custom}
    for parent in sorted({node.parent for node in nodes.values()}):
        members = sorted((node for node in nodes.values() if node.parent == parent), key=lambda node: node.key)
        component = components.get(parent)
        name = f"cluster_{_id(parent)}" if component else "stack"
        with graph.subgraph(name=name) as group:  # type: ignore[union-attr]
            assert group is not None
            if component:
                group.attr(label=f"{component.type.rsplit(':', 1)[-1]} {component.name}", style="rounded", color="#999999")
            for node in members:
                group.node(node.key, node.label, color=COLOURS[node.role])
    for source, target, role in sorted(_edges(plan, nodes, by_urn)):
        graph.edge(source, target, color=COLOURS[role])
    return graph


def _nodes(plan: Plan) -> tuple[dict[str, Node], dict[str, str]]:
    """The drawn nodes by key, and the node each drawn resource's URN belongs to."""
    nodes: dict[str, Node] = {}
    by_urn: dict[str, str] = {}
    counts: dict[tuple[str, str], int] = {}
    regions = {r.urn: r.inputs.get("region") for r in plan.registrations if r.type == "pulumi:providers:aws"}
    home = next((region for urn, region in regions.items() if urn.endswith("::aws")), None)
    for registration in plan.registrations:
        if registration.type not in SHOWN:
            continue
        kind, role = SHOWN[registration.type]
        if registration.type in GATHERED:
            key = f"{_id(registration.parent)}_{_id(registration.type)}"
            counts[(key, kind)] = counts.get((key, kind), 0) + 1
        else:
            key = _id(registration.urn)
            region = regions.get(registration.provider_urn)
            # What lives outside the stack's region says where: a copy vault in a second region.
            where = f"\n({region})" if region and region != home and registration.type not in GLOBAL else ""
            nodes[key] = Node(key, f"{_kind(registration, kind)}\n{_short(registration)}{where}", role, registration.parent)
        nodes.setdefault(key, Node(key, kind, role, registration.parent))
        by_urn[registration.urn] = key
    for (key, kind), count in counts.items():
        nodes[key] = Node(key, f"{kind}s ×{count}" if count > 1 else kind, nodes[key].role, nodes[key].parent)
    return nodes, by_urn


def _edges(plan: Plan, nodes: dict[str, Node], by_urn: dict[str, str]) -> set[tuple[str, str, str]]:
    claims: dict[str, set[str]] = {}
    for registration in plan.registrations:
        for value in _identifiers(registration):
            claims.setdefault(value, set()).add(registration.urn)
    # A value several resources carry (`amy-testing` names a cluster, a repository and a vault) identifies none.
    names = {value: next(iter(urns)) for value, urns in claims.items() if len(urns) == 1}
    by_registration = {r.urn: r for r in plan.registrations}

    def named(registration: Registration) -> set[str]:
        found = {names[value] for value in _strings(registration.inputs) if value in names} | set(registration.dependencies)
        return found - {registration.urn}

    edges: set[tuple[str, str, str]] = set()
    for registration in plan.registrations:
        source = by_urn.get(registration.urn)
        direct = named(registration)
        if source is not None:
            # Through what is not drawn, one step: a service names its task definition, which names the image
            # and the database's secret.
            reached = set(direct)
            for urn in direct:
                hidden = by_registration.get(urn)
                if urn not in by_urn and hidden is not None and hidden.custom and hidden.type not in BRIDGES:
                    reached |= named(hidden)
            targets = {by_urn[urn] for urn in reached if urn in by_urn} - {source}
            edges |= {(source, target, _role(nodes, source, target)) for target in targets}
        elif registration.type in BRIDGES:
            drawn = sorted({by_urn[urn] for urn in direct if urn in by_urn})
            edges |= {(a, b, _role(nodes, a, b)) for a, b in itertools.pairwise(drawn) if a != b}
    return edges


def _role(nodes: dict[str, Node], source: str, target: str) -> str:
    roles = {nodes[source].role, nodes[target].role}
    return WATCH if WATCH in roles else PROTECTION if PROTECTION in roles else REQUEST


def _identifiers(registration: Registration) -> Iterator[str]:
    if registration.type.startswith("pulumi:") or not registration.custom:
        return
    yield registration.id
    for key in IDENTIFYING_BY_TYPE.get(registration.type, IDENTIFYING):
        for source in (registration.outputs, registration.inputs):
            value = source.get(key)
            if isinstance(value, str) and len(value) > 3:
                yield value.rstrip(".")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value.rstrip(".")
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _kind(registration: Registration, kind: str) -> str:
    record_type = registration.inputs.get("type") if registration.type == "aws:route53/record:Record" else None
    return f"{kind} {record_type}" if record_type else kind


def _short(registration: Registration) -> str:
    name = registration.inputs.get("name") or registration.inputs.get("identifier") or registration.name
    return str(name)[:40]


def structure(svg: str) -> tuple[list[str], list[str]]:
    """What an SVG drawing says, whatever graphviz's version laid it out as: its nodes' and edges' titles and
    every text, each sorted."""
    root = ElementTree.fromstring(svg)
    titles = sorted(element.text or "" for element in root.iter(f"{SVG}title"))
    texts = sorted(element.text or "" for element in root.iter(f"{SVG}text"))
    return titles, texts


def _id(text: str) -> str:
    return "".join(character if character.isalnum() else "_" for character in text)
