"""The legacy host's AWS resources under mocks: a locked-down instance, scoped IAM, deploys through SSM."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shlex
from dataclasses import replace

import pulumi
import pulumi_aws as aws
import pytest
import yaml
from parliament import analyze_policy_string

from components.app_settings import SECRET_SETTINGS
from components.application import Application
from components.legacy_host import LegacyHost, LegacyHostArgs, host_policy
from components.logs import HOST_SOURCES
from stack_config import AppVersion, HostConfig
from tooling.harness import Plan, Registration, record

HOST = HostConfig(
    instance_type="t3.medium",
    ami_id=None,
    root_volume_gb=30,
    certbot_email="ops@example.org",
    acme_directory="https://acme-staging-v02.api.letsencrypt.org/directory",
    repository="https://github.com/carpentries/amy.git",
    keep_release_dumps=5,
)
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123"
APP_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:amy-unit/database/app-AbCdEf"
INSTANCE = "aws:ec2/instance:Instance"
ASSOCIATION = "aws:ssm/association:Association"
DOCUMENT = "aws:ssm/document:Document"
RELEASE = AppVersion(4, 7, 2)
# aws_ssm_association (terraform-provider-aws, internal/service/ssm/association.go): only `name` (the document) and
# the deprecated `instance_id` are ForceNew, every other input updates in place through UpdateAssociation, which
# returns without waiting; only resourceAssociationCreate waits wait_for_success_timeout_seconds for Success.
PROVIDER_REPLACES = frozenset({"name", "instanceId"})
# A first boot: cloud-init upgrades the image's packages, installs the host's and runs amy-bootstrap, and only then
# does the configure script, which waits for cloud-init, go on.
FIRST_BOOT_SECONDS = 1800


SESSION_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/sessions"


def build(host: HostConfig = HOST, protect: bool = True, rq_workers: bool = True, version: AppVersion = RELEASE) -> Plan:
    def program() -> None:
        snapshot = aws.rds.Snapshot(
            "release", db_instance_identifier="amy-unit", db_snapshot_identifier="v4-7-2-amy-unit-2026-01-15-0000"
        )
        app = Application(
            name_prefix="amy-unit",
            stack="unit",
            region="us-east-1",
            domain="amy.example.org",
            zone_id="Z123",
            version=version,
            gunicorn_workers=3,
            rq_workers=rq_workers,
            settings_path="/amy/unit/env/",
            environment={"AMY_DATABASE_HOST": "db.example.org"},
            operator_settings=["AMY_SECRET_KEY"],
            required_settings=["AMY_SECRET_KEY", "AMY_DATABASE_HOST"],
            database_secret_arn=SECRET_ARN,
            app_database_secret_arn=APP_SECRET_ARN,
            log_groups={source: f"/amy/unit/{source}" for source in HOST_SOURCES},
            email_attachments_bucket=None,
            release_snapshot=snapshot,
            protect=protect,
            permissions_boundary="arn:aws:iam::123456789012:policy/amy-unit-boundary",
            session_log_group_name="/amy/unit/sessions",
            session_log_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:/amy/unit/sessions",
            session_key_arn=SESSION_KEY_ARN,
        )
        LegacyHost(
            "host",
            LegacyHostArgs(
                app=app,
                host=host,
                subnet_id="subnet-public-a",
                security_group_ids=["sg-entry", "sg-app"],
                dumps_bucket="amy-unit-dumps",
                dumps_bucket_arn="arn:aws:s3:::amy-unit-dumps",
                dumps_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
                backup_plan_id="plan-1",
                backup_role_arn="arn:aws:iam::123456789012:role/backup",
                nginx_access_log_group="/amy/unit/nginx-access",
            ),
            opts=pulumi.ResourceOptions(),
        )

    return record("unit", program)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build()


def cloud_config(plan: Plan) -> dict:
    raw = gzip.decompress(base64.b64decode(plan.one(INSTANCE).inputs["userDataBase64"])).decode()
    assert raw.startswith("#cloud-config\n")
    return yaml.safe_load(raw)


def test_instance_requires_imdsv2_encrypts_its_disk_and_has_no_key_pair(plan: Plan) -> None:
    instance = plan.one(INSTANCE).inputs
    assert instance["metadataOptions"]["httpTokens"] == "required"
    assert instance["metadataOptions"]["httpPutResponseHopLimit"] == 1
    root = instance["rootBlockDevice"]
    assert (root["volumeType"], root["volumeSize"], root["encrypted"]) == ("gp3", 30, True)
    assert instance["monitoring"] is True
    assert "keyName" not in instance
    assert instance["subnetId"] == "subnet-public-a"
    assert instance["vpcSecurityGroupIds"] == ["sg-entry", "sg-app"]
    assert instance["instanceType"] == "t3.medium"


def test_termination_protection_follows_the_stack() -> None:
    assert build().one(INSTANCE).inputs["disableApiTermination"] is True
    assert build(protect=False).one(INSTANCE).inputs["disableApiTermination"] is False


def test_a_newer_ami_or_user_data_never_replaces_the_server(plan: Plan) -> None:
    instance = plan.one(INSTANCE)
    assert set(instance.ignore_changes) == {"ami", "userDataBase64"}
    assert instance.inputs["userDataReplaceOnChange"] is False


def test_ami_is_looked_up_when_not_pinned_and_taken_from_config_when_pinned(plan: Plan) -> None:
    assert plan.one(INSTANCE).inputs["ami"] == "ami-0f0e1d2c3b4a59687"
    pinned = build(replace(HOST, ami_id="ami-0123456789abcdef0"))
    assert pinned.one(INSTANCE).inputs["ami"] == "ami-0123456789abcdef0"


def test_user_data_is_a_cloud_config_with_every_host_file_and_no_secret(plan: Plan) -> None:
    config = cloud_config(plan)
    paths = {entry["path"] for entry in config["write_files"]}
    assert {"/usr/local/sbin/amy-deploy", "/etc/nginx/sites-available/amy-https.conf", "/etc/amy/redis.conf"} <= paths
    assert config["runcmd"] == [["/usr/local/sbin/amy-bootstrap"]]
    host_env = next(entry["content"] for entry in config["write_files"] if entry["path"] == "/etc/amy/host.env")
    assert f"AMY_DATABASE_SECRET_ARN={shlex.quote(SECRET_ARN)}\n" in host_env
    assert "AMY_DUMPS_BUCKET=amy-unit-dumps\n" in host_env
    # Secrets may be named (read from the environment at run time), never given a value.
    text = "\n".join(entry["content"] for entry in config["write_files"])
    assigned = re.findall(rf"\b({'|'.join((*SECRET_SETTINGS, 'AMY_DATABASE_PASSWORD'))})=([^$\s]\S*)", text)
    assert assigned == []


def test_without_a_cache_there_is_no_redis_and_no_rq_on_the_host() -> None:
    config = cloud_config(build(rq_workers=False))
    assert "redis-server" not in config["packages"]
    assert not [entry for entry in config["write_files"] if "redis" in entry["path"] or "amy-rq" in entry["path"]]


def test_a_host_whose_release_has_no_rq_stops_and_removes_rq_and_redis(plan: Plan) -> None:
    """The same host once ran a release with RQ: the configure document retires what the new settings no longer
    render, or the workers of the old release would restart forever against code without django-rq."""

    def script(built: Plan) -> str:
        [step] = json.loads(built.one(DOCUMENT, "host-configure").inputs["content"])["mainSteps"]
        return "\n".join(step["inputs"]["runCommand"])

    retired = script(build(rq_workers=False))
    for unit in ("amy-rqworker.service", "amy-rqscheduler.service", "amy-redis.service"):
        assert f"systemctl disable --now '{unit}'\n  rm -f '/etc/systemd/system/{unit}'" in retired
    assert "rm -f '/etc/amy/redis.conf'" in retired
    assert retired.index("rm -f") < retired.index("/usr/local/sbin/amy-configure")
    assert "rm -f" not in script(plan)


def test_address_and_dns_name_the_host(plan: Plan) -> None:
    eip = plan.one("aws:ec2/eip:Eip")
    association = plan.one("aws:ec2/eipAssociation:EipAssociation").inputs
    assert association["allocationId"] == eip.outputs["allocationId"]
    assert association["instanceId"] == plan.one(INSTANCE).id
    # The stack names the application, whatever the layout: the host makes no record of its own.
    assert plan.of_type("aws:route53/record:Record") == []


def test_instance_role_is_scoped_to_what_the_host_does(plan: Plan) -> None:
    trust = json.loads(plan.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    # No AWS-managed policy: AmazonSSMManagedInstanceCore reads every parameter of the account.
    assert plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == []
    assert plan.one("aws:iam/role:Role").inputs["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/amy-unit-boundary"
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", "host-role-amy").inputs["policy"])
    resources = {statement["Sid"]: statement["Resource"] for statement in policy["Statement"]}
    assert resources == {
        "ReadSettings": [
            "arn:aws:ssm:us-east-1:123456789012:parameter/amy/unit/env",
            "arn:aws:ssm:us-east-1:123456789012:parameter/amy/unit/env/*",
        ],
        "ReadDatabaseSecret": [SECRET_ARN, APP_SECRET_ARN],
        "StoreApplicationPassword": APP_SECRET_ARN,
        "WriteDumps": "arn:aws:s3:::amy-unit-dumps/*",
        "EncryptDumps": "arn:aws:kms:us-east-1:123456789012:key/k",
        "PutMetrics": "*",
        "NoOtherMetrics": "*",
    }
    assert {s["Sid"]: s.get("Condition") for s in policy["Statement"] if s["Resource"] == "*"} == {
        "PutMetrics": {"StringEquals": {"cloudwatch:namespace": "AMY/unit"}},
        "NoOtherMetrics": {"StringNotEquals": {"cloudwatch:namespace": "AMY/unit"}},
    }
    actions = [action for s in policy["Statement"] for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not any(action == "*" or action.endswith(":*") for action in actions)


def test_the_host_policies_pass_the_parliament_linter(plan: Plan) -> None:
    for policy in plan.of_type("aws:iam/rolePolicy:RolePolicy"):
        findings = analyze_policy_string(policy.inputs["policy"]).findings
        assert [(f.issue, f.detail) for f in findings if f.issue != "RESOURCE_STAR"] == [], policy.name


def test_the_agents_read_no_parameter_and_write_only_the_stacks_logs(plan: Plan) -> None:
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", "host-role-agents").inputs["policy"])
    actions = {action for statement in policy["Statement"] for action in statement["Action"]}
    # The SSM agent's needs as AmazonSSMManagedInstanceCore has them, less its reads of every parameter.
    assert {"ssm:UpdateInstanceInformation", "ssm:UpdateInstanceAssociationStatus", "ssm:GetDocument"} <= actions
    assert {"ssmmessages:OpenControlChannel", "ec2messages:GetMessages"} <= actions
    assert not {action for action in actions if action.startswith("ssm:GetParameter")}
    logs = next(s for s in policy["Statement"] if s["Sid"] == "ShipLogs")
    assert logs["Resource"] == ["arn:aws:logs:us-east-1:123456789012:log-group:/amy/unit/*"]


def test_the_linter_catches_what_a_typo_would_break() -> None:
    policy = host_policy(
        "us-east-1",
        "/amy/unit/env/",
        SECRET_ARN,
        APP_SECRET_ARN,
        "arn:aws:s3:::b",
        "arn:aws:kms:us-east-1:123456789012:key/k",
        "AMY/unit",
    )
    policy["Statement"][3]["Action"] = ["s3:PutObjekt"]
    assert [f.issue for f in analyze_policy_string(json.dumps(policy)).findings] == ["UNKNOWN_ACTION"]


def test_deploy_runs_the_configured_version_after_the_snapshot_and_the_configuration(plan: Plan) -> None:
    deploy = next(a for a in plan.of_type("aws:ssm/association:Association") if a.name == "host-deploy")
    assert deploy.inputs["parameters"] == {"version": "v4.7.2"}
    assert deploy.inputs["waitForSuccessTimeoutSeconds"] >= 1800
    assert deploy.inputs["targets"] == [{"key": "InstanceIds", "values": [plan.one(INSTANCE).id]}]
    configure = next(a for a in plan.of_type("aws:ssm/association:Association") if a.name == "host-configure")
    assert {plan.one("aws:rds/snapshot:Snapshot").urn, configure.urn} <= set(deploy.dependencies)


def test_configuration_reapplies_whenever_its_document_changes(plan: Plan) -> None:
    configure = next(a for a in plan.of_type("aws:ssm/association:Association") if a.name == "host-configure")
    document = next(d for d in plan.of_type("aws:ssm/document:Document") if d.name == "host-configure")
    assert configure.inputs["documentVersion"] == document.outputs["latestVersion"]
    script = "\n".join(json.loads(document.inputs["content"])["mainSteps"][0]["inputs"]["runCommand"])
    assert "/usr/local/sbin/amy-configure" in script
    assert "/etc/nginx/sites-available/amy-https.conf" in script


def test_documents_accept_only_well_formed_parameters(plan: Plan) -> None:
    documents = {d.name: json.loads(d.inputs["content"]) for d in plan.of_type("aws:ssm/document:Document")}
    assert documents["host-deploy"]["parameters"]["version"]["allowedPattern"] == r"^v[0-9]+\.[0-9]+\.[0-9]+$"
    assert documents["host-maintenance"]["parameters"]["state"]["allowedValues"] == ["on", "off"]
    assert {d.inputs["name"] for d in plan.of_type("aws:ssm/document:Document")} == {
        "amy-unit-configure",
        "amy-unit-deploy",
        "amy-unit-maintenance",
    }


def test_the_host_is_in_the_backup_plan(plan: Plan) -> None:
    selection = plan.one("aws:backup/selection:Selection").inputs
    assert selection["planId"] == "plan-1"
    assert selection["resources"] == [plan.one(INSTANCE).outputs["arn"]]


def association(plan: Plan, purpose: str) -> Registration:
    return plan.one(ASSOCIATION, f"host-{purpose}")


def changed_inputs(before: Registration, after: Registration) -> set[str]:
    return {key for key in before.inputs.keys() | after.inputs.keys() if before.inputs.get(key) != after.inputs.get(key)}


def assert_waited_for(association: Registration, changed: set[str]) -> None:
    """A change that goes through the provider's waiting path: it replaces the association (the provider or
    replace_on_changes makes it force a new one), the old one first so the new one can be created, and creating it
    waits for its run to succeed."""
    assert changed
    assert changed <= PROVIDER_REPLACES | set(association.replace_on_changes), changed
    assert association.delete_before_replace
    assert association.inputs["waitForSuccessTimeoutSeconds"] > 0


def test_a_new_release_is_a_new_deploy_association_that_pulumi_up_waits_for(plan: Plan) -> None:
    next_release = build(version=AppVersion(4, 7, 3))
    deployed, deploying = association(plan, "deploy"), association(next_release, "deploy")
    assert deploying.urn == deployed.urn
    changed = changed_inputs(deployed, deploying)
    assert changed == {"parameters"}
    assert_waited_for(deploying, changed)


def test_a_changed_host_file_is_a_new_configure_association_that_pulumi_up_waits_for(plan: Plan) -> None:
    """Changed content gives the document a new version in AWS (its latestVersion), which the association runs."""
    changed = build(replace(HOST, certbot_email="operators@example.org"))
    assert plan.one(DOCUMENT, "host-configure").inputs["content"] != changed.one(DOCUMENT, "host-configure").inputs["content"]
    configure = association(changed, "configure")
    assert configure.urn == association(plan, "configure").urn
    assert configure.inputs["documentVersion"] == changed.one(DOCUMENT, "host-configure").outputs["latestVersion"]
    assert_waited_for(configure, {"documentVersion"})


@pytest.mark.parametrize("purpose", ["configure", "deploy"])
def test_a_new_host_or_a_new_document_runs_each_association_again_and_waits(plan: Plan, purpose: str) -> None:
    assert_waited_for(association(plan, purpose), {"targets", "documentVersion"})


def test_configuration_outlasts_a_first_boot_and_pulumi_up_outlasts_the_configuration(plan: Plan) -> None:
    """A command stops at its document's timeoutSeconds; `pulumi up` stops waiting at waitForSuccessTimeoutSeconds,
    which must not come first, or a first boot that is still upgrading packages would fail the update."""
    [step] = json.loads(plan.one(DOCUMENT, "host-configure").inputs["content"])["mainSteps"]
    assert "cloud-init status --wait >/dev/null" in step["inputs"]["runCommand"]
    command_timeout = int(step["inputs"]["timeoutSeconds"])
    assert command_timeout >= FIRST_BOOT_SECONDS
    assert association(plan, "configure").inputs["waitForSuccessTimeoutSeconds"] > command_timeout
