"""emulator/fixes/codedeploy_group_alarm_configuration.py: GetDeploymentGroup answers the alarm configuration."""

from __future__ import annotations

ALARMS = {"enabled": True, "ignorePollAlarmFailure": True, "alarms": [{"name": "alb-5xx-dev"}]}
DISABLED = {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}


def blue_green_group(codedeploy, **extra) -> None:
    """ECS application app-dev and its blue/green group dg-dev (self-contained: test_fix_codedeploy changes)."""
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="app-dev",
        deploymentGroupName="dg-dev",
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy-dev",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "svc-dev", "clusterName": "ecs-dev"}],
        **extra,
    )


def group(codedeploy) -> dict:
    return codedeploy.get_deployment_group(applicationName="app-dev", deploymentGroupName="dg-dev")[
        "deploymentGroupInfo"
    ]


def test_alarm_configuration_is_answered_as_set_and_updated(emulator):
    codedeploy = emulator.client("codedeploy")
    blue_green_group(codedeploy, alarmConfiguration=ALARMS)
    assert group(codedeploy)["alarmConfiguration"] == ALARMS
    codedeploy.update_deployment_group(
        applicationName="app-dev", currentDeploymentGroupName="dg-dev", alarmConfiguration=DISABLED
    )
    assert group(codedeploy)["alarmConfiguration"] == DISABLED


def test_group_without_alarms_answers_them_disabled(emulator):
    codedeploy = emulator.client("codedeploy")
    blue_green_group(codedeploy)
    assert group(codedeploy)["alarmConfiguration"] == DISABLED


def test_plain_moto_answers_no_alarm_configuration(plain_moto):
    codedeploy = plain_moto.client("codedeploy")
    blue_green_group(codedeploy, alarmConfiguration=ALARMS)
    assert group(codedeploy)["alarmConfiguration"] == {}
