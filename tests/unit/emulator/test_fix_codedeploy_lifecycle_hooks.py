"""emulator/fixes/codedeploy_lifecycle_hooks.py: AppSpec hooks run their functions, which report their status.

The ECS service, load balancer and deployment group are those of test_fix_codedeploy.py; the hook functions
run through emulator/fixes/lambda_invoke_local.py and call back into the emulator with boto3.
"""

from __future__ import annotations

import json
import time

import pytest
import yaml
from botocore.exceptions import ClientError, WaiterError

from tests.unit.emulator.test_fix_codedeploy import appspec, blue_green_group, ecs_service, load_balancer, traffic
from tests.unit.emulator.test_fix_lambda_invoke_local import create_function, state_table

# Waits long enough for a hook function to start, import boto3 and report, on a busy machine.
PATIENT = {"Delay": 1, "MaxAttempts": 60}

# Reports the status its environment names. Before that it notes, in the state table, where the test and
# production listeners forward to at this moment and its LifecycleEventHookExecutionId.
HOOK = """
import os
import boto3

def handler(event, context):
    elbv2 = boto3.client("elbv2")
    seen = {}
    for name in ("TEST_LISTENER", "PROD_LISTENER"):
        if os.environ.get(name):
            (listener,) = elbv2.describe_listeners(ListenerArns=[os.environ[name]])["Listeners"]
            action = listener["DefaultActions"][0]
            groups = action.get("ForwardConfig", {}).get("TargetGroups", [])
            seen[name] = action.get("TargetGroupArn") or groups[0]["TargetGroupArn"]
    boto3.resource("dynamodb").Table("dynamodb-state-dev").put_item(
        Item={"pk": event["DeploymentId"], "sk": "hook", "execution": event["LifecycleEventHookExecutionId"], **seen}
    )
    if os.environ["VERDICT"] != "none":
        boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
            deploymentId=event["DeploymentId"],
            lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
            status=os.environ["VERDICT"],
        )
"""


def release(emulator, verdict: str = "Succeeded", **hooks: str) -> tuple[dict, str, str]:
    """Service, load balancer, group and hook function lambda-health-dev (reporting ``verdict``, or nothing for
    ``none``); then a deployment of revision 2 whose AppSpec (YAML) lists ``hooks``. Returns the load balancer's
    ARNs, the new task definition and the deployment ID."""
    codedeploy = emulator.client("codedeploy")
    old, new = ecs_service(emulator)
    arns = load_balancer(emulator)
    blue_green_group(codedeploy, prod=arns["prod"], test=arns["test"])
    state_table(emulator)
    variables = {"VERDICT": verdict, "TEST_LISTENER": arns["test"], "PROD_LISTENER": arns["prod"]}
    create_function(emulator, "lambda-health-dev", HOOK, Timeout=60, Environment={"Variables": variables})
    revision = appspec(new)
    content = json.loads(revision["appSpecContent"]["content"])
    content["Hooks"] = [{event: function} for event, function in hooks.items()]
    revision["appSpecContent"]["content"] = yaml.safe_dump(content)
    deployment_id = codedeploy.create_deployment(
        applicationName="app-dev", deploymentGroupName="dg-dev", revision=revision
    )["deploymentId"]
    return arns, new, deployment_id


def deployment(emulator, deployment_id: str) -> dict:
    return emulator.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]


def hook_record(emulator, deployment_id: str, wait: float = 30) -> dict:
    """What the hook function noted, once it has run."""
    key = {"pk": {"S": deployment_id}, "sk": {"S": "hook"}}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        item = emulator.client("dynamodb").get_item(TableName="dynamodb-state-dev", Key=key).get("Item")
        if item:
            return {name: value["S"] for name, value in item.items()}
        time.sleep(0.2)
    raise AssertionError("the hook function did not run")


def first_hook(emulator, deployment_id: str) -> dict:
    """Read the deployment twice (Created -> InProgress -> its first hook) and wait for that hook's note."""
    deployment(emulator, deployment_id)
    deployment(emulator, deployment_id)
    return hook_record(emulator, deployment_id)


def service_task_definition(emulator) -> str:
    return emulator.client("ecs").describe_services(cluster="ecs-dev", services=["svc-dev"])["services"][0][
        "taskDefinition"
    ]


def test_a_hook_reporting_succeeded_lets_the_deployment_succeed(emulator):
    codedeploy = emulator.client("codedeploy")
    arns, new, deployment_id = release(emulator, AfterAllowTestTraffic="lambda-health-dev")
    # Created, then InProgress; without hooks the next read would show Succeeded.
    assert [deployment(emulator, deployment_id)["status"] for _ in range(3)] == ["InProgress"] * 3
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=PATIENT)
    assert traffic(emulator, arns) == ({arns["green"]}, {arns["green"]})
    assert service_task_definition(emulator) == new
    # While the hook ran, only the test listener had moved to the replacement.
    seen = hook_record(emulator, deployment_id)
    assert (seen["TEST_LISTENER"], seen["PROD_LISTENER"]) == (arns["green"], arns["blue"])


def test_hooks_run_in_lifecycle_order_each_with_its_own_execution_id(emulator):
    codedeploy = emulator.client("codedeploy")
    arns, _, deployment_id = release(
        emulator, AfterAllowTraffic="lambda-health-dev", BeforeInstall="lambda-health-dev"
    )  # listed out of order on purpose
    first = first_hook(emulator, deployment_id)  # no read in between starts the second hook
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=PATIENT)
    last = hook_record(emulator, deployment_id)  # the second run overwrote the first's note
    assert first["execution"] != last["execution"]
    # BeforeInstall ran with every listener on the original, AfterAllowTraffic with every listener replaced.
    assert (first["TEST_LISTENER"], first["PROD_LISTENER"]) == (arns["blue"], arns["blue"])
    assert (last["TEST_LISTENER"], last["PROD_LISTENER"]) == (arns["green"], arns["green"])


@pytest.mark.parametrize(
    ("event", "rolled_back"),
    [("AfterAllowTestTraffic", True), ("AfterAllowTraffic", True), ("BeforeInstall", False)],
)
def test_a_hook_reporting_failed_fails_the_deployment_and_traffic_stays_on_the_original(emulator, event, rolled_back):
    codedeploy = emulator.client("codedeploy")
    arns, _, deployment_id = release(emulator, "Failed", **{event: "lambda-health-dev"})
    old = service_task_definition(emulator)
    with pytest.raises(WaiterError, match="Failed"):
        codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=PATIENT)
    info = deployment(emulator, deployment_id)
    assert info["status"] == "Failed" and info["completeTime"] >= info["startTime"]
    assert info["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE"
    assert f"the {event} lifecycle event hook lambda-health-dev reported Failed" in info["errorInformation"]["message"]
    assert bool(info.get("rollbackInfo", {}).get("rollbackMessage")) is rolled_back
    assert traffic(emulator, arns) == ({arns["blue"]}, {arns["blue"]})
    assert service_task_definition(emulator) == old


def test_a_hook_function_that_does_not_exist_fails_the_deployment(emulator):
    codedeploy = emulator.client("codedeploy")
    arns, _, deployment_id = release(emulator, AfterAllowTestTraffic="lambda-missing-dev")
    with pytest.raises(WaiterError, match="Failed"):
        codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=PATIENT)
    message = deployment(emulator, deployment_id)["errorInformation"]["message"]
    assert message == (
        "The deployment failed because the AfterAllowTestTraffic lifecycle event hook lambda-missing-dev could not "
        "be invoked: Function not found: arn:aws:lambda:us-east-1:123456789012:function:lambda-missing-dev."
    )
    assert traffic(emulator, arns) == ({arns["blue"]}, {arns["blue"]})


# -- PutLifecycleEventHookExecutionStatus called directly ------------------------------------------------------


def test_the_deployment_waits_until_the_status_is_reported(emulator):
    codedeploy = emulator.client("codedeploy")
    _, new, deployment_id = release(emulator, "none", AfterAllowTestTraffic="lambda-health-dev")
    execution_id = first_hook(emulator, deployment_id)["execution"]
    assert [deployment(emulator, deployment_id)["status"] for _ in range(3)] == ["InProgress"] * 3

    answer = codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status="Succeeded"
    )
    assert answer["lifecycleEventHookExecutionId"] == execution_id
    codedeploy.get_waiter("deployment_successful").wait(deploymentId=deployment_id, WaiterConfig=PATIENT)
    assert service_task_definition(emulator) == new
    with pytest.raises(codedeploy.exceptions.LifecycleEventAlreadyCompletedException):
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status="Failed"
        )


def test_reporting_for_a_stopped_deployment_is_refused(emulator):
    codedeploy = emulator.client("codedeploy")
    _, _, deployment_id = release(emulator, "none", AfterAllowTestTraffic="lambda-health-dev")
    execution_id = first_hook(emulator, deployment_id)["execution"]
    codedeploy.stop_deployment(deploymentId=deployment_id)
    with pytest.raises(codedeploy.exceptions.LifecycleEventAlreadyCompletedException):
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status="Succeeded"
        )
    assert deployment(emulator, deployment_id)["status"] == "Stopped"


def test_put_lifecycle_event_hook_execution_status_errors(emulator):
    codedeploy = emulator.client("codedeploy")
    _, _, deployment_id = release(emulator, "none", AfterAllowTestTraffic="lambda-health-dev")
    execution_id = first_hook(emulator, deployment_id)["execution"]

    def put(**request):
        return codedeploy.put_lifecycle_event_hook_execution_status(**request)

    with pytest.raises(codedeploy.exceptions.DeploymentIdRequiredException):
        put(lifecycleEventHookExecutionId=execution_id, status="Succeeded")
    with pytest.raises(codedeploy.exceptions.DeploymentDoesNotExistException):
        put(deploymentId="d-MISSING00", lifecycleEventHookExecutionId=execution_id, status="Succeeded")
    with pytest.raises(codedeploy.exceptions.InvalidLifecycleEventHookExecutionIdException):
        put(deploymentId=deployment_id, lifecycleEventHookExecutionId="not-a-hook", status="Succeeded")
    for status in ("Pending", "InProgress", "Skipped", "Unknown"):
        with pytest.raises(codedeploy.exceptions.InvalidLifecycleEventHookExecutionStatusException):
            put(deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status=status)
    assert deployment(emulator, deployment_id)["status"] == "InProgress"  # none of these counted


def test_an_ec2_deployment_has_no_lifecycle_event_hooks_to_report(emulator):
    codedeploy = emulator.client("codedeploy")
    codedeploy.create_application(applicationName="app-server-dev", computePlatform="Server")
    codedeploy.create_deployment_group(
        applicationName="app-server-dev",
        deploymentGroupName="dg-server-dev",
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy-dev",
    )
    deployment_id = codedeploy.create_deployment(
        applicationName="app-server-dev",
        deploymentGroupName="dg-server-dev",
        revision={"revisionType": "S3", "s3Location": {"bucket": "b", "key": "k", "bundleType": "zip"}},
    )["deploymentId"]
    with pytest.raises(codedeploy.exceptions.UnsupportedActionForDeploymentTypeException):
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId="any", status="Succeeded"
        )


def test_plain_moto_lacks_the_operation(plain_moto):
    codedeploy = plain_moto.client("codedeploy", retries={"max_attempts": 1})
    with pytest.raises(ClientError) as error:
        codedeploy.put_lifecycle_event_hook_execution_status(
            deploymentId="d-MISSING00", lifecycleEventHookExecutionId="any", status="Succeeded"
        )
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
