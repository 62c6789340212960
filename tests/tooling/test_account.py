"""The model of one AWS account holding every stack: collisions between stacks and between a stack's layouts, names
AWS would refuse, and resource types nobody has told it about."""

from __future__ import annotations

import inspect
import pickle
import re
from collections.abc import Callable
from functools import cache

import pulumi
import pulumi_aws as aws
import pytest

from stack_config.web import moved_to_ecs
from tests.stacks import STACKS, config_of, planned
from tooling import account
from tooling.account import RULES, Name, Report, Rule, Variant
from tooling.harness import Plan, record, run

GITHUB_OIDC = "https://token.actions.githubusercontent.com"
RELEASE_SNAPSHOT = "v4-7-2-2026-01-15"


def in_region(region: str = "us-east-1") -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=aws.Provider(f"aws-{region}", region=region))


def plan_of(stack: str, program: Callable[[], object]) -> Plan:
    return record(stack, program)


def check(**plans: Plan) -> Report:
    """The account holding the plans, labelled by keyword (a stack's variants share its stack name)."""
    return account.check(plans)


@cache
def account_plans() -> dict[str, Plan]:
    """Every committed stack, and each legacy one on ecs, as `bin/plan` plans them."""
    return {
        label: run(variant.stack, variant.overrides) if variant.overrides else planned(variant.stack)
        for label, variant in account.variants().items()
    }


def test_every_stack_and_every_move_to_ecs_fit_in_one_account() -> None:
    report = account.check(account_plans())
    assert report.ok, "\n".join(report.lines())


def test_every_type_the_stacks_use_has_a_rule() -> None:
    assert account.check(account_plans()).unmodelled == ()


def test_the_account_holds_each_stack_and_each_legacy_stack_moved_to_ecs() -> None:
    variants = account.variants()
    expected = {stack: Variant(stack, {}) for stack in STACKS}
    for stack in STACKS:
        if config_of(stack).layout == "legacy":
            expected[f"{stack} on ecs"] = Variant(stack, moved_to_ecs(config_of(stack).cache_mode == "local"))
    assert variants == expected
    # A move plans: the host's keys go with the host.
    account.plan_variants({label: variants[label] for label in variants if label.endswith(" on ecs")})


def test_a_variant_the_program_refuses_is_named() -> None:
    with pytest.raises(account.AccountError, match=r"^testing with short logs: stack 'testing': 1 configuration problem"):
        account.plan_variants({"testing with short logs": Variant("testing", {"amy:logRetentionDays": "2"})})


# Today's faults, built as the program builds them, so these keep proving the model after the program is fixed.


def test_two_stacks_each_creating_the_github_oidc_provider_collide() -> None:
    def oidc(stack: str) -> Plan:
        return plan_of(
            stack,
            lambda: aws.iam.OpenIdConnectProvider(
                f"amy-{stack}-github-oidc", url=GITHUB_OIDC, client_id_lists=["sts.amazonaws.com"], opts=in_region()
            ),
        )

    report = check(production=oidc("production"), testing=oidc("testing"))
    [collision] = report.collisions
    assert collision.identity == f"IAM OIDC provider {GITHUB_OIDC}"
    assert [(c.stack, c.name, c.type) for c in collision.claimants] == [
        ("production", "amy-production-github-oidc", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
        ("testing", "amy-testing-github-oidc", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
    ]
    assert str(collision).startswith(f"collision: IAM OIDC provider {GITHUB_OIDC}: ")


def test_two_stacks_taking_one_release_snapshot_id_collide() -> None:
    def release_snapshot(stack: str) -> Plan:
        return plan_of(
            stack,
            lambda: aws.rds.Snapshot(
                f"amy-{stack}-db-release-v4-7-2",
                db_instance_identifier=f"amy-{stack}",
                db_snapshot_identifier=RELEASE_SNAPSHOT,
                opts=in_region(),
            ),
        )

    [collision] = check(production=release_snapshot("production"), testing=release_snapshot("testing")).collisions
    assert collision.identity == f"RDS snapshot {RELEASE_SNAPSHOT} in us-east-1"
    assert {c.stack for c in collision.claimants} == {"production", "testing"}


def test_production_on_ecs_would_generate_load_balancer_names_over_32_characters() -> None:
    def web_tier() -> None:
        opts = in_region()
        aws.lb.LoadBalancer("amy-production-service-alb", opts=opts)
        aws.lb.TargetGroup("amy-production-service-web", port=80, protocol="HTTP", vpc_id="vpc-0", opts=opts)

    report = check(**{"production on ecs": plan_of("production", web_tier)})
    assert [(b.what, b.name, b.generated) for b in report.over_long] == [
        ("load balancer", "amy-production-service-alb-xxxxxxx", True),
        ("target group", "amy-production-service-web-xxxxxxx", True),
    ]
    assert all("is 34 characters, over the limit of 32" in b.problem for b in report.over_long)


# AWS's rules, on registrations built for the purpose.


def test_a_global_name_collides_across_regions_and_a_regional_one_does_not() -> None:
    def stack_in(region: str) -> Callable[[], object]:
        def program() -> None:
            opts = in_region(region)
            aws.s3.Bucket("dumps", bucket="amy-dumps", opts=opts)
            aws.cloudwatch.LogGroup("web", name="/amy/web", opts=opts)

        return program

    report = check(east=plan_of("east", stack_in("us-east-1")), west=plan_of("west", stack_in("eu-west-1")))
    assert [c.identity for c in report.collisions] == ["S3 bucket amy-dumps"]
    assert report.identities == 3


def test_the_same_stack_under_two_urns_collides_across_its_variants() -> None:
    """Pulumi creates the new resource before it deletes the old one, so both names exist at once."""

    def role(logical_name: str) -> Callable[[], object]:
        return lambda: aws.iam.Role(logical_name, name="amy-deploy", assume_role_policy="{}", opts=in_region())

    report = check(
        **{"production": plan_of("production", role("host-role")), "production on ecs": plan_of("production", role("task-role"))}
    )
    [collision] = report.collisions
    assert collision.identity == "IAM role amy-deploy"
    assert [(c.name, c.variants) for c in collision.claimants] == [
        ("host-role", ("production",)),
        ("task-role", ("production on ecs",)),
    ]


def test_one_resource_in_two_variants_of_its_stack_is_one_claim() -> None:
    def program() -> None:
        aws.iam.Role("deploy", name="amy-deploy", assume_role_policy="{}", opts=in_region())

    report = check(**{"production": plan_of("production", program), "production on ecs": plan_of("production", program)})
    assert report.ok
    assert report.identities == 1


def test_names_pulumi_generates_never_collide() -> None:
    def program() -> None:
        aws.iam.Role("deploy", assume_role_policy="{}", opts=in_region())

    assert check(production=plan_of("production", program), testing=plan_of("testing", program)).collisions == ()


def test_names_unique_within_a_parent_collide_only_in_the_same_parent() -> None:
    def program() -> None:
        opts = in_region()
        first = aws.iam.Role("first", assume_role_policy="{}", opts=opts)
        second = aws.iam.Role("second", assume_role_policy="{}", opts=opts)
        aws.iam.RolePolicy("first-app", role=first.id, name="app", policy="{}", opts=opts)
        aws.iam.RolePolicy("second-app", role=second.id, name="app", policy="{}", opts=opts)
        aws.iam.RolePolicy("second-again", role=second.name, name="app", policy="{}", opts=opts)

    [collision] = check(production=plan_of("production", program)).collisions
    assert collision.identity.startswith("IAM inline policy app within second-")
    assert [c.name for c in collision.claimants] == ["second-again", "second-app"]


def test_an_autonamed_load_balancer_is_over_long_when_its_logical_name_is_over_24_characters() -> None:
    def program() -> None:
        opts = in_region()
        aws.lb.LoadBalancer("x" * 24, opts=opts)
        aws.lb.LoadBalancer("y" * 25, opts=opts)

    [over_long] = check(production=plan_of("production", program)).over_long
    assert (over_long.name, over_long.generated) == ("y" * 25 + "-xxxxxxx", True)
    assert over_long.problem == "is 33 characters, over the limit of 32"


def test_a_role_name_with_a_space_is_malformed() -> None:
    def program() -> None:
        aws.iam.Role("deploy", name="amy deploy", assume_role_policy="{}", opts=in_region())

    report = check(production=plan_of("production", program))
    [malformed] = report.malformed
    assert (malformed.what, malformed.name, malformed.generated) == ("IAM role", "amy deploy", False)
    assert malformed.problem == r"does not match [\w+=,.@-]+"
    assert not report.ok


def test_a_forbidden_form_is_malformed() -> None:
    def program() -> None:
        aws.lb.LoadBalancer("lb", name="internal-web", opts=in_region())

    [malformed] = check(production=plan_of("production", program)).malformed
    assert malformed.problem == "matches ^internal-, which AWS refuses"


def test_a_name_the_program_must_set_and_does_not_is_malformed() -> None:
    def program() -> None:
        aws.ecs.TaskDefinition("web", family="", container_definitions="[]", opts=in_region())

    [malformed] = check(production=plan_of("production", program)).malformed
    assert (malformed.what, malformed.problem) == ("ECS task definition family", "is unset, and pulumi-aws does not generate it")
    assert str(malformed).startswith("ECS task definition family is unset, and pulumi-aws does not generate it: ")


def test_a_type_without_a_rule_is_reported() -> None:
    def program() -> None:
        aws.sqs.Queue("jobs", opts=in_region())

    report = check(production=plan_of("production", program))
    [unmodelled] = report.unmodelled
    assert (unmodelled.type, unmodelled.example.name) == ("aws:sqs/queue:Queue", "jobs")
    assert not report.ok
    assert (
        report.lines()[0] == "account: 0 identities, 0 collisions, 0 over-long names, 0 malformed names, 1 types without a rule"
    )


def test_the_report_is_one_summary_line_then_one_line_per_problem() -> None:
    def program() -> None:
        opts = in_region()
        aws.iam.Role("deploy", name="amy deploy", assume_role_policy="{}", opts=opts)
        aws.lb.LoadBalancer("a-load-balancer-named-at-length", opts=opts)

    lines = check(production=plan_of("production", program)).lines()
    assert lines[0] == "account: 2 identities, 0 collisions, 1 over-long names, 1 malformed names"
    assert [line.split(":")[0] for line in lines[1:]] == ["  over-long", "  malformed"]


# The rule table itself.


def test_botocore_gives_its_limits() -> None:
    role = account.limits(Rule("iam CreateRole RoleName"))
    assert (role.min, role.max, [p.pattern for p in role.patterns]) == (1, 64, [r"[\w+=,.@-]+"])
    # A pattern that carries its length gives it as min and max.
    vault = account.limits(Rule("backup CreateBackupVault BackupVaultName"))
    assert (vault.min, vault.max, [p.pattern for p in vault.patterns]) == (2, 50, [r"[a-zA-Z0-9\-\_]+"])
    # Through a list of targets.
    assert account.limits(Rule("events PutTargets Targets Id")).max == 64


def test_a_hand_written_limit_overrides_botocore() -> None:
    assert account.limits(Rule("ssm PutParameter Name")).max == 2048
    assert account.limits(Rule("ssm PutParameter Name", max=1011)).max == 1011


def test_every_rule_reads_and_what_one_process_reads_another_can_use(monkeypatch: pytest.MonkeyPatch) -> None:
    known = account.read_limits()
    role = Rule("iam CreateRole RoleName")
    assert known[role].max == 64
    # bin/plan reads them in a process of its own and sends them over a pipe, pickled.
    sent = pickle.loads(pickle.dumps(known))
    monkeypatch.setattr(account, "_LIMITS", {})
    monkeypatch.setattr(account, "_read_limits", lambda rule: pytest.fail(f"{rule} read again"))
    account.learn(sent)
    assert account.limits(role) == known[role]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("type_", sorted(t for t, entry in RULES.items() if isinstance(entry, tuple)))
def test_each_rule_reads_inputs_the_type_has(type_: str) -> None:
    entry = RULES[type_]
    assert isinstance(entry, tuple)
    inputs = set(inspect.signature(account.sdk_class(type_)._internal_init).parameters)  # type: ignore[attr-defined]
    for name in entry:
        assert isinstance(name, Name)
        assert {_snake(name.input), *(_snake(w.input) for w in name.within)} <= inputs
