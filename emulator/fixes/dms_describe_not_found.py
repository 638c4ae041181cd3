"""DMS: a Describe call whose filters match nothing answers ``ResourceNotFoundFault``.

AWS answers DescribeEndpoints, DescribeReplicationInstances and
DescribeReplicationTasks with ``ResourceNotFoundFault`` when filters are given
and nothing matches; botocore's EndpointDeleted, ReplicationInstanceDeleted and
ReplicationTaskDeleted waiters succeed on exactly that error. moto answers an
empty list, so those waiters never finish. Without filters an empty account
still answers an empty list, as on AWS.
"""

from __future__ import annotations

import functools

# backend method -> what the AWS message calls the resources
DESCRIBE_OPERATIONS = {
    "describe_endpoints": "Endpoints",
    "describe_replication_instances": "Replication Instances",
    "describe_replication_tasks": "Replication Tasks",
}


def apply(options) -> None:
    from moto.dms.exceptions import ResourceNotFoundFault
    from moto.dms.models import DatabaseMigrationServiceBackend as backend

    def refuse_empty(method, noun):
        @functools.wraps(method)
        def describe(self, *args, **kwargs):
            found = method(self, *args, **kwargs)
            filters = kwargs.get("filters") if "filters" in kwargs else (args[0] if args else None)
            if filters and not found:
                raise ResourceNotFoundFault(f"No {noun} found matching provided filters")
            return found

        return describe

    for name, noun in DESCRIBE_OPERATIONS.items():
        setattr(backend, name, refuse_empty(getattr(backend, name), noun))
