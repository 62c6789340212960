"""Validation of request parameters against botocore's AWS service models."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.validate import ParamValidator


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def request_errors(service: str, operation: str, params: dict[str, Any]) -> str:
    """What botocore's model says is wrong with `params` for `operation`, or '' if nothing."""
    shape = _session().get_service_model(service).operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""
