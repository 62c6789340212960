"""The service core: the image repository, the cluster, the tasks' roles, task definitions, services, autoscaling."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import iam
from components.application import APP_PORT, Application
from components.aws_documents import service_trust
from components.database import app_role
from components.fargate_service.args import FargateServiceArgs
from components.fargate_service.task_documents import (
    container_definition,
    execution_policy,
    image_lifecycle_policy,
    migration_policy,
    parameter_arns,
    task_policy,
    task_secrets,
)

# The migration runs app_role.py's source from this variable through `manage.py shell -c`, which calls its Django entry.
MIGRATION_SCRIPT = "AMY_DATABASE_ROLE"
# Start-up imports Django and opens database connections before /version/ answers.
HEALTH_CHECK_GRACE_SECONDS = 120
CPU_TARGET_PERCENT = 60
REQUESTS_PER_TARGET = 500
SCALE_IN_COOLDOWN_SECONDS = 300
SCALE_OUT_COOLDOWN_SECONDS = 60


def app_role_script() -> str:
    """app_role.py as `manage.py shell -c` runs it: its definitions, then the migration's entry."""
    return Path(app_role.__file__).read_text() + "\nprovision_with_django()\n"


def repository(name: str, args: FargateServiceArgs, parent: pulumi.Resource) -> aws.ecr.Repository:
    """Immutable, scanned images; the oldest expire beyond `keepImages`."""
    child = pulumi.ResourceOptions(parent=parent)
    images = aws.ecr.Repository(
        f"{name}-repository",
        name=args.app.name_prefix,
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
        encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="AES256")],
        force_delete=False,
        opts=child,
    )
    aws.ecr.LifecyclePolicy(
        f"{name}-repository-lifecycle",
        repository=images.name,
        policy=json.dumps(image_lifecycle_policy(args.service.keep_images)),
        opts=child,
    )
    return images


def cluster(name: str, args: FargateServiceArgs, parent: pulumi.Resource) -> aws.ecs.Cluster:
    app = args.app
    return aws.ecs.Cluster(
        f"{name}-cluster",
        name=app.name_prefix,
        settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
        # ECS Exec's shells are logged like the host's sessions: to the sessions' group, encrypted with their key.
        configuration=aws.ecs.ClusterConfigurationArgs(
            execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                kms_key_id=app.session_key_arn,
                logging="OVERRIDE",
                log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                    cloud_watch_log_group_name=app.session_log_group_name,
                    cloud_watch_encryption_enabled=True,
                ),
            )
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(frozen=True)
class Roles:
    # ECS's own: pull the image, read the referenced secrets, write logs.
    execution: aws.iam.Role
    # AMY's inside the task.
    task: aws.iam.Role
    # The migration's, which also keeps the password of AMY's database role.
    migration: aws.iam.Role
    # What the roles may do. A role's ARN exists before its policies do; a task started in between
    # could neither pull its image nor read its secrets.
    policies: tuple[pulumi.Resource, ...]


def roles(name: str, args: FargateServiceArgs, parent: pulumi.Resource) -> Roles:
    child = pulumi.ResourceOptions(parent=parent)
    app = args.app
    trust = service_trust("ecs-tasks.amazonaws.com")
    execution = iam.role(
        f"{name}-execution-role",
        description="ECS: pull AMY's image, read its secrets, write logs",
        trust=trust,
        boundary=app.permissions_boundary,
        opts=child,
    )
    managed = aws.iam.RolePolicyAttachment(
        f"{name}-execution-role-ecs",
        role=execution.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        opts=child,
    )
    secrets = aws.iam.RolePolicy(
        f"{name}-execution-role-secrets",
        role=execution.id,
        policy=pulumi.Output.all(app.database_secret_arn, app.app_database_secret_arn).apply(
            lambda arns: json.dumps(execution_policy(_settings_arns(app, arns[0]), arns))
        ),
        opts=child,
    )
    task = iam.role(
        f"{name}-task-role",
        description="AMY's tasks: ECS Exec and the e-mail attachments bucket",
        trust=trust,
        boundary=app.permissions_boundary,
        opts=child,
    )
    exec_policy = pulumi.Output.all(app.session_log_group_arn, app.session_key_arn).apply(
        lambda values: json.dumps(task_policy(app.email_attachments_bucket, values[0], values[1]))
    )
    own = aws.iam.RolePolicy(f"{name}-task-role-app", role=task.id, policy=exec_policy, opts=child)
    migration = iam.role(
        f"{name}-migration-role",
        description="AMY's migration: ECS Exec, the e-mail attachments bucket, and the password of AMY's database role",
        trust=trust,
        boundary=app.permissions_boundary,
        opts=child,
    )
    migration_own = aws.iam.RolePolicy(
        f"{name}-migration-role-app",
        role=migration.id,
        policy=exec_policy,
        opts=child,
    )
    password = aws.iam.RolePolicy(
        f"{name}-migration-role-password",
        role=migration.id,
        policy=pulumi.Output.from_input(app.app_database_secret_arn).apply(lambda arn: json.dumps(migration_policy(arn))),
        opts=child,
    )
    return Roles(execution=execution, task=task, migration=migration, policies=(managed, secrets, own, migration_own, password))


def _settings_arns(app: Application, database_secret_arn: str) -> dict[str, str]:
    """The operators' settings by ARN, in the account the database secret lives in."""
    account = database_secret_arn.split(":")[4]
    return parameter_arns(app.region, account, app.settings_path, app.operator_settings)


class Tasks:
    """Task definitions and services of one release: every process runs the same image, roles and settings."""

    def __init__(
        self, name: str, args: FargateServiceArgs, cluster: aws.ecs.Cluster, image: pulumi.Input[str], roles: Roles,
        parent: pulumi.Resource,
    ) -> None:  # fmt: skip
        self._name = name
        self._args = args
        self._cluster = cluster
        self._image = image
        self._roles = roles
        self._parent = parent

    def definition(
        self, process: str, command_line: Sequence[str], port: int | None, migrates: bool = False
    ) -> aws.ecs.TaskDefinition:
        """`process`'s task; the migration's connects as the master user and makes AMY's role (app_role.py) first."""
        app = self._args.app
        environment = dict(app.environment)
        if migrates:
            environment |= {"AMY_APP_DATABASE_LOGIN_ARN": app.app_database_secret_arn, MIGRATION_SCRIPT: app_role_script()}
        definition = pulumi.Output.all(
            image=self._image,
            environment=pulumi.Output.all(**environment),
            database_secret_arn=app.database_secret_arn,
            connects_with=app.database_secret_arn if migrates else app.app_database_secret_arn,
        ).apply(
            lambda values: json.dumps(
                [
                    container_definition(
                        name=process,
                        image=values["image"],
                        command=command_line,
                        environment=values["environment"],
                        secrets=task_secrets(_settings_arns(app, values["database_secret_arn"]), values["connects_with"]),
                        log_group=app.log_groups[process],
                        region=app.region,
                        port=port,
                    )
                ]
            )
        )
        return aws.ecs.TaskDefinition(
            f"{self._name}-{process}",
            family=f"{app.name_prefix}-{process}",
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(self._args.service.cpu),
            memory=str(self._args.service.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=self._roles.execution.arn,
            task_role_arn=(self._roles.migration if migrates else self._roles.task).arn,
            container_definitions=definition,
            opts=pulumi.ResourceOptions(parent=self._parent, depends_on=list(self._roles.policies)),
        )

    def service(
        self,
        process: str,
        command_line: Sequence[str],
        depends_on: Sequence[pulumi.Resource],
        target_group: aws.lb.TargetGroup | None = None,
        single: bool = False,
    ) -> aws.ecs.Service:
        """A service of `process`; with a target group it serves the web, and `single` never runs two at once."""
        args = self._args
        task_definition = self.definition(process, command_line, APP_PORT if target_group else None)
        return aws.ecs.Service(
            f"{self._name}-{process}",
            name=process,
            cluster=self._cluster.arn,
            task_definition=task_definition.arn,
            desired_count=args.service.min_tasks if target_group else 1,
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.private_subnet_ids, security_groups=[args.app_security_group_id], assign_public_ip=False
            ),
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
                parent=self._parent, depends_on=list(depends_on), ignore_changes=["desiredCount"] if target_group else None
            ),
        )


def autoscaling(
    name: str,
    args: FargateServiceArgs,
    cluster: aws.ecs.Cluster,
    web: aws.ecs.Service,
    load_balancer: aws.lb.LoadBalancer,
    target_group: aws.lb.TargetGroup,
    parent: pulumi.Resource,
) -> None:
    """The web service between minTasks and maxTasks, tracking CPU and requests per task."""
    child = pulumi.ResourceOptions(parent=parent)
    target = aws.appautoscaling.Target(
        f"{name}-web-scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster.name, "/", web.name),
        min_capacity=args.service.min_tasks,
        max_capacity=args.service.max_tasks,
        opts=child,
    )
    metric = aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
    metrics = {
        "cpu": (metric(predefined_metric_type="ECSServiceAverageCPUUtilization"), CPU_TARGET_PERCENT),
        "requests": (
            metric(
                predefined_metric_type="ALBRequestCountPerTarget",
                resource_label=pulumi.Output.concat(load_balancer.arn_suffix, "/", target_group.arn_suffix),
            ),
            REQUESTS_PER_TARGET,
        ),
    }
    for label, (specification, value) in metrics.items():
        aws.appautoscaling.Policy(
            f"{name}-web-scaling-{label}",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                predefined_metric_specification=specification,
                target_value=value,
                scale_in_cooldown=SCALE_IN_COOLDOWN_SECONDS,
                scale_out_cooldown=SCALE_OUT_COOLDOWN_SECONDS,
            ),
            opts=child,
        )
