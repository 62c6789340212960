"""The ecs layout's web tier: AMY's image on Fargate behind an Application Load Balancer."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_command as command

from components.aws_documents import email_attachments_statement, encrypt_by_default, lock_down, service_trust, tls_only_policy
from stack_config import AppVersion, ServiceConfig

APP_PORT = 80
# TLS 1.3 with TLS 1.2 fallback; nothing older.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# The image's virtualenv; its start.sh is not used (it migrates and seeds an admin/admin superuser).
PYTHON = "/app/.venv/bin/python"
GUNICORN = "/app/.venv/bin/gunicorn"
# AMY answers /version/ before its ALLOWED_HOSTS check.
HEALTH_CHECK_PATH = "/version/"
# Start-up imports Django and opens database connections before /version/ answers.
HEALTH_CHECK_GRACE_SECONDS = 120
DEREGISTRATION_DELAY_SECONDS = 30
CPU_TARGET_PERCENT = 60
REQUESTS_PER_TARGET = 500
# ALB log delivery accounts of regions that predate the service principal.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "sa-east-1": "507241528517",
}
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>AMY is under maintenance</title>"
    "<body style='font-family:sans-serif;max-width:40em;margin:4em auto'><h1>AMY is under maintenance</h1>"
    "<p>AMY is being updated and will be back in a few minutes.</p></body></html>"
)
RUN_TASK = Path(__file__).resolve().parent.parent / "tooling" / "run_task.py"


@dataclass
class FargateServiceArgs:
    stack: str
    region: str
    domain: str
    zone_id: str
    service: ServiceConfig
    app_version: AppVersion
    gunicorn_workers: int
    vpc_id: pulumi.Input[str]
    public_subnet_ids: pulumi.Input[Sequence[str]]
    private_subnet_ids: pulumi.Input[Sequence[str]]
    entry_security_group_id: pulumi.Input[str]
    app_security_group_id: pulumi.Input[str]
    certificate_arn: pulumi.Input[str]
    log_groups: Mapping[str, str]
    log_retention_days: int
    # Plain settings, straight into each container's environment.
    environment: Mapping[str, pulumi.Input[str]]
    # Settings operators keep in Parameter Store under `parameters_path`, passed as secrets.
    parameter_settings: Sequence[str]
    parameters_path: str
    database_secret_arn: pulumi.Input[str]
    workers: bool
    maintenance: bool
    deletion_protection: bool
    email_attachments_bucket: str | None
    # The pre-release snapshot: taken before the migration runs.
    release_snapshot: pulumi.Resource


class FargateService(pulumi.ComponentResource):
    """Like CDK's ApplicationLoadBalancedFargateService, safer by default: capacity never drops during a
    deploy (100 % minimum healthy), failed deploys roll back, migrations run once per release before the
    service rolls, the HTTP listener only redirects, and the load balancer drops invalid headers and logs."""

    repository: aws.ecr.Repository
    cluster: aws.ecs.Cluster
    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    web: aws.ecs.Service

    def __init__(self, name: str, args: FargateServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:web:FargateService", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._prefix = f"amy-{args.stack}"

        self.repository = self._repository()
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=self._prefix,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=self._child,
        )
        execution_role, task_role = self._roles()
        self._execution_role_arn = execution_role.arn
        self._task_role_arn = task_role.arn
        self._image = pulumi.Output.concat(self.repository.repository_url, f":{args.app_version}")

        self.load_balancer, target_group, https_listener = self._load_balancer()
        self.target_group = target_group
        migration = self._migration()
        self.web = self._service(
            "web",
            [
                GUNICORN,
                f"--workers={args.gunicorn_workers}",
                f"--bind=0.0.0.0:{APP_PORT}",
                "--access-logfile=-",
                "--capture-output",
                "config.wsgi",
            ],
            target_group=target_group,
            depends_on=[https_listener, migration],
        )
        self._autoscaling(target_group)
        services = [self.web]
        if args.workers:
            services.append(self._service("rqworker", [PYTHON, "manage.py", "rqworker", "-v", "2"], depends_on=[migration]))
            # Exactly one scheduler: the old one stops before the new one starts.
            services.append(
                self._service("rqscheduler", [PYTHON, "manage.py", "rqscheduler", "-v", "2"], depends_on=[migration], single=True)
            )
        self._redeploy_on_rotation(services)
        self.register_outputs({"url": f"https://{args.domain}", "repository": self.repository.repository_url})

    # Images and the cluster's roles

    def _repository(self) -> aws.ecr.Repository:
        repository = aws.ecr.Repository(
            f"{self._name}-repository",
            name=self._prefix,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")],
            force_delete=False,
            opts=self._child,
        )
        aws.ecr.LifecyclePolicy(
            f"{self._name}-repository-lifecycle",
            repository=repository.name,
            policy=json.dumps(image_lifecycle_policy(self._args.service.keep_images)),
            opts=self._child,
        )
        return repository

    def _roles(self) -> tuple[aws.iam.Role, aws.iam.Role]:
        args = self._args
        trust = service_trust("ecs-tasks.amazonaws.com")
        execution = aws.iam.Role(
            f"{self._name}-execution-role",
            description="ECS: pull AMY's image, read its secrets, write logs",
            assume_role_policy=trust,
            opts=self._child,
        )
        aws.iam.RolePolicyAttachment(
            f"{self._name}-execution-role-ecs",
            role=execution.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-execution-role-secrets",
            role=execution.id,
            policy=pulumi.Output.from_input(args.database_secret_arn).apply(
                lambda secret_arn: json.dumps(execution_policy(self._parameter_arns(secret_arn), secret_arn))
            ),
            opts=self._child,
        )
        task = aws.iam.Role(
            f"{self._name}-task-role",
            description="AMY's tasks: ECS Exec and the e-mail attachments bucket",
            assume_role_policy=trust,
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-task-role-app",
            role=task.id,
            policy=json.dumps(task_policy(args.email_attachments_bucket)),
            opts=self._child,
        )
        return execution, task

    def _parameter_arns(self, database_secret_arn: str) -> dict[str, str]:
        account = database_secret_arn.split(":")[4]
        path = self._args.parameters_path
        return {
            name: f"arn:aws:ssm:{self._args.region}:{account}:parameter{path}{name}" for name in self._args.parameter_settings
        }

    # The load balancer

    def _load_balancer(self) -> tuple[aws.lb.LoadBalancer, aws.lb.TargetGroup, aws.lb.Listener]:
        args = self._args
        logs, logs_policy = self._access_logs_bucket()
        load_balancer = aws.lb.LoadBalancer(
            f"{self._name}-alb",
            load_balancer_type="application",
            internal=False,
            security_groups=[args.entry_security_group_id],
            subnets=args.public_subnet_ids,
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.deletion_protection,
            idle_timeout=60,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=logs.bucket, prefix="alb", enabled=True),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs_policy]),
        )
        target_group = aws.lb.TargetGroup(
            f"{self._name}-web",
            port=APP_PORT,
            protocol="HTTP",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                path=HEALTH_CHECK_PATH,
                matcher="200",
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            opts=self._child,
        )
        https = aws.lb.Listener(
            f"{self._name}-https",
            load_balancer_arn=load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=args.certificate_arn,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
            opts=self._child,
        )
        aws.lb.Listener(
            f"{self._name}-http",
            load_balancer_arn=load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(protocol="HTTPS", port="443", status_code="HTTP_301"),
                )
            ],
            opts=self._child,
        )
        if args.maintenance:
            aws.lb.ListenerRule(
                f"{self._name}-maintenance",
                listener_arn=https.arn,
                priority=1,
                conditions=[
                    aws.lb.ListenerRuleConditionArgs(path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"]))
                ],
                actions=[
                    aws.lb.ListenerRuleActionArgs(
                        type="fixed-response",
                        fixed_response=aws.lb.ListenerRuleActionFixedResponseArgs(
                            status_code="503", content_type="text/html", message_body=MAINTENANCE_PAGE
                        ),
                    )
                ],
                opts=self._child,
            )
        aws.route53.Record(
            f"{self._name}-dns",
            zone_id=args.zone_id,
            name=args.domain,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=load_balancer.dns_name, zone_id=load_balancer.zone_id, evaluate_target_health=True
                )
            ],
            opts=self._child,
        )
        return load_balancer, target_group, https

    def _access_logs_bucket(self) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        name = f"{self._name}-alb-logs"
        bucket = aws.s3.Bucket(name, force_destroy=False, opts=self._child)
        lock_down(name, bucket, self._child)
        # Load balancers deliver logs only to buckets encrypted with S3-managed keys.
        encrypt_by_default(name, bucket, self._child, kms_key_arn=None)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=self._args.log_retention_days),
                )
            ],
            opts=self._child,
        )
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps(access_logs_policy(arn, self._args.region))),
            opts=self._child,
        )
        return bucket, policy

    # Tasks and services

    def _task_definition(self, process: str, command_line: Sequence[str], port: int | None) -> aws.ecs.TaskDefinition:
        args = self._args
        definition = pulumi.Output.all(
            image=self._image,
            environment=pulumi.Output.all(**dict(args.environment)),
            database_secret_arn=args.database_secret_arn,
        ).apply(
            lambda values: json.dumps(
                [
                    container_definition(
                        name=process,
                        image=values["image"],
                        command=command_line,
                        environment=values["environment"],
                        secrets=task_secrets(self._parameter_arns(values["database_secret_arn"]), values["database_secret_arn"]),
                        log_group=args.log_groups[process],
                        region=args.region,
                        port=port,
                    )
                ]
            )
        )
        return aws.ecs.TaskDefinition(
            f"{self._name}-{process}",
            family=f"{self._prefix}-{process}",
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.service.cpu),
            memory=str(args.service.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=self._execution_role_arn,
            task_role_arn=self._task_role_arn,
            container_definitions=definition,
            opts=self._child,
        )

    def _network(self) -> aws.ecs.ServiceNetworkConfigurationArgs:
        return aws.ecs.ServiceNetworkConfigurationArgs(
            subnets=self._args.private_subnet_ids,
            security_groups=[self._args.app_security_group_id],
            assign_public_ip=False,
        )

    def _service(
        self,
        process: str,
        command_line: Sequence[str],
        depends_on: Sequence[pulumi.Resource],
        target_group: aws.lb.TargetGroup | None = None,
        single: bool = False,
    ) -> aws.ecs.Service:
        task_definition = self._task_definition(process, command_line, APP_PORT if target_group else None)
        return aws.ecs.Service(
            f"{self._name}-{process}",
            name=process,
            cluster=self.cluster.arn,
            task_definition=task_definition.arn,
            desired_count=self._args.service.min_tasks if target_group else 1,
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration=self._network(),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=target_group.arn, container_name=process, container_port=APP_PORT
                )
            ]
            if target_group
            else None,
            health_check_grace_period_seconds=HEALTH_CHECK_GRACE_SECONDS if target_group else None,
            deployment_minimum_healthy_percent=0 if single else 100,
            deployment_maximum_percent=100 if single else 200,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            enable_execute_command=True,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            wait_for_steady_state=True,
            # Autoscaling owns the web service's count once it runs.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(depends_on), ignore_changes=["desiredCount"] if target_group else None
            ),
        )

    def _autoscaling(self, target_group: aws.lb.TargetGroup) -> None:
        service = self._args.service
        target = aws.appautoscaling.Target(
            f"{self._name}-web-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", self.web.name),
            min_capacity=service.min_tasks,
            max_capacity=service.max_tasks,
            opts=self._child,
        )
        metrics = {
            "cpu": (aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type="ECSServiceAverageCPUUtilization"), CPU_TARGET_PERCENT),
            "requests": (aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type="ALBRequestCountPerTarget",
                resource_label=pulumi.Output.concat(self.load_balancer.arn_suffix, "/", target_group.arn_suffix)),
                REQUESTS_PER_TARGET),
        }  # fmt: skip
        for label, (metric, value) in metrics.items():
            aws.appautoscaling.Policy(
                f"{self._name}-web-scaling-{label}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    predefined_metric_specification=metric,
                    target_value=value,
                    scale_in_cooldown=300,
                    scale_out_cooldown=60,
                ),
                opts=self._child,
            )

    def _redeploy_on_rotation(self, services: Sequence[aws.ecs.Service]) -> None:
        """Tasks read the database password when they start, and RDS rotates it weekly: when a
        rotation succeeds, a Step Functions state machine rolls every service onto the new one."""
        machine_role = aws.iam.Role(
            f"{self._name}-redeploy-role",
            description="Roll AMY's services after the database password rotates",
            assume_role_policy=service_trust("states.amazonaws.com"),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-redeploy-role-ecs",
            role=machine_role.id,
            policy=pulumi.Output.all(*[service.id for service in services]).apply(
                lambda arns: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": sorted(arns)}],
                    }
                )
            ),
            opts=self._child,
        )
        machine = aws.sfn.StateMachine(
            f"{self._name}-redeploy",
            type="EXPRESS",
            role_arn=machine_role.arn,
            definition=pulumi.Output.all(self.cluster.arn, *[service.name for service in services]).apply(
                lambda values: json.dumps(redeploy_state_machine(values[0], values[1:]))
            ),
            logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(level="OFF"),
            opts=self._child,
        )
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-password-rotated",
            description="The database's master password rotated",
            event_pattern=pulumi.Output.from_input(self._args.database_secret_arn).apply(
                lambda arn: json.dumps(rotation_event_pattern(arn))
            ),
            opts=self._child,
        )
        events_role = aws.iam.Role(
            f"{self._name}-password-rotated-role",
            description="Let EventBridge start the redeploy state machine",
            assume_role_policy=service_trust("events.amazonaws.com"),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-password-rotated-role-start",
            role=events_role.id,
            policy=machine.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": arn}],
                    }
                )
            ),
            opts=self._child,
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-password-rotated",
            rule=rule.name,
            arn=machine.arn,
            role_arn=events_role.arn,
            opts=self._child,
        )

    def _migration(self) -> command.local.Command:
        """Migrate once per release, after the pre-release snapshot and before any service rolls.

        A command resource runs the one-off task and waits for it; it is replaced, and so runs
        again, exactly when the migration task definition changes, which a new version does.
        """
        task_definition = self._task_definition(
            "migrate",
            ["sh", "-c", f"{PYTHON} manage.py migrate --no-input && {PYTHON} manage.py createcachetable"],
            None,
        )
        return command.local.Command(
            f"{self._name}-migrate",
            create=f"{sys.executable} {RUN_TASK}",
            environment={
                "AWS_REGION": self._args.region,
                "AMY_CLUSTER": self.cluster.arn,
                "AMY_TASK_DEFINITION": task_definition.arn,
                "AMY_SUBNETS": pulumi.Output.from_input(self._args.private_subnet_ids).apply(",".join),
                "AMY_SECURITY_GROUP": self._args.app_security_group_id,
            },
            triggers=[task_definition.arn],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._args.release_snapshot]),
        )


def rotation_event_pattern(secret_arn: str) -> dict[str, Any]:
    return {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": ["RotationSucceeded"],
            "additionalEventData": {"SecretId": [secret_arn]},
        },
    }


def redeploy_state_machine(cluster_arn: str, service_names: Sequence[str]) -> dict[str, Any]:
    """Force a new deployment of each service, in parallel; the deployments themselves keep full capacity."""
    return {
        "Comment": "Roll AMY's services onto the rotated database password",
        "StartAt": "Redeploy",
        "States": {
            "Redeploy": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": name,
                        "States": {
                            name: {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::aws-sdk:ecs:updateService",
                                "Parameters": {"Cluster": cluster_arn, "Service": name, "ForceNewDeployment": True},
                                "End": True,
                            }
                        },
                    }
                    for name in service_names
                ],
            }
        },
    }


def container_definition(
    name: str,
    image: str,
    command: Sequence[str],
    environment: Mapping[str, str],
    secrets: Mapping[str, str],
    log_group: str,
    region: str,
    port: int | None,
) -> dict[str, Any]:
    """One container as ECS's RegisterTaskDefinition takes it."""
    definition: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "command": list(command),
        "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
        "secrets": [{"name": key, "valueFrom": value} for key, value in sorted(secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": name},
        },
        "readonlyRootFilesystem": False,
        "privileged": False,
        "stopTimeout": 30,
    }
    if port is not None:
        definition["portMappings"] = [{"containerPort": port, "protocol": "tcp", "name": "http"}]
    return definition


def task_secrets(parameter_arns: Mapping[str, str], database_secret_arn: str) -> dict[str, str]:
    """Every secret setting by reference: Parameter Store ARNs, and the database secret's JSON keys."""
    return {
        **parameter_arns,
        "AMY_DATABASE_USER": f"{database_secret_arn}:username::",
        "AMY_DATABASE_PASSWORD": f"{database_secret_arn}:password::",
    }


def execution_policy(parameter_arns: Mapping[str, str], database_secret_arn: str) -> dict[str, Any]:
    """The execution role may read exactly the settings the containers reference."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSettings",
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": sorted(parameter_arns.values()),
            },
            {
                "Sid": "ReadDatabaseSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": database_secret_arn,
            },
        ],
    }


def task_policy(email_attachments_bucket: str | None) -> dict[str, Any]:
    """What AMY itself may do: ECS Exec's channels, and the e-mail attachments bucket when there is one."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ExecuteCommand",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        }
    ]
    if email_attachments_bucket:
        statements.append(email_attachments_statement(email_attachments_bucket))
    return {"Version": "2012-10-17", "Statement": statements}


def access_logs_policy(bucket_arn: str, region: str) -> dict[str, Any]:
    """Let the region's load balancers deliver access logs; refuse anything without TLS."""
    account = ELB_LOG_ACCOUNTS.get(region)
    principal = (
        {"AWS": f"arn:aws:iam::{account}:root"} if account else {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    )
    policy = tls_only_policy(bucket_arn)
    policy["Statement"].append(
        {
            "Sid": "LoadBalancerLogs",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/alb/*",
        }
    )
    return policy


def image_lifecycle_policy(keep: int) -> dict[str, Any]:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Keep the newest {keep} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
                "action": {"type": "expire"},
            }
        ]
    }
