"""The offline plan command: tree, counts, stable JSON, clear errors, and the account's report after the verdict."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from stack_config import StackConfig
from tests.stacks import NO_SUCH_STACK, STACKS, config_of, plan_exit_status
from tooling import account, cli
from tooling import plan as plan_command
from tooling.account import BadName, Claimant, Report
from tooling.harness import ROOT, Plan

# The stacks that protect their stateful resources, which the plan marks.
PROTECTED = [stack for stack in STACKS if config_of(stack).protect_stateful_resources]
# These tests see the plan alone: the account check finds nothing (tests/tooling/test_account.py tests the real one).
pytestmark = pytest.mark.usefixtures("accounts_checked")


def test_plan_prints_the_component_tree_and_counts(
    stack: str, stack_config: StackConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan_command.main([stack]) == plan_exit_status(stack)
    out = capsys.readouterr().out
    assert f"pulumi:pulumi:Stack amy-{stack}" in out
    assert f"├─ amy:data:Database amy-{stack}-db" in out
    assert f"│  ├─ aws:rds/instance:Instance amy-{stack}-db-instance" in out
    assert "aws:cloudwatch/logGroup:LogGroup" in out
    counts = out.split("Resources by type:\n", 1)[1].split("\n\n", 1)[0]
    assert counts.splitlines()[-1].split()[0] == "total"
    assert f"Policies (policies/{stack}.json):" in out
    assert ("[protected]" in out) is stack_config.protect_stateful_resources


@pytest.mark.parametrize("stack", PROTECTED)
def test_protected_resources_are_marked(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_command.main([stack]) == plan_exit_status(stack)
    assert f"aws:rds/instance:Instance amy-{stack}-db-instance [protected]" in capsys.readouterr().out


@pytest.mark.parametrize("stack", PROTECTED)
def test_json_is_identical_across_runs(stack: str, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert plan_command.main([stack, "--json", str(first)]) == plan_exit_status(stack)
    assert plan_command.main([stack, "--json", str(second)]) == plan_exit_status(stack)
    assert first.read_bytes() == second.read_bytes()
    written = json.loads(first.read_text())
    instance = next(r for r in written["resources"] if r["type"] == "aws:rds/instance:Instance")
    assert instance["options"]["protect"] is True
    assert instance["inputs"]["backupRetentionPeriod"] == config_of(stack).database.backup_retention_days
    assert instance["parent"].endswith(f"amy:data:Database::amy-{stack}-db")


def test_bad_config_prints_every_problem_and_fails(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_run = plan_command.run
    monkeypatch.setattr(
        plan_command, "run", lambda stack, **kwargs: real_run(stack, {"amy:logRetentionDays": 2, "amy:zoneId": None}, **kwargs)
    )
    assert plan_command.main([stack]) == 1
    err = capsys.readouterr().err
    assert f"stack '{stack}': 2 configuration problem(s)" in err
    assert "amy:zoneId is required" in err
    assert "amy:logRetentionDays must be a period CloudWatch Logs accepts" in err


def test_unknown_stack_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        plan_command.main([NO_SUCH_STACK])
    assert raised.value.code == 2
    assert f"invalid choice: {NO_SUCH_STACK!r}" in capsys.readouterr().err


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository of the working tree as it is, committed once, for `--against` to compare with."""
    copy = tmp_path_factory.mktemp("repository")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git(copy, "init", "--quiet", "--initial-branch=main")
    git(copy, "add", "--all")
    git(copy, "commit", "--quiet", "--message", "base")
    return copy


def git(repository: Path, *arguments: str) -> None:
    identity = ["-c", "user.name=amy-infra tests", "-c", "user.email=tests@invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(repository), *identity, *arguments], check=True, capture_output=True)


def changed_in_a_commit(repository: Path, branch: str, stack: str, key: str, value: str) -> subprocess.CompletedProcess[str]:
    """`bin/plan STACK --against main` after a commit on `branch` that sets `amy:<key>` in the stack file."""
    git(repository, "checkout", "--quiet", "-B", branch, "main")
    stack_file = repository / f"Pulumi.{stack}.yaml"
    text = stack_file.read_text()
    line = next((line for line in text.splitlines() if line.startswith(f"  amy:{key}:")), None)
    text = text.replace(line, f"  amy:{key}: {value}") if line else text.rstrip("\n") + f"\n  amy:{key}: {value}\n"
    stack_file.write_text(text)
    git(repository, "commit", "--quiet", "--all", "--message", f"change {key}")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PULUMI_")}
    return subprocess.run(
        [sys.executable, "-m", "tooling.plan", stack, "--against", "HEAD~1", "--json", "review.json"],
        cwd=repository,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_new_master_user_shows_the_database_replaced_with_data_at_risk_and_fails(repository: Path) -> None:
    result = changed_in_a_commit(repository, "master-user", "production", "dbMasterUsername", "amy_owner")
    assert result.returncode == 1, result.stderr
    assert " +- aws:rds/instance:Instance amy-production-db-instance (forced by username)\n" in result.stdout
    assert "      DATA AT RISK: replacing the database" in result.stdout
    written = json.loads((repository / "review.json").read_text())
    assert written["against"] == "HEAD~1"
    [database] = [change for change in written["changes"] if change["type"] == "aws:rds/instance:Instance"]
    assert database["kind"] == "replace" and database["dataAtRisk"]


def test_a_new_log_retention_updates_the_log_groups_only_and_passes(repository: Path) -> None:
    result = changed_in_a_commit(repository, "log-retention", "production", "logRetentionDays", "400")
    # Nothing at risk: the status is the policy verdict's alone.
    assert result.returncode == (0 if ", 0 mandatory and " in result.stdout else 1), result.stdout + result.stderr
    written = json.loads((repository / "review.json").read_text())
    assert written["changes"]
    assert {change["type"] for change in written["changes"]} == {"aws:cloudwatch/logGroup:LogGroup"}
    assert {change["kind"] for change in written["changes"]} == {"update"}
    assert "DATA AT RISK" not in result.stdout


def test_an_unknown_ref_is_a_clear_error(repository: Path) -> None:
    for ref in ("no-such-branch", "--output=/tmp/x"):
        result = subprocess.run(
            [sys.executable, "-m", "tooling.plan", "testing", f"--against={ref}"],
            cwd=repository,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 1
        assert f"error: --against {ref!r} is not a commit of this repository" in result.stderr


def test_the_account_gets_the_stack_every_other_stack_and_every_move(
    stack: str, accounts_checked: list[dict[str, Plan]], tmp_path: Path
) -> None:
    written = tmp_path / "plan.json"
    assert plan_command.main([stack, "--json", str(written)]) == plan_exit_status(stack)
    [plans] = accounts_checked
    assert set(plans) == set(account.variants())
    assert plans[stack].as_json() == json.loads(written.read_text())


def test_the_accounts_report_follows_the_verdict_and_a_problem_fails(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    balancer = Claimant(stack, "urn:lb", "aws:lb/loadBalancer:LoadBalancer", "lb", (stack,))
    over_long = BadName("load balancer", "lb-xxxxxxx", "is 33 characters, over the limit of 32", True, balancer)
    report = Report(identities=1, collisions=(), over_long=(over_long,), malformed=(), unmodelled=())
    monkeypatch.setattr(account, "check", lambda plans: report)
    assert plan_command.main([stack]) == 1
    out = capsys.readouterr().out
    after_the_verdict = out.split(f"Policies (policies/{stack}.json):\n", 1)[1]
    assert after_the_verdict.splitlines()[-2:] == [
        "account: 1 identities, 0 collisions, 1 over-long names, 0 malformed names",
        f"  over-long: {over_long}",
    ]


def test_a_variant_the_program_refuses_fails_the_account(
    stack: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = account.Variant("testing", {"amy:logRetentionDays": "2"})
    monkeypatch.setattr(account, "variants", lambda: {stack: account.Variant(stack, {}), "testing, short logs": refused})
    assert plan_command.main([stack]) == 1
    assert "account: cannot plan testing, short logs: stack 'testing': 1 configuration problem(s)" in capsys.readouterr().out


def test_a_forked_call_returns_its_result_or_raises_what_it_raised() -> None:
    with plan_command.forked(sum, [1, 2]) as call:
        assert call.result() == 3
    with plan_command.forked(int, "not a number") as call, pytest.raises(ValueError, match="not a number"):
        call.result()


def test_a_forked_worker_that_dies_is_an_error_not_a_hang() -> None:
    with plan_command.forked(os._exit, 3) as call, pytest.raises(RuntimeError, match=r"without a result \(exit 3\)"):
        call.result()


def test_what_a_forked_call_cannot_send_is_an_error_naming_it() -> None:
    with plan_command.forked(threading.Lock) as call, pytest.raises(RuntimeError, match="could not send <unlocked"):
        call.result()


def test_bin_plan_stops_the_pack_it_started_when_the_plan_stops_early(monkeypatch: pytest.MonkeyPatch) -> None:
    """tooling/cli.py starts the pack before anything else; a usage error must not leave it running."""
    started: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        started.append(subprocess.Popen(["sleep", "60"], text=True))
        return started[-1]

    monkeypatch.setattr(cli.pack_process, "start", start)
    # Not in this process: the tests import pulumi-aws as it comes, and keep their collector.
    monkeypatch.setattr(cli.lazy_sdk, "install", lambda: None)
    monkeypatch.setattr(cli.gc, "disable", lambda: None)
    with pytest.raises(SystemExit):
        cli.main(["--no-such-option"])
    [pack] = started
    assert pack.returncode is not None
