"""The legacy layout's web tier: one EC2 host with nginx, gunicorn, certbot, Redis and RQ."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import iam
from components.alarms import Alarm
from components.application import Address, Application
from components.aws_documents import email_attachments_statement, service_trust
from components.iam_documents import cloudwatch_agent_statements, document, session_key_statement, ssm_agent_statements
from components.legacy_host import files
from components.legacy_host.alarms import SERVER_ERRORS, SERVER_ERRORS_PATTERN, host_alarms, metrics_namespace
from stack_config import AdoptionConfig, HostConfig

CANONICAL_OWNER_ID = "099720109477"
UBUNTU_LTS_IMAGES = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
# The host's own Redis, for cacheMode `local`, as redis-py's from_url reads a socket (unix:///path?db=N). AMY appends
# each queue's database number to AMY_REDIS_URL (its settings: `env("AMY_REDIS_URL") + "2"`), so the URL ends where
# that number goes.
LOCAL_REDIS_URL = f"unix://{files.HostLayout.redis_socket}?db="
# A release installs dependencies and migrates; give it time before `pulumi up` gives up.
DEPLOY_TIMEOUT_SECONDS = 3600
# The configure script may run for its whole timeout on a first boot (see files.py); `pulumi up` waits that long
# and five minutes more, for the new host's SSM agent to register and pick the association up.
CONFIGURE_TIMEOUT_SECONDS = files.CONFIGURE_COMMAND_TIMEOUT_SECONDS + 300
# The provider waits for an association's run only when it creates one: resourceAssociationCreate in
# terraform-provider-aws internal/service/ssm/association.go waits wait_for_success_timeout_seconds for Success,
# resourceAssociationUpdate returns once UpdateAssociation is accepted, and only the document's name forces a new
# association. So the inputs that change per run (a release's parameters, a new document version, a new host)
# replace the association, making each run a creation that `pulumi up` waits for and fails on. The old one goes
# first: CreateAssociation answers AssociationAlreadyExists for a document already associated with the node.
RUN_ON_CHANGES = ["parameters", "documentVersion", "targets"]


@dataclass
class LegacyHostArgs:
    app: Application
    host: HostConfig
    subnet_id: pulumi.Input[str]
    security_group_ids: Sequence[pulumi.Input[str]]
    dumps_bucket: pulumi.Input[str]
    dumps_bucket_arn: pulumi.Input[str]
    dumps_key_arn: pulumi.Input[str]
    backup_plan_id: pulumi.Input[str]
    backup_role_arn: pulumi.Input[str]
    # The log group of nginx's access log, which the server-error metric filter reads.
    nginx_access_log_group: pulumi.Input[str]
    adoption: AdoptionConfig = field(default_factory=AdoptionConfig)


class LegacyHost(pulumi.ComponentResource):
    """The host of today's production, made reproducible: no SSH, no Ansible.

    The host's files come from `files.py`: cloud-init writes them at first boot
    and the `configure` association rewrites what changed afterwards. Releases
    run through the `deploy` document, once per configured version, after the
    database's pre-release snapshot.
    """

    instance: aws.ec2.Instance
    public_ip: pulumi.Output[str]
    ami_id: pulumi.Output[str]
    deploy_document: aws.ssm.Document
    maintenance_document: aws.ssm.Document
    # What operators are told about this tier.
    alarms: list[Alarm]
    # Where the application's name points.
    address: Address

    def __init__(self, name: str, args: LegacyHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:web:LegacyHost", name, None, opts)
        self._name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._namespace = metrics_namespace(args.app.stack)

        profile = self._instance_profile()
        settings = pulumi.Output.all(args.app.database_secret_arn, args.app.app_database_secret_arn, args.dumps_bucket).apply(
            lambda values: self._settings(*values)
        )
        host_files = settings.apply(files.render)
        user_data = pulumi.Output.all(settings, host_files).apply(lambda values: files.user_data(values[0], values[1]))
        self.ami_id = pulumi.Output.from_input(args.host.ami_id) if args.host.ami_id else self._latest_ubuntu()
        self.instance = self._instance(profile, user_data)
        self.public_ip = self._address()
        self.address = Address(ip=self.public_ip)
        configure = pulumi.Output.all(host_files, settings).apply(
            lambda values: files.configure_document(values[0], files.retired(values[1]))
        )
        self.deploy_document, self.maintenance_document = self._deploys(configure)
        aws.backup.Selection(
            f"{name}-backup",
            name=f"{args.app.name_prefix}-host",
            plan_id=args.backup_plan_id,
            iam_role_arn=args.backup_role_arn,
            resources=[self.instance.arn],
            opts=self._child,
        )
        self.alarms = host_alarms(self.instance.id, self._namespace, self._watch())
        self.register_outputs({"instance_id": self.instance.id, "public_ip": self.public_ip})

    def _settings(self, database_secret_arn: str, app_database_secret_arn: str, dumps_bucket: str) -> files.HostSettings:
        app, host = self._args.app, self._args.host
        return files.HostSettings(
            stack=app.stack,
            region=app.region,
            domain=app.domain,
            repository=host.repository,
            gunicorn_workers=app.gunicorn_workers,
            certbot_email=host.certbot_email,
            acme_directory=host.acme_directory,
            parameters_path=app.settings_path,
            database_secret_arn=database_secret_arn,
            app_database_secret_arn=app_database_secret_arn,
            dumps_bucket=dumps_bucket,
            keep_release_dumps=host.keep_release_dumps,
            metrics_namespace=self._namespace,
            log_groups=app.log_groups,
            rq_workers=app.rq_workers,
            required_settings=app.required_settings,
            layout=files.HostLayout.for_domain(app.domain),
        )

    def _latest_ubuntu(self) -> pulumi.Output[str]:
        image = aws.ec2.get_ami_output(
            most_recent=True,
            owners=[CANONICAL_OWNER_ID],
            filters=[
                aws.ec2.GetAmiFilterArgs(name="name", values=[UBUNTU_LTS_IMAGES]),
                aws.ec2.GetAmiFilterArgs(name="virtualization-type", values=["hvm"]),
            ],
            opts=pulumi.InvokeOptions(parent=self),
        )
        return image.id

    def _instance_profile(self) -> aws.iam.InstanceProfile:
        args, app = self._args, self._args.app
        role = iam.role(
            f"{self._name}-role",
            description="AMY's legacy host",
            trust=service_trust("ec2.amazonaws.com"),
            boundary=app.permissions_boundary,
            opts=self._child,
        )
        # Instead of AmazonSSMManagedInstanceCore, which reads every parameter of the account, and
        # CloudWatchAgentServerPolicy, which writes any log group: the agents' needs, on the stack's own.
        aws.iam.RolePolicy(
            f"{self._name}-role-agents",
            role=role.id,
            policy=pulumi.Output.all(app.database_secret_arn, app.session_key_arn).apply(
                lambda values: json.dumps(agents_policy(app.region, values[0].split(":")[4], app.stack, values[1]))
            ),
            opts=self._child,
        )
        aws.iam.RolePolicy(
            f"{self._name}-role-amy",
            role=role.id,
            policy=pulumi.Output.all(
                app.database_secret_arn, app.app_database_secret_arn, args.dumps_bucket_arn, args.dumps_key_arn
            ).apply(
                lambda values: json.dumps(
                    host_policy(
                        app.region,
                        app.settings_path,
                        values[0],
                        values[1],
                        values[2],
                        values[3],
                        self._namespace,
                        app.email_attachments_bucket,
                    )
                )
            ),
            opts=self._child,
        )
        return aws.iam.InstanceProfile(f"{self._name}-profile", role=role.name, opts=self._child)

    def _instance(self, profile: aws.iam.InstanceProfile, user_data: pulumi.Output[str]) -> aws.ec2.Instance:
        args = self._args
        return aws.ec2.Instance(
            f"{self._name}-instance",
            ami=self.ami_id,
            instance_type=args.host.instance_type,
            subnet_id=args.subnet_id,
            vpc_security_group_ids=list(args.security_group_ids),
            iam_instance_profile=profile.name,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_type="gp3",
                volume_size=args.host.root_volume_gb,
                encrypted=True,
                delete_on_termination=True,
            ),
            monitoring=True,
            ebs_optimized=True,
            disable_api_termination=args.app.protect,
            user_data_base64=user_data,
            user_data_replace_on_change=False,
            # A newer AMI must never replace the server; user data only matters at first
            # boot, later changes reach the host through the `configure` association.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["ami", "userDataBase64"], import_=args.adoption.instance),
        )

    def _address(self) -> pulumi.Output[str]:
        address = aws.ec2.Eip(
            f"{self._name}-ip", domain="vpc", opts=pulumi.ResourceOptions(parent=self, import_=self._args.adoption.elastic_ip)
        )
        aws.ec2.EipAssociation(
            f"{self._name}-ip-association", allocation_id=address.allocation_id, instance_id=self.instance.id, opts=self._child
        )
        return address.public_ip

    def _watch(self) -> pulumi.Output[str]:
        """What the host's alarms read besides its own metrics: server errors counted in nginx's access log, and
        Route 53 getting /version/ from outside; the health check's id."""
        app = self._args.app
        aws.cloudwatch.LogMetricFilter(
            f"{self._name}-server-errors",
            name=f"{app.name_prefix}-server-errors",
            log_group_name=self._args.nginx_access_log_group,
            pattern=SERVER_ERRORS_PATTERN,
            metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                name=SERVER_ERRORS, namespace=self._namespace, value="1", unit="Count"
            ),
            opts=self._child,
        )
        check = aws.route53.HealthCheck(
            f"{self._name}-version-check",
            type="HTTPS",
            fqdn=app.domain,
            port=443,
            resource_path="/version/",
            # The certificate is for the domain: send it as the TLS server name.
            enable_sni=True,
            request_interval=30,
            failure_threshold=3,
            opts=self._child,
        )
        return check.id

    def _deploys(self, configure_content: pulumi.Output[str]) -> tuple[aws.ssm.Document, aws.ssm.Document]:
        app = self._args.app
        prefix = app.name_prefix
        documents = {
            purpose: aws.ssm.Document(
                f"{self._name}-{purpose}",
                name=f"{prefix}-{purpose}",
                document_type="Command",
                document_format="JSON",
                content=content,
                opts=self._child,
            )
            for purpose, content in (
                ("configure", configure_content),
                ("deploy", json.dumps(deploy_document())),
                ("maintenance", json.dumps(maintenance_document())),
            )
        }
        configure, deploy, maintenance = documents["configure"], documents["deploy"], documents["maintenance"]
        targets = [aws.ssm.AssociationTargetArgs(key="InstanceIds", values=[self.instance.id])]
        runs = pulumi.ResourceOptions(parent=self, replace_on_changes=RUN_ON_CHANGES, delete_before_replace=True)
        configured = aws.ssm.Association(
            f"{self._name}-configure",
            association_name=f"{prefix}-configure",
            name=configure.name,
            document_version=configure.latest_version,
            targets=targets,
            wait_for_success_timeout_seconds=CONFIGURE_TIMEOUT_SECONDS,
            opts=runs,
        )
        aws.ssm.Association(
            f"{self._name}-deploy",
            association_name=f"{prefix}-deploy",
            name=deploy.name,
            document_version=deploy.latest_version,
            parameters={"version": str(app.version)},
            targets=targets,
            # As long as the command may run, and the five minutes an agent may take to pick the run up.
            wait_for_success_timeout_seconds=DEPLOY_TIMEOUT_SECONDS + 300,
            opts=pulumi.ResourceOptions.merge(runs, pulumi.ResourceOptions(depends_on=[app.release_snapshot, configured])),
        )
        return deploy, maintenance


def host_policy(
    region: str,
    parameters_path: str,
    database_secret_arn: str,
    app_database_secret_arn: str,
    dumps_bucket_arn: str,
    dumps_key_arn: str,
    metrics_namespace: str,
    email_attachments_bucket: str | None = None,
) -> dict:
    """What the host may do beyond SSM and the CloudWatch agent: read its settings and the database's secrets (the
    master user's for migrations), store the password of AMY's own role once, write dumps, put metrics in its
    stack's namespace only, and keep e-mail attachments where a bucket is configured."""
    account = database_secret_arn.split(":")[4]
    path = parameters_path.rstrip("/")
    statements = [
        {
            "Sid": "ReadSettings",
            "Effect": "Allow",
            "Action": ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"],
            "Resource": [
                f"arn:aws:ssm:{region}:{account}:parameter{path}",
                f"arn:aws:ssm:{region}:{account}:parameter{path}/*",
            ],
        },
        {
            "Sid": "ReadDatabaseSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": database_secret_arn
            if app_database_secret_arn is None
            else [database_secret_arn, app_database_secret_arn],
        },
        # The deploy's amy-database-role stores the password it makes for AMY's role, the first time.
        {
            "Sid": "StoreApplicationPassword",
            "Effect": "Allow",
            "Action": "secretsmanager:PutSecretValue",
            "Resource": app_database_secret_arn,
        },
        {
            "Sid": "WriteDumps",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": f"{dumps_bucket_arn}/*",
        },
        {
            "Sid": "EncryptDumps",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": dumps_key_arn,
        },
        # PutMetricData has no resource: the namespace is its condition key (CloudWatch user guide, "Using condition
        # keys to limit access to CloudWatch namespaces").
        {
            "Sid": "PutMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": metrics_namespace}},
        },
        # The boundary allows PutMetricData in any namespace; the host puts only its own, whatever is added later.
        {
            "Sid": "NoOtherMetrics",
            "Effect": "Deny",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"cloudwatch:namespace": metrics_namespace}},
        },
    ]
    if email_attachments_bucket:
        statements.append(email_attachments_statement(email_attachments_bucket))
    return {"Version": "2012-10-17", "Statement": statements}


def agents_policy(region: str, account: str, stack: str, session_key_arn: str) -> dict:
    """The SSM agent (Run Command, associations, Session Manager, whose sessions it logs to `/amy/<stack>/sessions`
    and decrypts with the sessions' key) and the CloudWatch agent shipping the stack's logs."""
    return document(
        *ssm_agent_statements(),
        *cloudwatch_agent_statements([f"arn:aws:logs:{region}:{account}:log-group:/amy/{stack}/*"]),
        session_key_statement(session_key_arn),
    )


def deploy_document() -> dict:
    return {
        "schemaVersion": "2.2",
        "description": "Deploy an AMY release: maintenance on, dump, fetch, install, migrate, collectstatic, restart, "
        "maintenance off.",
        "parameters": {
            "version": {
                "type": "String",
                "description": "The release tag, like v4.7.2",
                "allowedPattern": r"^v[0-9]+\.[0-9]+\.[0-9]+$",
            }
        },
        "mainSteps": [
            {
                "action": "aws:runShellScript",
                "name": "deploy",
                "inputs": {
                    "runCommand": ["cloud-init status --wait >/dev/null", "/usr/local/sbin/amy-deploy '{{ version }}'"],
                    "timeoutSeconds": str(DEPLOY_TIMEOUT_SECONDS),
                },
            }
        ],
    }


def maintenance_document() -> dict:
    return {
        "schemaVersion": "2.2",
        "description": "Turn AMY's maintenance page on or off: while on, every request gets it with 503.",
        "parameters": {"state": {"type": "String", "description": "on or off", "allowedValues": ["on", "off"]}},
        "mainSteps": [
            {
                "action": "aws:runShellScript",
                "name": "maintenance",
                "inputs": {"runCommand": ["/usr/local/sbin/amy-maintenance '{{ state }}'"]},
            }
        ],
    }
