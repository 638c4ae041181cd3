"""emulator/fixes/dms_resource_states.py: endpoints are active, new tasks become ready."""

from __future__ import annotations

from tests.unit.emulator import dms_helpers as h


def test_endpoint_is_active_from_creation(emulator):
    dms = emulator.client("dms")
    arn = h.endpoint(dms, "source", "source")
    (described,) = dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [arn]}])["Endpoints"]
    assert described["Status"] == "active"


def test_task_is_creating_then_ready(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator, with_task=False)
    created = dms.create_replication_task(
        ReplicationTaskIdentifier="dms-task",
        SourceEndpointArn=setup.source_arn,
        TargetEndpointArn=setup.target_arn,
        ReplicationInstanceArn=setup.instance_arn,
        MigrationType="full-load-and-cdc",
        TableMappings=h.TABLE_MAPPINGS,
    )["ReplicationTask"]
    assert created["Status"] == "creating"
    assert h.task_status(dms, created["ReplicationTaskArn"]) == "ready"


def test_started_and_stopped_task_report_running_and_stopped(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    h.task_status(dms, setup.task_arn)
    dms.start_replication_task(ReplicationTaskArn=setup.task_arn, StartReplicationTaskType="start-replication")
    assert h.task_status(dms, setup.task_arn) == "running"
    dms.stop_replication_task(ReplicationTaskArn=setup.task_arn)
    assert h.task_status(dms, setup.task_arn) == "stopped"


def test_plain_moto_keeps_endpoints_and_tasks_creating(plain_moto):
    dms = plain_moto.client("dms")
    setup = h.migration(plain_moto)
    (endpoint,) = dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [setup.source_arn]}])["Endpoints"]
    assert endpoint["Status"] == "creating"
    assert h.task_status(dms, setup.task_arn) == "creating"
