"""The health-check function, ``handler.handler``. Two ways in, told apart by the event:

* Scheduled (EventBridge; any event without ``DeploymentId``): probe every endpoint of ENDPOINTS, count
  the healthy targets of the blue and green target groups, record the result in STATE_TABLE as the item
  pk=health-check, sk=latest (the cutover gates read it) and publish the metrics in one PutMetricData.
* CodeDeploy lifecycle hook (``DeploymentId`` and ``LifecycleEventHookExecutionId``): probe TEST_ENDPOINT
  (the ALB's test listener, which serves the replacement tasks) until one probe is ok or
  HOOK_DEADLINE_SECONDS are up, and report Succeeded or Failed to CodeDeploy. Writes no item, no metric.

"Healthy", kept simple: every endpoint probe ok, and, when target groups are configured, at least one
healthy target among them. Which group serves changes with every release; the ALB can serve users as
long as one of the two has a healthy target, and a probe through the ALB already shows whether it does.

Settings: config.py; probes: probe.py; AWS calls: aws.py. Both ways return a JSON-serializable dict.
"""

import json
import logging
from datetime import datetime, timezone

if __package__:  # imported as lambdas.health_check.handler (the unit tests)
    from . import aws, config, probe
else:  # Lambda imports handler.py from the root of the function's zip
    import aws
    import config
    import probe

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

STATE_PK = "health-check"
STATE_SK = "latest"
# What the hook keeps back from the function's timeout to report its verdict to CodeDeploy.
HOOK_REPORT_MARGIN_SECONDS = 5


def handler(event, context, clients=None):
    """Lambda's entry point. ``clients`` is for tests (an aws.Clients with stubbed or emulator clients)."""
    clients = clients or aws.Clients()
    if isinstance(event, dict) and "DeploymentId" in event:
        result = run_hook(event, context, clients)
    else:
        result = run_scheduled(config.load(), clients)
    logger.info("result %s", json.dumps(result))
    return result


# -- scheduled run ---------------------------------------------------------------------------------


def run_scheduled(settings, clients) -> dict:
    require_for_scheduled_run(settings)
    at = datetime.now(timezone.utc).replace(microsecond=0)
    results = probe.probe_all(settings.endpoints, settings)
    counts, target_errors = {}, {}
    if settings.target_groups:
        counts, target_errors = aws.healthy_target_counts(clients.client("elbv2"), settings.target_groups)
    healthy = is_healthy(results, settings.target_groups, counts)
    dms_task = aws.dms_task_state(clients.client("dms"), settings.dms_task_arn) if settings.dms_task_arn else None
    outcome = {
        "at": at.isoformat(),  # e.g. 2026-11-25T06:40:00+00:00, read back with datetime.fromisoformat
        "environment": settings.environment,
        "healthy": healthy,
        "endpoints": [result.to_dict() for result in results],
        "targets": counts,
        "target_errors": target_errors,
        "dms_task": dms_task,
    }
    for result in results:
        if not result.ok:
            logger.warning("endpoint %s failed: %s", result.name, result.error)
    # The item first: the cutover gates read it, while the metrics only feed graphs and the alarm.
    aws.write_item(clients.client("dynamodb"), settings.state_table, {"pk": STATE_PK, "sk": STATE_SK, **outcome})
    aws.put_metrics(
        clients.client("cloudwatch"),
        settings.metric_namespace,
        metric_data(settings, results, counts, healthy, at, dms_task),
    )
    return {"mode": "scheduled", **outcome}


def require_for_scheduled_run(settings) -> None:
    missing = [
        variable
        for variable, value in (
            ("ENDPOINTS", settings.endpoints),
            ("STATE_TABLE", settings.state_table),
            ("ENVIRONMENT", settings.environment),
        )
        if not value
    ]
    if missing:
        raise config.ConfigError(f"a scheduled run needs {', '.join(missing)} (not set or empty)")


def is_healthy(results, target_groups: dict, counts: dict) -> bool:
    """Every probe ok and, if target groups are configured, one healthy target among those read."""
    probes_ok = all(result.ok for result in results)
    return probes_ok and (not target_groups or sum(counts.values()) > 0)


def metric_data(settings, results, counts: dict, healthy: bool, at: datetime, dms_task=None) -> list[dict]:
    """EndpointSuccess and EndpointLatency per endpoint, HealthyTargets per group, HealthCheckFailed, DmsTaskFailed."""
    environment = [{"Name": "Environment", "Value": settings.environment}]
    data = []
    for result in results:
        dimensions = [*environment, {"Name": "Endpoint", "Value": result.name}]
        data.append(datum("EndpointSuccess", 1 if result.ok else 0, "Count", dimensions, at))
        if result.latency_ms is not None:  # no response, no latency (a timeout is not a 5000 ms answer)
            data.append(datum("EndpointLatency", result.latency_ms, "Milliseconds", dimensions, at))
    for colour, healthy_targets in counts.items():
        dimensions = [*environment, {"Name": "TargetGroup", "Value": colour}]
        data.append(datum("HealthyTargets", healthy_targets, "Count", dimensions, at))
    data.append(datum("HealthCheckFailed", 0 if healthy else 1, "Count", environment, at))
    if dms_task is not None and dms_task["status"] is not None:
        data.append(datum("DmsTaskFailed", 1 if dms_task["failed"] else 0, "Count", environment, at))
    return data


def datum(name: str, value: float, unit: str, dimensions: list[dict], at: datetime) -> dict:
    return {"MetricName": name, "Value": value, "Unit": unit, "Dimensions": dimensions, "Timestamp": at}


# -- CodeDeploy lifecycle hook ---------------------------------------------------------------------


def run_hook(event: dict, context, clients) -> dict:
    deployment_id = event["DeploymentId"]
    execution_id = event.get("LifecycleEventHookExecutionId")
    if not execution_id:
        raise ValueError(f"event has DeploymentId {deployment_id} but no LifecycleEventHookExecutionId: {event!r}")
    verdict = {"mode": "hook", "deployment_id": deployment_id, "lifecycle_event_hook_execution_id": execution_id}
    try:
        settings = config.load()
        if settings.test_endpoint is None:
            raise config.ConfigError("TEST_ENDPOINT is not set: the hook has nothing to probe")
    except config.ConfigError as error:
        # CodeDeploy waits up to an hour for a verdict; a misconfigured function fails the deployment now.
        aws.report_hook_status(clients.client("codedeploy"), deployment_id, execution_id, "Failed")
        return {**verdict, "status": "Failed", "attempts": 0, "probe": None, "error": str(error)}
    result, attempts = probe.probe_until_ok(
        settings.test_endpoint, settings, hook_seconds(settings, context), settings.hook_retry_interval_seconds
    )
    status = "Succeeded" if result.ok else "Failed"
    aws.report_hook_status(clients.client("codedeploy"), deployment_id, execution_id, status)
    return {**verdict, "status": status, "attempts": attempts, "probe": result.to_dict(), "error": result.error}


def hook_seconds(settings, context) -> float:
    """How long the hook may keep probing: HOOK_DEADLINE_SECONDS, cut short to leave time to report."""
    seconds = settings.hook_deadline_seconds
    if context is not None:
        left = context.get_remaining_time_in_millis() / 1000 - HOOK_REPORT_MARGIN_SECONDS
        seconds = min(seconds, max(left, 0))
    return seconds
