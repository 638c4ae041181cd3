"""What a live environment does by itself and the emulator cannot: the cutover gates' inputs.

On AWS, DMS replicates and publishes its CDC latency, the health checker probes the running
application every minute and the validator compares two live databases; the cutover gates
(playbooks/tasks/traffic_gates.yml) read what they left behind. The emulator runs no database,
no container and no EventBridge schedule, so ``make_gates_green`` plays those parts for one
environment: it starts the DMS task if it is not running, publishes the CDC latency DMS would,
and records the health checker's and the validator's verdicts in the state table the way the two
functions do (items ``pk=health-check`` / ``pk=validation``, ``sk=latest``; see lambdas/).

``push_image`` stands in for ``docker push`` of a release (there is no Docker here).
Only for the emulator: the demo, the molecule scenario and the cutover and release tests use it.

    python -m emulator.standins --endpoint http://127.0.0.1:4566 --suffix demo
    python -m emulator.standins --endpoint http://127.0.0.1:4566 --suffix demo --push-image 1.0.1
"""

from __future__ import annotations

import argparse
import datetime
import json

import boto3
from botocore.config import Config

CDC_LATENCY_SECONDS = 2.0


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def client(endpoint: str, service: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        # Patient, as the playbooks are (AWS_MAX_ATTEMPTS): the emulator may be throttling.
        config=Config(retries={"mode": "standard", "max_attempts": 10}),
    )


def start_replication(endpoint: str, suffix: str) -> str:
    """Start (or resume) the environment's DMS task unless it runs; return its ARN."""
    dms = client(endpoint, "dms")
    (task,) = dms.describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": [f"dms-task-{suffix}"]}]
    )["ReplicationTasks"]
    arn = task["ReplicationTaskArn"]
    if task["Status"] != "running":
        kind = "start-replication" if task["Status"] == "ready" else "resume-processing"
        dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType=kind)
        for _ in range(5):  # the emulator shows "starting" to the first read
            status = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [arn]}])[
                "ReplicationTasks"
            ][0]["Status"]
            if status == "running":
                break
    return arn


def publish_cdc_latency(endpoint: str, suffix: str, task_arn: str, seconds: float = CDC_LATENCY_SECONDS) -> None:
    """The CDCLatencySource/Target data points DMS publishes while it replicates."""
    dimensions = [
        {"Name": "ReplicationInstanceIdentifier", "Value": f"dms-{suffix}"},
        {"Name": "ReplicationTaskIdentifier", "Value": task_arn.split(":")[-1]},
    ]
    client(endpoint, "cloudwatch").put_metric_data(
        Namespace="AWS/DMS",
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Value": seconds, "Unit": "Seconds", "Timestamp": _now()}
            for name in ("CDCLatencySource", "CDCLatencyTarget")
        ],
    )


def record_verdicts(endpoint: str, suffix: str, healthy: bool = True, passed: bool = True) -> None:
    """The latest items the health checker and the validator write to the state table."""
    dynamodb = client(endpoint, "dynamodb")
    at = _now().isoformat()
    for pk, verdict, value in (("validation", "passed", passed), ("health-check", "healthy", healthy)):
        dynamodb.put_item(
            TableName=f"dynamodb-state-{suffix}",
            Item={"pk": {"S": pk}, "sk": {"S": "latest"}, "at": {"S": at}, verdict: {"BOOL": value}},
        )


def push_image(endpoint: str, suffix: str, tag: str) -> str:
    """What ``docker push`` of the application's image leaves in ECR (there is no Docker here); its URI."""
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1,
            "digest": "sha256:" + "c" * 64,
        },
        "layers": [],
    }
    ecr = client(endpoint, "ecr")
    repository = f"ecr-app-{suffix}"
    ecr.put_image(repositoryName=repository, imageManifest=json.dumps(manifest), imageTag=tag)
    (found,) = ecr.describe_repositories(repositoryNames=[repository])["repositories"]
    return f"{found['repositoryUri']}:{tag}"


def make_gates_green(endpoint: str, suffix: str) -> None:
    """Everything the cutover gates want to see, as a healthy live environment would show it."""
    task_arn = start_replication(endpoint, suffix)
    publish_cdc_latency(endpoint, suffix, task_arn)
    record_verdicts(endpoint, suffix)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.standins", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:4566", help="the emulator (default %(default)s)")
    parser.add_argument("--suffix", required=True, help="env_suffix of the deployed environment")
    parser.add_argument(
        "--push-image", metavar="TAG", help="instead: put an image TAG into ecr-app-SUFFIX, print its URI"
    )
    args = parser.parse_args(argv)
    if not args.endpoint.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("stand-ins write fake verdicts: only for the local emulator")
    if args.push_image:
        print(push_image(args.endpoint, args.suffix, args.push_image))
        return
    make_gates_green(args.endpoint, args.suffix)
    print(
        f"stand-ins for {args.suffix}: DMS task running, CDC latency {CDC_LATENCY_SECONDS:g} s,"
        " health and validation verdicts recorded"
    )


if __name__ == "__main__":
    main()
