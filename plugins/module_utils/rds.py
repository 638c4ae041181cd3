# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Aurora modules share: finding a DB cluster, and waiting for it with botocore's waiters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

WAIT_DELAY = 30  # botocore's RDS waiters poll every 30 seconds; the default of the modules' wait_delay
MIN_WAIT_DELAY = 1  # a faster poll only burns API calls (and RDS throttles DescribeDBClusters)


def describe_cluster(client, identifier):
    """The DB cluster as DescribeDBClusters shows it, or None."""
    try:
        clusters = client.describe_db_clusters(aws_retry=True, DBClusterIdentifier=identifier)["DBClusters"]
    except is_boto3_error_code("DBClusterNotFoundFault"):
        return None
    return clusters[0] if clusters else None


def check_wait_delay(module):
    """Refuse a wait_delay below MIN_WAIT_DELAY, before any request."""
    if module.params["wait_delay"] < MIN_WAIT_DELAY:
        module.fail_json(
            msg="wait_delay must be at least %d second, got %s" % (MIN_WAIT_DELAY, module.params["wait_delay"])
        )


def wait_for_cluster(module, client, waiter_name, identifier, msg, delay=WAIT_DELAY):
    """Wait up to the module's wait_timeout with the RDS waiter ``waiter_name``, looking every ``delay`` seconds.

    Fails with ``msg`` on timeout.
    """
    timeout = module.params["wait_timeout"]
    delay = min(delay, max(timeout / 4.0, 0.1))  # poll at least four times within a short timeout
    config = {"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))}
    try:
        client.get_waiter(waiter_name).wait(DBClusterIdentifier=identifier, WaiterConfig=config)
    except botocore.exceptions.WaiterError as e:
        module.fail_json_aws(e, msg=msg)
