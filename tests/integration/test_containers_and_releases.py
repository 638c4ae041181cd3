"""Roles ecr_ecs and codedeploy and playbooks/deploy_app.yml: what site.yml built, read back; releases."""

from __future__ import annotations

import json
import urllib.request

import pytest

from emulator.standins import push_image
from tests.harness.playbook import run_playbook
from tests.integration.conftest import SUFFIX, group_id, subnet_ids

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-b")

ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
TAGS = {"Environment": SUFFIX, "Project": "envmigrate", "ManagedBy": "ansible"}


@pytest.fixture
def ecs(emulator_process):
    return emulator_process.client("ecs")


@pytest.fixture
def elbv2(emulator_process):
    return emulator_process.client("elbv2")


@pytest.fixture
def codedeploy(emulator_process):
    return emulator_process.client("codedeploy")


def _service(ecs):
    (service,) = ecs.describe_services(cluster=f"ecs-cluster-{SUFFIX}", services=[f"svc-app-{SUFFIX}"])["services"]
    return service


def _target_group_arns(elbv2):
    groups = elbv2.describe_target_groups(Names=[f"tg-blue-{SUFFIX}", f"tg-green-{SUFFIX}"])["TargetGroups"]
    return {g["TargetGroupName"].split("-")[1]: g["TargetGroupArn"] for g in groups}


def _listeners_by_port(elbv2):
    (alb,) = elbv2.describe_load_balancers(Names=[f"alb-{SUFFIX}"])["LoadBalancers"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    return {listener["Port"]: listener for listener in listeners}


def _forwards_to(listener, arns):
    """'blue' or 'green': where a listener's default action sends its traffic."""
    (action,) = listener["DefaultActions"]
    target = action.get("TargetGroupArn") or action["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    return next(color for color, arn in arns.items() if arn == target)


def _push_image(emulator, tag):
    return push_image(emulator.endpoint, SUFFIX, tag)


def _deploy(emulator, **extra):
    return run_playbook(emulator, "playbooks/deploy_app.yml", extra_vars={"env_suffix": SUFFIX, **extra})


def _deployments_hold_in_flight(emulator, hold: bool):
    """moto's state manager: deployments advance one step per 1000 reads (in flight), or per read again."""
    body = {"model_name": "codedeploy::deployment"}
    if hold:
        body["transition"] = {"progression": "manual", "times": 1000}
    action = "set-transition" if hold else "unset-transition"
    request = urllib.request.Request(
        f"{emulator.endpoint}/moto-api/state-manager/{action}", method="POST", data=json.dumps(body).encode()
    )
    urllib.request.urlopen(request, timeout=30).read()


# -- what site.yml built ----------------------------------------------------------------------------


def test_repository_scans_on_push_with_immutable_tags_and_a_lifecycle_policy(site, emulator_process):
    ecr = emulator_process.client("ecr")
    (repository,) = ecr.describe_repositories(repositoryNames=[f"ecr-app-{SUFFIX}"])["repositories"]
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["encryptionConfiguration"]["encryptionType"] == "AES256"
    rules = json.loads(ecr.get_lifecycle_policy(repositoryName=f"ecr-app-{SUFFIX}")["lifecyclePolicyText"])["rules"]
    assert [(r["selection"]["tagStatus"], r["selection"]["countType"]) for r in rules] == [
        ("untagged", "sinceImagePushed"),
        ("any", "imageCountMoreThan"),
    ]
    assert rules[1]["selection"]["countNumber"] == 20 and all(r["action"]["type"] == "expire" for r in rules)
    tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]}
    assert tags == {**TAGS, "Name": f"ecr-app-{SUFFIX}"}


def test_the_base_image_comes_through_the_environments_pull_through_cache(site, ecs, emulator_process):
    (rule,) = emulator_process.client("ecr").describe_pull_through_cache_rules(
        ecrRepositoryPrefixes=[f"ecr-public-{SUFFIX}"]
    )["pullThroughCacheRules"]
    assert rule["upstreamRegistryUrl"] == "public.ecr.aws"
    definition = ecs.describe_task_definition(taskDefinition=f"app-{SUFFIX}:1")["taskDefinition"]
    (container,) = definition["containerDefinitions"]
    assert container["image"] == f"{REGISTRY}/ecr-public-{SUFFIX}/nginx/nginx:1.27-alpine"


def test_cluster_has_container_insights_and_tags(site, ecs):
    (cluster,) = ecs.describe_clusters(clusters=[f"ecs-cluster-{SUFFIX}"], include=["SETTINGS", "TAGS"])["clusters"]
    assert cluster["status"] == "ACTIVE"
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert {t["key"]: t["value"] for t in cluster["tags"]} == {**TAGS, "Name": f"ecs-cluster-{SUFFIX}"}


def test_task_definition_is_fargate_awsvpc_with_awslogs_to_its_log_group(site, ecs, emulator_process):
    definition = ecs.describe_task_definition(taskDefinition=f"app-{SUFFIX}:1")["taskDefinition"]
    assert definition["requiresCompatibilities"] == ["FARGATE"] and definition["networkMode"] == "awsvpc"
    assert (definition["cpu"], definition["memory"]) == ("256", "512")
    assert definition["executionRoleArn"].endswith(f":role/ecs-execution-{SUFFIX}")
    assert definition["taskRoleArn"].endswith(f":role/ecs-task-{SUFFIX}")
    (container,) = definition["containerDefinitions"]
    assert container["portMappings"][0]["containerPort"] == 8080
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": f"/ecs/app-{SUFFIX}",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "app",
        },
    }
    (group,) = emulator_process.client("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/app-{SUFFIX}")["logGroups"]
    assert group["retentionInDays"] == 30


def test_task_roles_are_least_privilege(site, emulator_process):
    iam = emulator_process.client("iam")
    assert iam.list_role_policies(RoleName=f"ecs-task-{SUFFIX}")["PolicyNames"] == []
    assert iam.list_attached_role_policies(RoleName=f"ecs-task-{SUFFIX}")["AttachedPolicies"] == []
    document = iam.get_role_policy(RoleName=f"ecs-execution-{SUFFIX}", PolicyName="pull-images-write-logs")
    statements = {s["Sid"]: s for s in document["PolicyDocument"]["Statement"]}
    # GetAuthorizationToken is the one action ECR does not scope to a resource.
    assert statements["RegistryLogin"] == {
        "Sid": "RegistryLogin",
        "Effect": "Allow",
        "Action": "ecr:GetAuthorizationToken",
        "Resource": "*",
    }
    assert statements["PullTheEnvironmentsImages"]["Resource"] == [
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/ecr-app-{SUFFIX}",
        f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/ecr-public-{SUFFIX}/*",
    ]
    assert statements["WriteTheContainersLogs"]["Resource"].endswith(f":log-group:/ecs/app-{SUFFIX}:log-stream:*")
    trust = iam.get_role(RoleName=f"ecs-execution-{SUFFIX}")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


def test_alb_and_target_groups(site, elbv2, emulator_process):
    (alb,) = elbv2.describe_load_balancers(Names=[f"alb-{SUFFIX}"])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
    assert sorted(z["SubnetId"] for z in alb["AvailabilityZones"]) == subnet_ids(emulator_process, "public")
    assert alb["SecurityGroups"] == [group_id(emulator_process, "alb")]
    for color in ("blue", "green"):
        (group,) = elbv2.describe_target_groups(Names=[f"tg-{color}-{SUFFIX}"])["TargetGroups"]
        assert (group["TargetType"], group["Protocol"], group["Port"]) == ("ip", "HTTP", 8080)
        assert group["HealthCheckPath"] == "/"
        attributes = elbv2.describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])["Attributes"]
        assert {a["Key"]: a["Value"] for a in attributes}["deregistration_delay.timeout_seconds"] == "30"


def test_service_is_fargate_private_and_released_by_codedeploy(site, ecs, elbv2, emulator_process):
    service = _service(ecs)
    assert service["deploymentController"] == {"type": "CODE_DEPLOY"}
    assert service["launchType"] == "FARGATE"
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "DISABLED"
    assert sorted(network["subnets"]) == subnet_ids(emulator_process, "private")
    assert network["securityGroups"] == [group_id(emulator_process, "app")]
    (balancer,) = service["loadBalancers"]
    assert balancer == {
        "targetGroupArn": _target_group_arns(elbv2)["blue"],
        "containerName": "app",
        "containerPort": 8080,
    }


def test_deployment_group_is_blue_green_on_both_target_groups_and_listeners(site, codedeploy, elbv2):
    group = codedeploy.get_deployment_group(
        applicationName=f"codedeploy-app-{SUFFIX}", deploymentGroupName=f"codedeploy-dg-{SUFFIX}"
    )["deploymentGroupInfo"]
    assert group["computePlatform"] == "ECS"
    assert group["deploymentStyle"] == {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert group["ecsServices"] == [{"serviceName": f"svc-app-{SUFFIX}", "clusterName": f"ecs-cluster-{SUFFIX}"}]
    assert group["serviceRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/codedeploy-{SUFFIX}"
    assert group["deploymentConfigName"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    (pair,) = group["loadBalancerInfo"]["targetGroupPairInfoList"]
    assert [t["name"] for t in pair["targetGroups"]] == [f"tg-blue-{SUFFIX}", f"tg-green-{SUFFIX}"]
    listeners = _listeners_by_port(elbv2)
    assert pair["prodTrafficRoute"]["listenerArns"] == [listeners[80]["ListenerArn"]]
    assert pair["testTrafficRoute"]["listenerArns"] == [listeners[8080]["ListenerArn"]]
    assert group["autoRollbackConfiguration"]["enabled"] is True
    assert sorted(group["autoRollbackConfiguration"]["events"]) == [
        "DEPLOYMENT_FAILURE",
        "DEPLOYMENT_STOP_ON_ALARM",
        "DEPLOYMENT_STOP_ON_REQUEST",
    ]
    assert sorted(a["name"] for a in group["alarmConfiguration"]["alarms"]) == [
        f"alarm-alb-5xx-{SUFFIX}",
        f"alarm-target-5xx-{SUFFIX}",
        f"alarm-unhealthy-blue-{SUFFIX}",
        f"alarm-unhealthy-green-{SUFFIX}",
    ]
    blue_green = group["blueGreenDeploymentConfiguration"]
    assert blue_green["terminateBlueInstancesOnDeploymentSuccess"] == {
        "action": "TERMINATE",
        "terminationWaitTimeInMinutes": 5,
    }


def test_codedeploy_service_role_reaches_only_this_environment(site, emulator_process):
    iam = emulator_process.client("iam")
    (name,) = iam.list_role_policies(RoleName=f"codedeploy-{SUFFIX}")["PolicyNames"]
    statements = iam.get_role_policy(RoleName=f"codedeploy-{SUFFIX}", PolicyName=name)["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["ReleaseTheServiceAsTaskSets"]["Resource"][0].endswith(
        f":service/ecs-cluster-{SUFFIX}/svc-app-{SUFFIX}"
    )
    assert by_sid["SwapTheListeners"]["Resource"][0].endswith(f":listener/app/alb-{SUFFIX}/*")
    assert by_sid["RunTheHealthCheckHook"]["Resource"].endswith(f":function:lambda-health-{SUFFIX}")
    # Only describe calls, which AWS does not scope to resources, are allowed on "*".
    for statement in statements:
        if statement["Resource"] == "*":
            assert all(":Describe" in action for action in statement["Action"]), statement


# -- releases ---------------------------------------------------------------------------------------


def test_a_failed_release_is_rolled_back_and_reported(site, ecs, elbv2, emulator_process):
    before = _service(ecs)["taskDefinition"]
    listeners_before = {
        port: _forwards_to(listener, _target_group_arns(elbv2)) for port, listener in _listeners_by_port(elbv2).items()
    }
    # An immutable tag that was never pushed: the tasks cannot pull it, so CodeDeploy fails and rolls back.
    result = _deploy(emulator_process, app_image=f"{REGISTRY}/ecr-app-{SUFFIX}:never-pushed")
    assert result.rc != 0
    (report,) = result.task_results("Report the failed release")
    assert report["failed"] is True
    assert "CannotPullContainerError" in report["msg"] and "production traffic stays" in report["msg"]
    deployment = next(r for r in result.task_results("Release the revision blue/green and wait for the outcome"))
    assert deployment["deployment"]["status"] == "Failed" and deployment["deployment"]["deployment_id"] in report["msg"]
    assert _service(ecs)["taskDefinition"] == before
    # Production stays where it was; CodeDeploy points the test listener back at the original too.
    arns = _target_group_arns(elbv2)
    after = {port: _forwards_to(listener, arns) for port, listener in _listeners_by_port(elbv2).items()}
    assert after == {80: listeners_before[80], 8080: listeners_before[80]}


def test_rollback_stops_the_deployment_in_flight(site, codedeploy, ecs, emulator_process):
    before = _service(ecs)["taskDefinition"]
    _deployments_hold_in_flight(emulator_process, True)
    try:
        started = codedeploy.create_deployment(
            applicationName=f"codedeploy-app-{SUFFIX}",
            deploymentGroupName=f"codedeploy-dg-{SUFFIX}",
            revision={
                "revisionType": "AppSpecContent",
                "appSpecContent": {"content": json.dumps(_appspec(before))},
            },
        )["deploymentId"]
        result = _deploy(emulator_process, rollback=True)
    finally:
        _deployments_hold_in_flight(emulator_process, False)
    assert result.rc == 0, result.failed_message
    (report,) = result.task_results("Report the rollback")
    assert started in report["msg"] and "rolled back" in report["msg"]
    assert codedeploy.get_deployment(deploymentId=started)["deploymentInfo"]["status"] == "Stopped"
    assert [e["operation"] for e in result.mutating_requests] == ["StopDeployment"]
    assert _service(ecs)["taskDefinition"] == before


def _appspec(task_definition):
    return {
        "version": 0.0,
        "Resources": [
            {
                "TargetService": {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "TaskDefinition": task_definition,
                        "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 8080},
                    },
                }
            }
        ],
    }


def test_release_swaps_blue_and_green_and_a_rerun_of_site_changes_nothing(
    site, ecs, elbv2, codedeploy, emulator_process
):
    arns = _target_group_arns(elbv2)
    assert _forwards_to(_listeners_by_port(elbv2)[80], arns) == "blue"
    image = _push_image(emulator_process, "1.0.0")
    released = _deploy(emulator_process, app_image=image)
    assert released.rc == 0, released.failed_message

    # A new revision of the running one, with the image (and without the placeholder's command).
    (revision,) = released.task_results("Register the running revision with the new image")
    service = _service(ecs)
    assert service["taskDefinition"] == revision["task_definition_arn"] != revision["base_arn"]
    (container,) = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"][
        "containerDefinitions"
    ]
    assert container["image"] == image and "command" not in container
    # CodeDeploy's deployment, reported with its ID, and the swap: production now on green.
    (report,) = released.task_results("Report the outcome")
    deployment_id = report["msg"][0].split()[1].rstrip(":")
    deployment = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert deployment["status"] == "Succeeded" and deployment["applicationName"] == f"codedeploy-app-{SUFFIX}"
    assert {p: _forwards_to(listener, arns) for p, listener in _listeners_by_port(elbv2).items()} == {
        80: "green",
        8080: "green",
    }

    # The rerun keeps what CodeDeploy did: no UpdateService (AWS refuses it for a CODE_DEPLOY
    # service), no listener pointed back at blue, nothing changed at all.
    rerun = run_playbook(emulator_process, "site.yml", extra_vars={"env_suffix": SUFFIX})
    assert rerun.rc == 0, rerun.failed_message
    assert rerun.changed == 0, rerun.changed_tasks
    assert rerun.mutating_requests == []
    assert {p: _forwards_to(listener, arns) for p, listener in _listeners_by_port(elbv2).items()} == {
        80: "green",
        8080: "green",
    }
    assert _service(ecs)["taskDefinition"] == revision["task_definition_arn"]

    # Releasing the same image again starts nothing.
    again = _deploy(emulator_process, app_image=image)
    assert again.rc == 0, again.failed_message
    assert again.changed == 0, again.changed_tasks
    assert again.mutating_requests == []


# -- bad inputs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "failed_task", "message"),
    [
        ({"app_port": 70000}, "Check the ports", "70000 is not a TCP port"),
        ({"app_cpu": 256, "app_memory": 4096}, "Check the Fargate task size", "does not go with cpu 256"),
        ({"app_cpu": 300}, "Check the Fargate task size", "is not one of 256, 512"),
        ({"app_image": "Not/An:Image:ref"}, "Check ecr_ecs_app_image", "is not an image reference"),
        (
            {"deployment_config_name": "CodeDeployDefault.ECSHalfAtOnce"},
            "Check codedeploy_deployment_config_name",
            "CodeDeployDefault.ECSAllAtOnce",
        ),
    ],
)
def test_bad_container_inputs_are_refused_before_any_request(emulator_process, extra, failed_task, message):
    result = run_playbook(emulator_process, "site.yml", extra_vars={"env_suffix": "bad", **extra})
    assert result.rc != 0
    assert failed_task in result.failed_task
    assert message in result.failed_message
    assert result.journal == []


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("docker.io/library/nginx:1.27", "is not in this environment's ECR repository"),
        (f"{REGISTRY}/ecr-app-other:1.0", "is not in this environment's ECR repository"),
        ("nginx:", "is not an image reference"),
        (f"{REGISTRY}/ecr-app-{SUFFIX}", "names no tag or digest"),
        ("", "app_image is missing"),
    ],
)
def test_deploy_app_refuses_an_image_from_elsewhere_before_any_change(emulator_process, image, message):
    result = _deploy(emulator_process, app_image=image)
    assert result.rc != 0
    assert message in result.failed_message
    assert result.mutating_requests == []
