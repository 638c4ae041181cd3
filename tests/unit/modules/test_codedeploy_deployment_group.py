"""envmigrate.aws.codedeploy_deployment_group against the emulator: groups read back from CodeDeploy.

The fixture ``stack`` builds what a group refers to, as the roles do: a CodeDeploy application for ECS, an ECS
cluster with a service under the CODE_DEPLOY controller, an ALB with two target groups, a production listener
forwarding to blue (TargetGroupArn) and a test listener forwarding to green (ForwardConfig).
"""

from __future__ import annotations

import botocore.client
import pytest

from tests.harness.module import run_module

MODULE = "codedeploy_deployment_group"
ROLE = "arn:aws:iam::123456789012:role/codedeploy-dev"
ARN = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app-dev/dg-dev"
ABSENT = {"application_name": "app-dev", "name": "dg-dev", "state": "absent"}
TAGS = {"Environment": "dev", "Project": "envmigrate"}


@pytest.fixture
def codedeploy(emulator):
    return emulator.client("codedeploy")


def make_service(ecs, name: str, subnet: str, target_group: str, controller: str = "CODE_DEPLOY") -> None:
    ecs.create_service(
        cluster="ecs-dev",
        serviceName=name,
        taskDefinition="app-dev",
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": controller},
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "app", "containerPort": 8080}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
    )


@pytest.fixture
def stack(emulator, codedeploy):
    """Names and ARNs of everything a deployment group of app-dev refers to; the journal starts after it."""
    ec2, elbv2, ecs = emulator.client("ec2"), emulator.client("elbv2"), emulator.client("ecs")
    # The default VPC's subnets: quicker than a VPC of its own, and the ALB needs two zones.
    defaults = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    by_zone = {subnet["AvailabilityZone"]: subnet for subnet in defaults}
    subnets = [subnet["SubnetId"] for _, subnet in sorted(by_zone.items())[:2]]
    vpc = defaults[0]["VpcId"]
    alb = elbv2.create_load_balancer(Name="alb-dev", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    target_groups = {
        name: elbv2.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for name in ("tg-blue-dev", "tg-green-dev", "tg-other-dev")
    }

    def listener(port: int, action: dict) -> str:
        answer = elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=port, DefaultActions=[action])
        return answer["Listeners"][0]["ListenerArn"]

    forward_config = {"TargetGroups": [{"TargetGroupArn": target_groups["tg-green-dev"], "Weight": 1}]}
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    listeners = {
        "prod": listener(80, {"Type": "forward", "TargetGroupArn": target_groups["tg-blue-dev"]}),
        "test": listener(8080, {"Type": "forward", "ForwardConfig": forward_config}),
        "other": listener(8081, {"Type": "forward", "TargetGroupArn": target_groups["tg-other-dev"]}),
        "redirect": listener(8082, {"Type": "redirect", "RedirectConfig": redirect}),
    }
    ecs.create_cluster(clusterName="ecs-dev")
    ecs.register_task_definition(
        family="app-dev",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "app:v1", "essential": True}],
    )
    make_service(ecs, "svc-dev", subnets[0], target_groups["tg-blue-dev"])
    codedeploy.create_application(applicationName="app-dev", computePlatform="ECS")
    emulator.mark()
    return {
        "ecs": ecs,
        "subnet": subnets[0],
        "target_groups": target_groups,
        "listeners": listeners,
        "wanted": {
            "application_name": "app-dev",
            "name": "dg-dev",
            "service_role_arn": ROLE,
            "ecs_cluster_name": "ecs-dev",
            "ecs_service_name": "svc-dev",
            "target_group_names": ["tg-blue-dev", "tg-green-dev"],
            "prod_listener_arns": [listeners["prod"]],
            "test_listener_arns": [listeners["test"]],
            "alarms": ["alb-5xx-dev", "tg-unhealthy-dev"],
            "tags": TAGS,
        },
    }


@pytest.fixture
def wanted(stack):
    return dict(stack["wanted"])


@pytest.fixture
def created(emulator, wanted):
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True, result
    emulator.mark()
    return result


@pytest.fixture
def sent(monkeypatch):
    """(operation, parameters) of every mutating API call the module makes in this process."""
    calls = []
    make_api_call = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        if not operation_name.startswith(("Get", "List", "Describe")):
            calls.append((operation_name, api_params))
        return make_api_call(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return calls


def described(codedeploy, name: str = "dg-dev") -> dict | None:
    try:
        return codedeploy.get_deployment_group(applicationName="app-dev", deploymentGroupName=name)[
            "deploymentGroupInfo"
        ]
    except (
        codedeploy.exceptions.DeploymentGroupDoesNotExistException,
        codedeploy.exceptions.ApplicationDoesNotExistException,
    ):
        return None


def tags(codedeploy, arn: str = ARN) -> dict:
    return {tag["Key"]: tag["Value"] for tag in codedeploy.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def alarm_names(info: dict) -> list[str]:
    return [alarm["name"] for alarm in info["alarmConfiguration"]["alarms"]]


# -- create --------------------------------------------------------------------------------------


def test_creates_the_group_and_reads_back_every_field(emulator, codedeploy, stack, wanted):
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True
    assert operations(emulator) == ["CreateDeploymentGroup"]  # the tags go with it
    info = described(codedeploy)
    assert info["applicationName"] == "app-dev"
    assert info["deploymentGroupName"] == "dg-dev"
    assert info["serviceRoleArn"] == ROLE
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert info["computePlatform"] == "ECS"
    assert info["deploymentStyle"] == {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert info["ecsServices"] == [{"serviceName": "svc-dev", "clusterName": "ecs-dev"}]
    assert info["loadBalancerInfo"] == {
        "targetGroupPairInfoList": [
            {
                "targetGroups": [{"name": "tg-blue-dev"}, {"name": "tg-green-dev"}],
                "prodTrafficRoute": {"listenerArns": [stack["listeners"]["prod"]]},
                "testTrafficRoute": {"listenerArns": [stack["listeners"]["test"]]},
            }
        ]
    }
    assert info["blueGreenDeploymentConfiguration"] == {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
    }
    assert info["autoRollbackConfiguration"] == {
        "enabled": True,
        "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    }
    assert info["alarmConfiguration"] == {
        "enabled": True,
        "ignorePollAlarmFailure": False,
        "alarms": [{"name": "alb-5xx-dev"}, {"name": "tg-unhealthy-dev"}],
    }
    assert tags(codedeploy) == TAGS

    group = result["deployment_group"]
    assert group["deployment_group_id"] == info["deploymentGroupId"]
    assert group["arn"] == ARN
    assert group["tags"] == TAGS
    assert group["ecs_services"] == [{"service_name": "svc-dev", "cluster_name": "ecs-dev"}]
    assert group["alarm_configuration"] == {
        "enabled": True,
        "ignore_poll_alarm_failure": False,
        "alarms": [{"name": "alb-5xx-dev"}, {"name": "tg-unhealthy-dev"}],
    }
    assert group["blue_green_deployment_configuration"]["terminate_blue_instances_on_deployment_success"] == {
        "action": "TERMINATE",
        "termination_wait_time_in_minutes": 5,
    }
    pair = group["load_balancer_info"]["target_group_pair_info_list"][0]
    assert pair["prod_traffic_route"] == {"listener_arns": [stack["listeners"]["prod"]]}
    assert "deploymentGroupId" not in group and "tags" in group


def test_creates_with_the_alias_without_test_listener_alarms_or_rollback(emulator, codedeploy, stack):
    args = {
        "application_name": "app-dev",
        "deployment_group_name": "dg-plain",
        "service_role_arn": ROLE,
        "deployment_config_name": "CodeDeployDefault.ECSAllAtOnce",
        "ecs_cluster_name": "ecs-dev",
        "ecs_service_name": "svc-dev",
        "target_group_names": ["tg-green-dev", "tg-blue-dev"],  # the listener forwards to the second: fine
        "prod_listener_arns": [stack["listeners"]["prod"]],
        "ready_action": "STOP_DEPLOYMENT",
        "ready_wait_minutes": 60,
        "termination_wait_minutes": 0,
        "auto_rollback_events": [],
    }
    result = run_module(emulator, MODULE, args)
    assert result["changed"] is True
    info = described(codedeploy, "dg-plain")
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"
    assert "testTrafficRoute" not in info["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    assert info["blueGreenDeploymentConfiguration"] == {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 0},
        "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 60},
    }
    assert info["autoRollbackConfiguration"] == {"enabled": False}
    assert info["alarmConfiguration"] == {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}
    assert tags(codedeploy, ARN.replace("dg-dev", "dg-plain")) == {} == result["deployment_group"]["tags"]
    emulator.mark()
    assert run_module(emulator, MODULE, args)["changed"] is False
    assert emulator.mutating_requests() == []


def test_rerun_is_a_no_op_without_mutating_requests(emulator, wanted, created):
    shuffled = dict(wanted, alarms=["tg-unhealthy-dev", "alb-5xx-dev", "alb-5xx-dev"])
    shuffled["auto_rollback_events"] = ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]
    for args in (wanted, shuffled):
        result = run_module(emulator, MODULE, args, diff=True)
        assert result["changed"] is False
        assert result["deployment_group"] == created["deployment_group"]
        assert result["diff"]["before"] == result["diff"]["after"]
    assert emulator.mutating_requests() == []


def test_group_created_meanwhile_is_taken_over(emulator, codedeploy, wanted):
    codedeploy.create_deployment_group(
        applicationName="app-dev",
        deploymentGroupName="dg-dev",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.ECSAllAtOnce",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "svc-dev", "clusterName": "ecs-dev"}],
    )
    message = "The deployment group dg-dev does not exist with the user or AWS account."
    emulator.inject_fault("codedeploy", "GetDeploymentGroup", "DeploymentGroupDoesNotExistException", message)
    emulator.mark()
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True
    assert operations(emulator) == ["CreateDeploymentGroup", "UpdateDeploymentGroup", "TagResource"]
    info = described(codedeploy)
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert alarm_names(info) == ["alb-5xx-dev", "tg-unhealthy-dev"]
    assert tags(codedeploy) == TAGS


# -- update --------------------------------------------------------------------------------------


def test_update_sends_only_what_differs(emulator, codedeploy, wanted, created, sent):
    before = described(codedeploy)
    changed = dict(
        wanted,
        deployment_config_name="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        alarms=["alb-5xx-dev"],
        ignore_alarm_poll_failure=True,
        auto_rollback_events=["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"],
        termination_wait_minutes=30,
    )
    result = run_module(emulator, MODULE, changed)
    assert result["changed"] is True
    assert operations(emulator) == ["UpdateDeploymentGroup"]
    ((operation, parameters),) = sent
    assert operation == "UpdateDeploymentGroup"
    assert sorted(parameters) == [
        "alarmConfiguration",
        "applicationName",
        "autoRollbackConfiguration",
        "blueGreenDeploymentConfiguration",
        "currentDeploymentGroupName",
        "deploymentConfigName",
    ]
    info = described(codedeploy)
    assert info["deploymentGroupId"] == before["deploymentGroupId"]  # in place
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
    assert info["alarmConfiguration"] == {
        "enabled": True,
        "ignorePollAlarmFailure": True,
        "alarms": [{"name": "alb-5xx-dev"}],
    }
    assert info["autoRollbackConfiguration"] == {
        "enabled": True,
        "events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"],
    }
    bg = info["blueGreenDeploymentConfiguration"]
    assert bg["terminateBlueInstancesOnDeploymentSuccess"]["terminationWaitTimeInMinutes"] == 30
    for unchanged in ("serviceRoleArn", "ecsServices", "loadBalancerInfo", "deploymentStyle"):
        assert info[unchanged] == before[unchanged]
    assert tags(codedeploy) == TAGS
    assert result["deployment_group"]["deployment_config_name"] == info["deploymentConfigName"]

    emulator.mark()
    sent.clear()
    assert run_module(emulator, MODULE, changed)["changed"] is False
    assert emulator.mutating_requests() == [] == sent


def test_update_removes_the_test_listener_alarms_and_rollback(emulator, codedeploy, stack, wanted, created, sent):
    changed = dict(
        wanted,
        test_listener_arns=[],
        alarms=[],
        auto_rollback_events=[],
        ready_action="STOP_DEPLOYMENT",
        ready_wait_minutes=120,
        service_role_arn="arn:aws:iam::123456789012:role/codedeploy-other",
    )
    assert run_module(emulator, MODULE, changed)["changed"] is True
    ((operation, parameters),) = sent
    assert sorted(parameters) == [
        "alarmConfiguration",
        "applicationName",
        "autoRollbackConfiguration",
        "blueGreenDeploymentConfiguration",
        "currentDeploymentGroupName",
        "loadBalancerInfo",
        "serviceRoleArn",
    ]
    info = described(codedeploy)
    assert info["loadBalancerInfo"]["targetGroupPairInfoList"] == [
        {
            "targetGroups": [{"name": "tg-blue-dev"}, {"name": "tg-green-dev"}],
            "prodTrafficRoute": {"listenerArns": [stack["listeners"]["prod"]]},
        }
    ]
    assert info["alarmConfiguration"] == {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}
    assert info["autoRollbackConfiguration"] == {"enabled": False}
    assert info["blueGreenDeploymentConfiguration"]["deploymentReadyOption"] == {
        "actionOnTimeout": "STOP_DEPLOYMENT",
        "waitTimeInMinutes": 120,
    }
    assert info["serviceRoleArn"] == "arn:aws:iam::123456789012:role/codedeploy-other"
    emulator.mark()
    assert run_module(emulator, MODULE, changed)["changed"] is False
    assert emulator.mutating_requests() == []


def test_update_moves_to_another_service(emulator, codedeploy, stack, wanted, created):
    make_service(stack["ecs"], "svc-next", stack["subnet"], stack["target_groups"]["tg-blue-dev"])
    emulator.mark()
    result = run_module(emulator, MODULE, dict(wanted, ecs_service_name="svc-next"))
    assert (result["changed"], operations(emulator)) == (True, ["UpdateDeploymentGroup"])
    assert described(codedeploy)["ecsServices"] == [{"serviceName": "svc-next", "clusterName": "ecs-dev"}]


def test_tags_are_updated_and_purged(emulator, codedeploy, wanted, created):
    result = run_module(emulator, MODULE, dict(wanted, tags={"Environment": "prod", "Project": "envmigrate"}))
    assert (result["changed"], operations(emulator)) == (True, ["TagResource"])
    assert result["deployment_group"]["tags"] == {"Environment": "prod", "Project": "envmigrate"} == tags(codedeploy)

    emulator.mark()
    kept = run_module(emulator, MODULE, dict(wanted, tags={"Owner": "platform"}, purge_tags=False))
    assert (kept["changed"], operations(emulator)) == (True, ["TagResource"])
    assert tags(codedeploy) == {"Environment": "prod", "Project": "envmigrate", "Owner": "platform"}

    emulator.mark()
    purged = run_module(emulator, MODULE, dict(wanted, tags={"Owner": "platform"}))
    assert (purged["changed"], operations(emulator)) == (True, ["UntagResource"])
    assert tags(codedeploy) == {"Owner": "platform"} == purged["deployment_group"]["tags"]

    emulator.mark()
    untouched = {k: v for k, v in wanted.items() if k != "tags"}
    assert run_module(emulator, MODULE, untouched)["changed"] is False  # tags unset: left alone
    assert run_module(emulator, MODULE, dict(wanted, tags={}))["changed"] is True
    assert operations(emulator) == ["UntagResource"]
    assert tags(codedeploy) == {}


# -- delete --------------------------------------------------------------------------------------


def test_delete_and_delete_again(emulator, codedeploy, created):
    result = run_module(emulator, MODULE, ABSENT, diff=True)
    assert (result["changed"], result["deployment_group"]) == (True, {})
    assert operations(emulator) == ["DeleteDeploymentGroup"]
    assert described(codedeploy) is None
    assert result["diff"]["before"]["deployment_group_name"] == "dg-dev"
    assert result["diff"]["after"] == {}
    emulator.mark()
    again = run_module(emulator, MODULE, ABSENT)
    assert again == {"failed": False, "changed": False, "deployment_group": {}, "diff": {"before": {}, "after": {}}}
    assert emulator.mutating_requests() == []
    assert codedeploy.get_application(applicationName="app-dev")["application"]["applicationName"] == "app-dev"


def test_delete_without_application_is_a_no_op(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(ABSENT, application_name="app-gone"))
    assert (result["failed"], result["changed"]) == (False, False)
    assert emulator.mutating_requests() == []


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, codedeploy, wanted):
    result = run_module(emulator, MODULE, wanted, check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(codedeploy) is None
    group = result["deployment_group"]
    assert "deployment_group_id" not in group
    assert (group["deployment_group_name"], group["arn"], group["tags"]) == ("dg-dev", ARN, TAGS)
    assert group["deployment_config_name"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["alarms"] == ["alb-5xx-dev", "tg-unhealthy-dev"]


def test_check_mode_update_and_delete_send_nothing(emulator, codedeploy, wanted, created):
    before = described(codedeploy)
    changed = dict(wanted, termination_wait_minutes=60, tags={"Owner": "platform"})
    result = run_module(emulator, MODULE, changed, check_mode=True)
    assert result["changed"] is True
    group = result["deployment_group"]
    assert group["tags"] == {"Owner": "platform"}
    terminate = group["blue_green_deployment_configuration"]["terminate_blue_instances_on_deployment_success"]
    assert terminate["termination_wait_time_in_minutes"] == 60
    assert run_module(emulator, MODULE, ABSENT, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(codedeploy) == before
    assert tags(codedeploy) == TAGS


def test_diff_shows_before_and_after(emulator, stack, wanted):
    diff = run_module(emulator, MODULE, wanted, diff=True)["diff"]
    assert diff["before"] == {}
    assert diff["after"] == {
        "application_name": "app-dev",
        "deployment_group_name": "dg-dev",
        "service_role_arn": ROLE,
        "deployment_config_name": "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "deployment_type": "BLUE_GREEN",
        "deployment_option": "WITH_TRAFFIC_CONTROL",
        "ecs_cluster_name": "ecs-dev",
        "ecs_service_name": "svc-dev",
        "target_group_names": ["tg-blue-dev", "tg-green-dev"],
        "prod_listener_arns": [stack["listeners"]["prod"]],
        "test_listener_arns": [stack["listeners"]["test"]],
        "ready_action": "CONTINUE_DEPLOYMENT",
        "ready_wait_minutes": 0,
        "termination_wait_minutes": 5,
        "auto_rollback_events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        "alarms": ["alb-5xx-dev", "tg-unhealthy-dev"],
        "ignore_alarm_poll_failure": False,
        "tags": TAGS,
    }
    changed = dict(wanted, termination_wait_minutes=10, alarms=["alb-5xx-dev"])
    diff = run_module(emulator, MODULE, changed, check_mode=True, diff=True)["diff"]
    assert diff["after"] == dict(diff["before"], termination_wait_minutes=10, alarms=["alb-5xx-dev"])


# -- refusals before any change ------------------------------------------------------------------


REFUSED_WITHOUT_REQUESTS = [
    ({"alarms": []}, "auto_rollback_events has DEPLOYMENT_STOP_ON_ALARM but alarms is empty"),
    ({"target_group_names": ["tg-blue-dev"]}, "target_group_names must name exactly 2 target groups, blue first"),
    ({"target_group_names": ["tg-blue-dev", "tg-blue-dev"]}, "must name 2 distinct target groups (got tg-blue-dev"),
    ({"prod_listener_arns": []}, "prod_listener_arns must hold exactly 1 listener ARN (got 0)"),
    ({"ready_wait_minutes": 10}, "ready_wait_minutes applies only with ready_action=STOP_DEPLOYMENT"),
    ({"termination_wait_minutes": 2881}, "termination_wait_minutes must be 0 to 2880 minutes (got 2881)"),
    (
        {"ready_action": "STOP_DEPLOYMENT", "ready_wait_minutes": -1},
        "ready_wait_minutes must be 0 to 2880 minutes (got -1)",
    ),
    ({"alarms": [f"a{i}" for i in range(11)]}, "alarms may name at most 10 alarms (got 11)"),
    ({"service_role_arn": "codedeploy-dev"}, "service_role_arn must be the ARN of an IAM role"),
    ({"name": "dg dev"}, "name 'dg dev' has characters CodeDeploy refuses (' ')"),
    ({"deployment_config_name": ""}, "deployment_config_name must be 1 to 100 characters long (got 0)"),
    ({"auto_rollback_events": ["DEPLOYMENT_SUCCESS"]}, "value of auto_rollback_events must be one or more of"),
    ({"ecs_service_name": None}, "state is present but all of the following are missing: ecs_service_name"),
]


LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-dev/0123456789abcdef/{}"
OFFLINE = {
    "application_name": "app-dev",
    "name": "dg-dev",
    "service_role_arn": ROLE,
    "ecs_cluster_name": "ecs-dev",
    "ecs_service_name": "svc-dev",
    "target_group_names": ["tg-blue-dev", "tg-green-dev"],
    "prod_listener_arns": [LISTENER.format("0000000000000001")],
    "test_listener_arns": [LISTENER.format("0000000000000002")],
    "alarms": ["alb-5xx-dev"],
}


@pytest.mark.parametrize(("change", "message"), REFUSED_WITHOUT_REQUESTS)
def test_refused_before_any_request(emulator, change, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {k: v for k, v in dict(OFFLINE, **change).items() if v is not None})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


def test_a_test_listener_same_as_production_or_two_are_refused(emulator):
    emulator.mark()
    prod = OFFLINE["prod_listener_arns"][0]
    result = run_module(emulator, MODULE, dict(OFFLINE, test_listener_arns=[prod]))
    assert f"the test listener must differ from the production listener (both are {prod})" in result["msg"]
    result = run_module(emulator, MODULE, dict(OFFLINE, test_listener_arns=[prod, LISTENER.format("3" * 16)]))
    assert "test_listener_arns must hold at most 1 listener ARN (got 2)" in result["msg"]
    assert emulator.journal() == []


def refused(emulator, codedeploy, args) -> str:
    """The module's message for ``args``, which it must refuse without a mutating request or a group."""
    result = run_module(emulator, MODULE, args)
    assert result["failed"] is True, result
    assert result["msg"].startswith("CodeDeploy deployment group app-dev/dg-dev cannot be created: ")
    assert emulator.mutating_requests() == []
    assert described(codedeploy) is None
    return result["msg"]


def test_missing_target_group_is_refused(emulator, codedeploy, wanted):
    msg = refused(emulator, codedeploy, dict(wanted, target_group_names=["tg-blue-dev", "tg-missing-dev"]))
    assert "target group tg-missing-dev does not exist" in msg


def test_production_listener_forwarding_elsewhere_is_refused(emulator, codedeploy, stack, wanted):
    msg = refused(emulator, codedeploy, dict(wanted, prod_listener_arns=[stack["listeners"]["other"]]))
    other = stack["listeners"]["other"]
    expected = f"production listener {other} must forward to tg-blue-dev or tg-green-dev; it forwards to tg-other-dev"
    assert expected in msg


def test_test_listener_without_forward_action_is_refused(emulator, codedeploy, stack, wanted):
    msg = refused(emulator, codedeploy, dict(wanted, test_listener_arns=[stack["listeners"]["redirect"]]))
    redirect = stack["listeners"]["redirect"]
    assert f"test listener {redirect} must forward to tg-blue-dev or tg-green-dev" in msg
    assert "it has no forward action (default actions: redirect)" in msg


def test_missing_listener_is_refused(emulator, codedeploy, stack, wanted):
    missing = stack["listeners"]["prod"][:-4] + "0000"
    msg = refused(emulator, codedeploy, dict(wanted, prod_listener_arns=[missing]))
    assert f"production listener {missing} does not exist" in msg


def test_missing_service_and_cluster_are_refused(emulator, codedeploy, wanted):
    msg = refused(emulator, codedeploy, dict(wanted, ecs_service_name="svc-missing"))
    assert "ECS service svc-missing does not exist in cluster ecs-dev (MISSING)" in msg
    msg = refused(emulator, codedeploy, dict(wanted, ecs_cluster_name="ecs-missing"))
    assert "ECS cluster ecs-missing does not exist" in msg


def test_service_with_ecs_controller_is_refused(emulator, codedeploy, stack, wanted):
    make_service(stack["ecs"], "svc-rolling", stack["subnet"], stack["target_groups"]["tg-blue-dev"], "ECS")
    emulator.mark()
    msg = refused(emulator, codedeploy, dict(wanted, ecs_service_name="svc-rolling"))
    assert "ECS service svc-rolling in cluster ecs-dev uses the ECS deployment controller, not CODE_DEPLOY" in msg


def test_inactive_service_is_refused(emulator, codedeploy, stack, wanted):
    stack["ecs"].delete_service(cluster="ecs-dev", service="svc-dev", force=True)
    emulator.mark()
    msg = refused(emulator, codedeploy, wanted)
    assert "ECS service svc-dev in cluster ecs-dev is INACTIVE, not ACTIVE" in msg


def test_missing_or_server_application_is_refused(emulator, codedeploy, wanted):
    result = run_module(emulator, MODULE, dict(wanted, application_name="app-missing"))
    assert "CodeDeploy application app-missing does not exist; create it first" in result["msg"]
    codedeploy.create_application(applicationName="app-server", computePlatform="Server")
    emulator.mark()
    result = run_module(emulator, MODULE, dict(wanted, application_name="app-server"))
    assert "CodeDeploy application app-server has compute platform Server, not ECS" in result["msg"]
    assert emulator.mutating_requests() == []


def test_non_ecs_predefined_config_is_refused_with_the_ecs_names(emulator, codedeploy, wanted):
    msg = refused(emulator, codedeploy, dict(wanted, deployment_config_name="CodeDeployDefault.OneAtATime"))
    assert "deployment configuration CodeDeployDefault.OneAtATime is not for ECS" in msg
    for name in (
        "CodeDeployDefault.ECSAllAtOnce",
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
        "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "CodeDeployDefault.ECSCanary10Percent15Minutes",
    ):
        assert name in msg
    assert "GetDeploymentConfig" not in [entry["operation"] for entry in emulator.journal()]


def test_unknown_custom_config_is_refused(emulator, codedeploy, wanted):
    # moto has no GetDeploymentConfig; the fault gives AWS's answer for a configuration that does not exist.
    message = "The deployment configuration cfg-dev does not exist with the user or AWS account."
    emulator.inject_fault("codedeploy", "GetDeploymentConfig", "DeploymentConfigDoesNotExistException", message)
    msg = refused(emulator, codedeploy, dict(wanted, deployment_config_name="cfg-dev"))
    assert "deployment configuration cfg-dev does not exist; use one of the predefined ECS configurations" in msg


def test_every_problem_is_named_at_once(emulator, codedeploy, stack, wanted):
    args = dict(wanted, ecs_service_name="svc-missing", prod_listener_arns=[stack["listeners"]["other"]])
    result = run_module(emulator, MODULE, args)
    assert len(result["problems"]) == 2
    assert emulator.mutating_requests() == []


def test_checks_apply_to_an_update_too(emulator, codedeploy, stack, wanted, created):
    result = run_module(emulator, MODULE, dict(wanted, test_listener_arns=[stack["listeners"]["other"]]))
    assert result["msg"].startswith("CodeDeploy deployment group app-dev/dg-dev cannot be updated: test listener")
    assert emulator.mutating_requests() == []


# -- AWS errors ----------------------------------------------------------------------------------


def test_access_denied_is_reported(emulator, codedeploy, wanted):
    emulator.inject_fault("codedeploy", "CreateDeploymentGroup", "AccessDeniedException", "User is not authorized")
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage CodeDeploy deployment group app-dev/dg-dev")
    assert "User is not authorized" in result["msg"]
    assert result["error"]["code"] == "AccessDeniedException"
    assert described(codedeploy) is None


def test_access_denied_on_a_check_is_reported_before_any_change(emulator, wanted):
    emulator.inject_fault("elbv2", "DescribeListeners", "AccessDenied", "Not allowed", 403)
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage CodeDeploy deployment group app-dev/dg-dev")
    assert result["error"]["code"] == "AccessDenied"
    assert emulator.mutating_requests() == []


@pytest.fixture
def quick_retries(monkeypatch):
    """AWSRetry's jittered back-off without the sleeping."""
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)


def test_throttling_is_retried(emulator, codedeploy, wanted, quick_retries):
    # botocore gives up at once, so AWSRetry.jittered_backoff does the retrying.
    wanted = dict(wanted, aws_config={"retries": {"max_attempts": 1}})
    emulator.inject_fault("codedeploy", "GetDeploymentGroup", "ThrottlingException", "Rate exceeded", count=2)
    emulator.inject_fault("codedeploy", "CreateDeploymentGroup", "ThrottlingException", "Rate exceeded", count=2)
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True
    journal = [entry["operation"] for entry in emulator.journal()]
    assert journal.count("CreateDeploymentGroup") == 3
    assert journal.count("GetDeploymentGroup") == 4  # 2 throttled, not found, read back after the create
    assert alarm_names(described(codedeploy)) == ["alb-5xx-dev", "tg-unhealthy-dev"]
