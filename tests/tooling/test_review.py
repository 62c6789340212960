"""The review of a change: what it creates, updates, replaces or deletes, by the provider's own rules, with data at
risk called out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stack_config.web import HOST_KEYS
from tests.stacks import STACKS, config_of, planned
from tooling.harness import ROOT, Plan, run
from tooling.review import HOLDS_DATA, OTHER_PROVIDERS, replacements, review


def as_json(plan: Plan) -> dict[str, Any]:
    return json.loads(json.dumps(plan.as_json()))


def changed(stack: str, overrides: dict[str, Any]) -> Any:
    return review(stack, "the committed stack", as_json(planned(stack)), as_json(run(stack, overrides)))


def test_a_new_master_user_replaces_the_database_by_the_providers_rule_and_puts_data_at_risk() -> None:
    result = changed("production", {"amy:dbMasterUsername": "amy_admin"})
    [database] = [c for c in result.changes if c.type == "aws:rds/instance:Instance"]
    assert database.kind == "replace"
    assert [c.path for c in database.inputs if c.replaces] == ["username"]
    assert database.risk.startswith("replacing the database and its automated backups")
    assert "a protected resource" in database.risk
    assert result.at_risk
    assert "username" in replacements()["aws:rds/instance:Instance"]["replaceOnChange"]


def test_a_new_identifier_renames_the_database_in_place_but_replaces_its_log_groups() -> None:
    """identifier is not ForceNew (RDS renames in place); the RDS log groups are named after it, and name is."""
    result = changed("production", {"amy:dbIdentifier": "amy-prod"})
    kinds = {(c.type, c.name): c.kind for c in result.changes}
    assert kinds[("aws:rds/instance:Instance", "amy-production-db-instance")] == "update"
    log_groups = [c for c in result.changes if c.type == "aws:cloudwatch/logGroup:LogGroup"]
    assert {c.kind for c in log_groups} == {"replace"} and len(log_groups) == 2
    assert all(c.risk for c in log_groups)


def test_a_new_log_retention_updates_the_log_groups_only(stack: str) -> None:
    days = 400 if config_of(stack).log_retention_days != 400 else 545
    result = changed(stack, {"amy:logRetentionDays": days})
    assert result.at_risk == []
    assert {c.kind for c in result.changes} == {"update"}
    log_groups = {c.type for c in result.changes} - {"aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"}
    assert log_groups == {"aws:cloudwatch/logGroup:LogGroup"}


def test_a_new_region_replaces_everything_its_provider_manages() -> None:
    result = changed("testing", {"amy:region": "eu-west-1", "amy:availabilityZones": ["eu-west-1a", "eu-west-1b"]})
    database = next(c for c in result.changes if c.type == "aws:rds/instance:Instance")
    assert database.kind == "replace" and database.risk
    assert any(c.path == "(provider)" for c in database.inputs)


def test_secret_inputs_are_masked() -> None:
    result = changed("production", {"amy:appVersion": "v4.7.1"})
    parameters = [c for c in result.changes if c.type == "aws:ssm/parameter:Parameter"]
    for change in parameters:
        assert all(c.old == "[secret]" and c.new == "[secret]" for c in change.inputs if c.path == "value")


@pytest.mark.parametrize("stack", [s for s in STACKS if config_of(s).layout == "legacy"])
def test_moving_to_ecs_deletes_the_host_keeps_the_data_and_flags_only_the_hosts_backup_selection(stack: str) -> None:
    """What the layout-move runbook says: the host and what only it uses go, nothing that holds data does, except
    the host's own place in the backup plan, which goes with the host."""
    moved = {"amy:layout": "ecs", "amy:cacheMode": "none", **{f"amy:{key}": None for key in HOST_KEYS}}
    result = changed(stack, moved)
    deleted = {c.type for c in result.changes if c.kind == "delete"}
    assert "aws:ec2/instance:Instance" in deleted
    assert not [c for c in result.changes if c.kind == "replace"]
    at_risk = [(c.type, c.name) for c in result.at_risk]
    assert at_risk == [("aws:backup/selection:Selection", f"{config_of(stack).name_prefix}-host-backup")]


def test_every_type_the_program_uses_has_its_replacement_rules(stack_plan: Plan) -> None:
    """A type the table lacks would be reviewed without knowing what replaces it: the review refuses it."""
    variants = [
        stack_plan,
        run(
            stack_plan.stack,
            {
                "amy:cacheMode": "elasticache",
                "amy:appVersion": "v4.6.3",
                "amy:layout": "ecs",
                "amy:cloudTrail": True,
                **{f"amy:{k}": None for k in HOST_KEYS},
            },
        ),
    ]
    for plan in variants:
        custom = {r.type for r in plan.registrations if r.custom}
        assert custom <= replacements().keys() | OTHER_PROVIDERS.keys(), custom - replacements().keys()


def test_a_type_missing_from_the_table_is_refused() -> None:
    before = {"resources": []}
    resource = {"urn": "u", "type": "aws:foo/bar:Bar", "name": "x", "custom": True, "inputs": {"a": 1}, "options": {}}
    with pytest.raises(KeyError, match=r"aws:foo/bar:Bar is not in aws-replacements\.json"):
        review("unit", "x", {"resources": [resource]}, {"resources": [{**resource, "inputs": {"a": 2}}]})
    assert review("unit", "x", before, before).changes == []


def test_every_type_that_holds_data_is_in_the_table() -> None:
    assert set(HOLDS_DATA) <= replacements().keys()


@pytest.mark.parametrize(
    ("overrides", "database"),
    [
        ({"amy:region": "us-east-2", "amy:availabilityZones": ["us-east-2a", "us-east-2b"]}, "replace"),
        ({"amy:dbMasterUsername": "amy_owner"}, "replace"),
        ({"amy:dbIdentifier": "amy-prod"}, "update"),
        ({"amy:dbEngineVersion": "17"}, "update"),
    ],
)
def test_the_readme_says_what_each_database_setting_does(overrides: dict[str, Any], database: str) -> None:
    """README's paragraph on the settings that replace the database follows the replacement table."""
    result = changed("production", overrides)
    assert next(c.kind for c in result.changes if c.type == "aws:rds/instance:Instance") == database
    readme = (ROOT / "README.md").read_text()
    key = next(iter(overrides)).removeprefix("amy:")
    sentence = next(line for line in readme.split(".") if f"`{key}`" in line and "database" in readme)
    assert sentence
    if database == "replace":
        assert f"`{key}`" in readme.split("Settings that replace the database if changed", 1)[1].split("renames", 1)[0]
