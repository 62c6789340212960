"""Runs the Pulumi program for a stack in-process under Pulumi's mock monitor.

The config is what the Pulumi CLI would hand the program: Pulumi.yaml's
defaults overlaid with Pulumi.<stack>.yaml, passed the same way (PULUMI_CONFIG).
Every registration is recorded with its type, name, parent, inputs and
options. Tests, the offline plan and the policy check all run through `run`.
"""

from __future__ import annotations

import hashlib
import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pulumi
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime import resource as resource_runtime
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from stack_config.files import defaults, encode, read_project, read_stack

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "amy"
ACCOUNT_ID = "123456789012"
# CloudFront distributions all live in this Route 53 zone.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
# Plans name dated resources (release snapshots) as of this day: 2026-01-15.
PLAN_DATE_EPOCH = "1768435200"
# A stand-in for values the stack file holds encrypted; the harness cannot decrypt them.
SECRET_PLACEHOLDER = "mock-secret"
# The ELB account of each region that has one, as the provider's aws_elb_service_account data source knows them
# (terraform-provider-aws internal/service/elb/service_account_data_source.go, accountIDPerRegionMap, at commit
# 01f431114674c27cf790fafb67ac274bf8f765e1); for any other region it fails.
ELB_LOG_ACCOUNTS = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-gov-east-1": "190560391635",
    "us-gov-west-1": "048591011584",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Registration:
    """One resource as the program registered it."""

    urn: str
    # The id the fake cloud gave the resource, which other inputs refer to.
    id: str
    type: str
    name: str
    parent: str
    custom: bool
    remote: bool
    inputs: dict[str, Any]
    # Inputs the program marked secret; `inputs` holds their values unwrapped.
    secret_inputs: tuple[str, ...]
    # What the fake cloud answered: the inputs plus computed values like ids and ARNs.
    outputs: dict[str, Any]
    provider: str
    # Package name to provider reference, as given to remote components.
    providers: dict[str, str]
    dependencies: tuple[str, ...]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    ignore_changes: tuple[str, ...]
    replace_on_changes: tuple[str, ...]
    import_id: str
    aliases: tuple[str, ...]

    @property
    def provider_urn(self) -> str:
        return self.provider.rsplit("::", 1)[0] if self.provider else ""

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "remote": self.remote,
            "provider": self.provider_urn,
            "providers": {package: ref.rsplit("::", 1)[0] for package, ref in sorted(self.providers.items())},
            "inputs": self.inputs,
            "secretInputs": list(self.secret_inputs),
            "options": {
                "protect": self.protect,
                "retainOnDelete": self.retain_on_delete,
                "deleteBeforeReplace": self.delete_before_replace,
                "ignoreChanges": list(self.ignore_changes),
                "replaceOnChanges": list(self.replace_on_changes),
                "importId": self.import_id,
                "dependencies": sorted(self.dependencies),
                "aliases": list(self.aliases),
            },
        }


@dataclass
class Plan:
    """Everything one run of the program registered, and what it exported."""

    stack: str
    registrations: list[Registration]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_}{f' {name}' if name else ''} in {self.stack}, found {len(found)}")
        return found[0]

    def children(self, parent_urn: str) -> list[Registration]:
        return [r for r in self.registrations if r.parent == parent_urn]

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "outputs": self.outputs,
            "resources": [r.as_json() for r in sorted(self.registrations, key=lambda r: r.urn)],
        }


encode_config_value = encode


def stack_config_values(stack: str, overrides: Mapping[str, Any | None] | None = None) -> tuple[dict[str, str], list[str]]:
    """The config of `stack` with project defaults, as the CLI hands it to the program, and the keys that are secret.
    Secret values are the placeholder the harness cannot decrypt; entries the stack file gets wrong are left out
    (the program reads the file itself and reports them).

    `overrides` maps full keys (`amy:layout`) to values; None removes a key.
    """
    if not (ROOT / f"Pulumi.{stack}.yaml").exists():
        raise FileNotFoundError(f"no stack file Pulumi.{stack}.yaml; stacks: {', '.join(known_stacks())}")
    declared, _ = read_project(ROOT)
    stack_file = read_stack(ROOT, stack, declared)
    values = {**defaults(declared), **stack_file.values}
    for key in stack_file.secret_keys:
        values[key] = SECRET_PLACEHOLDER
    for key, value in (overrides or {}).items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = encode(value)
    return values, stack_file.secret_keys


def known_stacks() -> list[str]:
    return sorted(path.name.split(".")[1] for path in ROOT.glob("Pulumi.*.yaml"))


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def _plain(value: Any) -> Any:
    """Inputs as plain values: secrets unwrapped, whole numbers (floats in protobuf) whole again."""
    if _is_secret(value):
        return _plain(value["value"])
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if not key.startswith("__")}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class InvokeError(grpc.RpcError):
    """A data source failed, as the engine answers the program's Invoke: a gRPC error with the provider's message,
    which the SDK raises where the program invoked (catchable, unlike a failure of the call itself)."""

    def __init__(self, token: str, message: str) -> None:
        super().__init__(f"invocation of {token} returned an error: {message}")
        self._details = str(self)

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._details


@dataclass(frozen=True)
class Account:
    """What the fake account already holds, for the data sources the program reads before it registers anything."""

    # The stack's ECR repository, and in it the image of the configured release.
    ecr_repository: bool = True
    release_images: bool = True
    # GitHub's OIDC provider, made by the stack that owns it.
    github_oidc_provider: bool = True


class FakeCloud(mocks.Mocks):
    """Answers registrations with the outputs AWS and awsx would compute, and data sources from `account`."""

    def __init__(self, region: str, account: Account | None = None) -> None:
        self.region = region
        self.account = account or Account()
        # Each AWS provider's region by the id the fake cloud gave it: what a resource's provider reference ends with.
        self._provider_regions: dict[str, str] = {}

    def _region_of(self, provider: str | None) -> str:
        """The region a resource lives in: its provider's, else the stack's."""
        return self._provider_regions.get((provider or "").rsplit("::", 1)[-1], self.region)

    def _suffix(self, name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()[:8]

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        suffix = self._suffix(f"{args.typ}::{args.name}")
        region = self._region_of(args.provider)
        if not args.custom:
            # A remote component's outputs differ from its inputs in name and shape.
            return f"{args.name}-{suffix}", self._computed(args.typ, inputs, args.name, suffix, region)
        physical = inputs.get("name") or f"{args.name}-{suffix[:7]}"
        service = args.typ.split(":")[1].split("/")[0]
        state: dict[str, Any] = {
            "name": physical,
            "arn": f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{args.name}/{physical}",
            **inputs,
        }
        state.update(self._computed(args.typ, inputs, physical, suffix, region))
        # Where AWS has its own form of id (sg-…, i-…, an ARN), the fake cloud answers with it.
        resource_id = state.pop("id", f"{args.name}-{suffix}")
        if args.typ == "pulumi:providers:aws" and inputs.get("region"):
            self._provider_regions[resource_id] = inputs["region"]
        return resource_id, state

    def _computed(self, type_: str, inputs: dict[str, Any], physical: str, suffix: str, region: str) -> dict[str, Any]:
        match type_:
            case "awsx:ec2:Vpc":
                zones = inputs.get("availabilityZoneNames") or [f"{region}a", f"{region}b"]
                return {
                    "vpcId": f"vpc-{suffix}",
                    **{
                        f"{kind}SubnetIds": [f"subnet-{kind}-{zone[-1]}-{suffix}" for zone in zones]
                        for kind in ("public", "private", "isolated")
                    },
                }
            case "aws:rds/instance:Instance":
                identifier = inputs.get("identifier", physical)
                host = f"{identifier}.c0ffee{suffix[:6]}.{region}.rds.amazonaws.com"
                return {
                    "address": host,
                    "endpoint": f"{host}:5432",
                    "port": 5432,
                    "arn": f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{identifier}",
                    "masterUserSecrets": [
                        {
                            "secretArn": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:rds!db-{suffix}",
                            "secretStatus": "active",
                            "kmsKeyId": f"arn:aws:kms:{region}:{ACCOUNT_ID}:alias/aws/secretsmanager",
                        }
                    ],
                }
            case "aws:acm/certificate:Certificate":
                domain = inputs["domainName"]
                return {
                    "arn": f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{suffix}",
                    "domainValidationOptions": [
                        {
                            "domainName": domain,
                            "resourceRecordName": f"_{suffix}.{domain}.",
                            "resourceRecordType": "CNAME",
                            "resourceRecordValue": f"_{suffix}.acm-validations.aws.",
                        }
                    ],
                }
            case "aws:route53/record:Record":
                return {"fqdn": inputs["name"].rstrip(".")}
            case "aws:cloudfront/distribution:Distribution":
                return {
                    "domainName": f"d{suffix}.cloudfront.net",
                    "hostedZoneId": CLOUDFRONT_ZONE_ID,
                    "arn": f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/E{suffix.upper()}",
                }
            case "aws:s3/bucket:Bucket":
                bucket = inputs.get("bucket") or physical
                return {"id": bucket, "bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
            case "aws:cloudwatch/logGroup:LogGroup":
                # The provider reports a group's ARN without the `:*` CloudWatch Logs appends (logs/group.go).
                return {"arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{physical}"}
            case "aws:cloudwatch/logDeliverySource:LogDeliverySource":
                return {"arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:delivery-source:{physical}", "service": "cloudfront"}
            case "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination":
                return {
                    "arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:delivery-destination:{physical}",
                    "deliveryDestinationType": "CWL",
                }
            case "aws:cloudwatch/logDelivery:LogDelivery":
                return {"id": suffix, "arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:delivery:{suffix}"}
            case "aws:cloudtrail/trail:Trail":
                return {"arn": f"arn:aws:cloudtrail:{region}:{ACCOUNT_ID}:trail/{physical}", "homeRegion": region}
            case "aws:kms/key:Key":
                key_id = f"{suffix}-0000-4000-8000-{suffix}0000"
                return {"keyId": key_id, "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key_id}"}
            case "aws:iam/role:Role":
                return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{physical}"}
            case "aws:secretsmanager/secret:Secret":
                # Secrets Manager appends six characters of its own to the name.
                return {"arn": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{physical}-{suffix[:6]}"}
            case "aws:iam/policy:Policy":
                return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:policy/{physical}"}
            case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
                host = inputs["url"].removeprefix("https://")
                return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{host}"}
            case "aws:backup/vault:Vault":
                return {"arn": f"arn:aws:backup:{region}:{ACCOUNT_ID}:backup-vault:{physical}"}
            case "aws:ec2/securityGroup:SecurityGroup":
                return {"id": f"sg-{suffix}"}
            case "aws:ec2/instance:Instance":
                instance_id = f"i-{suffix}{suffix[:1]}"
                return {"id": instance_id, "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:instance/{instance_id}"}
            case "aws:ecs/service:Service":
                cluster = inputs["cluster"].rsplit("/", 1)[-1]
                return {"id": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:service/{cluster}/{physical}"}
            case "aws:ec2/eip:Eip":
                return {"allocationId": f"eipalloc-{suffix}", "publicIp": f"198.51.100.{int(suffix[:2], 16) % 250 + 1}"}
            case "aws:ssm/document:Document":
                return {"latestVersion": "1", "defaultVersion": "1"}
            case "aws:lb/loadBalancer:LoadBalancer":
                return {
                    "arn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/app/{physical}/{suffix}",
                    "arnSuffix": f"app/{physical}/{suffix}",
                    "dnsName": f"{physical}-{suffix}.{region}.elb.amazonaws.com",
                    "zoneId": "Z35SXDOTRQ7X7K",
                }
            case "aws:lb/targetGroup:TargetGroup":
                return {
                    "arn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:targetgroup/{physical}/{suffix}",
                    "arnSuffix": f"targetgroup/{physical}/{suffix}",
                }
            case "aws:ecr/repository:Repository":
                return {"repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{physical}"}
            case "aws:ecs/taskDefinition:TaskDefinition":
                family = inputs["family"]
                return {"arn": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:task-definition/{family}:1", "revision": 1}
            case "aws:ecs/cluster:Cluster":
                return {"arn": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:cluster/{physical}"}
            case "aws:sfn/stateMachine:StateMachine":
                return {"arn": f"arn:aws:states:{region}:{ACCOUNT_ID}:stateMachine:{physical}"}
            case "aws:elasticache/replicationGroup:ReplicationGroup":
                group = inputs["replicationGroupId"]
                return {"primaryEndpointAddress": f"master.{group}.{suffix[:6]}.use1.cache.amazonaws.com"}
        return {}

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        account = self.account
        match args.token:
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    "id": ACCOUNT_ID,
                    "accountId": ACCOUNT_ID,
                    "arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/amy-deploy/pulumi",
                    "userId": "AROAEXAMPLE:pulumi",
                }, []
            case "aws:ec2/getAmi:getAmi":
                # The newest Ubuntu LTS image the legacy host starts from when no AMI is pinned.
                image = "ami-0f0e1d2c3b4a59687"
                name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260110"
                return {"id": image, "imageId": image, "name": name}, []
            case "aws:ecr/getImage:getImage":
                repository, tag = args.args["repositoryName"], args.args.get("imageTag")
                # As the provider's aws_ecr_image data source reports DescribeImages' errors.
                if not account.ecr_repository:
                    raise InvokeError(
                        args.token,
                        f"reading ECR Images: RepositoryNotFoundException: The repository with name '{repository}' "
                        f"does not exist in the registry with id '{ACCOUNT_ID}'",
                    )
                if not account.release_images:
                    raise InvokeError(
                        args.token,
                        f"reading ECR Images: ImageNotFoundException: The image with imageId {{imageTag:'{tag}'}} "
                        f"does not exist within the repository with name '{repository}'",
                    )
                digest = "sha256:" + hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
                return {
                    "id": digest,
                    "imageDigest": digest,
                    "imageTags": [tag],
                    "repositoryName": repository,
                    "registryId": ACCOUNT_ID,
                    "imageUri": f"{ACCOUNT_ID}.dkr.ecr.{self.region}.amazonaws.com/{repository}@{digest}",
                }, []
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    "id": ACCOUNT_ID,
                    "accountId": ACCOUNT_ID,
                    "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/pulumi",
                    "userId": "AIDAMOCK",
                }, []
            case "aws:elb/getServiceAccount:getServiceAccount":
                region = args.args.get("region") or self.region
                if region not in ELB_LOG_ACCOUNTS:
                    raise InvokeError(args.token, f"unsupported AWS Region: {region}")
                account_id = ELB_LOG_ACCOUNTS[region]
                return {"id": account_id, "arn": f"arn:aws:iam::{account_id}:root", "region": region}, []
            case "aws:index/getPartition:getPartition":
                return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}, []
            case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
                url = args.args["url"]
                if not account.github_oidc_provider:
                    raise InvokeError(args.token, f"reading IAM OIDC Provider ({url}): couldn't find resource")
                host = url.removeprefix("https://")
                return {
                    "arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{host}",
                    "url": host,
                    "clientIdLists": ["sts.amazonaws.com"],
                    "thumbprintLists": [],
                }, []
        raise NotImplementedError(
            f"the program invoked {args.token}, which has no mock in tooling/harness.py; "
            "give it one, or take the value from stack config instead"
        )


class RecordingMonitor(mocks.MockMonitor):
    """The mock monitor, keeping each registration's parent and options as well."""

    def __init__(self, cloud: FakeCloud, on_register: Callable[[Registration], None] | None = None) -> None:
        super().__init__(cloud)
        self.registrations: list[Registration] = []
        self.on_register = on_register

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            registration = Registration(
                urn=response.urn,
                id=response.id,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=request.custom,
                remote=request.remote,
                inputs=_plain(inputs),
                secret_inputs=tuple(sorted(key for key, value in inputs.items() if _is_secret(value))),
                outputs=_plain(self.resources[response.urn].state),
                provider=request.provider,
                providers=dict(request.providers),
                dependencies=tuple(request.dependencies),
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                delete_before_replace=request.deleteBeforeReplace,
                ignore_changes=tuple(request.ignoreChanges),
                replace_on_changes=tuple(request.replaceOnChanges),
                import_id=request.importId,
                aliases=tuple(str(alias) for alias in request.aliasURNs),
            )
            self.registrations.append(registration)
            if self.on_register:
                self.on_register(registration)
        return response


class ProgramError(Exception):
    """The program failed; `registrations` holds what it registered before failing."""

    def __init__(self, message: str, registrations: list[Registration]) -> None:
        super().__init__(message)
        self.registrations = registrations


@contextmanager
def _without_source_positions() -> Iterator[None]:
    """The SDK's registrations without the stack trace and source position it gives the engine for each resource.

    To find them it walks the whole Python stack, reading every frame's source file (linecache) and making each path a
    URI, for every resource: a fifth of a plan, and more for the first, for what only the CLI's messages use. The mock
    monitor reads neither (nor does RecordingMonitor); the SDK's own answer when it finds none is an empty trace.
    """
    original = getattr(resource_runtime, "_get_stack_trace", None)
    if original is None:
        raise RuntimeError("pulumi.runtime.resource no longer has _get_stack_trace: drop _without_source_positions")
    resource_runtime._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        resource_runtime._get_stack_trace = original


def record(
    stack: str,
    program: Callable[[], object],
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    on_register: Callable[[Registration], None] | None = None,
    account: Account | None = None,
) -> Plan:
    """Run `program` under the mocks as stack `stack` with `config`, recording what it registers; its data
    sources answer from `account` (by default one that holds everything they look for)."""
    os.environ["PULUMI_CONFIG"] = json.dumps(dict(config or {}))
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(secret_keys or [])
    os.environ.setdefault("SOURCE_DATE_EPOCH", PLAN_DATE_EPOCH)
    pulumi.runtime.set_all_config({}, [])

    region = (config or {}).get(f"{PROJECT}:region", "us-east-1")
    monitor = RecordingMonitor(FakeCloud(region, account), on_register)
    exports: dict[str, Any] = {}

    async def main() -> None:
        program()
        outputs = getattr(settings.get_root_resource(), "outputs", {})
        exports.update(await pulumi.Output.from_input(outputs).future() or {})

    with _without_source_positions():
        settings.ROOT.set(None)
        # The stack resource registers here.
        mocks.set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=True, monitor=monitor)
        try:
            _sync_await(run_pulumi_func(main))
        except pulumi.RunError as error:
            raise ProgramError(str(error), list(monitor.registrations)) from None
    return Plan(stack=stack, registrations=list(monitor.registrations), outputs=_plain(exports))


def run(
    stack: str,
    overrides: Mapping[str, Any | None] | None = None,
    on_register: Callable[[Registration], None] | None = None,
    account: Account | None = None,
) -> Plan:
    """Run `__main__.py` for `stack` as `pulumi preview` would, and return what it registered.

    `on_register` sees each registration as it happens, as the engine's analyzers do; `account` says what
    the data sources find. Raises `ProgramError` with the program's message, e.g. when the config is bad.
    """
    values, secret_keys = stack_config_values(stack, overrides)
    return record(
        stack,
        lambda: runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"),
        values,
        secret_keys,
        on_register,
        account,
    )
