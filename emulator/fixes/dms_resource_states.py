"""DMS: endpoints are ``active`` and new replication tasks become ``ready``.

AWS answers CreateEndpoint with an endpoint in status ``active``; moto leaves it
``creating`` for ever, which botocore's EndpointDeleted waiter treats as failure.
AWS creates a replication task in ``creating`` and moves it to ``ready`` moments
later; moto never leaves ``creating``, so the ReplicationTaskReady waiter (and
every role that waits before starting a task) never finishes.

The task becomes a moto ``ManagedState`` (model ``dms::replicationtask``): like
moto's replication instances it moves on after being described once, and tests
can slow it down through ``/moto-api/state-manager/set-transition``.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.dms import models
    from moto.moto_api import state_manager
    from moto.moto_api._internal.managed_state_model import ManagedState

    fake_task = models.FakeReplicationTask

    class ReplicationTask(ManagedState, fake_task):
        def __init__(self, *args, **kwargs):
            ManagedState.__init__(self, "dms::replicationtask", transitions=[("creating", "ready")])
            fake_task.__init__(self, *args, **kwargs)

    # moto's backend creates tasks through this module-level name.
    models.FakeReplicationTask = ReplicationTask
    state_manager.register_default_transition("dms::replicationtask", {"progression": "manual", "times": 1})

    backend = models.DatabaseMigrationServiceBackend
    describe_tasks = backend.describe_replication_tasks
    create_endpoint = backend.create_endpoint

    @functools.wraps(describe_tasks)
    def describe_replication_tasks(self, *args, **kwargs):
        tasks = describe_tasks(self, *args, **kwargs)
        for task in tasks:
            if isinstance(task, ManagedState):
                task.advance()
        return tasks

    @functools.wraps(create_endpoint)
    def create_endpoint_active(self, *args, **kwargs):
        endpoint = create_endpoint(self, *args, **kwargs)
        endpoint.status = "active"
        return endpoint

    backend.describe_replication_tasks = describe_replication_tasks
    backend.create_endpoint = create_endpoint_active
