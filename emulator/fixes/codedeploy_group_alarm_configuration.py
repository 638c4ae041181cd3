"""CodeDeploy: GetDeploymentGroup answers the group's alarm configuration.

AWS keeps the ``alarmConfiguration`` that CreateDeploymentGroup or
UpdateDeploymentGroup set (``enabled``, ``ignorePollAlarmFailure``, ``alarms``
as ``[{"name": ...}]``) and GetDeploymentGroup answers it; a group created
without one answers it disabled with no alarms. moto stores it but answers
``{}`` whatever was set, so a module comparing alarms sees a difference on
every run.
"""

from __future__ import annotations

import functools

DISABLED = {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}


def apply(options) -> None:
    from moto.codedeploy import responses

    group_info = responses._deployment_group_info

    @functools.wraps(group_info)
    def group_info_with_alarms(group):
        configuration = group.alarm_configuration
        if not isinstance(configuration, dict):  # None, or moto's unused AlarmConfiguration model
            configuration = {}
        answer = {
            "enabled": bool(configuration.get("enabled", False)),
            "ignorePollAlarmFailure": bool(configuration.get("ignorePollAlarmFailure", False)),
            "alarms": [{"name": alarm["name"]} for alarm in configuration.get("alarms") or [] if "name" in alarm],
        }
        return {**group_info(group), "alarmConfiguration": answer}

    # GetDeploymentGroup (and BatchGetDeploymentGroups, where moto has it) build their answer with this function.
    responses._deployment_group_info = group_info_with_alarms
