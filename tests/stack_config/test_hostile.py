"""Values an operator mistypes or an attacker writes: each refused cleanly, naming the key, what is allowed and what
was given (cut short), with no traceback; and valid but unusual stacks that must still plan."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import stack_config
from stack_config.reader import MAX_PROBLEMS_SHOWN, MAX_VALUE_LENGTH
from tests.stack_config.support import BASE_STACK, loaded, problems
from tooling import harness
from tooling import plan as plan_command


def refused(expected: str, **overrides: Any) -> list[str]:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found
    return found


# Strings: whole values only, printable ASCII only, bounded.
STRING_CASES = [
    ("zone id ending in a newline", {"zoneId": "Z06153042KQ9ITN8V4BWW\n"}, "amy:zoneId must be printable ASCII text"),
    ("e-mail ending in a newline", {"alarmEmail": "team@carpentries.org\n"}, "amy:alarmEmail must be printable ASCII text"),
    ("domain ending in a newline", {"domain": "amy.carpentries.org\n"}, "amy:domain must be printable ASCII text"),
    ("zero-width space in an e-mail", {"alarmEmail": "team@carpen\u200btries.org"}, "amy:alarmEmail must be printable ASCII"),
    ("zero-width space in a domain", {"staticDomain": "amy-static.carpentries\u200b.org"}, "amy:staticDomain must be printable"),
    ("a Cyrillic lookalike in a domain", {"domain": "аmy.carpentries.org"}, "amy:domain must be printable ASCII text"),
    ("NUL in a version", {"appVersion": "v4.7.2\x00"}, "amy:appVersion must be printable ASCII text"),
    ("superscript digits", {"gunicornWorkers": "²"}, "amy:gunicornWorkers must be printable ASCII text"),
    ("Arabic-Indic digits", {"dbAllocatedStorageGb": "٥٠"}, "amy:dbAllocatedStorageGb must be printable ASCII text"),
    ("full-width digits", {"gunicornWorkers": "３"}, "amy:gunicornWorkers must be printable ASCII text"),
    ("an integer of thousands of digits", {"dbAllocatedStorageGb": "9" * 5000}, "amy:dbAllocatedStorageGb is 5000 characters"),
    ("an integer of 13 digits", {"dbAllocatedStorageGb": "1" * 13}, "amy:dbAllocatedStorageGb must be an integer"),
    ("an integer with underscores", {"gunicornWorkers": "1_0"}, "amy:gunicornWorkers must be an integer, got '1_0'"),
    ("a float where an integer belongs", {"gunicornWorkers": "2.0"}, "amy:gunicornWorkers must be an integer, got '2.0'"),
    ("command substitution in an e-mail", {"certbotEmail": "a$(touch${IFS}/tmp/x)@x.org"}, "amy:certbotEmail must be"),
    ("backticks in an e-mail", {"alarmEmail": "a`id`@x.org"}, "amy:alarmEmail must be an e-mail address"),
    ("a semicolon in a domain", {"domain": "amy.carpentries.org;reboot"}, "amy:domain must be a lower-case DNS name"),
    ("a quote in a URL", {"acmeDirectory": "https://acme.example.org/'dir'"}, "amy:acmeDirectory must be an https:// URL"),
    ("a space in a repository URL", {"appRepository": "https://github.com/a b.git"}, "amy:appRepository must be an https:// URL"),
    ("a version with a 7-digit part", {"appVersion": "v4.7.2000000"}, "amy:appVersion must be a release tag like v4.7.2"),
    ("a version with a suffix", {"appVersion": "v4.7.2-rc1"}, "amy:appVersion must be a release tag like v4.7.2"),
]


@pytest.mark.parametrize(("overrides", "expected"), [case[1:] for case in STRING_CASES], ids=[case[0] for case in STRING_CASES])
def test_strings_are_whole_printable_ascii_and_bounded(overrides: dict[str, Any], expected: str) -> None:
    refused(expected, **overrides)


def test_a_huge_value_is_refused_without_being_echoed() -> None:
    [problem] = [p for p in problems(domain="a" * 100_000) if p.startswith("amy:domain")]
    assert problem == f"amy:domain is 100000 characters long; no setting takes more than {MAX_VALUE_LENGTH}"


def test_a_long_bad_value_is_quoted_cut_short() -> None:
    [problem] = [p for p in problems(domain="x" * 500 + ".") if p.startswith("amy:domain")]
    assert problem.endswith("… (501 characters)")
    assert len(problem) < 200


def test_an_invisible_character_is_named_where_it_is() -> None:
    [problem] = [p for p in problems(alarmEmail="team@carpen\u200btries.org") if p.startswith("amy:alarmEmail")]
    assert problem.endswith("with ZERO WIDTH SPACE (U+200B) at 11")


# Values AWS would refuse half-way through an update.
AWS_CASES = [
    ("a region that does not exist", {"region": "us-north-1"}, "amy:region must be an AWS region (botocore lists"),
    ("a region misspelt", {"region": "us-east1"}, "amy:region must be an AWS region"),
    ("an availability zone letter form region", {"region": "us-east-1a"}, "amy:region must be an AWS region"),
    (
        "an instance type that does not exist",
        {"hostInstanceType": "t3.9xlarge"},
        "amy:hostInstanceType is not an EC2 instance type",
    ),
    ("an instance type of an Arm family", {"hostInstanceType": "t4g.medium"}, "amy:hostInstanceType must be an x86_64 type"),
    (
        "an RDS size its family lacks",
        {"dbInstanceClass": "db.m5.3xlarge"},
        "amy:dbInstanceClass names a size its family does not have",
    ),
    ("an RDS class too small", {"dbInstanceClass": "db.t4g.micro"}, "amy:dbInstanceClass must be an RDS class"),
    ("an RDS size that is zero", {"dbInstanceClass": "db.r6g.0xlarge"}, "amy:dbInstanceClass names a size its family"),
    (
        "an ElastiCache size its family lacks",
        {
            "layout": "ecs",
            "cacheMode": "elasticache",
            "appVersion": "v4.6.3",
            "cacheNodeType": "cache.t4g.9xlarge",
            "hostInstanceType": None,
            "certbotEmail": None,
        },
        "amy:cacheNodeType names a size its family does not have",
    ),
    (
        "a reserved word as the master user",
        {"dbMasterUsername": "user"},
        "amy:dbMasterUsername is a name PostgreSQL or RDS reserves",
    ),
    ("another reserved word", {"dbMasterUsername": "select"}, "amy:dbMasterUsername is a name PostgreSQL or RDS reserves"),
    ("RDS's own admin role", {"dbMasterUsername": "rdsadmin"}, "amy:dbMasterUsername is a name PostgreSQL or RDS reserves"),
    ("an rds_ role", {"dbMasterUsername": "rds_superuser"}, "amy:dbMasterUsername is a name PostgreSQL or RDS reserves"),
    (
        "a master user of 17 characters",
        {"dbMasterUsername": "a" * 17},
        "amy:dbMasterUsername must be a PostgreSQL role name of 1-16",
    ),
    (
        "a master user with a leading underscore",
        {"dbMasterUsername": "_amy"},
        "amy:dbMasterUsername must be a PostgreSQL role name",
    ),
    ("a master user in capitals", {"dbMasterUsername": "Amy"}, "amy:dbMasterUsername must be a PostgreSQL role name"),
    ("a VPC range in netmask form", {"vpcCidr": "10.0.0.0/255.255.0.0"}, "amy:vpcCidr must be an IPv4 network like 10.0.0.0/16"),
    ("a VPC range with host bits", {"vpcCidr": "10.0.0.1/16"}, "amy:vpcCidr must be an IPv4 network like 10.0.0.0/16"),
    ("a VPC range without a prefix", {"vpcCidr": "10.0.0.0"}, "amy:vpcCidr must be an IPv4 network like 10.0.0.0/16"),
    ("an IPv6 VPC range", {"vpcCidr": "fd00::/56"}, "amy:vpcCidr must be an IPv4 network like 10.0.0.0/16"),
    (
        "an engine version with a leading zero",
        {"dbEngineVersion": "016"},
        "amy:dbEngineVersion must be a PostgreSQL major version",
    ),
    (
        "a GitHub environment without a repository",
        {"githubRepository": None, "githubOidcProviderOwner": False, "githubEnvironment": "production"},
        "amy:githubEnvironment needs amy:githubRepository",
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), [case[1:] for case in AWS_CASES], ids=[case[0] for case in AWS_CASES])
def test_values_aws_would_refuse_are_refused_before_the_update(overrides: dict[str, Any], expected: str) -> None:
    refused(expected, **overrides)


# Keys that would do nothing in this stack.
LAYOUT_CASES = [
    ("a service key on a legacy stack", {"layout": "legacy", "taskCpu": 1024}, "amy:taskCpu applies only with layout ecs"),
    ("maintenance on a legacy stack", {"layout": "legacy", "maintenance": True}, "amy:maintenance applies only with layout ecs"),
    (
        "a host key on an ecs stack",
        "testing",
        {"hostInstanceType": "t3.large"},
        "amy:hostInstanceType applies only with layout legacy",
    ),
    (
        "certbot on an ecs stack",
        "testing",
        {"certbotEmail": "ops@example.org"},
        "amy:certbotEmail applies only with layout legacy",
    ),
    (
        "Session Manager preferences on an ecs stack",
        "testing",
        {"sessionManagerPreferences": True},
        "amy:sessionManagerPreferences applies only with layout legacy",
    ),
    (
        "a Redis size without ElastiCache",
        "testing",
        {"cacheNodeType": "cache.t4g.medium"},
        "amy:cacheNodeType applies only with cacheMode elasticache",
    ),
]


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=[case[0] for case in LAYOUT_CASES])
def test_keys_of_another_layout_are_refused(case: tuple[Any, ...]) -> None:
    *stack, overrides, expected = case[1:]
    found = problems_explicit(stack[0] if stack else BASE_STACK, overrides)
    assert any(problem.startswith(expected) for problem in found), found


def problems_explicit(stack: str, overrides: dict[str, Any]) -> list[str]:
    """`load` with the overrides counted as set by the stack file, as from_pulumi counts what differs from defaults."""
    values, _ = harness.stack_config_values(stack, {f"amy:{key}": value for key, value in overrides.items()})
    with pytest.raises(stack_config.StackConfigError) as raised:
        stack_config.load(stack, values, explicit=[f"amy:{key}" for key in overrides])
    return raised.value.problems


# The refusal as the operator sees it: bin/plan on a bad stack file.
@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's files the program reads, which the plan runs from."""
    for name in ("Pulumi.yaml", "__main__.py", f"Pulumi.{BASE_STACK}.yaml"):
        shutil.copy(harness.ROOT / name, tmp_path / name)
    monkeypatch.setattr(harness, "ROOT", tmp_path)
    monkeypatch.setattr(stack_config, "PROJECT_DIR", tmp_path)
    return tmp_path


PLAN_CASES = [
    ("a list", "- config\n", "Pulumi.production.yaml must be a mapping"),
    ("a duplicate key", None, "key 'amy:dbMultiAz' appears twice"),
    ("an unprefixed key", "config:\n  layout: legacy\n", "key 'layout' has no namespace"),
    ("hostile e-mail", {"amy:certbotEmail": "a$(touch${IFS}/tmp/x)@x.org"}, "amy:certbotEmail must be"),
    ("a huge integer", {"amy:dbAllocatedStorageGb": "9" * 5000}, "amy:dbAllocatedStorageGb is 5000 characters"),
    ("a secure value", {"amy:domain": {"secure": "AAABAA=="}}, "amy:domain is given as a secret"),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in PLAN_CASES], ids=[case[0] for case in PLAN_CASES])
def test_the_plan_refuses_in_one_screen_naming_the_key(
    project: Path, capsys: pytest.CaptureFixture[str], change: Any, expected: str
) -> None:
    path = project / f"Pulumi.{BASE_STACK}.yaml"
    text = path.read_text()
    if change is None:
        text = text.replace("config:\n", "config:\n  amy:dbMultiAz: false\n", 1)
    elif isinstance(change, str):
        text = change
    else:
        document = yaml.safe_load(text)
        document["config"].update(change)
        text = yaml.safe_dump(document)
    path.write_text(text)
    assert plan_command.main([BASE_STACK]) == 1
    out, err = capsys.readouterr()
    assert expected in err
    assert "Traceback" not in out + err
    assert len(err.splitlines()) <= 30


def test_many_problems_still_fit_one_screen() -> None:
    overrides = {key: "x" * 3 for key in ("minTasks", "maxTasks", "keepImages", "taskCpu", "taskMemory")}
    overrides |= {
        f"{key}": "nope" for key in ("dbMultiAz", "dbDeletionProtection", "backupRestoreTesting", "protectStatefulResources")
    }
    overrides |= {f"colour{index}": "blue" for index in range(30)}
    with pytest.raises(stack_config.StackConfigError) as raised:
        loaded(**overrides)
    message = str(raised.value).splitlines()
    assert len(raised.value.problems) > MAX_PROBLEMS_SHOWN
    assert len(message) == MAX_PROBLEMS_SHOWN + 2
    assert message[-1].startswith(f"  … and {len(raised.value.problems) - MAX_PROBLEMS_SHOWN} more")
