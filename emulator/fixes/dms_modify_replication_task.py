"""DMS: ModifyReplicationTask, only while the task is not running.

AWS changes a replication task's identifier, migration type, table mappings and
settings in place, but only when the task is ``ready``, ``stopped`` or
``failed``; otherwise (running, starting, ...) it answers
``InvalidResourceStateFault``. moto answers HTTP 500.
"""

from __future__ import annotations

import json

MODIFIABLE_STATES = ("ready", "stopped", "failed")
# request parameter -> attribute of moto's FakeReplicationTask
ATTRIBUTES = {
    "ReplicationTaskIdentifier": "id",
    "MigrationType": "migration_type",
    "TableMappings": "table_mappings",
    "ReplicationTaskSettings": "replication_task_settings",
}


def apply(options) -> None:
    from moto.dms.exceptions import InvalidResourceStateFault, ResourceAlreadyExistsFault, ResourceNotFoundFault
    from moto.dms.responses import DatabaseMigrationServiceResponse as responses

    def modify_replication_task(self):
        params = json.loads(self.body)
        tasks = self.dms_backend.replication_tasks
        task = tasks.get(params["ReplicationTaskArn"])
        if task is None:
            raise ResourceNotFoundFault("Replication task could not be found.")
        if task.status not in MODIFIABLE_STATES:
            raise InvalidResourceStateFault(f"Replication task {task.id} cannot be modified in state {task.status}")
        new_identifier = params.get("ReplicationTaskIdentifier")
        if new_identifier and any(other.id == new_identifier for other in tasks.values() if other is not task):
            raise ResourceAlreadyExistsFault(f"Replication task {new_identifier} already exists")
        # The ARN stays as it is: AWS ARNs do not contain the identifier.
        for name, attribute in ATTRIBUTES.items():
            if params.get(name) is not None:
                setattr(task, attribute, params[name])
        return json.dumps({"ReplicationTask": task.to_dict()})

    responses.modify_replication_task = modify_replication_task
