"""The legacy host's alarms: what its metrics, its logs and Route 53's look from outside say when AMY is down or
failing, or its backups or certificate are about to let the operators down."""

from __future__ import annotations

import pulumi

from components.alarms import Alarm

# What the host puts itself (amy-aws put-metric, in the stack's namespace) or a metric filter on its logs makes.
DUMP_SUCCEEDED = "DumpSucceeded"
DEPLOY_FAILED = "DeployFailed"
CERTIFICATE_DAYS_LEFT = "CertificateDaysLeft"
SERVER_ERRORS = "ServerErrors"
# A line of nginx-access.log in the https site's format (combined, then gunicorn's status, quoted) whose last field is
# a 5xx: gunicorn failed (502 when it is down). Space-delimited, a quoted or bracketed part is one field (CloudWatch
# Logs user guide, "Filter pattern syntax"). The maintenance page's 503 has "-" there and is not counted.
SERVER_ERRORS_PATTERN = "[client, ident, user, time, request, status, bytes, referer, agent, upstream_status=5*]"
DAY = 86400
CERTIFICATE_DAYS = 14


def metrics_namespace(stack: str) -> str:
    """The stack's own namespace: the only one its host may put metrics in."""
    return f"AMY/{stack}"


def host_alarms(instance_id: pulumi.Input[str], namespace: str, health_check_id: pulumi.Input[str]) -> list[Alarm]:
    return [
        Alarm(
            "host-status",
            "AWS/EC2",
            "StatusCheckFailed",
            {"InstanceId": instance_id},
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            1,
            2,
            "The host failed its EC2 status checks for 10 minutes: AMY is down; stop and start the instance.",
            missing_data="breaching",
        ),
        Alarm(
            "host-5xx",
            namespace,
            SERVER_ERRORS,
            {},
            "Sum",
            "GreaterThanThreshold",
            10,
            1,
            "gunicorn answered more than 10 server errors in 5 minutes, or was down: read /amy/<stack>/application.",
        ),
        Alarm(
            "host-unreachable",
            "AWS/Route53",
            "HealthCheckStatus",
            {"HealthCheckId": health_check_id},
            "Minimum",
            "LessThanThreshold",
            1,
            3,
            "Route 53's checkers have failed to get https://<domain>/version/ for 15 minutes: AMY is down or unreachable.",
            missing_data="breaching",
            us_east_1=True,
        ),
        Alarm(
            "host-dumps",
            namespace,
            DUMP_SUCCEEDED,
            {},
            "Sum",
            "LessThanThreshold",
            1,
            12,
            "No dump of the database reached the dumps bucket in the last hour: read /amy/<stack>/cron.",
            missing_data="breaching",
        ),
        Alarm(
            "host-deploy-failed",
            namespace,
            DEPLOY_FAILED,
            {},
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            1,
            1,
            "The last deploy failed and left the site in maintenance: read /amy/<stack>/deploy.",
            # Until the next deploy succeeds (it puts 0), whatever time passes.
            missing_data="ignore",
        ),
        Alarm(
            "host-certificate",
            namespace,
            CERTIFICATE_DAYS_LEFT,
            {},
            "Minimum",
            "LessThanThreshold",
            CERTIFICATE_DAYS,
            1,
            f"The site's certificate expires within {CERTIFICATE_DAYS} days, or the host has not said for a day: "
            "certbot did not renew it; read /amy/<stack>/certbot.",
            missing_data="breaching",
            period=DAY,
        ),
    ]
