"""The policy pack's verdict on a plan, reached the way the Pulumi CLI reaches it.

The pack runs as its own process (`policies/__main__.py`), prints the port of
its analyzer, and answers the analyzer gRPC protocol: GetAnalyzerInfo, then
Configure with the stack's policy config (`policies/<stack>.json`, resolved as
the CLI resolves it), Analyze for each resource as it is registered, and
AnalyzeStack once the program is done.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tooling import pack_process
from tooling.harness import PROJECT, Plan, Registration

START_TIMEOUT_SECONDS = 30
LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_VALUES = {name: value for value, name in LEVELS.items()}


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    message: str
    urn: str


@dataclass(frozen=True)
class Verdict:
    policies: tuple[str, ...]
    violations: tuple[Violation, ...]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    def lines(self) -> list[str]:
        lines = [
            f"Policy pack: {len(self.policies)} policies, {len(self.mandatory)} mandatory and "
            f"{len(self.violations) - len(self.mandatory)} advisory violations"
        ]
        for level in ("mandatory", "advisory"):
            found = sorted((v for v in self.violations if v.level == level), key=lambda v: (v.policy, v.urn))
            if found:
                lines.append(f"{level}:")
                lines += [f"  [{v.policy}] {v.urn.rsplit('::', 1)[-1] or 'stack'}: {v.message}" for v in found]
        return lines


class PolicyServer:
    """The pack's analyzer process (started now, or already starting) and a client for it."""

    def __init__(self, process: subprocess.Popen[str] | None = None) -> None:
        self.process = process or pack_process.start()

    def connect(self) -> analyzer_pb2_grpc.AnalyzerStub:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.isdigit():
            self.process.kill()
            error = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"the policy pack did not start: {line or error}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        grpc.channel_ready_future(self.channel).result(timeout=START_TIMEOUT_SECONDS)
        return analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def stop(self) -> None:
        if hasattr(self, "channel"):
            self.channel.close()
        self.process.kill()
        self.process.wait()


@contextmanager
def policy_server(process: subprocess.Popen[str] | None = None) -> Iterator[PolicyServer]:
    server = PolicyServer(process)
    try:
        yield server
    finally:
        server.stop()


def resolve_config(info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, Any]) -> dict[str, analyzer_pb2.PolicyConfig]:
    """Each policy's level and properties as the CLI sends them: the file's entry, else its `all`, else the
    policy's own level; the schema's defaults under the file's properties."""
    resolved = {}
    for policy in info.policies:
        entry = config.get(policy.name, {})
        if isinstance(entry, str):
            entry = {"enforcementLevel": entry}
        level_name = entry.get("enforcementLevel", config.get("all"))
        level = LEVEL_VALUES[level_name] if level_name else policy.enforcementLevel
        defaults = {key: spec["default"] for key, spec in _schema(policy).items() if "default" in spec}
        properties = struct_pb2.Struct()
        properties.update({**defaults, **{k: v for k, v in entry.items() if k != "enforcementLevel"}})
        resolved[policy.name] = analyzer_pb2.PolicyConfig(enforcementLevel=level, properties=properties)
    return resolved


def _schema(policy: analyzer_pb2.PolicyInfo) -> dict[str, Any]:
    return json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def _options(registration: Registration) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=registration.protect,
        ignoreChanges=list(registration.ignore_changes),
        deleteBeforeReplace=registration.delete_before_replace,
        parent=registration.parent,
    )


def _provider(providers: Mapping[str, Registration], registration: Registration) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = providers.get(registration.provider_urn)
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=_struct(provider.inputs), urn=provider.urn, name=provider.name
    )


class Analysis:
    """Analyzes each resource as the program registers it, as the engine does during a preview,
    then the whole stack. The pack works on the other core while the program runs."""

    def __init__(self, server: PolicyServer, stack: str, config: Mapping[str, Any]) -> None:
        self._queue: queue.SimpleQueue[Registration | None] = queue.SimpleQueue()
        self._providers: dict[str, Registration] = {}
        self._pending: list[tuple[Registration, grpc.Future]] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._send, args=(server, stack, config), daemon=True)
        self._thread.start()

    def register(self, registration: Registration) -> None:
        if registration.type.startswith("pulumi:providers:"):
            self._providers[registration.urn] = registration
        else:
            self._queue.put(registration)

    def _send(self, server: PolicyServer, stack: str, config: Mapping[str, Any]) -> None:
        try:
            self._stub = server.connect()
            self._info = self._stub.GetAnalyzerInfo(empty_pb2.Empty())
            self._stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=resolve_config(self._info, config)))
            self._stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(stack=stack, project=PROJECT, dry_run=True))
            while (registration := self._queue.get()) is not None:
                request = analyzer_pb2.AnalyzeRequest(**self._describe(registration, registration.inputs))
                self._pending.append((registration, self._stub.Analyze.future(request)))
        except BaseException as error:
            self._error = error

    def _describe(self, registration: Registration, properties: Mapping[str, Any]) -> dict[str, Any]:
        """What both the resource and the stack requests say of a resource."""
        return {
            "type": registration.type,
            "properties": _struct(properties),
            "urn": registration.urn,
            "name": registration.name,
            "options": _options(registration),
            "provider": _provider(self._providers, registration),
        }

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def verdict(self, plan: Plan) -> Verdict:
        """The resources' verdicts, then the stack's: what `pulumi preview --policy-pack` reports."""
        self.close()
        if self._error is not None:
            raise self._error
        diagnostics = [(d, d.urn or r.urn) for r, call in self._pending for d in call.result().diagnostics]
        resources = [r for r in plan.registrations if not r.type.startswith("pulumi:providers:")]
        # The stack check sees what the resources will be: their inputs with what the cloud computes (ids, ARNs).
        stack = self._stub.AnalyzeStack(
            analyzer_pb2.AnalyzeStackRequest(
                resources=[
                    analyzer_pb2.AnalyzerResource(
                        **self._describe(r, r.outputs), parent=r.parent, dependencies=list(r.dependencies)
                    )
                    for r in resources
                ]
            )
        )
        diagnostics += [(d, d.urn) for d in stack.diagnostics]
        return Verdict(
            policies=tuple(p.name for p in self._info.policies),
            # The pack prefixes each message with the policy's description; the message alone says what to fix.
            violations=tuple(
                Violation(d.policyName, LEVELS[d.enforcementLevel], d.message.split("\n", 1)[-1], urn) for d, urn in diagnostics
            ),
        )


def policy_config(stack: str) -> dict[str, Any]:
    path = pack_process.PACK / f"{stack}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def check(server: PolicyServer, plan: Plan, config: Mapping[str, Any] | None = None) -> Verdict:
    """The pack's verdict on a finished plan, with the stack's policy config unless another is given."""
    analysis = Analysis(server, plan.stack, policy_config(plan.stack) if config is None else config)
    for registration in plan.registrations:
        analysis.register(registration)
    return analysis.verdict(plan)
