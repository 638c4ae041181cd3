"""emulator/fixes/dms_delete_dependencies.py: what a task or instance still uses cannot be deleted."""

from __future__ import annotations

import pytest

from tests.unit.emulator import dms_helpers as h


def refused(dms, call, **parameters) -> str:
    with pytest.raises(dms.exceptions.InvalidResourceStateFault) as error:
        call(**parameters)
    return error.value.response["Error"]["Message"]


def test_instance_endpoints_and_subnet_group_in_use_are_refused(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    assert "dms-task" in refused(dms, dms.delete_replication_instance, ReplicationInstanceArn=setup.instance_arn)
    assert "dms-task" in refused(dms, dms.delete_endpoint, EndpointArn=setup.source_arn)
    assert "dms-task" in refused(dms, dms.delete_endpoint, EndpointArn=setup.target_arn)
    assert "dms-instance" in refused(
        dms, dms.delete_replication_subnet_group, ReplicationSubnetGroupIdentifier="dms-subnets"
    )


def test_running_task_is_refused_until_stopped(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    h.task_status(dms, setup.task_arn)
    dms.start_replication_task(ReplicationTaskArn=setup.task_arn, StartReplicationTaskType="start-replication")
    assert "stop it" in refused(dms, dms.delete_replication_task, ReplicationTaskArn=setup.task_arn)
    dms.stop_replication_task(ReplicationTaskArn=setup.task_arn)
    dms.delete_replication_task(ReplicationTaskArn=setup.task_arn)


def test_teardown_in_dependency_order_succeeds(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    dms.delete_replication_task(ReplicationTaskArn=setup.task_arn)
    dms.delete_endpoint(EndpointArn=setup.source_arn)
    dms.delete_endpoint(EndpointArn=setup.target_arn)
    dms.delete_replication_instance(ReplicationInstanceArn=setup.instance_arn)
    dms.get_waiter("replication_instance_deleted").wait(
        Filters=[{"Name": "replication-instance-arn", "Values": [setup.instance_arn]}], WaiterConfig=h.FAST
    )
    dms.delete_replication_subnet_group(ReplicationSubnetGroupIdentifier="dms-subnets")
    assert dms.describe_replication_subnet_groups()["ReplicationSubnetGroups"] == []


def test_plain_moto_deletes_what_is_in_use(plain_moto):
    dms = plain_moto.client("dms")
    setup = h.migration(plain_moto)
    dms.delete_endpoint(EndpointArn=setup.source_arn)
    dms.delete_replication_instance(ReplicationInstanceArn=setup.instance_arn)
    assert dms.describe_replication_tasks()["ReplicationTasks"]  # the task still points at both
