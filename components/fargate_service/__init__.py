"""The ecs layout's web tier: AMY's image on Fargate behind an Application Load Balancer.

One module per part: `service` (repository, cluster, roles, task definitions, services, autoscaling),
`load_balancer` (the ALB, listeners, maintenance rule, DNS, access logs), `task_documents` (pure builders),
`rotation` (the redeploy after a password rotation), `migration` with the `run_task` runner `pulumi up`
executes, and `alarms`.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.alarms import Alarm
from components.application import APP_PORT, Address
from components.fargate_service import service as core
from components.fargate_service.alarms import service_alarms
from components.fargate_service.args import FargateServiceArgs
from components.fargate_service.load_balancer import Front, front
from components.fargate_service.migration import migrate
from components.fargate_service.rotation import redeploy_on_rotation

__all__ = ["FargateService", "FargateServiceArgs"]

# The image's virtualenv; its start.sh is not used (it migrates and seeds an admin/admin superuser).
PYTHON = "/app/.venv/bin/python"
GUNICORN = "/app/.venv/bin/gunicorn"


class FargateService(pulumi.ComponentResource):
    """Like CDK's ApplicationLoadBalancedFargateService, safer by default: capacity never drops during a
    deploy (100 % minimum healthy), failed deploys roll back, migrations run once per release before the
    service rolls, the HTTP listener only redirects, and the load balancer drops invalid headers and logs."""

    repository: aws.ecr.Repository
    cluster: aws.ecs.Cluster
    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    # None until the release's image is in the repository (the stack's first update).
    web: aws.ecs.Service | None
    # What operators are told about this tier.
    alarms: list[Alarm]
    # Where the application's name points.
    address: Address

    def __init__(self, name: str, args: FargateServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:web:FargateService", name, None, opts)
        app = args.app
        self.repository = core.repository(name, args, self)
        self.cluster = core.cluster(name, args, self)
        image = pulumi.Output.concat(self.repository.repository_url, f":{app.version}")
        tasks = core.Tasks(name, args, self.cluster, image, core.roles(name, args, self), self)

        entry = front(name, args, self)
        self.load_balancer, self.target_group = entry.load_balancer, entry.target_group
        self.address = Address(alias_name=self.load_balancer.dns_name, alias_zone_id=self.load_balancer.zone_id)
        # AMY's own database role first (as the master user, who then migrates), so the services can connect as it.
        migrate_task = tasks.definition(
            "migrate",
            [
                "sh",
                "-c",
                f'{PYTHON} manage.py shell -c "${core.MIGRATION_SCRIPT}" && {PYTHON} manage.py migrate --no-input && '
                f"{PYTHON} manage.py createcachetable",
            ],
            None,
            migrates=True,
        )
        self.web = None
        self.alarms = []
        if args.image_pushed:
            self._run(name, args, tasks, entry, migrate_task)
        self.register_outputs({"url": f"https://{app.domain}", "repository": self.repository.repository_url})

    def _run(
        self, name: str, args: FargateServiceArgs, tasks: core.Tasks, entry: Front, migrate_task: aws.ecs.TaskDefinition
    ) -> None:
        """What runs the image: the migration, then the services, their scaling and the rotation redeploy."""
        app = args.app
        migrated = migrate(
            name,
            app.region,
            self.cluster,
            migrate_task,
            args.private_subnet_ids,
            args.app_security_group_id,
            app.release_snapshot,
            self,
        )
        gunicorn = [
            GUNICORN,
            f"--workers={app.gunicorn_workers}",
            f"--bind=0.0.0.0:{APP_PORT}",
            "--access-logfile=-",
            "--capture-output",
            "config.wsgi",
        ]
        self.web = tasks.service("web", gunicorn, target_group=self.target_group, depends_on=[entry.https_listener, migrated])
        core.autoscaling(name, args, self.cluster, self.web, self.load_balancer, self.target_group, self)
        services = [self.web]
        if app.rq_workers:
            services.append(tasks.service("rqworker", [PYTHON, "manage.py", "rqworker", "-v", "2"], depends_on=[migrated]))
            # Exactly one scheduler: the old one stops before the new one starts.
            services.append(
                tasks.service("rqscheduler", [PYTHON, "manage.py", "rqscheduler", "-v", "2"], depends_on=[migrated], single=True)
            )
        redeploy_on_rotation(name, self.cluster, services, app.database_secret_arn, app.permissions_boundary, self)
        self.alarms = service_alarms(
            self.load_balancer.arn_suffix, self.target_group.arn_suffix, self.cluster.name, self.web.name
        )
