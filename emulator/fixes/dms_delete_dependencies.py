"""DMS: resources still in use cannot be deleted (``InvalidResourceStateFault``).

AWS refuses to delete a replication instance or an endpoint that a replication
task still uses, a replication subnet group that a replication instance still
uses, and a replication task that is running. moto deletes all of them, so a
teardown order that works on moto would fail on AWS.
"""

from __future__ import annotations

import functools

RUNNING_STATES = ("starting", "running", "stopping")


def apply(options) -> None:
    from moto.dms.exceptions import InvalidResourceStateFault
    from moto.dms.models import DatabaseMigrationServiceBackend as backend

    def guarded(method, check):
        @functools.wraps(method)
        def delete(self, *args, **kwargs):
            # moto passes the one identifier by keyword; accept it either way
            check(self, args[0] if args else next(iter(kwargs.values())))
            return method(self, *args, **kwargs)

        return delete

    def tasks_using(self, arn):
        return sorted(
            task.id
            for task in self.replication_tasks.values()
            if arn in (task.replication_instance_arn, task.source_endpoint_arn, task.target_endpoint_arn)
        )

    def instance_unused(self, arn):
        if tasks := tasks_using(self, arn):
            raise InvalidResourceStateFault(f"Replication instance {arn} is in use by replication task(s) {tasks}")

    def endpoint_unused(self, arn):
        if tasks := tasks_using(self, arn):
            raise InvalidResourceStateFault(f"Endpoint {arn} is in use by replication task(s) {tasks}")

    def subnet_group_unused(self, identifier):
        instances = sorted(
            instance.id
            for instance in self.replication_instances.values()
            if instance.replication_subnet_group_identifier == identifier
        )
        if instances:
            raise InvalidResourceStateFault(
                f"Replication subnet group {identifier} is in use by replication instance(s) {instances}"
            )

    def task_stopped(self, arn):
        task = self.replication_tasks.get(arn)
        if task is not None and task.status in RUNNING_STATES:
            raise InvalidResourceStateFault(f"Replication task {task.id} is {task.status}; stop it before deleting it")

    backend.delete_replication_instance = guarded(backend.delete_replication_instance, instance_unused)
    backend.delete_endpoint = guarded(backend.delete_endpoint, endpoint_unused)
    backend.delete_replication_subnet_group = guarded(backend.delete_replication_subnet_group, subnet_group_unused)
    backend.delete_replication_task = guarded(backend.delete_replication_task, task_stopped)
