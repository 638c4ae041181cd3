"""What the DMS module tests build on: a network, a subnet group, an instance, endpoints, a task.

Built with boto3 straight against the emulator, so each test exercises one module only.
"""

from __future__ import annotations

import json
import types

import botocore.waiter
import pytest

from tests.harness.module import run_module

SUBNET_GROUP = "dms-subnets-unit"
INSTANCE = "dms-unit"
SOURCE = "dms-source-unit"
TARGET = "dms-target-unit"
TASK = "dms-task-unit"
SECRETS_ROLE = "arn:aws:iam::123456789012:role/dms-secrets-unit"
# Waits in module tests: the emulator moves a resource one state per describe, so a short
# timeout (polled four times) is enough and keeps each test well under a second.
FAST = {"wait_timeout": 1}

TABLE_MAPPINGS = {
    "rules": [
        {
            "rule-type": "selection",
            "rule-id": "1",
            "rule-name": "customers",
            "object-locator": {"schema-name": "public", "table-name": "customers"},
            "rule-action": "include",
        },
        {
            "rule-type": "selection",
            "rule-id": "2",
            "rule-name": "orders",
            "object-locator": {"schema-name": "public", "table-name": "orders"},
            "rule-action": "include",
        },
    ]
}


def subnet_ids(emulator) -> list[str]:
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.40.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]


def record_waiter_sleeps(monkeypatch) -> list[float]:
    """From now on, the seconds botocore's waiters sleep between two looks, recorded instead of slept."""
    sleeps: list[float] = []
    monkeypatch.setattr(botocore.waiter, "time", types.SimpleNamespace(sleep=sleeps.append))
    return sleeps


@pytest.fixture
def dms(emulator):
    return emulator.client("dms")


@pytest.fixture
def subnet_group(emulator, dms):
    dms.create_replication_subnet_group(
        ReplicationSubnetGroupIdentifier=SUBNET_GROUP,
        ReplicationSubnetGroupDescription="DMS unit tests",
        SubnetIds=subnet_ids(emulator),
    )
    return SUBNET_GROUP


@pytest.fixture
def instance_arn(dms):
    # No subnet group: a VPC costs the emulator seconds, and only the instance tests look at it.
    arn = dms.create_replication_instance(
        ReplicationInstanceIdentifier=INSTANCE, ReplicationInstanceClass="dms.t3.medium", PubliclyAccessible=False
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    dms.get_waiter("replication_instance_available").wait(
        Filters=[{"Name": "replication-instance-arn", "Values": [arn]}], WaiterConfig={"Delay": 0.1, "MaxAttempts": 5}
    )
    return arn


def create_endpoint(dms, identifier: str, kind: str) -> str:
    return dms.create_endpoint(
        EndpointIdentifier=identifier,
        EndpointType=kind,
        EngineName="postgres" if kind == "source" else "aurora-postgresql",
        DatabaseName="app",
        SslMode="require",
        PostgreSQLSettings={
            "SecretsManagerSecretId": f"{identifier}-secret",
            "SecretsManagerAccessRoleArn": SECRETS_ROLE,
        },
    )["Endpoint"]["EndpointArn"]


@pytest.fixture
def endpoints(dms):
    return create_endpoint(dms, SOURCE, "source"), create_endpoint(dms, TARGET, "target")


@pytest.fixture
def task_arn(dms, instance_arn, endpoints):
    arn = dms.create_replication_task(
        ReplicationTaskIdentifier=TASK,
        ReplicationInstanceArn=instance_arn,
        SourceEndpointArn=endpoints[0],
        TargetEndpointArn=endpoints[1],
        MigrationType="full-load-and-cdc",
        TableMappings=json.dumps(TABLE_MAPPINGS),
    )["ReplicationTask"]["ReplicationTaskArn"]
    wait_task(dms, arn, "replication_task_ready")
    return arn


def wait_task(dms, arn: str, waiter: str) -> None:
    dms.get_waiter(waiter).wait(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}], WaiterConfig={"Delay": 0.1, "MaxAttempts": 5}
    )


def start_task(dms, arn: str) -> None:
    dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    wait_task(dms, arn, "replication_task_running")


def task(dms, arn: str) -> dict:
    return dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [arn]}])[
        "ReplicationTasks"
    ][0]


def tags(dms, arn: str) -> dict:
    return {t["Key"]: t["Value"] for t in dms.list_tags_for_resource(ResourceArn=arn)["TagList"]}


def operations(entries: list[dict]) -> list[str]:
    return [entry["operation"] for entry in entries]


def run(emulator, module: str, args: dict, **kwargs) -> dict:
    return run_module(emulator, module, {**FAST, **args}, **kwargs)


def assert_aws_error(result: dict, code: str, operation: str, prefix: str, message: str) -> None:
    """The module failed with AWS's error, named by our prefix, code, operation and AWS's own message."""
    assert result["failed"] is True
    assert result["error"]["code"] == code
    assert result["msg"] == f"{prefix}: An error occurred ({code}) when calling the {operation} operation: {message}"
