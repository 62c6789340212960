"""host.env, which root's scripts `source`: whatever a value holds, bash reads it back as it is and runs none of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.legacy_host.files import TEMPLATES, HostLayout, HostSettings, render
from components.logs import HOST_SOURCES
from tests.components.legacy_host.support import by_path, sourced

pytestmark = pytest.mark.system


def hostile(marker: Path) -> HostSettings:
    """Settings whose every string tries to run `touch marker` or to add a variable, as an unchecked stack file could."""
    run_it = f"$(touch${{IFS}}{marker})"
    return HostSettings(
        stack=f"prod`touch {marker}`",
        region=f"us-east-1\nAMY_APP_DIR=/tmp/{run_it}",
        domain=f"amy.example.org;touch {marker}",
        repository=f"https://example.org/amy.git' ; touch {marker}; echo '",
        gunicorn_workers=3,
        certbot_email=f"a{run_it}@x.org",
        acme_directory=f'https://acme.example.org/dir"$(touch {marker})"',
        parameters_path="/amy/x/env/ ${HOME} $0 \\ \\n",
        database_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0123",
        app_database_secret_arn=f"arn:aws:secretsmanager:us-east-1:123456789012:secret:amy-x/database/app'{run_it}",
        dumps_bucket=f"bucket\n{run_it}",
        keep_release_dumps=5,
        metrics_namespace=f"AMY/{run_it}",
        log_groups={source: f"/amy/x/{source}" for source in HOST_SOURCES},
        rq_workers=False,
        required_settings=("AMY_SECRET_KEY", f"AMY_X'{run_it}'"),
        layout=HostLayout.for_domain(f"amy.example.org&&touch {marker}"),
        python_downloads=f"https://mirror.example.org/$(touch {marker})",
        rds_ca_bundle_url="https://example.org/ca.pem'\n",
        cloudwatch_agent_url=f"https://example.org/agent.deb;touch {marker}",
        npm_registry=f"https://registry.example.org/`touch {marker}`",
    )


def test_hostile_values_read_back_exactly_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    settings = hostile(marker)
    host_env = tmp_path / "host.env"
    host_env.write_text(by_path(render(settings))["/etc/amy/host.env"].content)
    expected = {
        "AMY_STACK": settings.stack,
        "AMY_DOMAIN": settings.domain,
        "AMY_APP_DIR": settings.layout.app_dir,
        "AMY_REPOSITORY": settings.repository,
        "AMY_PARAMETERS_PATH": settings.parameters_path,
        "AMY_DATABASE_SECRET_ARN": settings.database_secret_arn,
        "AMY_APP_DATABASE_LOGIN_ARN": settings.app_database_secret_arn,
        "AMY_DUMPS_BUCKET": settings.dumps_bucket,
        "AMY_CERTBOT_EMAIL": settings.certbot_email,
        "AMY_ACME_DIRECTORY": settings.acme_directory,
        "AMY_REQUIRED_SETTINGS": ",".join(settings.required_settings),
        "AWS_DEFAULT_REGION": settings.region,
        "AMY_METRICS_NAMESPACE": settings.metrics_namespace,
        "UV_PYTHON_INSTALL_MIRROR": settings.python_downloads,
        "AMY_RDS_CA_BUNDLE_URL": settings.rds_ca_bundle_url,
        "AMY_CLOUDWATCH_AGENT_URL": settings.cloudwatch_agent_url,
        "npm_config_registry": settings.npm_registry,
    }
    # The region's newline does not start an assignment of its own: AMY_APP_DIR is still the layout's.
    assert sourced(host_env, expected) == expected
    assert not marker.exists()


def test_every_value_of_the_template_is_quoted() -> None:
    """A key added later is quoted too, whatever its value is today."""
    template = (TEMPLATES / "host.env.j2").read_text()
    values = re.findall(r"^[A-Za-z_]+=(.*)$", template, re.MULTILINE)
    assert values
    assert [value for value in values if not re.fullmatch(r"\{\{ .* \| shell_quote \}\}", value)] == []
