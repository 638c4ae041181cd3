"""DMS: TestConnection can be repeated for the same instance and endpoint.

On AWS each TestConnection starts a new test of the pair: the answer says
``testing`` and DescribeConnections then shows the outcome (``successful``),
which botocore's TestConnectionSucceeds waiter reads. moto answers HTTP 500 on
the second test of a pair (it returns a variable it never set), so a rerun of
any playbook that tests its endpoints fails.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.dms.models import DatabaseMigrationServiceBackend as backend

    test_connection = backend.test_connection

    @functools.wraps(test_connection)
    def test_connection_again(self, replication_instance_arn, endpoint_arn):
        for connection in self.connections:
            if (connection.replication_instance_arn, connection.endpoint_arn) == (
                replication_instance_arn,
                endpoint_arn,
            ):
                # A new test of a known pair: back to "testing" until described again.
                connection.status = "testing"
                connection._tick = 0
                return connection
        return test_connection(self, replication_instance_arn=replication_instance_arn, endpoint_arn=endpoint_arn)

    backend.test_connection = test_connection_again
