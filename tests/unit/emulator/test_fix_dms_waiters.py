"""botocore's DMS waiters finish against the emulator (and some never do on plain moto)."""

from __future__ import annotations

import pytest
from botocore.exceptions import WaiterError

from tests.unit.emulator import dms_helpers as h


def by(name: str, value: str) -> list[dict]:
    return [{"Name": name, "Values": [value]}]


def test_replication_instance_available_and_deleted(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator, with_task=False)
    filters = by("replication-instance-arn", setup.instance_arn)
    dms.get_waiter("replication_instance_available").wait(Filters=filters, WaiterConfig=h.FAST)
    dms.delete_replication_instance(ReplicationInstanceArn=setup.instance_arn)
    dms.get_waiter("replication_instance_deleted").wait(Filters=filters, WaiterConfig=h.FAST)


def test_replication_task_ready_running_stopped_deleted(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    filters = by("replication-task-arn", setup.task_arn)
    dms.get_waiter("replication_task_ready").wait(Filters=filters, WaiterConfig=h.FAST)
    dms.start_replication_task(ReplicationTaskArn=setup.task_arn, StartReplicationTaskType="start-replication")
    dms.get_waiter("replication_task_running").wait(Filters=filters, WaiterConfig=h.FAST)
    dms.stop_replication_task(ReplicationTaskArn=setup.task_arn)
    dms.get_waiter("replication_task_stopped").wait(Filters=filters, WaiterConfig=h.FAST)
    dms.delete_replication_task(ReplicationTaskArn=setup.task_arn)
    dms.get_waiter("replication_task_deleted").wait(Filters=filters, WaiterConfig=h.FAST)


def test_endpoint_deleted(emulator):
    dms = emulator.client("dms")
    arn = h.endpoint(dms, "source", "source")
    dms.delete_endpoint(EndpointArn=arn)
    dms.get_waiter("endpoint_deleted").wait(Filters=by("endpoint-arn", arn), WaiterConfig=h.FAST)


def test_test_connection_succeeds(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator, with_task=False)
    for _ in range(2):  # a rerun tests the pair again
        dms.test_connection(ReplicationInstanceArn=setup.instance_arn, EndpointArn=setup.target_arn)
        dms.get_waiter("test_connection_succeeds").wait(
            Filters=by("endpoint-arn", setup.target_arn), WaiterConfig=h.FAST
        )


@pytest.mark.parametrize(
    ("waiter", "delete"),
    [
        ("replication_task_ready", None),
        ("replication_task_deleted", "task"),
        ("endpoint_deleted", "endpoint"),
    ],
)
def test_plain_moto_never_finishes(plain_moto, waiter, delete):
    dms = plain_moto.client("dms")
    setup = h.migration(plain_moto)
    if delete == "task":
        dms.delete_replication_task(ReplicationTaskArn=setup.task_arn)
    filters = by("replication-task-arn", setup.task_arn)
    if delete == "endpoint":
        dms.delete_replication_task(ReplicationTaskArn=setup.task_arn)
        dms.delete_endpoint(EndpointArn=setup.source_arn)
        filters = by("endpoint-arn", setup.source_arn)
    with pytest.raises(WaiterError):
        dms.get_waiter(waiter).wait(Filters=filters, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
