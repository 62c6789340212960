"""The legacy host's alarms: what its metrics say when AMY is down or failing."""

from __future__ import annotations

import pulumi

from components.alarms import Alarm


def host_alarms(instance_id: pulumi.Input[str]) -> list[Alarm]:
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
        )
    ]
