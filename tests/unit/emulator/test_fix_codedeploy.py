"""emulator/fixes/codedeploy_*.py: applications, deployment groups and deployments of an ECS blue/green release."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, WaiterError

ROLE = "arn:aws:iam::123456789012:role/codedeploy-dev"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-dev/0123456789abcdef/fedcba9876543210"


def blue_green_group(codedeploy, application: str = "app-dev", group: str = "dg-dev", **extra) -> None:
    """Application and ECS blue/green deployment group for service svc-dev in cluster ecs-dev."""
    if application not in codedeploy.list_applications()["applications"]:
        codedeploy.create_application(applicationName=application, computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName=application,
        deploymentGroupName=group,
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        },
        ecsServices=[{"serviceName": "svc-dev", "clusterName": "ecs-dev"}],
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [{"name": "tg-blue-dev"}, {"name": "tg-green-dev"}],
                    "prodTrafficRoute": {"listenerArns": [LISTENER]},
                }
            ]
        },
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        **extra,
    )


def appspec(task_definition_arn: str) -> dict:
    content = {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": task_definition_arn,
                        "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 8080},
                    },
                }
            }
        ],
    }
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(content)}}


def deploy(codedeploy, task_definition_arn: str, application: str = "app-dev", group: str = "dg-dev") -> str:
    return codedeploy.create_deployment(
        applicationName=application, deploymentGroupName=group, revision=appspec(task_definition_arn)
    )["deploymentId"]


# -- codedeploy_applications: UpdateApplication (rename) and DeleteApplication ---------------------------


def test_rename_moves_groups_and_tags(emulator):
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(
        applicationName="app-dev", computePlatform="ECS", tags=[{"Key": "Project", "Value": "envmigrate"}]
    )
    blue_green_group(codedeploy)
    codedeploy.update_application(applicationName="app-dev", newApplicationName="app-renamed")
    assert codedeploy.list_applications()["applications"] == ["app-renamed"]
    assert codedeploy.get_application(applicationName="app-renamed")["application"]["computePlatform"] == "ECS"
    assert codedeploy.list_deployment_groups(applicationName="app-renamed")["deploymentGroups"] == ["dg-dev"]
    tags = codedeploy.list_tags_for_resource(
        ResourceArn="arn:aws:codedeploy:us-east-1:123456789012:application:app-renamed"
    )
    assert tags["Tags"] == [{"Key": "Project", "Value": "envmigrate"}]


def test_rename_refuses_unknown_application_and_taken_name(emulator):
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(applicationName="app-a", computePlatform="ECS")
    codedeploy.create_application(applicationName="app-b", computePlatform="ECS")
    with pytest.raises(codedeploy.exceptions.ApplicationAlreadyExistsException):
        codedeploy.update_application(applicationName="app-a", newApplicationName="app-b")
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        codedeploy.update_application(applicationName="missing", newApplicationName="app-c")


def test_delete_removes_application_and_groups_and_is_idempotent(emulator):
    codedeploy = emulator.client("codedeploy")
    blue_green_group(codedeploy)
    codedeploy.delete_application(applicationName="app-dev")
    assert codedeploy.list_applications()["applications"] == []
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        codedeploy.get_deployment_group(applicationName="app-dev", deploymentGroupName="dg-dev")
    codedeploy.delete_application(applicationName="app-dev")  # AWS: no error for a missing application
    blue_green_group(codedeploy)  # the name and its group can be used again
    assert codedeploy.list_deployment_groups(applicationName="app-dev")["deploymentGroups"] == ["dg-dev"]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.update_application(applicationName="app-dev", newApplicationName="app-new"),
        lambda c: c.delete_application(applicationName="app-dev"),
    ],
    ids=["UpdateApplication", "DeleteApplication"],
)
def test_plain_moto_answers_500_for_applications(plain_moto, call):
    codedeploy = plain_moto.client("codedeploy", retries={"max_attempts": 1})
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    with pytest.raises(ClientError) as error:
        call(codedeploy)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


APPLICATION_ARN = "arn:aws:codedeploy:us-east-1:123456789012:application:{}"


def test_create_defaults_to_server_and_refuses_an_unknown_platform(emulator):
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(applicationName="app-server")
    assert codedeploy.get_application(applicationName="app-server")["application"]["computePlatform"] == "Server"
    with pytest.raises(codedeploy.exceptions.InvalidComputePlatformException):
        codedeploy.create_application(applicationName="app-k8s", computePlatform="Kubernetes")
    assert codedeploy.list_applications()["applications"] == ["app-server"]


def test_applications_answer_linked_to_git_hub(emulator):
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    assert codedeploy.get_application(applicationName="app-dev")["application"]["linkedToGitHub"] is False
    (info,) = codedeploy.batch_get_applications(applicationNames=["app-dev"])["applicationsInfo"]
    assert (info["applicationName"], info["linkedToGitHub"]) == ("app-dev", False)


def test_tagging_a_missing_application_or_group_is_refused(emulator):
    codedeploy = emulator.client("codedeploy")
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        codedeploy.tag_resource(ResourceArn=APPLICATION_ARN.format("app-dev"), Tags=[{"Key": "k", "Value": "v"}])
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        codedeploy.untag_resource(ResourceArn=APPLICATION_ARN.format("app-dev"), TagKeys=["k"])
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    group_arn = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app-dev/dg-dev"
    with pytest.raises(codedeploy.exceptions.DeploymentGroupDoesNotExistException):
        codedeploy.tag_resource(ResourceArn=group_arn, Tags=[{"Key": "k", "Value": "v"}])
    # Nothing was left behind for the application to inherit.
    assert codedeploy.list_tags_for_resource(ResourceArn=APPLICATION_ARN.format("app-dev"))["Tags"] == []
    codedeploy.tag_resource(ResourceArn=APPLICATION_ARN.format("app-dev"), Tags=[{"Key": "k", "Value": "v"}])
    codedeploy.untag_resource(ResourceArn=APPLICATION_ARN.format("app-dev"), TagKeys=["k"])
    blue_green_group(codedeploy)
    codedeploy.tag_resource(ResourceArn=group_arn, Tags=[{"Key": "k", "Value": "v"}])
    assert codedeploy.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_plain_moto_describes_and_tags_applications_unlike_aws(plain_moto):
    codedeploy = plain_moto.client("codedeploy", retries={"max_attempts": 1})
    codedeploy.create_application(applicationName="app-server")
    codedeploy.create_application(applicationName="app-k8s", computePlatform="Kubernetes")
    application = codedeploy.get_application(applicationName="app-server")["application"]
    assert "computePlatform" not in application and "linkedToGitHub" not in application
    codedeploy.tag_resource(ResourceArn=APPLICATION_ARN.format("missing"), Tags=[{"Key": "k", "Value": "v"}])


# -- codedeploy_deployment_groups: UpdateDeploymentGroup and DeleteDeploymentGroup -----------------------


def group(codedeploy, name: str = "dg-dev") -> dict:
    return codedeploy.get_deployment_group(applicationName="app-dev", deploymentGroupName=name)["deploymentGroupInfo"]


def test_update_replaces_what_is_named_and_keeps_the_rest(emulator):
    codedeploy = emulator.client("codedeploy")
    blue_green_group(codedeploy)
    answer = codedeploy.update_deployment_group(
        applicationName="app-dev",
        currentDeploymentGroupName="dg-dev",
        serviceRoleArn="arn:aws:iam::123456789012:role/other",
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    )
    assert answer["hooksNotCleanedUp"] == []
    info = group(codedeploy)
    assert info["serviceRoleArn"] == "arn:aws:iam::123456789012:role/other"
    assert info["autoRollbackConfiguration"]["events"] == ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
    assert info["ecsServices"] == [{"serviceName": "svc-dev", "clusterName": "ecs-dev"}]
    assert info["deploymentStyle"]["deploymentType"] == "BLUE_GREEN"


def test_rename_and_its_errors(emulator):
    codedeploy = emulator.client("codedeploy")
    blue_green_group(codedeploy)
    blue_green_group(codedeploy, group="dg-other")
    with pytest.raises(codedeploy.exceptions.DeploymentGroupAlreadyExistsException):
        codedeploy.update_deployment_group(
            applicationName="app-dev", currentDeploymentGroupName="dg-dev", newDeploymentGroupName="dg-other"
        )
    codedeploy.update_deployment_group(
        applicationName="app-dev", currentDeploymentGroupName="dg-dev", newDeploymentGroupName="dg-renamed"
    )
    assert sorted(codedeploy.list_deployment_groups(applicationName="app-dev")["deploymentGroups"]) == [
        "dg-other",
        "dg-renamed",
    ]
    assert group(codedeploy, "dg-renamed")["deploymentGroupName"] == "dg-renamed"
    with pytest.raises(codedeploy.exceptions.DeploymentGroupDoesNotExistException):
        codedeploy.update_deployment_group(applicationName="app-dev", currentDeploymentGroupName="dg-dev")
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        codedeploy.update_deployment_group(applicationName="missing", currentDeploymentGroupName="dg-dev")


def test_delete_removes_the_group_and_is_idempotent(emulator):
    codedeploy = emulator.client("codedeploy")
    blue_green_group(codedeploy)
    assert (
        codedeploy.delete_deployment_group(applicationName="app-dev", deploymentGroupName="dg-dev")["hooksNotCleanedUp"]
        == []
    )
    with pytest.raises(codedeploy.exceptions.DeploymentGroupDoesNotExistException):
        group(codedeploy)
    codedeploy.delete_deployment_group(applicationName="app-dev", deploymentGroupName="dg-dev")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.update_deployment_group(
            applicationName="app-dev", currentDeploymentGroupName="dg-dev", serviceRoleArn=ROLE
        ),
        lambda c: c.delete_deployment_group(applicationName="app-dev", deploymentGroupName="dg-dev"),
    ],
    ids=["UpdateDeploymentGroup", "DeleteDeploymentGroup"],
)
def test_plain_moto_answers_500_for_groups(plain_moto, call):
    codedeploy = plain_moto.client("codedeploy", retries={"max_attempts": 1})
    blue_green_group(codedeploy)
    with pytest.raises(ClientError) as error:
        call(codedeploy)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


# -- codedeploy_deployments: deployments reach Succeeded; StopDeployment ---------------------------------


FAST = {"Delay": 1, "MaxAttempts": 5}


def ecs_service(emulator) -> list[str]:
    """Cluster ecs-dev with a CODE_DEPLOY service svc-dev on revision 1 of two task definitions."""
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    arns = [
        ecs.register_task_definition(
            family="app-dev",
            containerDefinitions=[{"name": "app", "image": f"app:{tag}", "memory": 512, "essential": True}],
        )["taskDefinition"]["taskDefinitionArn"]
        for tag in ("v1", "v2")
    ]
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition=arns[0],
        desiredCount=1,
        deploymentController={"type": "CODE_DEPLOY"},
    )
    return arns


def deployment(codedeploy, deployment_id: str) -> dict:
    return codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]


def test_blue_green_deployment_succeeds_and_ecs_runs_the_new_revision(emulator):
    codedeploy, ecs = emulator.client("codedeploy"), emulator.client("ecs")
    old, new = ecs_service(emulator)
    blue_green_group(codedeploy)
    deployment_id = deploy(codedeploy, new)
    first = deployment(codedeploy, deployment_id)
    assert first["status"] == "InProgress" and "startTime" in first and "completeTime" not in first
    assert ecs.describe_services(cluster="ecs-dev", services=["svc-dev"])["services"][0]["taskDefinition"] == old

    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    done = deployment(codedeploy, deployment_id)
    assert done["status"] == "Succeeded" and done["completeTime"] >= done["startTime"]
    assert ecs.describe_services(cluster="ecs-dev", services=["svc-dev"])["services"][0]["taskDefinition"] == new
    assert codedeploy.list_deployments(
        applicationName="app-dev", deploymentGroupName="dg-dev", includeOnlyStatuses=["Succeeded"]
    )["deployments"] == [deployment_id]


def test_stop_with_rollback_stops_the_deployment(emulator):
    codedeploy = emulator.client("codedeploy")
    _, new = ecs_service(emulator)
    blue_green_group(codedeploy)
    deployment_id = deploy(codedeploy, new)
    answer = codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    assert answer["status"] == "Succeeded"
    assert deployment(codedeploy, deployment_id)["status"] == "Stopped"
    with pytest.raises(WaiterError):  # Stopped is a failure state of the waiter
        codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    with pytest.raises(codedeploy.exceptions.DeploymentAlreadyCompletedException):
        codedeploy.stop_deployment(deploymentId=deployment_id)


def test_stop_refuses_a_succeeded_or_unknown_deployment(emulator):
    codedeploy = emulator.client("codedeploy")
    _, new = ecs_service(emulator)
    blue_green_group(codedeploy)
    deployment_id = deploy(codedeploy, new)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    with pytest.raises(codedeploy.exceptions.DeploymentAlreadyCompletedException):
        codedeploy.stop_deployment(deploymentId=deployment_id)
    with pytest.raises(codedeploy.exceptions.DeploymentDoesNotExistException):
        codedeploy.stop_deployment(deploymentId="d-MISSING00")


def test_plain_moto_never_succeeds_and_cannot_stop(plain_moto):
    codedeploy = plain_moto.client("codedeploy", retries={"max_attempts": 1})
    _, new = ecs_service(plain_moto)
    blue_green_group(codedeploy)
    deployment_id = deploy(codedeploy, new)
    with pytest.raises(WaiterError):
        codedeploy.get_waiter("deployment_successful").wait(
            deploymentId=deployment_id, WaiterConfig={"Delay": 1, "MaxAttempts": 2}
        )
    assert deployment(codedeploy, deployment_id)["status"] == "Created"
    with pytest.raises(ClientError) as error:
        codedeploy.stop_deployment(deploymentId=deployment_id)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
