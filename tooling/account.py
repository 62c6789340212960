"""One AWS account as every stack would fill it: which identities two resources would claim at once, and which
names AWS would refuse.

Every stack is deployed into one account, and production will move to the `ecs` layout. `variants()` names what
the account must hold at some point: each committed stack as it is, and each `legacy` stack again as its planned
move (`layout: ecs`, with ElastiCache where it runs Redis on the host). `check()` takes their plans and reports

- collisions: two resources claiming one identity AWS keeps unique, across the world, in the account or in a
  region, some within a parent (a role, a cluster, a VPC). One resource of one stack in two variants (the same
  URN) is one claim; the same stack under two URNs collides, since Pulumi creates the new resource before it
  deletes the old one;
- names over AWS's length limit or outside the characters it accepts, counting the suffix pulumi-aws appends
  when the program leaves a name to it;
- resource types the model has no entry for, so that a new type cannot slip past.

`RULES` says, for each type in one table, which input holds its physical name, where AWS keeps the name unique,
whether pulumi-aws generates it, and what AWS accepts: min, max and pattern from botocore's service models where
they carry them, otherwise written here next to the source they come from.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, NamedTuple

from stack_config.web import moved_to_ecs
from tooling.harness import Plan, ProgramError, Registration, known_stacks, run, stack_config_values

Scope = Literal["global", "account", "region"]

# Stands for the 7 random hex digits pulumi-aws appends to a name it generates.
RANDOM_PLACEHOLDER = "x" * 7


@dataclass(frozen=True)
class Rule:
    """What AWS accepts as one kind of name.

    `botocore` ("service Operation Member …", through lists) reads min, max and pattern from botocore's service
    model; the fields written here add patterns and forbidden forms, and override its min and max.
    """

    botocore: str = ""
    min: int | None = None
    max: int | None = None
    # Each must match the whole name.
    patterns: tuple[str, ...] = ()
    # None may match anywhere in it.
    forbidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Autoname:
    """The name pulumi-aws makes when the program sets none: prefix, logical name, separator, 7 random hex digits."""

    separator: str = "-"
    lower: bool = False
    prefix: str = ""

    def of(self, logical_name: str) -> str:
        base = logical_name.lower() if self.lower else logical_name
        return f"{self.prefix}{base}{self.separator}{RANDOM_PLACEHOLDER}"


# pulumi-aws provider/autonaming.go: every input called `name` gets `<logical name>-<7 hex>` unless overridden.
GENERATED = Autoname()


@dataclass(frozen=True)
class Within:
    """An input naming what a name is unique within: a resource of `type` (found by the id, ARN or name the input
    holds), or a plain value, `default` when the input is unset."""

    input: str
    type: str = ""
    default: str = ""


def _as_is(name: str) -> str:
    return name


def _dns(name: str) -> str:
    return name.rstrip(".").lower()


def _url(url: str) -> str:
    return re.sub(r"^https://", "", url, flags=re.IGNORECASE).rstrip("/").lower()


@dataclass(frozen=True)
class Name:
    """A physical name a resource holds in `input`, unique within `scope` (None: AWS checks it but keeps it unique
    nowhere)."""

    what: str
    input: str
    scope: Scope | None
    rule: Rule | None
    # How pulumi-aws makes the name when the input is unset; None: the program must set it.
    autoname: Autoname | None = None
    within: tuple[Within, ...] = ()
    # How AWS compares two names: exactly, or ignoring case, or as DNS names.
    normalise: Callable[[str], str] = _as_is
    # The input is a list of names, each its own identity.
    many: bool = False
    # Unset, the resource simply has no such name.
    optional: bool = False


@dataclass(frozen=True)
class Unnamed:
    """A type with no physical name of its own; `why` says what identifies it instead."""

    why: str


# botocore's CreateCluster, CreateService and RegisterTaskDefinition documentation: up to 255 letters, digits, - and _.
_ECS_NAME = Rule(max=255, patterns=(r"[A-Za-z0-9_-]+",))
# botocore's CreateRole documentation: IAM names are not distinguished by case.
_IAM_CASE = str.lower
_ONE_PER_BUCKET = Unnamed("one per bucket, which is named")

RULES: Mapping[str, tuple[Name, ...] | Unnamed] = {
    # IAM: one namespace per account.
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (
        Name(
            "IAM OIDC provider",
            "url",
            "account",
            # botocore's CreateOpenIDConnectProvider documentation: begins with https://, no query.
            Rule("iam CreateOpenIDConnectProvider Url", patterns=(r"https://[^?#\s]+",)),
            normalise=_url,
        ),
    ),
    "aws:iam/role:Role": (Name("IAM role", "name", "account", Rule("iam CreateRole RoleName"), GENERATED, normalise=_IAM_CASE),),
    "aws:iam/instanceProfile:InstanceProfile": (
        Name(
            "IAM instance profile",
            "name",
            "account",
            Rule("iam CreateInstanceProfile InstanceProfileName"),
            GENERATED,
            normalise=_IAM_CASE,
        ),
    ),
    "aws:iam/policy:Policy": (
        Name("IAM policy", "name", "account", Rule("iam CreatePolicy PolicyName"), GENERATED, normalise=_IAM_CASE),
    ),
    "aws:iam/rolePolicy:RolePolicy": (
        Name(
            "IAM inline policy",
            "name",
            "account",
            Rule("iam PutRolePolicy PolicyName"),
            GENERATED,
            within=(Within("role", "aws:iam/role:Role"),),
            normalise=_IAM_CASE,
        ),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Unnamed("a pair of a role and a policy ARN"),
    # RDS: identifiers are stored lower-case.
    "aws:rds/instance:Instance": (
        Name(
            "RDS instance",
            "identifier",
            "region",
            # RDS API reference, CreateDBInstance; terraform-provider-aws rds/validate.go validIdentifier (lower case).
            Rule(max=63, patterns=(r"[a-z][a-z0-9-]*",), forbidden=("--", "-$")),
            # pulumi-aws provider/resource_overrides.go: the logical name and 7 hex digits, no separator.
            Autoname(separator=""),
            normalise=str.lower,
        ),
    ),
    "aws:rds/snapshot:Snapshot": (
        Name(
            "RDS snapshot",
            "dbSnapshotIdentifier",
            "region",
            # RDS API reference, CreateDBSnapshot: 1 to 255 letters, digits or hyphens, a letter first.
            Rule(max=255, patterns=(r"[A-Za-z][A-Za-z0-9-]*",), forbidden=("--", "-$")),
            normalise=str.lower,
        ),
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        Name(
            "RDS parameter group",
            "name",
            "region",
            # botocore's CreateDBParameterGroup documentation; terraform-provider-aws validParamGroupName (lower case).
            Rule(max=255, patterns=(r"[a-z][a-z0-9-]*",), forbidden=("--", "-$")),
            Autoname(lower=True),
            normalise=str.lower,
        ),
    ),
    "aws:rds/subnetGroup:SubnetGroup": (
        Name(
            "RDS subnet group",
            "name",
            "region",
            # botocore's CreateDBSubnetGroup documentation; terraform-provider-aws validSubnetGroupName (lower case).
            Rule(max=255, patterns=(r"[a-z][a-z0-9._ -]*",), forbidden=("^default$",)),
            Autoname(lower=True),
            normalise=str.lower,
        ),
    ),
    # Elastic Load Balancing.
    "aws:lb/loadBalancer:LoadBalancer": (
        Name(
            "load balancer",
            "name",
            "region",
            # botocore's CreateLoadBalancer documentation; terraform-provider-aws elbv2/validate.go validName.
            Rule(max=32, patterns=(r"[A-Za-z0-9-]+",), forbidden=("^-", "-$", "^internal-")),
            GENERATED,
        ),
    ),
    "aws:lb/targetGroup:TargetGroup": (
        Name(
            "target group",
            "name",
            "region",
            # botocore's CreateTargetGroup documentation; terraform-provider-aws validTargetGroupName.
            Rule(max=32, patterns=(r"[A-Za-z0-9-]+",), forbidden=("^-", "-$")),
            GENERATED,
        ),
    ),
    "aws:lb/listener:Listener": Unnamed("a port of its load balancer; AWS assigns its ARN"),
    # S3: bucket names are unique across all accounts.
    "aws:s3/bucket:Bucket": (
        Name(
            "S3 bucket",
            "bucket",
            "global",
            # S3 User Guide, "General purpose bucket naming rules".
            Rule(
                min=3,
                max=63,
                patterns=(r"[a-z0-9][a-z0-9.-]*[a-z0-9]",),
                forbidden=(
                    r"\.\.",
                    r"^\d+\.\d+\.\d+\.\d+$",
                    "^xn--",
                    "^sthree-",
                    "^amzn-s3-demo-",
                    "-s3alias$",
                    "--ol-s3$",
                    r"\.mrap$",
                    "--x-s3$",
                    "--table-s3$",
                ),
            ),
            # pulumi-aws provider/resource_overrides.go: lower-cased.
            Autoname(lower=True),
        ),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _ONE_PER_BUCKET,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _ONE_PER_BUCKET,
    "aws:s3/bucketPolicy:BucketPolicy": _ONE_PER_BUCKET,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _ONE_PER_BUCKET,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _ONE_PER_BUCKET,
    "aws:s3/bucketVersioning:BucketVersioning": _ONE_PER_BUCKET,
    # Systems Manager.
    "aws:ssm/parameter:Parameter": (
        Name(
            "SSM parameter",
            "name",
            "region",
            # botocore's PutParameter documentation: 1011 of the 2048 are the caller's; these characters; no aws/ssm.
            Rule("ssm PutParameter Name", max=1011, patterns=(r"[A-Za-z0-9_./-]+",), forbidden=(r"(?i)^/?(aws|ssm)",)),
            GENERATED,
        ),
    ),
    "aws:ssm/document:Document": (
        Name(
            "SSM document",
            "name",
            "region",
            # botocore's CreateDocument documentation: aws, amazon and amzn prefixes are reserved.
            Rule("ssm CreateDocument Name", forbidden=(r"(?i)^(aws|amazon|amzn)",)),
            GENERATED,
        ),
    ),
    "aws:ssm/association:Association": (
        Name("SSM association name", "associationName", None, Rule("ssm CreateAssociation AssociationName"), optional=True),
    ),
    # Containers.
    "aws:ecr/repository:Repository": (
        Name("ECR repository", "name", "region", Rule("ecr CreateRepository repositoryName"), GENERATED),
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": Unnamed("one per repository, which is named"),
    "aws:ecs/cluster:Cluster": (Name("ECS cluster", "name", "region", _ECS_NAME, GENERATED),),
    "aws:ecs/service:Service": (
        Name(
            "ECS service",
            "name",
            "region",
            _ECS_NAME,
            GENERATED,
            within=(Within("cluster", "aws:ecs/cluster:Cluster", default="default"),),
        ),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (Name("ECS task definition family", "family", "region", _ECS_NAME),),
    "aws:appautoscaling/target:Target": Unnamed("the resource it scales, which is named"),
    "aws:appautoscaling/policy:Policy": (
        Name(
            "scaling policy",
            "name",
            "region",
            Rule("application-autoscaling PutScalingPolicy PolicyName"),
            GENERATED,
            within=(Within("serviceNamespace"), Within("resourceId"), Within("scalableDimension")),
        ),
    ),
    # CloudWatch and EventBridge.
    "aws:cloudwatch/logGroup:LogGroup": (
        Name("log group", "name", "region", Rule("logs CreateLogGroup logGroupName"), GENERATED),
    ),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (
        Name(
            "metric filter",
            "name",
            "region",
            Rule("logs PutMetricFilter filterName"),
            within=(Within("logGroupName", "aws:cloudwatch/logGroup:LogGroup"),),
        ),
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": (
        Name("log delivery source", "name", "region", Rule("logs PutDeliverySource name")),
    ),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (
        Name("log delivery destination", "name", "region", Rule("logs PutDeliveryDestination name")),
    ),
    "aws:cloudwatch/logDelivery:LogDelivery": Unnamed("AWS assigns its id"),
    # With resourceArn, a policy of that log group alone (no account-wide policy name).
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": Unnamed("one per log group, which is named"),
    "aws:ec2/flowLog:FlowLog": Unnamed("AWS assigns its id"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        Name(
            "metric alarm",
            "name",
            "region",
            # botocore's PutMetricAlarm documentation: no ASCII control characters.
            Rule("cloudwatch PutMetricAlarm AlarmName", patterns=(r"[^\x00-\x1f\x7f]+",)),
            GENERATED,
        ),
    ),
    "aws:cloudwatch/eventRule:EventRule": (
        Name(
            "EventBridge rule",
            "name",
            "region",
            Rule("events PutRule Name"),
            GENERATED,
            within=(Within("eventBusName", default="default"),),
        ),
    ),
    "aws:cloudwatch/eventTarget:EventTarget": (
        Name(
            "EventBridge target",
            "targetId",
            "region",
            Rule("events PutTargets Targets Id"),
            GENERATED,
            within=(Within("eventBusName", default="default"), Within("rule", "aws:cloudwatch/eventRule:EventRule")),
        ),
    ),
    "aws:sfn/stateMachine:StateMachine": (
        Name(
            "state machine",
            "name",
            "region",
            # botocore's CreateStateMachine documentation: no white space, brackets, wildcards, specials or controls.
            Rule("stepfunctions CreateStateMachine name", patterns=(r"""[^\s<>{}\[\]?*"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]+""",)),
            GENERATED,
        ),
    ),
    "aws:sns/topic:Topic": (
        Name(
            "SNS topic",
            "name",
            "region",
            # botocore's CreateTopic documentation: 1 to 256 letters, digits, - and _; FIFO topics end .fifo.
            Rule(max=256, patterns=(r"[A-Za-z0-9_-]+(\.fifo)?",)),
            GENERATED,
        ),
    ),
    "aws:sns/topicPolicy:TopicPolicy": Unnamed("one per topic, which is named"),
    "aws:sns/topicSubscription:TopicSubscription": Unnamed("AWS assigns its ARN"),
    # Keys and backups.
    "aws:secretsmanager/secret:Secret": (Name("secret", "name", "region", Rule("secretsmanager CreateSecret Name"), GENERATED),),
    "aws:kms/key:Key": Unnamed("AWS assigns its key id"),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": Unnamed("one per vault, which is named"),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _ONE_PER_BUCKET,
    "aws:route53/healthCheck:HealthCheck": Unnamed("AWS assigns its id; its Name is a tag"),
    "aws:kms/alias:Alias": (
        Name(
            "KMS alias",
            "name",
            "region",
            # botocore's CreateAlias documentation: alias/ and a name, never under alias/aws/.
            Rule("kms CreateAlias AliasName", patterns=(r"alias/.+",), forbidden=("^alias/aws/",)),
            # pulumi-aws provider/resource_overrides.go: alias/ before the generated name.
            Autoname(prefix="alias/"),
        ),
    ),
    "aws:backup/vault:Vault": (
        Name("Backup vault", "name", "region", Rule("backup CreateBackupVault BackupVaultName"), GENERATED),
    ),
    "aws:backup/plan:Plan": (
        Name(
            "Backup plan",
            "name",
            "region",
            # botocore's CreateBackupPlan documentation (BackupPlanInput): 1 to 50 alphanumeric or '-_.' characters.
            Rule(max=50, patterns=(r"[A-Za-z0-9_.-]+",)),
            GENERATED,
        ),
    ),
    "aws:backup/selection:Selection": (
        Name(
            "Backup selection",
            "name",
            "region",
            Rule("backup CreateBackupSelection BackupSelection SelectionName"),
            GENERATED,
            within=(Within("planId", "aws:backup/plan:Plan"),),
        ),
    ),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": (
        Name(
            "restore testing plan",
            "name",
            "region",
            # botocore's CreateRestoreTestingPlan documentation (letters, digits, _); pulumi-aws's docs: 1 to 50.
            Rule(max=50, patterns=(r"[A-Za-z0-9_]+",)),
            # pulumi-aws provider/resource_overrides.go: joined with _.
            Autoname(separator="_"),
        ),
    ),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        Name(
            "restore testing selection",
            "name",
            "region",
            # botocore's CreateRestoreTestingSelection documentation: letters, digits and _, 50 at most.
            Rule(max=50, patterns=(r"[A-Za-z0-9_]+",)),
            GENERATED,
            within=(Within("restoreTestingPlanName", "aws:backup/restoreTestingPlan:RestoreTestingPlan"),),
        ),
    ),
    # Caching.
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        Name(
            "ElastiCache replication group",
            "replicationGroupId",
            "region",
            # botocore's CreateReplicationGroup documentation: 1 to 40, a letter first, stored lower-case.
            Rule(max=40, patterns=(r"[A-Za-z][A-Za-z0-9-]*",), forbidden=("--", "-$")),
            # pulumi-aws provider/resource_overrides.go: lower-cased.
            Autoname(lower=True),
            normalise=str.lower,
        ),
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": (
        Name(
            "ElastiCache subnet group",
            "name",
            "region",
            # botocore's CreateCacheSubnetGroup documentation: 255 alphanumerics or hyphens, stored lower-case.
            Rule(max=255, patterns=(r"[A-Za-z0-9-]+",)),
            Autoname(lower=True),
            normalise=str.lower,
        ),
    ),
    # The edge.
    "aws:cloudfront/function:Function": (
        Name("CloudFront function", "name", "account", Rule("cloudfront CreateFunction Name"), GENERATED),
    ),
    "aws:cloudfront/distribution:Distribution": (Name("CloudFront alias", "aliases", "global", None, many=True, normalise=_dns),),
    "aws:route53/record:Record": (
        Name(
            "Route 53 record",
            "name",
            "account",
            # pulumi-aws provider/resource_overrides.go: never generated, the name is the DNS name.
            Rule("route53 ChangeResourceRecordSets ChangeBatch Changes ResourceRecordSet Name"),
            within=(Within("zoneId"), Within("type"), Within("setIdentifier")),
            normalise=_dns,
        ),
    ),
    "aws:acm/certificate:Certificate": Unnamed("AWS assigns its ARN"),
    "aws:acm/certificateValidation:CertificateValidation": Unnamed("waits for a certificate; makes nothing"),
    # The network and the host.
    "aws:ec2/securityGroup:SecurityGroup": (
        Name(
            "security group",
            "name",
            "region",
            # botocore's CreateSecurityGroup documentation: 255 of these characters, not sg- first, case-insensitive.
            Rule(max=255, patterns=(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",), forbidden=("^sg-",)),
            GENERATED,
            within=(Within("vpcId"),),
            normalise=str.lower,
        ),
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Unnamed("AWS assigns its rule id"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Unnamed("AWS assigns its rule id"),
    "aws:ec2/instance:Instance": Unnamed("AWS assigns its instance id; its Name is a tag"),
    "aws:ec2/eip:Eip": Unnamed("AWS assigns its allocation id"),
    "aws:ec2/eipAssociation:EipAssociation": Unnamed("a pair of an address and an instance"),
    "awsx:ec2:Vpc": Unnamed("the VPC, subnets, gateways and routes it makes have ids AWS assigns and Name tags"),
    # Not AWS resources.
    "pulumi:providers:aws": Unnamed("a provider, not a cloud resource"),
    "command:local:Command": Unnamed("a command on the deploying machine; nothing in AWS"),
}


class Variant(NamedTuple):
    """A stack and the config it is planned with."""

    stack: str
    overrides: Mapping[str, Any]


class AccountError(Exception):
    """A variant the program refuses to plan."""


_TOKEN = re.compile(r"(\w+):(\w+)(?:/\w+)?:(\w+)")


def sdk_location(type_: str) -> tuple[str, str]:
    """Where the SDK defines a type: `aws:lb/loadBalancer:LoadBalancer` is `LoadBalancer` in `pulumi_aws.lb`."""
    token = _TOKEN.fullmatch(type_)
    if token is None:
        raise ValueError(f"{type_!r} is not a resource type token")
    package, module, name = token.groups()
    return f"pulumi_{package}.{module}", name


def sdk_class(type_: str) -> type:
    """The SDK's class of a type token, loading its module if it is not yet."""
    module, name = sdk_location(type_)
    return getattr(importlib.import_module(module), name)


def variants() -> dict[str, Variant]:
    """Each committed stack as it is, and each `legacy` one again as its move to `ecs`, by label."""
    found: dict[str, Variant] = {}
    for stack in known_stacks():
        values, _ = stack_config_values(stack)
        found[stack] = Variant(stack, {})
        if values.get("amy:layout") == "legacy":
            found[f"{stack} on ecs"] = Variant(stack, moved_to_ecs(values.get("amy:cacheMode") == "local"))
    return found


def plan_variants(wanted: Mapping[str, Variant]) -> dict[str, Plan]:
    """Each variant planned, by label; one the program refuses raises AccountError naming it."""
    plans: dict[str, Plan] = {}
    for label, (stack, overrides) in wanted.items():
        try:
            plans[label] = run(stack, overrides)
        except ProgramError as error:
            raise AccountError(f"{label}: {error}") from None
    return plans


# What a rule comes to once botocore's model is read.
@dataclass(frozen=True)
class Limits:
    min: int
    max: int | None
    patterns: tuple[re.Pattern[str], ...]
    forbidden: tuple[re.Pattern[str], ...]


# Java regular expressions in botocore's models that Python's re spells differently.
_JAVA_CLASSES = {r"\p{Print}": r"[\x20-\x7E]"}
# A pattern that is one character class and a length, like `^[a-z0-9_.-]{3,128}$`: botocore's only length for it.
_CLASS_WITH_LENGTH = re.compile(r"^\^?(\[(?:\\.|[^\]])+\])\{(\d+),(\d+)\}\$?$")


@cache
def _botocore_model(service: str) -> dict[str, Any]:
    from botocore.loaders import Loader  # noqa: PLC0415 - imported only when a rule needs it: 0.1 s

    return Loader().load_service_model(service, "service-2")


def _botocore_member(path: str) -> dict[str, Any]:
    service, operation, *members = path.split()
    model = _botocore_model(service)
    shapes = model["shapes"]
    shape = shapes[model["operations"][operation]["input"]["shape"]]
    for member in members:
        if shape["type"] == "list":
            shape = shapes[shape["member"]["shape"]]
        shape = shapes[shape["members"][member]["shape"]]
    return shape


_LIMITS: dict[Rule, Limits] = {}


def limits(rule: Rule) -> Limits:
    """The rule with botocore's min, max and pattern read in, once."""
    if rule not in _LIMITS:
        _LIMITS[rule] = _read_limits(rule)
    return _LIMITS[rule]


def _read_limits(rule: Rule) -> Limits:
    minimum, maximum, patterns = rule.min, rule.max, list(rule.patterns)
    if rule.botocore:
        shape = _botocore_member(rule.botocore)
        pattern = shape.get("pattern")
        if pattern:
            for java, python in _JAVA_CLASSES.items():
                pattern = pattern.replace(java, python)
            if sized := _CLASS_WITH_LENGTH.match(pattern):
                # The length goes to min and max, so an over-long name is reported as over-long, not malformed.
                shape = {"min": int(sized[2]), "max": int(sized[3]), **shape}
                pattern = f"{sized[1]}+"
            patterns.append(pattern)
        minimum = shape.get("min") if minimum is None else minimum
        maximum = shape.get("max") if maximum is None else maximum
    return Limits(
        min=minimum or 1,
        max=maximum,
        patterns=tuple(re.compile(p, re.ASCII) for p in patterns),
        forbidden=tuple(re.compile(p, re.ASCII) for p in rule.forbidden),
    )


def read_limits() -> dict[Rule, Limits]:
    """Every rule's limits, read now. botocore's models take a fifth of a second to read, so `bin/plan` reads them in a
    process of its own while it loads the program, and gives them to its own with `learn`."""
    return {name.rule: limits(name.rule) for entry in RULES.values() if isinstance(entry, tuple) for name in entry if name.rule}


def learn(known: Mapping[Rule, Limits]) -> None:
    """Limits read elsewhere (`read_limits` in another process), used as if read here."""
    _LIMITS.update(known)


@dataclass(frozen=True)
class Claimant:
    """A resource of one stack, in the variants that plan it."""

    stack: str
    urn: str
    type: str
    name: str
    variants: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.type} {self.name} ({', '.join(self.variants)})"


def _order(claimant: Claimant) -> tuple[str, str, str]:
    return (claimant.stack, claimant.name, claimant.urn)


@dataclass(frozen=True)
class Collision:
    identity: str
    claimants: tuple[Claimant, ...]

    def __str__(self) -> str:
        return f"collision: {self.identity}: " + " and ".join(str(c) for c in self.claimants)


@dataclass(frozen=True)
class BadName:
    """A name AWS would refuse: `problem` says by which limit or pattern."""

    what: str
    name: str
    problem: str
    generated: bool
    claimant: Claimant

    def __str__(self) -> str:
        if not self.name:
            return f"{self.what} {self.problem}: {self.claimant}"
        origin = "generated by Pulumi from the logical name" if self.generated else "set by the program"
        return f"{self.what} {self.name!r} {self.problem} ({origin}): {self.claimant}"


@dataclass(frozen=True)
class Unmodelled:
    type: str
    example: Claimant

    def __str__(self) -> str:
        return f"no rule for {self.type} ({self.example}): give it its Name or Unnamed in RULES, tooling/account.py"


@dataclass(frozen=True)
class Report:
    identities: int
    collisions: tuple[Collision, ...]
    over_long: tuple[BadName, ...]
    malformed: tuple[BadName, ...]
    unmodelled: tuple[Unmodelled, ...]

    @property
    def ok(self) -> bool:
        return not (self.collisions or self.over_long or self.malformed or self.unmodelled)

    def lines(self) -> list[str]:
        summary = (
            f"account: {self.identities} identities, {len(self.collisions)} collisions, "
            f"{len(self.over_long)} over-long names, {len(self.malformed)} malformed names"
        )
        if self.unmodelled:
            summary += f", {len(self.unmodelled)} types without a rule"
        return [
            summary,
            *(f"  {c}" for c in self.collisions),
            *(f"  over-long: {b}" for b in self.over_long),
            *(f"  malformed: {b}" for b in self.malformed),
            *(f"  {u}" for u in self.unmodelled),
        ]


# A name as AWS compares it: the program's (normalised), or one Pulumi generates, unique to its resource.
NameKey = tuple[str, ...]


@dataclass(frozen=True)
class _Claim:
    identity: tuple[Any, ...]
    shown: str
    name: str
    generated: bool


@dataclass
class _PlanIndex:
    """One plan's providers, and its resources by the id, ARN or name another resource's input may hold."""

    plan: Plan
    by_urn: dict[str, Registration] = field(init=False)
    refs: dict[tuple[str, str], Registration] = field(init=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.plan.registrations}
        self.refs = {}
        for r in self.plan.registrations:
            for ref in (r.id, r.outputs.get("arn"), r.outputs.get("name")):
                if isinstance(ref, str) and ref:
                    self.refs.setdefault((r.type, ref), r)

    def region(self, registration: Registration) -> str:
        provider = self.by_urn.get(registration.provider_urn)
        return str(provider.inputs.get("region", "")) if provider else ""


def _names(registration: Registration, rule: Name) -> Iterator[tuple[str, bool]]:
    """Each physical name the registration holds under `rule`, and whether Pulumi generates it."""
    value = registration.inputs.get(rule.input)
    if rule.many:
        yield from ((str(v), False) for v in value or ())
    elif value:
        yield str(value), False
    elif rule.autoname:
        yield rule.autoname.of(registration.name), True


def _key(registration: Registration, rule: Name, name: str, generated: bool) -> NameKey:
    # A generated name ends in random digits: unique to its resource (its URN names the stack), whatever its name.
    if generated:
        return ("generated", registration.urn)
    return ("named", rule.normalise(name))


def _within(index: _PlanIndex, registration: Registration, within: Within) -> tuple[NameKey, str]:
    value = str(registration.inputs.get(within.input) or within.default)
    target = index.refs.get((within.type, value)) if within.type else None
    entry = RULES.get(within.type)
    if target is None or not isinstance(entry, tuple):
        return ("named", value), value
    for name, generated in _names(target, entry[0]):
        return _key(target, entry[0], name, generated), name
    return ("named", value), value


def _claims(index: _PlanIndex, registration: Registration, rule: Name) -> Iterator[_Claim]:
    scope: tuple[str, ...] = ()
    where = ""
    if rule.scope == "region":
        region = index.region(registration)
        scope, where = ("region", region), f" in {region or 'the default region'}"
    elif rule.scope:
        scope = (rule.scope,)
    parents = [_within(index, registration, w) for w in rule.within]
    if parents:
        where += " within " + "/".join(shown for _, shown in parents if shown)
    for name, generated in _names(registration, rule):
        identity = (rule.what, scope, tuple(key for key, _ in parents), _key(registration, rule, name, generated))
        yield _Claim(identity, f"{rule.what} {name}{where}", name, generated)


def _problem(rule: Rule, name: str) -> tuple[str, str] | None:
    """("over-long" or "malformed", what is wrong), or None when AWS accepts the name."""
    found = limits(rule)
    if found.max is not None and len(name) > found.max:
        return "over-long", f"is {len(name)} characters, over the limit of {found.max}"
    if len(name) < found.min:
        return "malformed", f"is {len(name)} characters, under the minimum of {found.min}"
    for pattern in found.patterns:
        if not pattern.fullmatch(name):
            return "malformed", f"does not match {pattern.pattern}"
    for pattern in found.forbidden:
        if pattern.search(name):
            return "malformed", f"matches {pattern.pattern}, which AWS refuses"
    return None


# A resource of one stack: its stack and URN.
Who = tuple[str, str]


@dataclass(frozen=True)
class _Refusal:
    kind: str
    what: str
    name: str
    problem: str
    generated: bool


@dataclass
class _Ledger:
    """What the account holds so far, variant by variant."""

    claimants: dict[Who, Claimant] = field(default_factory=dict)
    # Each identity as first shown, and who claims it.
    shown: dict[tuple[Any, ...], str] = field(default_factory=dict)
    holders: dict[tuple[Any, ...], list[Who]] = field(default_factory=dict)
    refusals: dict[tuple[Who, str], _Refusal] = field(default_factory=dict)
    unmodelled: dict[str, Who] = field(default_factory=dict)

    def enter(self, label: str, plan: Plan) -> None:
        index = _PlanIndex(plan)
        for registration in plan.registrations:
            if registration.custom or registration.remote:  # a component is a grouping in Pulumi's state, not in AWS
                self._enter(label, index, registration)

    def _enter(self, label: str, index: _PlanIndex, registration: Registration) -> None:
        who = (index.plan.stack, registration.urn)
        known = self.claimants.get(who)
        variants = (*known.variants, label) if known else (label,)
        self.claimants[who] = Claimant(who[0], registration.urn, registration.type, registration.name, variants)
        entry = RULES.get(registration.type)
        if entry is None:
            self.unmodelled.setdefault(registration.type, who)
        elif not isinstance(entry, Unnamed):
            for rule in entry:
                self._claim(who, index, registration, rule)

    def _claim(self, who: Who, index: _PlanIndex, registration: Registration, rule: Name) -> None:
        claims = list(_claims(index, registration, rule))
        for claim in claims:
            if rule.scope:
                self.shown.setdefault(claim.identity, claim.shown)
                holders = self.holders.setdefault(claim.identity, [])
                if who not in holders:
                    holders.append(who)
            problem = _problem(rule.rule, claim.name) if rule.rule else None
            if problem:
                kind, text = problem
                self.refusals.setdefault((who, claim.name), _Refusal(kind, rule.what, claim.name, text, claim.generated))
        if not claims and not (rule.optional or rule.many):
            unset = _Refusal("malformed", rule.what, "", "is unset, and pulumi-aws does not generate it", False)
            self.refusals.setdefault((who, rule.input), unset)

    def report(self) -> Report:
        collisions = sorted(
            (
                Collision(self.shown[identity], tuple(sorted((self.claimants[who] for who in holders), key=_order)))
                for identity, holders in self.holders.items()
                if len(holders) > 1
            ),
            key=lambda collision: collision.identity,
        )
        refused = sorted(
            (
                (refusal.kind, BadName(refusal.what, refusal.name, refusal.problem, refusal.generated, self.claimants[who]))
                for (who, _), refusal in self.refusals.items()
            ),
            key=lambda item: (*_order(item[1].claimant), item[1].what),
        )
        return Report(
            identities=len(self.holders),
            collisions=tuple(collisions),
            over_long=tuple(bad for kind, bad in refused if kind == "over-long"),
            malformed=tuple(bad for kind, bad in refused if kind == "malformed"),
            unmodelled=tuple(Unmodelled(type_, self.claimants[who]) for type_, who in sorted(self.unmodelled.items())),
        )


def check(plans: Mapping[str, Plan]) -> Report:
    """The account holding every plan (by variant label): identities, collisions, names AWS would refuse."""
    ledger = _Ledger()
    for label, plan in plans.items():
        ledger.enter(label, plan)
    return ledger.report()
