"""The harness itself: registrations carry options, invokes without a mock fail loudly, stack config is what the CLI
would hand the program."""

from __future__ import annotations

import traceback
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import resource as resource_runtime

from tests.stacks import NO_SUCH_STACK
from tooling import harness
from tooling.harness import ProgramError, record


def test_options_reach_the_registration() -> None:
    def program() -> None:
        aws.s3.Bucket(
            "kept",
            opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True, ignore_changes=["tags"], import_="kept-bucket"),
        )

    [bucket] = record("unit", program).registrations
    assert bucket.protect and bucket.retain_on_delete
    assert bucket.ignore_changes == ("tags",)
    assert bucket.import_id == "kept-bucket"


def test_an_invoke_without_a_mock_names_itself() -> None:
    def program() -> None:
        aws.get_billing_service_account()

    missing = r"invoked aws:index/getBillingServiceAccount:getBillingServiceAccount, which has no mock"
    with pytest.raises(Exception, match=missing):
        record("unit", program)


def test_a_resource_lives_in_its_providers_region() -> None:
    """The fake cloud answers ARNs in the region of the provider a resource goes through, else the stack's."""

    def program() -> None:
        aws.cloudwatch.LogGroup("here", name="/unit/here")
        aws.cloudwatch.LogGroup(
            "there", name="/unit/there", opts=pulumi.ResourceOptions(provider=aws.Provider("eu", region="eu-west-1"))
        )

    plan = record("unit", program, {"amy:region": "us-east-2"})
    assert plan.one("aws:cloudwatch/logGroup:LogGroup", "here").outputs["arn"] == (
        f"arn:aws:logs:us-east-2:{harness.ACCOUNT_ID}:log-group:/unit/here"
    )
    assert plan.one("aws:cloudwatch/logGroup:LogGroup", "there").outputs["arn"] == (
        f"arn:aws:logs:eu-west-1:{harness.ACCOUNT_ID}:log-group:/unit/there"
    )


def test_a_run_error_keeps_what_was_registered_before_it() -> None:
    def program() -> None:
        aws.s3.Bucket("first")
        raise pulumi.RunError("stop here")

    with pytest.raises(ProgramError) as raised:
        record("unit", program)
    assert str(raised.value) == "stop here"
    assert [r.name for r in raised.value.registrations] == ["first"]


def test_one_names_what_it_did_not_find_exactly_once() -> None:
    plan = record("unit", lambda: [aws.s3.Bucket("first"), aws.s3.Bucket("second")])
    assert plan.one("aws:s3/bucket:Bucket", "first").name == "first"
    with pytest.raises(LookupError, match=r"expected one aws:s3/bucket:Bucket\s+in unit, found 2"):
        plan.one("aws:s3/bucket:Bucket")
    with pytest.raises(LookupError, match=r"expected one aws:s3/bucket:Bucket third in unit, found 0"):
        plan.one("aws:s3/bucket:Bucket", "third")


def test_a_stacks_config_is_the_projects_defaults_under_its_file_and_the_overrides(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: amy\nconfig:\n  layout:\n    type: string\n  minTasks:\n    type: integer\n    default: 2\n"
        "  gunicornWorkers:\n    type: integer\n    default: 3\n"
    )
    (tmp_path / "Pulumi.unit.yaml").write_text(
        "config:\n  amy:layout: ecs\n  amy:minTasks: 1\n  amy:importIds:\n    - database=amy-db\n"
        "  amy:githubToken:\n    secure: AAABAKx0cGVu\n"
    )
    monkeypatch.setattr(harness, "ROOT", tmp_path)
    values, secret_keys = harness.stack_config_values("unit", {"amy:gunicornWorkers": 5, "amy:layout": None})
    # No key of the project is a secret: a `secure:` value is left out, and the program refuses it by name.
    assert values == {"amy:minTasks": "1", "amy:gunicornWorkers": "5", "amy:importIds": '["database=amy-db"]'}
    assert secret_keys == []
    assert harness.known_stacks() == ["unit"]


def test_an_unknown_stack_names_the_stacks_there_are() -> None:
    with pytest.raises(FileNotFoundError) as raised:
        harness.stack_config_values(NO_SUCH_STACK)
    assert str(raised.value) == f"no stack file Pulumi.{NO_SUCH_STACK}.yaml; stacks: {', '.join(harness.known_stacks())}"


def test_what_a_provider_of_another_region_makes_lives_in_that_region() -> None:
    def program() -> None:
        copies = aws.Provider("aws-us-west-2", region="us-west-2")
        aws.backup.Vault("home", name="amy-unit")
        aws.backup.Vault("copy", name="amy-unit", opts=pulumi.ResourceOptions(provider=copies))

    plan = record("unit", program)
    assert plan.one("aws:backup/vault:Vault", "home").outputs["arn"].split(":")[3] == "us-east-1"
    assert plan.one("aws:backup/vault:Vault", "copy").outputs["arn"].split(":")[3] == "us-west-2"


def test_registrations_skip_the_sdks_stack_walk_and_leave_it_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's source positions (a walk of the whole stack per resource) are for the CLI; nothing under the mocks
    reads them, so the harness skips them while it runs a program, and only then."""
    walks: list[int] = []
    original = resource_runtime._get_stack_trace
    walk = traceback.extract_stack
    monkeypatch.setattr(traceback, "extract_stack", lambda *args, **kwargs: walks.append(1) or walk(*args, **kwargs))

    def program() -> None:
        assert resource_runtime._get_stack_trace is not original
        aws.s3.Bucket("walked")

    [bucket] = record("unit", program).registrations
    assert bucket.type == "aws:s3/bucket:Bucket"
    assert walks == []
    assert resource_runtime._get_stack_trace is original
