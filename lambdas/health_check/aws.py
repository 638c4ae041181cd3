"""The function's AWS calls: target health (ELBv2), metrics (CloudWatch), the latest result (DynamoDB) and
the lifecycle hook's verdict (CodeDeploy). Thin wrappers; what to read and write is decided in handler.py.

boto3 comes from the Lambda runtime. Clients honour AWS_ENDPOINT_URL, which is how the tests point them
at the emulator.
"""

import json
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

# PutMetricData takes up to 1,000 metrics per request; a run has a handful, so one request.
METRICS_PER_REQUEST = 1000


class Clients:
    """boto3 clients, made on first use. Tests pass their own, e.g. ``Clients(codedeploy=stubbed)``.

    Made per invocation, not cached in the module: a run every minute does not need the saved
    milliseconds, and a cache would outlive a changed environment (a test's endpoint).
    """

    def __init__(self, **given):
        self._clients = dict(given)

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = boto3.client(service)
        return self._clients[service]


def healthy_target_counts(elbv2, target_groups: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """({colour: healthy targets}, {colour: error}) for each configured target group.

    A target group that cannot be read (deleted, no permission) is an error in the result, not a crash:
    the endpoints' probes and the other group still count.
    """
    counts, errors = {}, {}
    for colour, arn in target_groups.items():
        try:
            descriptions = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        except ClientError as error:
            errors[colour] = f"{error.response['Error'].get('Code')}: {error.response['Error'].get('Message')}"
            continue
        counts[colour] = sum(1 for target in descriptions if target["TargetHealth"]["State"] == "healthy")
    return counts, errors


def put_metrics(cloudwatch, namespace: str, metric_data: list[dict]) -> int:
    """Publish ``metric_data``; returns how many PutMetricData requests it took."""
    requests = 0
    for start in range(0, len(metric_data), METRICS_PER_REQUEST):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=metric_data[start : start + METRICS_PER_REQUEST])
        requests += 1
    return requests


def write_item(dynamodb, table: str, item: dict) -> None:
    """PutItem of a JSON-shaped ``item`` (floats become DynamoDB numbers through Decimal)."""
    as_decimals = json.loads(json.dumps(item), parse_float=Decimal)
    serializer = TypeSerializer()
    dynamodb.put_item(TableName=table, Item={key: serializer.serialize(value) for key, value in as_decimals.items()})


def report_hook_status(codedeploy, deployment_id: str, execution_id: str, status: str) -> None:
    """Tell CodeDeploy the hook's verdict ("Succeeded" or "Failed"); without it the deployment waits an hour."""
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status=status
    )


# DMS publishes no metric for a task that stopped on an error; this one tells the alarm.
FAILED_TASK_STATUSES = ("failed",)


def dms_task_state(dms, task_arn: str) -> dict:
    """{"status", "failed", "stop_reason"} of the DMS task; an unreadable task is reported, not raised."""
    try:
        tasks = dms.describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}], WithoutSettings=True
        )["ReplicationTasks"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundFault":  # DMS's answer to "no task matches"
            return {"status": None, "failed": False, "error": f"{error.response['Error']['Code']}: {error}"}
        tasks = []
    if not tasks:
        return {"status": None, "failed": False, "error": f"DMS task {task_arn} not found"}
    task = tasks[0]
    stop_reason = task.get("StopReason") or ""
    failed = task["Status"] in FAILED_TASK_STATUSES or (task["Status"] == "stopped" and "FATAL" in stop_reason.upper())
    return {"status": task["Status"], "failed": failed, "stop_reason": stop_reason}
