"""envmigrate.aws.codedeploy_deployment against the emulator: deployments, the ECS service and the listeners read
back from AWS.

The emulator runs a deployment Created -> InProgress -> Succeeded (or Failed, when an image is missing from this
account's ECR), one step each time it is read (GetDeployment), so a short ``wait_timeout`` (a poll every second) is
enough for botocore's DeploymentSuccessful waiter. Reads move deployments on: a test that needs one to stay in flight
while it is read uses ``slow_deployments``.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
import yaml

from ansible_collections.envmigrate.aws.plugins.modules import codedeploy_deployment
from tests.harness.module import run_module

MODULE = "codedeploy_deployment"
ACCOUNT = "123456789012"
TASK_DEFINITION_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/app-dev:%d"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/codedeploy-dev"
IMAGES = {
    1: "public.ecr.aws/nginx/nginx:1.26",
    2: "public.ecr.aws/nginx/nginx:1.27",
    3: f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/missing:1",  # not in this account's ECR: the deployment fails
}
GROUP = {"application_name": "app-dev", "deployment_group_name": "dg-dev"}
RELEASE = dict(GROUP, task_definition="app-dev:2", container_name="app", container_port=80, wait_timeout=4)
STOP = dict(GROUP, state="stopped", wait_timeout=4)
IN_FLIGHT = ["Created", "Queued", "InProgress", "Ready", "Baking"]


def appspec(revision: int, **properties) -> dict:
    return {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": TASK_DEFINITION_ARN % revision,
                        "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 80},
                        **properties,
                    },
                }
            }
        ],
    }


@pytest.fixture
def stack(emulator) -> dict:
    """VPC, ALB with blue and green target groups and two listeners, a Fargate CODE_DEPLOY service on revision 1
    of app-dev (revisions 2 and 3 registered), and the CodeDeploy application and ECS blue/green deployment group."""
    ec2, elb, ecs, codedeploy = (emulator.client(s) for s in ("ec2", "elbv2", "ecs", "codedeploy"))
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.60.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName="alb-dev", Description="ALB of dev", VpcId=vpc)["GroupId"]
    alb = elb.create_load_balancer(Name="alb-dev", Subnets=subnets, SecurityGroups=[group], Type="application")
    alb_arn = alb["LoadBalancers"][0]["LoadBalancerArn"]
    blue, green = (
        elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0][
            "TargetGroupArn"
        ]
        for name in ("tg-blue-dev", "tg-green-dev")
    )
    prod, test = (
        elb.create_listener(
            LoadBalancerArn=alb_arn,
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )["Listeners"][0]["ListenerArn"]
        for port, tg in ((80, blue), (8080, green))
    )
    ecs.create_cluster(clusterName="ecs-dev")
    for revision in (1, 2, 3):
        registered = ecs.register_task_definition(
            family="app-dev",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": "app", "image": IMAGES[revision], "essential": True, "portMappings": [{"containerPort": 80}]}
            ],
        )
        assert registered["taskDefinition"]["taskDefinitionArn"] == TASK_DEFINITION_ARN % revision
    ecs.create_service(
        cluster="ecs-dev",
        serviceName="svc-dev",
        taskDefinition="app-dev:1",
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        loadBalancers=[{"targetGroupArn": blue, "containerName": "app", "containerPort": 80}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}},
    )
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="app-dev",
        deploymentGroupName="dg-dev",
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
                    "prodTrafficRoute": {"listenerArns": [prod]},
                    "testTrafficRoute": {"listenerArns": [test]},
                }
            ]
        },
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]},
    )
    emulator.mark()
    return {"blue": blue, "green": green, "prod": prod, "test": test}


@pytest.fixture
def codedeploy(emulator):
    return emulator.client("codedeploy")


@pytest.fixture
def slow_deployments(emulator):
    """Deployments move one step only every 1000 reads (so they stay in flight); back to one per read afterwards."""
    state_manager(emulator, "set-transition", {"progression": "manual", "times": 1000})
    yield
    state_manager(emulator, "unset-transition")


def state_manager(emulator, action: str, transition: dict | None = None) -> None:
    body = {"model_name": "codedeploy::deployment"}
    if transition:
        body["transition"] = transition
    request = urllib.request.Request(
        f"{emulator.endpoint}/moto-api/state-manager/{action}", method="POST", data=json.dumps(body).encode()
    )
    urllib.request.urlopen(request, timeout=30).read()


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def running(emulator) -> str:
    (service,) = emulator.client("ecs").describe_services(cluster="ecs-dev", services=["svc-dev"])["services"]
    return service["taskDefinition"]


def forwarded(emulator, listener: str) -> str:
    (action,) = emulator.client("elbv2").describe_listeners(ListenerArns=[listener])["Listeners"][0]["DefaultActions"]
    return action["TargetGroupArn"]


def deployments(codedeploy, statuses: list[str] | None = None) -> list[str]:
    filters = {"includeOnlyStatuses": statuses} if statuses else {}
    return codedeploy.list_deployments(applicationName="app-dev", deploymentGroupName="dg-dev", **filters)[
        "deployments"
    ]


def sent_appspec(codedeploy, deployment_id: str) -> dict:
    revision = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["revision"]
    assert revision["revisionType"] == "AppSpecContent"
    return json.loads(revision["appSpecContent"]["content"])


def start(codedeploy, revision: int, **properties) -> str:
    """A deployment started by someone else (boto3), left in flight."""
    content = json.dumps(appspec(revision, **properties))
    return codedeploy.create_deployment(
        applicationName="app-dev",
        deploymentGroupName="dg-dev",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
    )["deploymentId"]


# -- present: start and wait ---------------------------------------------------------------------


def test_starts_and_waits_until_the_service_runs_the_new_task_definition(emulator, stack, codedeploy):
    result = run_module(emulator, MODULE, dict(RELEASE, description="Release 2"), diff=True)
    assert result["changed"] is True, result
    assert operations(emulator) == ["CreateDeployment"]
    assert running(emulator) == TASK_DEFINITION_ARN % 2  # read back from ECS
    assert forwarded(emulator, stack["prod"]) == forwarded(emulator, stack["test"]) == stack["green"]

    deployment = result["deployment"]
    assert (deployment["status"], deployment["application_name"], deployment["deployment_group_name"]) == (
        "Succeeded",
        "app-dev",
        "dg-dev",
    )
    assert deployments(codedeploy, ["Succeeded"]) == [deployment["deployment_id"]]
    assert deployment["description"] == "Release 2"
    assert deployment["complete_time"] >= deployment["start_time"] >= deployment["create_time"]
    assert "error_information" in deployment and "rollback_info" in deployment
    # The AppSpec names the task definition's ARN, though the task gave family:revision.
    assert result["appspec"] == appspec(2) == sent_appspec(codedeploy, deployment["deployment_id"])
    assert result["diff"] == {
        "before": {"task_definition": TASK_DEFINITION_ARN % 1},
        "after": {"task_definition": TASK_DEFINITION_ARN % 2},
    }
    assert result["msg"] == f"Started deployment {deployment['deployment_id']} of app-dev/dg-dev (status Succeeded)"

    emulator.mark()
    again = run_module(emulator, MODULE, RELEASE)
    assert (again["changed"], again["deployment"], operations(emulator)) == (False, {}, [])
    assert again["msg"] == f"ECS service svc-dev already runs {TASK_DEFINITION_ARN % 2}; no deployment in flight"


def test_platform_version_goes_into_the_appspec(emulator, stack, codedeploy):
    result = run_module(
        emulator, MODULE, dict(RELEASE, task_definition=TASK_DEFINITION_ARN % 2, platform_version="LATEST")
    )
    assert result["changed"] is True
    assert sent_appspec(codedeploy, result["deployment"]["deployment_id"]) == appspec(2, PlatformVersion="LATEST")


def test_wait_false_returns_at_once_and_a_second_run_follows(emulator, stack, codedeploy):
    started = run_module(emulator, MODULE, dict(RELEASE, wait=False))
    assert started["changed"] is True
    assert operations(emulator) == ["CreateDeployment"]
    deployment_id = started["deployment"]["deployment_id"]
    assert started["deployment"]["status"] in IN_FLIGHT
    assert deployments(codedeploy, IN_FLIGHT) == [deployment_id]
    assert running(emulator) == TASK_DEFINITION_ARN % 1  # not yet

    emulator.mark()
    followed = run_module(emulator, MODULE, RELEASE)
    assert followed["changed"] is False  # it did not start it
    assert operations(emulator) == []
    assert (followed["deployment"]["deployment_id"], followed["deployment"]["status"]) == (deployment_id, "Succeeded")
    assert followed["msg"].startswith(f"Followed deployment {deployment_id} of app-dev/dg-dev")
    assert running(emulator) == TASK_DEFINITION_ARN % 2
    assert deployments(codedeploy) == [deployment_id]


def test_a_deployment_of_the_same_appspec_by_someone_else_is_followed(emulator, stack, codedeploy):
    """Another tool's AppSpec in YAML, with the port as text, is the same AppSpec."""
    content = yaml.safe_dump(
        {
            "version": "0.0",
            "Resources": [
                {
                    "TargetService": {
                        "Type": "AWS::ECS::Service",
                        "Properties": {
                            "TaskDefinition": TASK_DEFINITION_ARN % 2,
                            "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": "80"},
                        },
                    }
                }
            ],
        }
    )
    deployment_id = codedeploy.create_deployment(
        applicationName="app-dev",
        deploymentGroupName="dg-dev",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
    )["deploymentId"]
    emulator.mark()
    result = run_module(emulator, MODULE, dict(RELEASE, wait=False))
    assert (result["changed"], operations(emulator)) == (False, [])
    assert result["deployment"]["deployment_id"] == deployment_id


def test_another_revision_in_flight_is_refused_by_its_id(emulator, stack, codedeploy):
    other = start(codedeploy, 3)
    emulator.mark()
    result = run_module(emulator, MODULE, RELEASE)
    assert result["failed"] is True
    assert result["msg"].startswith(f"Deployment {other} of app-dev/dg-dev is in flight (status ")
    assert "with another revision" in result["msg"]
    assert result["deployment_id"] == other
    assert operations(emulator) == []
    assert deployments(codedeploy) == [other]


def test_a_deployment_limit_answer_is_reported(emulator, stack, codedeploy):
    """CreateDeployment refused because a deployment appeared since the module looked (and is gone again)."""
    message = "The Deployment Group 'dg-dev' already has an active Deployment."
    emulator.inject_fault("codedeploy", "CreateDeployment", "DeploymentLimitExceededException", message)
    result = run_module(emulator, MODULE, RELEASE)
    assert result["failed"] is True
    assert result["msg"].startswith(
        "CodeDeploy refused a deployment of app-dev/dg-dev: another deployment of the group is active"
    )
    assert result["error"]["code"] == "DeploymentLimitExceededException"
    assert deployments(codedeploy) == []


@pytest.mark.parametrize("revision", [2, 3], ids=["same-appspec", "other-appspec"])
def test_a_deployment_started_meanwhile_is_followed_or_named(emulator, stack, codedeploy, monkeypatch, revision):
    """Someone starts a deployment between the module's look and its CreateDeployment, which the emulator then
    refuses (DeploymentLimitExceededException, as AWS does): the module looks again and follows that deployment when
    it deploys the same AppSpec (here with the task definition as family:revision), and names it otherwise."""
    content = json.dumps(appspec(revision)).replace(TASK_DEFINITION_ARN % revision, f"app-dev:{revision}")
    competing = []
    create = codedeploy_deployment.Deployments.create

    def create_after_someone_else(self, appspec):
        competing.append(
            codedeploy.create_deployment(
                applicationName="app-dev",
                deploymentGroupName="dg-dev",
                revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
            )["deploymentId"]
        )
        emulator.mark()
        return create(self, appspec)

    monkeypatch.setattr(codedeploy_deployment.Deployments, "create", create_after_someone_else)
    result = run_module(emulator, MODULE, dict(RELEASE, wait=False))
    refused = [(e["operation"], e.get("error")) for e in emulator.mutating_requests()]
    assert refused == [("CreateDeployment", "DeploymentLimitExceededException")]
    assert deployments(codedeploy) == competing
    if revision == 2:
        assert (result["changed"], result["deployment"]["deployment_id"]) == (False, competing[0])
    else:
        assert result["failed"] is True
        assert result["msg"].startswith(f"Deployment {competing[0]} of app-dev/dg-dev is in flight")


def test_no_op_when_the_service_already_runs_it(emulator, stack, codedeploy):
    result = run_module(emulator, MODULE, dict(RELEASE, task_definition=TASK_DEFINITION_ARN % 1), diff=True)
    assert (result["changed"], result["deployment"]) == (False, {})
    assert result["appspec"] == appspec(1)
    assert result["diff"]["before"] == result["diff"]["after"] == {"task_definition": TASK_DEFINITION_ARN % 1}
    assert emulator.mutating_requests() == []
    assert deployments(codedeploy) == []


def test_another_container_port_is_a_deployment_even_of_the_same_task_definition(emulator, stack, codedeploy):
    result = run_module(emulator, MODULE, dict(RELEASE, task_definition="app-dev:1", container_port=8080, wait=False))
    assert (result["changed"], operations(emulator)) == (True, ["CreateDeployment"])
    sent = sent_appspec(codedeploy, result["deployment"]["deployment_id"])
    assert sent["Resources"][0]["TargetService"]["Properties"]["LoadBalancerInfo"]["ContainerPort"] == 8080


def test_a_failed_deployment_fails_with_its_id_status_and_error(emulator, stack, codedeploy):
    """Revision 3's image is missing from this account's ECR: the emulator fails the deployment."""
    result = run_module(emulator, MODULE, dict(RELEASE, task_definition="app-dev:3"))
    assert result["failed"] is True, result
    assert result["changed"] is True  # it was started
    (deployment_id,) = deployments(codedeploy)
    assert (result["deployment_id"], result["status"]) == (deployment_id, "Failed")
    assert result["msg"].startswith(f"Deployment {deployment_id} of app-dev/dg-dev ended Failed")
    assert result["error_information"]["code"] == "ECS_UPDATE_ERROR"
    assert "CannotPullContainerError" in result["error_information"]["message"]
    assert "CannotPullContainerError" in result["msg"]
    # The group rolls back on DEPLOYMENT_FAILURE.
    assert result["rollback_info"]["rollback_message"].startswith("Automatic rollback triggered by DEPLOYMENT_FAILURE")
    assert "; rollback: " in result["msg"]
    assert result["deployment"]["error_information"] == result["error_information"]
    assert codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Failed"
    assert running(emulator) == TASK_DEFINITION_ARN % 1
    assert forwarded(emulator, stack["prod"]) == stack["blue"]


def test_timeout_fails_and_leaves_the_deployment_going(emulator, stack, codedeploy, slow_deployments):
    result = run_module(emulator, MODULE, dict(RELEASE, wait_timeout=1))
    assert result["failed"] is True
    (deployment_id,) = deployments(codedeploy, IN_FLIGHT)
    assert result["msg"] == (
        f"Deployment {deployment_id} of app-dev/dg-dev has not succeeded after 1 seconds (status Created); it goes on"
    )
    assert (result["changed"], result["status"]) == (True, "Created")


# -- present: check mode, hooks, refusals --------------------------------------------------------


def test_check_mode_starts_nothing(emulator, stack, codedeploy):
    result = run_module(emulator, MODULE, RELEASE, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["msg"] == f"Would start a deployment of {TASK_DEFINITION_ARN % 2} to app-dev/dg-dev"
    assert (result["deployment"], result["appspec"]) == ({}, appspec(2))
    assert result["diff"]["after"] == {"task_definition": TASK_DEFINITION_ARN % 2}
    assert emulator.mutating_requests() == []
    assert deployments(codedeploy) == []
    assert running(emulator) == TASK_DEFINITION_ARN % 1


def test_check_mode_with_the_same_deployment_in_flight_neither_starts_nor_waits(emulator, stack, codedeploy):
    deployment_id = start(codedeploy, 2)
    emulator.mark()
    result = run_module(emulator, MODULE, RELEASE, check_mode=True)
    assert (result["changed"], result["deployment"]["deployment_id"]) == (False, deployment_id)
    assert result["msg"] == f"Would follow deployment {deployment_id} of app-dev/dg-dev"
    assert operations(emulator) == []
    assert [e["operation"] for e in emulator.journal()].count("GetDeployment") == 1  # no waiter


def test_hooks_go_into_the_appspec_in_lifecycle_order(emulator, stack, codedeploy, slow_deployments):
    hooks = {
        "AfterAllowTestTraffic": "health-check-dev",
        "BeforeInstall": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:migration-validation-dev",
    }
    result = run_module(emulator, MODULE, dict(RELEASE, hooks=hooks, wait=False))
    assert result["changed"] is True
    sent = sent_appspec(codedeploy, result["deployment"]["deployment_id"])
    assert sent["Hooks"] == [
        {"BeforeInstall": hooks["BeforeInstall"]},
        {"AfterAllowTestTraffic": "health-check-dev"},
    ]
    assert sent == result["appspec"] == dict(appspec(2), Hooks=sent["Hooks"])

    emulator.mark()  # the same hooks: the deployment in flight is followed
    again = run_module(emulator, MODULE, dict(RELEASE, hooks=dict(reversed(list(hooks.items()))), wait=False))
    assert (again["changed"], operations(emulator)) == (False, [])
    other = run_module(emulator, MODULE, dict(RELEASE, hooks={"BeforeInstall": "other-dev"}, wait=False))
    assert other["failed"] is True and "with another revision" in other["msg"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"hooks": {"ApplicationStart": "fn"}},
            "hooks: 'ApplicationStart' is not a lifecycle event of an ECS deployment; use BeforeInstall, AfterInstall, "
            "AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic",
        ),
        ({"hooks": {"BeforeInstall": ""}}, "hooks: BeforeInstall must name a Lambda function (name or ARN), got ''"),
        ({"container_port": 0}, "container_port must be 1 to 65535 (got 0)"),
        ({"container_port": 65536}, "container_port must be 1 to 65535 (got 65536)"),
        ({"task_definition": " "}, "task_definition must not be empty"),
        ({"wait_timeout": 0}, "wait_timeout must be at least 1 second (got 0)"),
    ],
    ids=["hook-event", "hook-function", "port-0", "port-65536", "task-definition", "wait-timeout"],
)
def test_bad_parameters_are_refused_before_any_request(emulator, stack, change, message):
    result = run_module(emulator, MODULE, dict(RELEASE, **change))
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


def test_present_requires_what_the_appspec_needs(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(GROUP, task_definition="app-dev:2"))
    assert result["failed"] is True
    assert "state is present but all of the following are missing: container_name, container_port" in result["msg"]
    assert emulator.journal() == []


def test_unknown_task_definition_is_reported_before_any_change(emulator, stack):
    result = run_module(emulator, MODULE, dict(RELEASE, task_definition="app-dev:9"))
    assert result["failed"] is True
    assert result["msg"].startswith("ECS task definition app-dev:9 not found")
    assert emulator.mutating_requests() == []


# -- stopped -------------------------------------------------------------------------------------


def test_stops_the_deployment_in_flight_with_rollback(emulator, stack, codedeploy):
    deployment_id = start(codedeploy, 2)
    emulator.mark()
    result = run_module(emulator, MODULE, STOP, diff=True)
    assert result["changed"] is True, result
    assert operations(emulator) == ["StopDeployment"]
    assert (result["deployment"]["deployment_id"], result["deployment"]["status"]) == (deployment_id, "Stopped")
    assert result["msg"] == f"Stopped deployment {deployment_id} of app-dev/dg-dev with rollback (status Stopped)"
    assert result["appspec"] == {}
    assert result["diff"]["after"] == {"status": "Stopped"}
    assert codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Stopped"
    assert running(emulator) == TASK_DEFINITION_ARN % 1
    assert forwarded(emulator, stack["prod"]) == stack["blue"]

    emulator.mark()
    again = run_module(emulator, MODULE, STOP)
    assert (again["changed"], again["deployment"], operations(emulator)) == (False, {}, [])
    assert again["msg"] == "No deployment of app-dev/dg-dev is in flight"


def test_stops_a_named_deployment_without_rollback(emulator, stack, codedeploy):
    deployment_id = start(codedeploy, 2)
    result = run_module(emulator, MODULE, dict(STOP, deployment_id=deployment_id, auto_rollback=False))
    assert result["changed"] is True
    assert result["msg"] == f"Stopped deployment {deployment_id} of app-dev/dg-dev without rollback (status Stopped)"
    assert deployments(codedeploy, ["Stopped"]) == [deployment_id]


def test_nothing_in_flight_stops_nothing(emulator, stack):
    result = run_module(emulator, MODULE, STOP)
    assert (result["changed"], result["deployment"]) == (False, {})
    assert result["msg"] == "No deployment of app-dev/dg-dev is in flight"
    assert emulator.mutating_requests() == []


def test_a_completed_deployment_is_not_stopped(emulator, stack, codedeploy):
    deployment_id = run_module(emulator, MODULE, RELEASE)["deployment"]["deployment_id"]
    emulator.mark()
    result = run_module(emulator, MODULE, dict(STOP, deployment_id=deployment_id))
    assert (result["changed"], result["deployment"]["status"]) == (False, "Succeeded")
    assert result["msg"] == f"Deployment {deployment_id} of app-dev/dg-dev has already completed (status Succeeded)"
    assert operations(emulator) == []


def test_deployment_already_completed_answer_is_no_change(emulator, stack, codedeploy):
    deployment_id = start(codedeploy, 2)
    message = f"The deployment {deployment_id} has already completed."
    emulator.inject_fault("codedeploy", "StopDeployment", "DeploymentAlreadyCompletedException", message)
    result = run_module(emulator, MODULE, STOP)
    assert result["changed"] is False
    assert "has already completed" in result["msg"]
    assert deployments(codedeploy, ["Stopped"]) == []


def test_a_deployment_of_another_group_is_not_stopped(emulator, stack, codedeploy):
    codedeploy.create_deployment_group(
        applicationName="app-dev",
        deploymentGroupName="dg-other",
        serviceRoleArn=ROLE,
        ecsServices=[{"serviceName": "svc-dev", "clusterName": "ecs-dev"}],
    )
    deployment_id = start(codedeploy, 2)
    emulator.mark()
    result = run_module(emulator, MODULE, dict(STOP, deployment_group_name="dg-other", deployment_id=deployment_id))
    assert result["failed"] is True
    assert (
        result["msg"]
        == f"Deployment {deployment_id} belongs to app-dev/dg-dev, not app-dev/dg-other; nothing was stopped"
    )
    assert operations(emulator) == []


def test_check_mode_stop_sends_nothing(emulator, stack, codedeploy):
    deployment_id = start(codedeploy, 2)
    emulator.mark()
    result = run_module(emulator, MODULE, STOP, check_mode=True)
    assert result["changed"] is True
    assert result["msg"] == f"Would stop deployment {deployment_id} of app-dev/dg-dev with rollback"
    assert result["deployment"]["deployment_id"] == deployment_id
    assert emulator.mutating_requests() == []
    assert deployments(codedeploy, ["Stopped"]) == []


# -- AWS errors ----------------------------------------------------------------------------------


def test_missing_deployment_group_is_a_clean_message(emulator, stack):
    result = run_module(emulator, MODULE, dict(RELEASE, deployment_group_name="dg-missing"))
    assert result["failed"] is True
    assert result["msg"] == "CodeDeploy deployment group dg-missing does not exist in application app-dev"
    assert emulator.mutating_requests() == []
    stopped = run_module(emulator, MODULE, dict(STOP, deployment_group_name="dg-missing"))
    assert stopped["msg"] == result["msg"]


def test_missing_application_is_a_clean_message(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(RELEASE, application_name="app-missing"))
    assert (result["failed"], result["msg"]) == (True, "CodeDeploy application app-missing does not exist")


@pytest.mark.parametrize("operation", ["GetDeploymentGroup", "CreateDeployment"])
def test_access_denied_is_reported(emulator, stack, codedeploy, operation):
    message = f"User is not authorized to perform: codedeploy:{operation}"
    emulator.inject_fault("codedeploy", operation, "AccessDeniedException", message, 400)
    result = run_module(emulator, MODULE, RELEASE)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage the deployments of CodeDeploy deployment group app-dev/dg-dev")
    assert result["error"]["code"] == "AccessDeniedException"
    # Nothing was changed: the only mutating request, if any, is the refused CreateDeployment.
    refused = [(e["operation"], e.get("error")) for e in emulator.mutating_requests()]
    assert refused == ([] if operation == "GetDeploymentGroup" else [("CreateDeployment", "AccessDeniedException")])
    assert deployments(codedeploy) == []


def test_throttling_is_retried(emulator, stack, codedeploy):
    """With botocore's own retries off, the module's AWSRetry retries the throttled calls."""
    for service, operation in (("codedeploy", "GetDeploymentGroup"), ("codedeploy", "CreateDeployment")):
        emulator.inject_fault(service, operation, "ThrottlingException", "Rate exceeded", 400)
    result = run_module(emulator, MODULE, dict(RELEASE, aws_config={"retries": {"total_max_attempts": 1}}))
    assert result.get("changed") is True, result
    assert result["deployment"]["status"] == "Succeeded"
    for operation in ("GetDeploymentGroup", "CreateDeployment"):
        answers = [e.get("error") for e in emulator.journal() if e["operation"] == operation]
        assert answers == ["ThrottlingException", None], operation
    assert len(deployments(codedeploy)) == 1
    assert running(emulator) == TASK_DEFINITION_ARN % 2


# -- AppSpec comparison --------------------------------------------------------------------------


def test_appspecs_compare_by_meaning():
    def resolve(name):
        return TASK_DEFINITION_ARN % 2 if name == "app-dev:2" else name

    ours = codedeploy_deployment.build_appspec(
        TASK_DEFINITION_ARN % 2,
        {
            "container_name": "app",
            "container_port": 80,
            "platform_version": None,
            "hooks": {"AfterInstall": "b", "BeforeInstall": "a"},
        },
    )
    theirs = yaml.safe_dump(
        {
            "version": "0.0",
            "Hooks": [{"AfterInstall": "b"}, {"BeforeInstall": "a"}],
            "Resources": [
                {
                    "TargetService": {
                        "Type": "AWS::ECS::Service",
                        "Properties": {
                            "TaskDefinition": "app-dev:2",
                            "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": "80"},
                        },
                    }
                }
            ],
        }
    )
    revision = {"revisionType": "AppSpecContent", "appSpecContent": {"content": theirs}}
    parsed = codedeploy_deployment.parse_appspec(revision)
    normalized = codedeploy_deployment.normalized
    assert normalized(parsed, resolve) == normalized(ours, resolve)
    assert normalized(dict(parsed, Hooks=[{"AfterInstall": "c"}]), resolve) != normalized(ours, resolve)
    assert codedeploy_deployment.parse_appspec({"revisionType": "S3", "s3Location": {}}) is None
    assert codedeploy_deployment.parse_appspec({"revisionType": "AppSpecContent"}) is None
