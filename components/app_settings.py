"""AMY's settings in SSM Parameter Store, where every layout's processes read them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# Operators put these in Parameter Store as SecureString; the program never holds their values.
SECRET_SETTINGS = (
    "AMY_SECRET_KEY",
    "AMY_RECAPTCHA_PRIVATE_KEY",
    "AMY_SOCIAL_AUTH_GITHUB_SECRET",
    "AMY_GITHUB_API_TOKEN",
    "AMY_MAILGUN_API_KEY",
    "AMY_REPORTS_SALT_FRONT",
    "AMY_REPORTS_SALT_BACK",
)
# The database's credentials come from its RDS-managed secret, not from Parameter Store.
DATABASE_CREDENTIALS = ("AMY_DATABASE_USER", "AMY_DATABASE_PASSWORD")
# With DEBUG off AMY refuses to start without these (and the ones this program writes).
REQUIRED_FROM_OPERATORS = (
    "AMY_SECRET_KEY",
    "AMY_SOCIAL_AUTH_GITHUB_KEY",
    "AMY_SOCIAL_AUTH_GITHUB_SECRET",
    "AMY_MAILGUN_API_KEY",
    "AMY_MAILGUN_SENDER_DOMAIN",
    "AMY_REPORTS_SALT_FRONT",
    "AMY_REPORTS_SALT_BACK",
)


@dataclass
class AppSettingsArgs:
    stack: str
    domain: str
    static_domain: str
    database_address: pulumi.Input[str]
    database_port: pulumi.Input[int]
    database_name: str
    # Where RQ finds Redis: the host's own, ElastiCache, or None without RQ.
    redis_url: pulumi.Input[str] | None = None
    email_attachments_bucket: str | None = None
    # Which optional settings (stack_config.settings.OPTIONAL_SETTINGS) the operators have put in Parameter Store.
    optional_settings: tuple[str, ...] = ()


class AppSettings(pulumi.ComponentResource):
    """The settings that follow from the infrastructure, as String parameters under
    `/amy/<stack>/env/`, the path where operators keep the secrets too. Complete when built:
    every setting is an argument, so nothing read from it can miss one added later."""

    path: str
    written: dict[str, aws.ssm.Parameter]
    # The same settings as values, for task definitions' plain environment.
    environment: dict[str, pulumi.Input[str]]

    def __init__(self, name: str, args: AppSettingsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("amy:app:AppSettings", name, None, opts)
        self.path = parameters_path(args.stack)
        self._optional = args.optional_settings
        self.environment = settings(args)
        self.written = {
            key: aws.ssm.Parameter(
                f"{name}-{key}",
                name=f"{self.path}{key}",
                type="String",
                value=value,
                description=f"AMY setting {key}, written by the infrastructure program",
                opts=pulumi.ResourceOptions(parent=self),
            )
            for key, value in self.environment.items()
        }
        self.register_outputs({"path": self.path})

    @property
    def from_operators(self) -> tuple[str, ...]:
        """What operators keep in Parameter Store for AMY: the required settings and the optional ones they
        declared present; a process that references a parameter which does not exist does not start."""
        return tuple(dict.fromkeys((*REQUIRED_FROM_OPERATORS, *self._optional)))

    @property
    def required(self) -> tuple[str, ...]:
        """Every setting AMY must find before it starts."""
        return (*self.written, *DATABASE_CREDENTIALS, *REQUIRED_FROM_OPERATORS)


def settings(args: AppSettingsArgs) -> dict[str, pulumi.Input[str]]:
    """AMY's settings that follow from the infrastructure, by name."""
    values: dict[str, pulumi.Input[str]] = {
        "AMY_DEBUG": "false",
        "AMY_SITE_BANNER": args.stack,
        "AMY_ALLOWED_HOSTS": args.domain,
        "AMY_CSRF_TRUSTED_ORIGINS": f"https://{args.domain}",
        "AMY_STATIC_HOST": f"https://{args.static_domain}",
        "AMY_DATABASE_HOST": args.database_address,
        "AMY_DATABASE_PORT": pulumi.Output.from_input(args.database_port).apply(str),
        "AMY_DATABASE_NAME": args.database_name,
    }
    if args.email_attachments_bucket:
        values["AMY_EMAIL_ATTACHMENTS_S3_BUCKET_NAME"] = args.email_attachments_bucket
    if args.redis_url is not None:
        values["AMY_REDIS_URL"] = args.redis_url
    return values


def parameters_path(stack: str) -> str:
    return f"/amy/{stack}/env/"
