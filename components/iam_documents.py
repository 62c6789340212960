"""The IAM documents that bound what the stack's roles and its GitHub deployments may do. Pure builders.

Every document here is checked against the IAM catalogue parliament ships (`tooling/iam_check.py`): each action
exists, each resource matches an ARN format of the action's resource types, and each condition key is one the
action documents for those resource types, so no tag condition is written where AWS would never evaluate it.
Sources: the Service Authorization Reference (docs.aws.amazon.com/service-authorization/latest/reference/),
"Permissions boundaries for IAM entities" and "Granting a user permissions to pass a role" in the IAM user guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Statement = dict[str, Any]
Document = dict[str, Any]
# GitHub's OIDC issuer, whose provider every stack's GitHub roles trust.
TOKEN_HOST = "token.actions.githubusercontent.com"
# The stack whose database no deployer of any stack may delete: the "production database".
PRODUCTION_ENVIRONMENT = "production"
# The services the program's roles pass roles to (iam:PassedToService): the host's instance profile, ECS tasks,
# AWS Backup's selections, the redeploy state machine and the EventBridge rule that starts it, the VPC's flow log.
PASSED_TO = (
    "ec2.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "backup.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
)
# Services that create their service-linked role through the caller on first use in an account.
SERVICE_LINKED_ROLES = (
    "rds.amazonaws.com",
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "elasticache.amazonaws.com",
    "backup.amazonaws.com",
)
# The AWS-managed policies the program attaches to the roles it makes (AWS Backup's service role, ECS's execution
# role): the only policies the deployer may attach.
ATTACHABLE_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)


# The region's Session Manager preferences: a session started without a document of its own (as `aws ssm
# start-session --target` and the console's Connect do) follows this document, one per account and region.
SESSION_PREFERENCES_DOCUMENT = "SSM-SessionManagerRunShell"


@dataclass(frozen=True)
class AccessScope:
    """What a stack's names are in its account: every document below is drawn from these."""

    # `amy-<stack>`: what the names of the stack's resources start with.
    name_prefix: str
    stack: str
    region: str
    account: str
    database_identifier: str
    # The dumps bucket's name, or a pattern of the names Pulumi gives it.
    dumps_bucket: str
    # Production: the database is protected from deletion by every role of the stack.
    protect: bool
    zone_id: str
    # The names the stack keeps in the zone: the application's and the CDN's.
    domains: tuple[str, ...]
    # An adopted database's groups keep their names.
    database_groups: tuple[str, ...] = ()
    # The stack writes the region's Session Manager preferences, a document of the account's, not the stack's.
    session_preferences: bool = False

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        return f"arn:aws:{service}:{self.region if region is None else region}:{self.account}:{resource}"

    def named(self, service: str, template: str, region: str | None = None) -> list[str]:
        """The ARNs of `service` resources named `amy-<stack>` or `amy-<stack>-…`: `template` has `{}` for the name."""
        return [self.arn(service, template.format(name), region) for name in (self.name_prefix, f"{self.name_prefix}-*")]

    @property
    def boundary_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:policy/{self.name_prefix}-boundary"

    @property
    def database_arn(self) -> str:
        return self.arn("rds", f"db:{self.database_identifier}")

    @property
    def settings_arn(self) -> str:
        """The stack's parameters, `/amy/<stack>/…` (its settings are under `/amy/<stack>/env/`)."""
        return self.arn("ssm", f"parameter/amy/{self.stack}/*")

    @property
    def dumps_bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.dumps_bucket}"

    @property
    def oidc_provider_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:oidc-provider/{TOKEN_HOST}"


def document(*statements: Statement) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, actions: Sequence[str], resources: Sequence[str] | str = "*", /, **condition: dict[str, Any]) -> Statement:
    return _statement("Allow", sid, actions, resources, condition)


def deny(sid: str, actions: Sequence[str], resources: Sequence[str] | str = "*", /, **condition: dict[str, Any]) -> Statement:
    return _statement("Deny", sid, actions, resources, condition)


def _statement(
    effect: str, sid: str, actions: Sequence[str], resources: Sequence[str] | str, condition: dict[str, dict[str, Any]]
) -> Statement:
    statement: Statement = {
        "Sid": sid,
        "Effect": effect,
        "Action": sorted(actions),
        "Resource": resources if isinstance(resources, str) else list(resources),
    }
    if condition:
        statement["Condition"] = condition
    return statement


def tagged(scope: AccessScope) -> dict[str, dict[str, str]]:
    """Resources that carry the stack's Environment tag, which the provider's default tags give every resource."""
    return {"StringEquals": {"aws:ResourceTag/Environment": scope.stack}}


def tagging(scope: AccessScope) -> dict[str, dict[str, str]]:
    """Requests that create a resource with the stack's Environment tag."""
    return {"StringEquals": {"aws:RequestTag/Environment": scope.stack}}


# --- What no role of the stack may do, whatever else it is allowed --------------------------------------------


def guard_statements(scope: AccessScope) -> list[Statement]:
    """The explicit denies of the issue, one statement each: they hold against any allow, in the deployer's policy and in
    both permissions boundaries."""
    prefix = scope.name_prefix
    database = [scope.database_arn] if scope.protect else []
    return [
        deny(
            "NoIamUsersOrKeys",
            [
                "iam:CreateUser",
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:CreateServiceSpecificCredential",
                "iam:UploadSSHPublicKey",
                "iam:UploadSigningCertificate",
            ],
        ),
        deny("NoTrailStopOrDelete", ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]),
        # A shorter lifecycle deletes a recovery point as surely as deleting it.
        deny("NoRecoveryPointDeletion", ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]),
        deny("NoVaultDeletion", ["backup:DeleteBackupVault", "backup:DeleteBackupVaultLockConfiguration"]),
        deny("NoKeyDeletion", ["kms:ScheduleKeyDeletion"]),
        deny("NoKeyPolicyChange", ["kms:PutKeyPolicy"]),
        deny("NoObjectVersionDeletion", ["s3:DeleteObjectVersion"], "arn:aws:s3:::*/*"),
        deny("NoDumpsBucketPolicyChange", ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], [scope.dumps_bucket_arn]),
        # The production database by its tag in every stack (stacks may share an account), and by its ARN in the stack
        # that protects it, whose tags an update could change first.
        deny(
            "NoProductionDatabaseDeletion",
            ["rds:DeleteDBInstance"],
            scope.arn("rds", "db:*", region="*"),
            StringEquals={"aws:ResourceTag/Environment": PRODUCTION_ENVIRONMENT},
        ),
        *([deny("NoDatabaseDeletion", ["rds:DeleteDBInstance"], database)] if database else []),
        # The GitHub roles and the policies that bound them change only by an administrator's hand.
        deny(
            "NoDeployRoleChange",
            [
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:DeleteRolePermissionsBoundary",
                "iam:UpdateRole",
                "iam:DeleteRole",
                "iam:TagRole",
                "iam:UntagRole",
            ],
            [f"arn:aws:iam::{scope.account}:role/{prefix}-github-*"],
        ),
        deny(
            "NoBoundaryOrDeployPolicyChange",
            [
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:DeletePolicy",
                "iam:TagPolicy",
                "iam:UntagPolicy",
            ],
            [
                f"arn:aws:iam::{scope.account}:policy/{prefix}-github-*",
                f"arn:aws:iam::{scope.account}:policy/{prefix}-boundary",
            ],
        ),
        deny(
            "NoOidcProviderChange",
            [
                "iam:CreateOpenIDConnectProvider",
                "iam:DeleteOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider",
                "iam:UntagOpenIDConnectProvider",
            ],
            [scope.oidc_provider_arn],
        ),
    ]


# --- The boundary of every role the program makes for its own workloads ---------------------------------------

# What the program's roles do, at most: the host (SSM and CloudWatch agents, its settings, dumps, metrics, e-mail
# attachments), ECS (pull images, read secrets, log; the migration stores the application's database password),
# AWS Backup (back up and restore the database and the host: its managed service-role policies), and the
# redeploy after a password rotation (ECS, Step Functions).
WORKLOAD_SERVICES = (
    "backup",
    "backup-storage",
    "ebs",
    "ec2",
    "ec2messages",
    "kms",
    "logs",
    "rds",
    "ssm",
    "ssmmessages",
)
WORKLOAD_ACTIONS = (
    "cloudwatch:PutMetricData",
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
    "ecs:UpdateService",
    "s3:AbortMultipartUpload",
    "s3:GetObject",
    "s3:PutObject",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "states:StartExecution",
    "tag:GetResources",
)


def boundary_policy(scope: AccessScope) -> Document:
    """`amy-<stack>-boundary`, which every workload role carries: at most what those roles need, never IAM,
    Organizations or the account's settings, and none of the guarded actions."""
    return document(
        allow("WorkloadServices", [f"{service}:*" for service in WORKLOAD_SERVICES] + list(WORKLOAD_ACTIONS)),
        deny("NoPrivilegeEscalation", ["iam:*", "organizations:*", "account:*"]),
        *[statement for statement in guard_statements(scope) if statement["Sid"] != "NoProductionDatabaseDeletion"],
    )


# --- The GitHub roles ----------------------------------------------------------------------------------------

# Every service the program manages, which bounds the deploy and preview roles.
DEPLOY_SERVICES = (
    "acm",
    "application-autoscaling",
    "backup",
    "backup-storage",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "ec2",
    "ecr",
    "ecs",
    "elasticache",
    "elasticloadbalancing",
    "events",
    "iam",
    "kms",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "ssm",
    "states",
    "sts",
)


def github_boundary_policy(scope: AccessScope) -> Document:
    """`amy-<stack>-github-boundary`, which the deploy and preview roles carry: the program's services and the guards,
    whatever policy an administrator attaches to them later."""
    return document(allow("ProgramServices", [f"{service}:*" for service in DEPLOY_SERVICES]), *guard_statements(scope))


def preview_policy(scope: AccessScope) -> Document:
    """What `pulumi preview` reads besides the state backend: the data sources the program invokes (the release's
    image in ECR, the account's GitHub OIDC provider, the newest Ubuntu AMI); the provider's own sts:GetCallerIdentity
    needs no permission (STS API reference, GetCallerIdentity). Secret values, log events, objects and image
    layers are denied outright, whatever else a pull request's role is given."""
    return document(
        allow("ReleaseImage", ["ecr:DescribeImages"], scope.named("ecr", "repository/{}")),
        allow("OidcProvider", ["iam:GetOpenIDConnectProvider"], [scope.oidc_provider_arn]),
        allow("FindOidcProviderAndAmi", ["iam:ListOpenIDConnectProviders", "ec2:DescribeImages"]),
        deny(
            "NoSecretValues",
            [
                "secretsmanager:GetSecretValue",
                "secretsmanager:BatchGetSecretValue",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParametersByPath",
                "ssm:GetParameterHistory",
                "kms:Decrypt",
            ],
        ),
        deny(
            "NoLogEvents",
            ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults", "logs:StartLiveTail"],
        ),
        deny("NoObjectReads", ["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::*/*"),
        deny("NoImageLayers", ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:GetAuthorizationToken"]),
    )


def deployer_policies(scope: AccessScope) -> dict[str, Document]:
    """What `pulumi up` does in the stack's account, as managed policies `amy-<stack>-github-deploy-<part>` (IAM takes
    6,144 characters a managed policy). Names are scoped to `amy-<stack>` and `/amy/<stack>/`; what AWS names by id
    is scoped by the Environment tag (aws:RequestTag when it is created, aws:ResourceTag after) where the service
    evaluates it, and otherwise to the account and region, as the comments say."""
    return {
        "read": document(*_reads(scope)),
        "network": document(*_network(scope)),
        "compute": document(*_compute(scope)),
        "data": document(*_data(scope)),
        "edge": document(*_edge(scope)),
        "audit": document(*_audit(scope)),
        "identity": document(*_identity(scope)),
        "guards": document(*guard_statements(scope)),
    }


def _reads(scope: AccessScope) -> list[Statement]:
    """Describe and List, which read configuration, not data: no secret values, log events or objects."""
    return [
        allow(
            "Describe",
            [
                "acm:DescribeCertificate",
                "acm:ListCertificates",
                "acm:ListTagsForCertificate",
                "application-autoscaling:Describe*",
                "backup:Describe*",
                "backup:GetBackupPlan",
                "backup:GetBackupSelection",
                "backup:GetBackupVaultAccessPolicy",
                "backup:GetRestoreTestingPlan",
                "backup:GetRestoreTestingSelection",
                "backup:List*",
                "cloudfront:Describe*",
                "cloudfront:Get*",
                "cloudfront:List*",
                "cloudtrail:DescribeTrails",
                "cloudtrail:GetEventSelectors",
                "cloudtrail:GetTrail",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:ListTags",
                "cloudwatch:Describe*",
                "cloudwatch:ListTagsForResource",
                "ec2:Describe*",
                "ecr:DescribeImages",
                "ecr:DescribeRepositories",
                "ecr:GetLifecyclePolicy",
                "ecr:ListTagsForResource",
                "ecs:Describe*",
                "ecs:List*",
                "elasticache:Describe*",
                "elasticache:ListTagsForResource",
                "elasticloadbalancing:Describe*",
                "events:Describe*",
                "events:List*",
                "iam:Get*",
                "iam:List*",
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListAliases",
                "kms:ListResourceTags",
                "logs:Describe*",
                "logs:GetDelivery",
                "logs:GetDeliveryDestination",
                "logs:GetDeliveryDestinationPolicy",
                "logs:GetDeliverySource",
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "rds:Describe*",
                "rds:ListTagsForResource",
                "route53:Get*",
                "route53:List*",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:ListSecrets",
                "sns:GetSubscriptionAttributes",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "ssm:DescribeAssociation",
                "ssm:DescribeDocument",
                "ssm:DescribeDocumentPermission",
                "ssm:DescribeParameters",
                "ssm:GetDocument",
                "ssm:ListAssociations",
                "ssm:ListTagsForResource",
                "states:DescribeStateMachine",
                "states:ListTagsForResource",
            ],
        ),
        # The provider reads back the parameters it writes (String values under the stack's path).
        allow("ReadSettings", ["ssm:GetParameter", "ssm:GetParameters"], [scope.settings_arn]),
        allow(
            "ReadBuckets",
            [
                "s3:GetAccelerateConfiguration",
                "s3:GetBucketAcl",
                "s3:GetBucketCORS",
                "s3:GetBucketLogging",
                "s3:GetBucketObjectLockConfiguration",
                "s3:GetBucketOwnershipControls",
                "s3:GetBucketPolicy",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketRequestPayment",
                "s3:GetBucketTagging",
                "s3:GetBucketVersioning",
                "s3:GetBucketWebsite",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:ListBucket",
            ],
            _buckets(scope),
        ),
    ]


def _buckets(scope: AccessScope) -> list[str]:
    return sorted({f"arn:aws:s3:::{scope.name_prefix}-*", scope.dumps_bucket_arn})


def _network(scope: AccessScope) -> list[Statement]:
    """The network, its security groups and the legacy host: EC2 names them by id, so by the Environment tag."""
    created = [scope.arn("ec2", f"{kind}/*") for kind in EC2_CREATED]
    return [
        # A new EC2 resource must carry the stack's tag, and may be tagged only as it is created (ec2:CreateAction).
        allow("CreateTaggedNetworkAndHost", EC2_CREATE, created, **tagging(scope)),
        allow("TagOnCreate", ["ec2:CreateTags"], created, StringEquals={"ec2:CreateAction": list(EC2_CREATE)}),
        allow("ChangeTaggedNetworkAndHost", [*EC2_CHANGE, *EC2_CREATE], created, **tagged(scope)),
        # Canonical's Ubuntu images carry no tags of ours.
        allow("LaunchFromImages", ["ec2:RunInstances"], [f"arn:aws:ec2:{scope.region}::image/*"]),
    ]


def _session_preferences(scope: AccessScope) -> list[Statement]:
    """Only the stack that keeps the region's Session Manager preferences may change them: another stack's deployer
    could otherwise turn off the logging of the host's sessions."""
    if not scope.session_preferences:
        return []
    return [
        allow(
            "SessionPreferences",
            ["ssm:CreateDocument", "ssm:DeleteDocument", "ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
            [scope.arn("ssm", f"document/{SESSION_PREFERENCES_DOCUMENT}")],
        )
    ]


def _compute(scope: AccessScope) -> list[Statement]:
    """The legacy host's SSM documents and settings, and the ECS service with its load balancer."""
    return [
        allow(
            "HostDocuments",
            [
                "ssm:AddTagsToResource",
                "ssm:CreateDocument",
                "ssm:DeleteDocument",
                "ssm:RemoveTagsFromResource",
                "ssm:UpdateDocument",
                "ssm:UpdateDocumentDefaultVersion",
            ],
            scope.named("ssm", "document/{}"),
        ),
        *_session_preferences(scope),
        # Associations are named by id, and SSM evaluates no tag of theirs: the documents are the stack's.
        allow(
            "Associations",
            ["ssm:CreateAssociation", "ssm:UpdateAssociation", "ssm:DeleteAssociation"],
            [scope.arn("ssm", "association/*"), *scope.named("ssm", "document/{}"), scope.arn("ec2", "instance/*")],
        ),
        allow(
            "Settings",
            ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
            [scope.settings_arn],
        ),
        allow(
            "Images",
            [
                "ecr:CreateRepository",
                "ecr:DeleteLifecyclePolicy",
                "ecr:DeleteRepository",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:PutLifecyclePolicy",
                "ecr:TagResource",
                "ecr:UntagResource",
            ],
            scope.named("ecr", "repository/{}"),
        ),
        # ECS takes the cluster's tag on creation; task definitions are registered by family.
        allow("CreateCluster", ["ecs:CreateCluster", "ecs:RegisterTaskDefinition"], **tagging(scope)),
        allow("DeregisterTaskDefinitions", ["ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions"]),
        allow(
            "Cluster",
            [
                "ecs:CreateService",
                "ecs:DeleteCluster",
                "ecs:DeleteService",
                "ecs:PutClusterCapacityProviders",
                "ecs:RunTask",
                "ecs:StopTask",
                "ecs:TagResource",
                "ecs:UntagResource",
                "ecs:UpdateCluster",
                "ecs:UpdateClusterSettings",
                "ecs:UpdateService",
            ],
            [
                *scope.named("ecs", "cluster/{}"),
                scope.arn("ecs", f"service/{scope.name_prefix}/*"),
                scope.arn("ecs", f"task/{scope.name_prefix}/*"),
                scope.arn("ecs", f"task-definition/{scope.name_prefix}-*:*"),
            ],
        ),
        allow(
            "LoadBalancer",
            [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:CreateTargetGroup",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:RemoveTags",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
            ],
            [
                *scope.named("elasticloadbalancing", "loadbalancer/app/{}/*"),
                *scope.named("elasticloadbalancing", "listener/app/{}/*"),
                *scope.named("elasticloadbalancing", "listener-rule/app/{}/*"),
                scope.arn("elasticloadbalancing", f"targetgroup/{scope.name_prefix}-*/*"),
            ],
        ),
        # Scalable targets and their policies are named by id; Application Auto Scaling takes tags on creation.
        allow(
            "Scaling",
            [
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:TagResource",
            ],
            [scope.arn("application-autoscaling", "scalable-target/*")],
        ),
        allow(
            "StateMachines",
            [
                "states:CreateStateMachine",
                "states:DeleteStateMachine",
                "states:TagResource",
                "states:UntagResource",
                "states:UpdateStateMachine",
            ],
            [scope.arn("states", f"stateMachine:{scope.name_prefix}-*")],
        ),
        allow(
            "Events",
            [
                "events:DeleteRule",
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:TagResource",
                "events:UntagResource",
            ],
            [scope.arn("events", f"rule/{scope.name_prefix}-*")],
        ),
    ]


# What the program creates in EC2: the network (awsx's VPC), its security groups and rules, the host and its address.
EC2_CREATED = (
    "elastic-ip",
    "instance",
    "internet-gateway",
    "natgateway",
    "network-interface",
    "route-table",
    "security-group",
    "security-group-rule",
    "subnet",
    "volume",
    "vpc",
    "vpc-flow-log",
)
EC2_CREATE = (
    "ec2:AllocateAddress",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateInternetGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateFlowLogs",
    "ec2:CreateVpc",
    "ec2:RunInstances",
)
EC2_CHANGE = (
    "ec2:AssociateAddress",
    "ec2:AssociateRouteTable",
    "ec2:AttachInternetGateway",
    "ec2:CreateRoute",
    "ec2:CreateTags",
    "ec2:DeleteInternetGateway",
    "ec2:DeleteNatGateway",
    "ec2:DeleteRoute",
    "ec2:DeleteRouteTable",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSubnet",
    "ec2:DeleteFlowLogs",
    "ec2:DeleteTags",
    "ec2:DeleteVpc",
    "ec2:DetachInternetGateway",
    "ec2:DisassociateAddress",
    "ec2:DisassociateRouteTable",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyInstanceMetadataOptions",
    "ec2:ModifySecurityGroupRules",
    "ec2:ModifySubnetAttribute",
    "ec2:ModifyVpcAttribute",
    "ec2:MonitorInstances",
    "ec2:ReleaseAddress",
    "ec2:ReplaceRoute",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
)


def _data(scope: AccessScope) -> list[Statement]:
    """The database, its secrets, the backups and their key, the buckets, Redis, logs and alarms."""
    identifier = scope.database_identifier
    groups = [f"{scope.name_prefix}-*", *scope.database_groups]
    return [
        allow(
            "Database",
            [
                "rds:AddTagsToResource",
                "rds:CreateDBInstance",
                "rds:CreateDBParameterGroup",
                "rds:CreateDBSnapshot",
                "rds:CreateDBSubnetGroup",
                "rds:DeleteDBInstance",
                "rds:DeleteDBParameterGroup",
                "rds:DeleteDBSubnetGroup",
                "rds:ModifyDBInstance",
                "rds:ModifyDBParameterGroup",
                "rds:ModifyDBSubnetGroup",
                "rds:RemoveTagsFromResource",
            ],
            [
                scope.arn("rds", f"db:{identifier}"),
                # Release snapshots: `vA-B-C-<database>-YYYY-MM-DD-HHMM`.
                scope.arn("rds", f"snapshot:v*-{identifier}-*"),
                *(scope.arn("rds", f"pg:{group}") for group in groups),
                *(scope.arn("rds", f"subgrp:{group}") for group in groups),
                scope.arn("rds", "og:default:postgres-*"),
                scope.arn("rds", "secgrp:*"),
            ],
        ),
        # RDS makes the master password's secret (`rds!db-…`) through the caller's permissions, tagged with its own
        # tags, not the stack's: the secret's name and the call coming through RDS are what can be required.
        allow(
            "DatabaseMasterSecret",
            ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
            [scope.arn("secretsmanager", "secret:rds!db-*")],
            Bool={"aws:ViaAWSService": "true"},
        ),
        allow(
            "ApplicationSecret",
            [
                "secretsmanager:CreateSecret",
                "secretsmanager:DeleteSecret",
                "secretsmanager:TagResource",
                "secretsmanager:UntagResource",
                "secretsmanager:UpdateSecret",
            ],
            [scope.arn("secretsmanager", f"secret:{scope.name_prefix}/*")],
        ),
        allow("CreateKeys", ["kms:CreateKey"], **tagging(scope)),
        # Tags set with a creation need the service's tag action too, before the resource carries any tag.
        # The copies' key is in backupCopyRegion, CloudTrail's in the stack's: keys in any region, by the stack's tag.
        allow("TagKeysOnCreate", ["kms:TagResource"], [scope.arn("kms", "key/*", region="*")], **tagging(scope)),
        # Keys are named by id: the stack's are those with its tag. The grants are AWS Backup's, on the vault's key.
        allow(
            "Keys",
            [
                "kms:CreateAlias",
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:DeleteAlias",
                "kms:EnableKeyRotation",
                "kms:GenerateDataKey",
                "kms:RetireGrant",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateAlias",
                "kms:UpdateKeyDescription",
            ],
            [scope.arn("kms", "key/*", region="*")],
            **tagged(scope),
        ),
        allow(
            "KeyAliases",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            [scope.arn("kms", f"alias/{scope.name_prefix}-*")],
        ),
        # The vault and its copy in backupCopyRegion share the stack's name; each is locked once made.
        allow(
            "Vault",
            [
                "backup:CreateBackupVault",
                "backup:PutBackupVaultLockConfiguration",
                "backup:TagResource",
                "backup:UntagResource",
            ],
            scope.named("backup", "backup-vault:{}", region="*"),
        ),
        allow("VaultStorage", ["backup-storage:MountCapsule"]),
        # Backup plans and restore testing plans are named by id: the stack's carry its tag.
        allow("CreatePlans", ["backup:CreateBackupPlan", "backup:CreateRestoreTestingPlan"], **tagging(scope)),
        allow("TagPlansOnCreate", ["backup:TagResource"], [scope.arn("backup", "backup-plan:*")], **tagging(scope)),
        allow(
            "Plans",
            [
                "backup:CreateBackupSelection",
                "backup:DeleteBackupPlan",
                "backup:DeleteBackupSelection",
                "backup:TagResource",
                "backup:UntagResource",
                "backup:UpdateBackupPlan",
            ],
            [scope.arn("backup", "backup-plan:*")],
            **tagged(scope),
        ),
        allow(
            "RestoreTests",
            [
                "backup:CreateRestoreTestingSelection",
                "backup:DeleteRestoreTestingPlan",
                "backup:DeleteRestoreTestingSelection",
                "backup:TagResource",
                "backup:UntagResource",
                "backup:UpdateRestoreTestingPlan",
                "backup:UpdateRestoreTestingSelection",
            ],
            [scope.arn("backup", f"restore-testing-plan:{scope.name_prefix.replace('-', '_')}_*")],
        ),
        allow(
            "Buckets",
            [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:PutBucketObjectLockConfiguration",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
            _buckets(scope),
        ),
        allow(
            "Redis",
            [
                "elasticache:AddTagsToResource",
                "elasticache:CreateCacheSubnetGroup",
                "elasticache:CreateReplicationGroup",
                # Deleting the replication group takes its final snapshot.
                "elasticache:CreateSnapshot",
                "elasticache:DeleteCacheSubnetGroup",
                "elasticache:DeleteReplicationGroup",
                "elasticache:ModifyCacheSubnetGroup",
                "elasticache:ModifyReplicationGroup",
                "elasticache:RemoveTagsFromResource",
            ],
            [
                scope.arn("elasticache", f"replicationgroup:{scope.name_prefix}-*"),
                scope.arn("elasticache", f"cluster:{scope.name_prefix}-*"),
                scope.arn("elasticache", f"subnetgroup:{scope.name_prefix}-*"),
                scope.arn("elasticache", f"snapshot:{scope.name_prefix}-*"),
                scope.arn("elasticache", "parametergroup:default.redis*"),
                scope.arn("elasticache", "securitygroup:*"),
            ],
        ),
        allow(
            "LogGroups",
            [
                "logs:AssociateKmsKey",
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:DisassociateKmsKey",
                "logs:DeleteMetricFilter",
                "logs:DeleteRetentionPolicy",
                "logs:PutMetricFilter",
                "logs:PutRetentionPolicy",
                "logs:TagLogGroup",
                "logs:TagResource",
                "logs:UntagLogGroup",
                "logs:UntagResource",
            ],
            [
                # The CDN's access log group is in us-east-1, with CloudFront's log delivery.
                scope.arn("logs", f"log-group:/amy/{scope.stack}/*", region="*"),
                scope.arn("logs", f"log-group:/aws/rds/instance/{identifier}/*"),
            ],
        ),
        # The host's health check alarm is in us-east-1, where Route 53 puts its metrics.
        allow(
            "Alarms",
            ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
            [scope.arn("cloudwatch", f"alarm:{scope.name_prefix}-*", region="*")],
        ),
        allow(
            "AlarmTopic",
            [
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:TagResource",
                "sns:UntagResource",
            ],
            [scope.arn("sns", f"{scope.name_prefix}-*")],
        ),
        # Unsubscribe names the subscription, whose ARN only AWS knows: the account's.
        allow("AlarmSubscriptions", ["sns:Unsubscribe"]),
    ]


def _audit(scope: AccessScope) -> list[Statement]:
    """The audit trail beyond the log groups: the CDN's access log delivery and, with `cloudTrail`, the trail."""
    return [
        # CloudFront's access logs (standard logging v2): a delivery source of the distribution, a destination of its
        # log group, the delivery between them (named by id), in us-east-1.
        allow(
            "CdnLogDelivery",
            [
                "logs:CreateDelivery",
                "logs:DeleteDelivery",
                "logs:DeleteDeliveryDestination",
                "logs:DeleteDeliverySource",
                "logs:PutDeliveryDestination",
                "logs:PutDeliverySource",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:UpdateDeliveryConfiguration",
            ],
            [
                *scope.named("logs", "delivery-source:{}", region="us-east-1"),
                *scope.named("logs", "delivery-destination:{}", region="us-east-1"),
                scope.arn("logs", "delivery:*", region="us-east-1"),
            ],
        ),
        # The log group's own resource policy, which lets the delivery write to it; CloudWatch Logs evaluates no
        # resource for PutResourcePolicy: the account's.
        allow("LogGroupPolicies", ["logs:DeleteResourcePolicy", "logs:PutResourcePolicy"]),
        # With `cloudTrail`, the stack's trail; stopping or deleting one is guarded.
        allow(
            "Trail",
            [
                "cloudtrail:AddTags",
                "cloudtrail:CreateTrail",
                "cloudtrail:PutEventSelectors",
                "cloudtrail:RemoveTags",
                "cloudtrail:StartLogging",
                "cloudtrail:UpdateTrail",
            ],
            scope.named("cloudtrail", "trail/{}"),
        ),
    ]


def _edge(scope: AccessScope) -> list[Statement]:
    """Certificates, the CDN and the stack's names in the shared zone."""
    zone = f"arn:aws:route53:::hostedzone/{scope.zone_id}"
    names = sorted({name for domain in scope.domains for name in (domain, f"*.{domain}")})
    return [
        # Only the stack's names and the validation records below them (`_<hash>.<name>`), in the shared zone.
        allow(
            "Records",
            ["route53:ChangeResourceRecordSets"],
            [zone],
            **{"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": names}},
        ),
        # Health checks are named by id, and Route 53 evaluates no tag condition on them.
        allow(
            "HealthChecks",
            [
                "route53:ChangeTagsForResource",
                "route53:CreateHealthCheck",
                "route53:DeleteHealthCheck",
                "route53:UpdateHealthCheck",
            ],
        ),
        # Certificates and distributions are named by id: the stack's carry its tag. CloudFront's certificate is in
        # us-east-1.
        allow("RequestCertificates", ["acm:RequestCertificate"], **tagging(scope)),
        allow(
            "TagCertificatesOnCreate",
            ["acm:AddTagsToCertificate"],
            [f"arn:aws:acm:*:{scope.account}:certificate/*"],
            **tagging(scope),
        ),
        allow(
            "Certificates",
            ["acm:AddTagsToCertificate", "acm:DeleteCertificate", "acm:RemoveTagsFromCertificate"],
            [f"arn:aws:acm:*:{scope.account}:certificate/*"],
            **tagged(scope),
        ),
        # CloudFront evaluates no request tag on CreateDistribution: the account's distributions.
        allow("CreateDistribution", ["cloudfront:CreateDistribution"], [f"arn:aws:cloudfront::{scope.account}:distribution/*"]),
        allow(
            "TagDistributionOnCreate",
            ["cloudfront:TagResource"],
            [f"arn:aws:cloudfront::{scope.account}:distribution/*"],
            **tagging(scope),
        ),
        allow(
            "Distribution",
            [
                # Lets CloudWatch Logs deliver the distribution's access logs.
                "cloudfront:AllowVendedLogDeliveryForResource",
                "cloudfront:DeleteDistribution",
                "cloudfront:TagResource",
                "cloudfront:UntagResource",
                "cloudfront:UpdateDistribution",
            ],
            [f"arn:aws:cloudfront::{scope.account}:distribution/*"],
            **tagged(scope),
        ),
        allow(
            "EdgeFunction",
            ["cloudfront:CreateFunction", "cloudfront:DeleteFunction", "cloudfront:PublishFunction", "cloudfront:UpdateFunction"],
            [f"arn:aws:cloudfront::{scope.account}:function/{scope.name_prefix}-*"],
        ),
    ]


def _identity(scope: AccessScope) -> list[Statement]:
    """Roles named `amy-<stack>-…` that carry the stack's boundary, the host's instance profile, and passing the
    stack's roles only to the services that use them."""
    roles = [f"arn:aws:iam::{scope.account}:role/{scope.name_prefix}-*"]
    bounded = {"StringEquals": {"iam:PermissionsBoundary": scope.boundary_arn}}
    return [
        allow(
            "BoundedRoles",
            [
                "iam:CreateRole",
                "iam:DeleteRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
            ],
            roles,
            **bounded,
        ),
        allow(
            "ManagedServicePolicies",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            roles,
            StringEquals={"iam:PermissionsBoundary": scope.boundary_arn},
            ArnEquals={"iam:PolicyARN": list(ATTACHABLE_POLICIES)},
        ),
        allow(
            "ChangeBoundedRoles",
            [
                "iam:DeleteRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            roles,
            StringEquals={"aws:ResourceTag/Environment": scope.stack},
        ),
        # A role created with tags needs iam:TagRole before it carries any.
        allow("TagRolesOnCreate", ["iam:TagRole"], roles, **tagging(scope)),
        allow(
            "PassRoles",
            ["iam:PassRole"],
            roles,
            StringEquals={"iam:PassedToService": list(PASSED_TO)},
        ),
        allow(
            "InstanceProfile",
            [
                "iam:AddRoleToInstanceProfile",
                "iam:CreateInstanceProfile",
                "iam:DeleteInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:TagInstanceProfile",
                "iam:UntagInstanceProfile",
            ],
            [f"arn:aws:iam::{scope.account}:instance-profile/{scope.name_prefix}-*"],
        ),
        allow(
            "ServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            [f"arn:aws:iam::{scope.account}:role/aws-service-role/*"],
            StringEquals={"iam:AWSServiceName": list(SERVICE_LINKED_ROLES)},
        ),
    ]


def ssm_agent_statements() -> list[Statement]:
    """What the SSM agent on the host needs: AmazonSSMManagedInstanceCore (v2) without its ssm:GetParameter and
    ssm:GetParameters on every parameter of the account; the host's own settings are allowed by path."""
    return [
        allow(
            "SsmAgent",
            [
                "ssm:DescribeAssociation",
                "ssm:DescribeDocument",
                "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument",
                "ssm:GetManifest",
                "ssm:ListAssociations",
                "ssm:ListInstanceAssociations",
                "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult",
                "ssm:PutInventory",
                "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus",
                "ssm:UpdateInstanceInformation",
            ],
        ),
        allow(
            "SessionManager",
            [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
        ),
        allow(
            "RunCommand",
            [
                "ec2messages:AcknowledgeMessage",
                "ec2messages:DeleteMessage",
                "ec2messages:FailMessage",
                "ec2messages:GetEndpoint",
                "ec2messages:GetMessages",
                "ec2messages:SendReply",
            ],
        ),
    ]


def cloudwatch_agent_statements(log_group_arns: Sequence[str]) -> list[Statement]:
    """What the CloudWatch agent does with the host's configuration (logs only, no metrics): write the stack's log
    groups. CloudWatchAgentServerPolicy adds ssm:GetParameter on `AmazonCloudWatch-*`, which a local configuration
    file does not need."""
    return [
        allow("ShipLogs", ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], list(log_group_arns)),
        allow("FindLogGroups", ["logs:DescribeLogGroups"]),
    ]


def session_key_statement(key_arn: str) -> Statement:
    """A shell's data is encrypted between client and agent with the sessions' key: the agent decrypts (Session
    Manager's "Turn on KMS key encryption of session data")."""
    return allow("SessionEncryption", ["kms:Decrypt"], [key_arn])
