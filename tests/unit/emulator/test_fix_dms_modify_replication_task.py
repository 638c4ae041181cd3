"""emulator/fixes/dms_modify_replication_task.py: ModifyReplicationTask, refused while running."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.unit.emulator import dms_helpers as h

NEW_MAPPINGS = json.dumps(
    {
        "rules": [
            {
                "rule-type": "selection",
                "rule-id": "1",
                "rule-name": "1",
                "object-locator": {"schema-name": "public", "table-name": "invoices"},
                "rule-action": "include",
            }
        ]
    }
)


def test_modifies_a_ready_task(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    assert h.task_status(dms, setup.task_arn) == "ready"
    task = dms.modify_replication_task(
        ReplicationTaskArn=setup.task_arn, TableMappings=NEW_MAPPINGS, MigrationType="full-load"
    )["ReplicationTask"]
    assert (task["TableMappings"], task["MigrationType"]) == (NEW_MAPPINGS, "full-load")
    (described,) = dms.describe_replication_tasks()["ReplicationTasks"]
    assert (described["TableMappings"], described["MigrationType"]) == (NEW_MAPPINGS, "full-load")


def test_running_task_is_refused_and_stopped_task_accepted(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    h.task_status(dms, setup.task_arn)
    dms.start_replication_task(ReplicationTaskArn=setup.task_arn, StartReplicationTaskType="start-replication")
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.modify_replication_task(ReplicationTaskArn=setup.task_arn, TableMappings=NEW_MAPPINGS)
    dms.stop_replication_task(ReplicationTaskArn=setup.task_arn)
    dms.modify_replication_task(ReplicationTaskArn=setup.task_arn, ReplicationTaskIdentifier="dms-task-2")
    (described,) = dms.describe_replication_tasks()["ReplicationTasks"]
    assert (described["ReplicationTaskIdentifier"], described["ReplicationTaskArn"]) == ("dms-task-2", setup.task_arn)


def test_taken_identifier_and_unknown_task_are_refused(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    h.task(dms, setup, identifier="other-task")
    h.task_status(dms, setup.task_arn)
    with pytest.raises(dms.exceptions.ResourceAlreadyExistsFault):
        dms.modify_replication_task(ReplicationTaskArn=setup.task_arn, ReplicationTaskIdentifier="other-task")
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.modify_replication_task(ReplicationTaskArn=setup.task_arn + "-missing", MigrationType="cdc")


def test_plain_moto_cannot_modify_a_task(plain_moto):
    dms = plain_moto.client("dms", retries={"max_attempts": 1})
    setup = h.migration(plain_moto)
    with pytest.raises(ClientError) as error:
        dms.modify_replication_task(ReplicationTaskArn=setup.task_arn, MigrationType="full-load")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
