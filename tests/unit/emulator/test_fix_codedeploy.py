"""emulator/fixes/codedeploy_*.py: applications, deployment groups and deployments of an ECS blue/green release."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, WaiterError

ROLE = "arn:aws:iam::123456789012:role/codedeploy-dev"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-dev/0123456789abcdef/fedcba9876543210"


def blue_green_group(
    codedeploy,
    application: str = "app-dev",
    group: str = "dg-dev",
    prod: str = LISTENER,
    test: str | None = None,
    **extra,
) -> None:
    """Application and ECS blue/green deployment group for service svc-dev in cluster ecs-dev.

    Target groups tg-blue-dev and tg-green-dev; production listener ``prod``, test listener ``test``.
    """
    if application not in codedeploy.list_applications()["applications"]:
        codedeploy.create_application(applicationName=application, computePlatform="ECS")
    pair = {
        "targetGroups": [{"name": "tg-blue-dev"}, {"name": "tg-green-dev"}],
        "prodTrafficRoute": {"listenerArns": [prod]},
    }
    if test:
        pair["testTrafficRoute"] = {"listenerArns": [test]}
    settings = {"autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}, **extra}
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
        loadBalancerInfo={"targetGroupPairInfoList": [pair]},
        **settings,
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


def ecs_service(emulator, images=("app:v1", "app:v2"), controller: str = "CODE_DEPLOY") -> list[str]:
    """Cluster ecs-dev with a service svc-dev on revision 1 of task definitions running ``images`` (one each)."""
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName="ecs-dev")
    arns = [
        ecs.register_task_definition(
            family="app-dev",
            containerDefinitions=[{"name": "app", "image": image, "memory": 512, "essential": True}],
        )["taskDefinition"]["taskDefinitionArn"]
        for image in images
    ]
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition=arns[0],
        desiredCount=1,
        deploymentController={"type": controller},
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


# -- codedeploy_deployments: traffic moves to the replacement target group ------------------------------


REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def load_balancer(session) -> dict:
    """ALB alb-dev with target groups tg-blue-dev and tg-green-dev; a production (80) and a test (8080) listener,
    both forwarding to blue (the test one through a ForwardConfig)."""
    ec2, elb = session.client("ec2"), session.client("elbv2")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.60.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    alb = elb.create_load_balancer(Name="alb-dev", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    arns = {
        color: elb.create_target_group(
            Name=f"tg-{color}-dev", Protocol="HTTP", Port=8080, VpcId=vpc_id, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        for color in ("blue", "green")
    }
    forward = {"Type": "forward", "TargetGroupArn": arns["blue"]}
    weighted = {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arns["blue"], "Weight": 1}]}}
    for name, port, action in (("prod", 80, forward), ("test", 8080, weighted)):
        arns[name] = elb.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=port, DefaultActions=[action])[
            "Listeners"
        ][0]["ListenerArn"]
    return arns


def forwarded_to(session, listener_arn: str) -> set[str]:
    """The target groups a listener's default action forwards to, as DescribeListeners shows them."""
    (listener,) = session.client("elbv2").describe_listeners(ListenerArns=[listener_arn])["Listeners"]
    (action,) = listener["DefaultActions"]
    groups = {group["TargetGroupArn"] for group in action.get("ForwardConfig", {}).get("TargetGroups", [])}
    return groups | ({action["TargetGroupArn"]} if "TargetGroupArn" in action else set())


def traffic(session, arns: dict) -> tuple[set[str], set[str]]:
    return forwarded_to(session, arns["prod"]), forwarded_to(session, arns["test"])


def test_success_moves_production_and_test_traffic_to_the_replacement(emulator):
    codedeploy = emulator.client("codedeploy")
    old, new = ecs_service(emulator)
    arns = load_balancer(emulator)
    blue, green = {arns["blue"]}, {arns["green"]}
    blue_green_group(codedeploy, prod=arns["prod"], test=arns["test"])

    deployment_id = deploy(codedeploy, new)
    assert deployment(codedeploy, deployment_id)["status"] == "InProgress"
    assert traffic(emulator, arns) == (blue, blue)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    assert traffic(emulator, arns) == (green, green)
    (green_group,) = emulator.client("elbv2").describe_target_groups(TargetGroupArns=[arns["green"]])["TargetGroups"]
    assert len(green_group["LoadBalancerArns"]) == 1

    # The next release goes the other way: green is now the original.
    deployment_id = deploy(codedeploy, old)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    assert traffic(emulator, arns) == (blue, blue)
    services = emulator.client("ecs").describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    assert services[0]["taskDefinition"] == old


def test_stopped_deployment_keeps_traffic_on_the_original(emulator):
    codedeploy = emulator.client("codedeploy")
    old, new = ecs_service(emulator)
    arns = load_balancer(emulator)
    blue_green_group(codedeploy, prod=arns["prod"], test=arns["test"])
    deployment_id = deploy(codedeploy, new)
    codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    for _ in range(3):
        assert deployment(codedeploy, deployment_id)["status"] == "Stopped"
    assert traffic(emulator, arns) == ({arns["blue"]}, {arns["blue"]})
    services = emulator.client("ecs").describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    assert services[0]["taskDefinition"] == old


# -- codedeploy_deployments: an image ECS cannot pull fails the deployment ------------------------------


@pytest.mark.parametrize("rollback", [True, False], ids=["auto-rollback", "no-rollback"])
def test_image_missing_from_ecr_fails_the_deployment(emulator, rollback):
    codedeploy = emulator.client("codedeploy")
    image = f"{REGISTRY}/app-dev:v2"
    old, new = ecs_service(emulator, images=("app:v1", image))
    arns = load_balancer(emulator)
    blue_green_group(
        codedeploy,
        prod=arns["prod"],
        test=arns["test"],
        autoRollbackConfiguration={"enabled": rollback, "events": ["DEPLOYMENT_FAILURE"]},
    )
    deployment_id = deploy(codedeploy, new)
    with pytest.raises(WaiterError, match="Failed"):
        codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    info = deployment(codedeploy, deployment_id)
    assert info["status"] == "Failed" and info["completeTime"] >= info["startTime"]
    assert info["errorInformation"]["code"] == "ECS_UPDATE_ERROR"
    assert (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}"
        in (info["errorInformation"]["message"])
    )
    assert bool(info.get("rollbackInfo", {}).get("rollbackMessage")) is rollback
    assert traffic(emulator, arns) == ({arns["blue"]}, {arns["blue"]})
    services = emulator.client("ecs").describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    assert services[0]["taskDefinition"] == old


def test_images_in_ecr_by_tag_or_digest_deploy(emulator):
    codedeploy, ecr, ecs = emulator.client("codedeploy"), emulator.client("ecr"), emulator.client("ecs")
    ecr.create_repository(repositoryName="app-dev")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": "sha256:" + "a" * 64},
            "layers": [],
        }
    )
    digest = ecr.put_image(repositoryName="app-dev", imageManifest=manifest, imageTag="v2")["image"]["imageId"][
        "imageDigest"
    ]
    ecs_service(emulator)
    new = ecs.register_task_definition(
        family="app-dev",
        containerDefinitions=[
            {"name": "app", "image": f"{REGISTRY}/app-dev:v2", "memory": 256},
            {"name": "sidecar", "image": f"{REGISTRY}/app-dev@{digest}", "memory": 256},
            {"name": "proxy", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 256},  # not this registry
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    blue_green_group(codedeploy)
    deployment_id = deploy(codedeploy, new)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    assert deployment(codedeploy, deployment_id)["errorInformation"] == {}


def test_image_served_by_a_pull_through_cache_rule_deploys(emulator):
    codedeploy, ecr = emulator.client("codedeploy"), emulator.client("ecr")
    ecr.create_pull_through_cache_rule(ecrRepositoryPrefix="ecr-public", upstreamRegistryUrl="public.ecr.aws")
    _, new = ecs_service(emulator, images=("app:v1", f"{REGISTRY}/ecr-public/nginx/nginx:1.27"))
    blue_green_group(codedeploy)
    deployment_id = deploy(codedeploy, new)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=FAST)
    # The pull cached the image, as ECR does on AWS.
    images = ecr.describe_images(repositoryName="ecr-public/nginx/nginx")["imageDetails"]
    assert [image["imageTags"] for image in images] == [["1.27"]]


# -- codedeploy_deployments: CreateDeployment's checks; ListDeployments ---------------------------------


def test_second_deployment_while_one_is_active_is_refused(emulator):
    codedeploy = emulator.client("codedeploy")
    old, new = ecs_service(emulator)
    blue_green_group(codedeploy)
    first = deploy(codedeploy, new)
    for _ in range(2):  # Created, then InProgress
        with pytest.raises(codedeploy.exceptions.DeploymentLimitExceededException) as error:
            deploy(codedeploy, old)
        assert error.value.response["Error"]["Message"] == (
            f"The Deployment Group 'dg-dev' already has an active Deployment '{first}'"
        )
        deployment(codedeploy, first)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=first, WaiterConfig=FAST)
    deploy(codedeploy, old)


@pytest.mark.parametrize("controller", ["ECS", None], ids=["rolling-service", "missing-service"])
def test_ecs_group_needs_a_code_deploy_service(emulator, controller):
    codedeploy = emulator.client("codedeploy")
    if controller:
        _, new = ecs_service(emulator, controller=controller)
    else:
        new = "arn:aws:ecs:us-east-1:123456789012:task-definition/app-dev:2"
    blue_green_group(codedeploy)
    with pytest.raises(codedeploy.exceptions.InvalidECSServiceException) as error:
        deploy(codedeploy, new)
    assert ("CODE_DEPLOY" if controller else "does not exist") in error.value.response["Error"]["Message"]
    assert codedeploy.list_deployments()["deployments"] == []


def test_list_deployments_filters_and_refuses_unknown_names(emulator):
    codedeploy = emulator.client("codedeploy")
    _, new = ecs_service(emulator)
    blue_green_group(codedeploy)
    blue_green_group(codedeploy, group="dg-other")
    done = deploy(codedeploy, new)
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=done, WaiterConfig=FAST)
    running = deploy(codedeploy, new, group="dg-other")

    def listed(**filters):
        return codedeploy.list_deployments(**filters)["deployments"]

    assert sorted(listed()) == sorted([done, running])
    assert listed(applicationName="app-dev", deploymentGroupName="dg-other") == [running]
    assert listed(includeOnlyStatuses=["Created", "Queued", "InProgress", "Ready", "Baking"]) == [running]
    assert listed(applicationName="app-dev", deploymentGroupName="dg-dev", includeOnlyStatuses=["InProgress"]) == []
    with pytest.raises(codedeploy.exceptions.ApplicationDoesNotExistException):
        listed(applicationName="missing", deploymentGroupName="dg-dev")
    with pytest.raises(codedeploy.exceptions.DeploymentGroupDoesNotExistException):
        listed(applicationName="app-dev", deploymentGroupName="missing")


def test_plain_moto_checks_nothing_when_deploying(plain_moto):
    codedeploy = plain_moto.client("codedeploy", retries={"max_attempts": 1})
    _, new = ecs_service(plain_moto, controller="ECS")  # AWS: InvalidECSServiceException
    blue_green_group(codedeploy)
    first, second = deploy(codedeploy, new), deploy(codedeploy, new)  # AWS: DeploymentLimitExceededException
    assert sorted(codedeploy.list_deployments()["deployments"]) == sorted([first, second])
    # AWS: DeploymentGroupDoesNotExistException
    assert codedeploy.list_deployments(applicationName="app-dev", deploymentGroupName="missing")["deployments"] == []
