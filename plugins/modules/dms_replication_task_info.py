#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dms_replication_task_info
version_added: 0.1.0
short_description: Status, progress, CDC latency and table statistics of AWS DMS replication tasks
description:
  - Reports what a cutover gate reads about AWS Database Migration Service replication tasks - status, full-load
    progress, stop reason, last failure, change data capture latency and, per table, the load and validation
    state.
  - CDC latency comes from the CloudWatch metrics C(CDCLatencySource) and C(CDCLatencyTarget) in the C(AWS/DMS)
    namespace (dimensions C(ReplicationInstanceIdentifier) and C(ReplicationTaskIdentifier)); it is V(null)
    when CloudWatch has no data point in O(cdc_latency_period), for example for a V(full-load) task.
  - DMS publishes task metrics under the task's resource ID (the last part of its ARN); the task identifier is
    tried as well.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  identifier:
    description: The replication task identifier or ARN. All tasks of the region when unset.
    type: str
    aliases: [replication_task_identifier]
  table_statistics:
    description: Whether to read the per-table statistics (C(DescribeTableStatistics)).
    type: bool
    default: true
  cdc_latency:
    description: Whether to read the CDC latency from CloudWatch.
    type: bool
    default: true
  cdc_latency_period:
    description: How many seconds back to look for the latest CDC latency data point.
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the migration task
  envmigrate.aws.dms_replication_task_info:
    identifier: dms-task-dev
  register: migration

- name: Gate the cutover on the task
  ansible.builtin.assert:
    that:
      - task.status == 'running'
      - task.full_load_progress_percent == 100
      - task.cdc_latency_target is not none and task.cdc_latency_target < 10
      - "task.table_states == {'Table completed': task.table_statistics | length}"
      - task.validation_states.get('Mismatched records', 0) == 0
  vars:
    task: "{{ migration.replication_tasks[0] }}"

- name: All tasks, without table statistics
  envmigrate.aws.dms_replication_task_info:
    table_statistics: false
"""

RETURN = r"""
replication_tasks:
  description: The tasks found; empty when the identifier names no task.
  returned: always
  type: list
  elements: dict
  contains:
    identifier:
      description: Identifier of the task.
      type: str
      sample: dms-task-dev
    arn:
      description: ARN of the task.
      type: str
      sample: arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ
    status:
      description: Status of the task.
      type: str
      sample: running
    migration_type:
      description: What the task migrates.
      type: str
      sample: full-load-and-cdc
    replication_instance_arn:
      description: ARN of the replication instance.
      type: str
    source_endpoint_arn:
      description: ARN of the source endpoint.
      type: str
    target_endpoint_arn:
      description: ARN of the target endpoint.
      type: str
    full_load_progress_percent:
      description: Full-load progress in percent.
      type: int
      sample: 100
    tables_loaded:
      description: Tables loaded.
      type: int
      sample: 12
    tables_loading:
      description: Tables being loaded.
      type: int
      sample: 0
    tables_queued:
      description: Tables waiting to be loaded.
      type: int
      sample: 0
    tables_errored:
      description: Tables that failed.
      type: int
      sample: 0
    start_date:
      description: When the task last started.
      type: str
      sample: "2024-05-01T10:00:00+00:00"
    stop_reason:
      description: Why the task stopped, when it did.
      type: str
      sample: Stop Reason FULL_LOAD_ONLY_FINISHED
    last_failure_message:
      description: The last error of the task.
      type: str
    cdc_latency_source:
      description: Seconds between a change on the source and DMS reading it (latest data point), or V(null).
      type: float
      sample: 1.0
    cdc_latency_target:
      description:
        - Seconds between a change on the source and DMS applying it to the target (latest data point), or V(null).
      type: float
      sample: 2.0
    table_statistics:
      description: Per-table statistics, with O(table_statistics=true). Empty for a task that never ran.
      type: list
      elements: dict
      sample:
        - schema_name: public
          table_name: customers
          table_state: Table completed
          validation_state: Validated
          full_load_rows: 1000
          inserts: 5
          updates: 2
          deletes: 0
          validation_failed_records: 0
    table_states:
      description: How many tables are in each C(table_state), with O(table_statistics=true).
      type: dict
      sample: {"Table completed": 12}
    validation_states:
      description: How many tables are in each C(validation_state), with O(table_statistics=true).
      type: dict
      sample: {"Validated": 12}
"""

import datetime

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.envmigrate.aws.plugins.module_utils import dms

LATENCY_METRICS = {"cdc_latency_source": "CDCLatencySource", "cdc_latency_target": "CDCLatencyTarget"}
METRIC_PERIOD = 60


@AWSRetry.jittered_backoff()
def list_tasks(client, identifier):
    filters = []
    if identifier:
        name = "replication-task-arn" if dms.is_arn(identifier) else "replication-task-id"
        filters = [{"Name": name, "Values": [identifier]}]
    paginator = client.get_paginator("describe_replication_tasks")
    try:
        return paginator.paginate(Filters=filters, WithoutSettings=True).build_full_result()["ReplicationTasks"]
    except is_boto3_error_code("ResourceNotFoundFault"):
        return []


@AWSRetry.jittered_backoff()
def table_statistics(client, arn):
    paginator = client.get_paginator("describe_table_statistics")
    try:
        return paginator.paginate(ReplicationTaskArn=arn).build_full_result()["TableStatistics"]
    except is_boto3_error_code("InvalidResourceStateFault"):
        return []  # a task that has not run yet has no statistics


class Latency:
    """The latest CDC latency data points of tasks, read from CloudWatch."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.cloudwatch = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
        self.instance_ids = {}

    def instance_identifier(self, arn):
        """The metrics name the instance by identifier, the task by ARN."""
        if arn not in self.instance_ids:
            instance = dms.describe(self.client, "replication instance", arn) or {}
            self.instance_ids[arn] = instance.get("ReplicationInstanceIdentifier")
        return self.instance_ids[arn]

    def of(self, task):
        instance = self.instance_identifier(task["ReplicationInstanceArn"])
        task_ids = list(
            dict.fromkeys([task["ReplicationTaskArn"].rsplit(":", 1)[-1], task["ReplicationTaskIdentifier"]])
        )
        queries = []
        for key, metric in LATENCY_METRICS.items():
            for number, task_id in enumerate(task_ids):
                dimensions = [
                    {"Name": "ReplicationInstanceIdentifier", "Value": instance},
                    {"Name": "ReplicationTaskIdentifier", "Value": task_id},
                ]
                queries.append(
                    {
                        "Id": f"{key}_{number}",
                        "MetricStat": {
                            "Metric": {"Namespace": "AWS/DMS", "MetricName": metric, "Dimensions": dimensions},
                            "Period": METRIC_PERIOD,
                            "Stat": "Average",
                        },
                    }
                )
        latest = self.latest_values(queries) if instance else {}
        return dict(
            (key, next((latest[f"{key}_{n}"] for n in range(len(task_ids)) if f"{key}_{n}" in latest), None))
            for key in LATENCY_METRICS
        )

    def latest_values(self, queries):
        end = datetime.datetime.now(datetime.timezone.utc)
        start = end - datetime.timedelta(seconds=self.module.params["cdc_latency_period"])
        response = self.cloudwatch.get_metric_data(
            aws_retry=True, MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampDescending"
        )
        latest = {}
        for result in response["MetricDataResults"]:
            if result.get("Values"):
                newest = max(range(len(result["Values"])), key=lambda i: result["Timestamps"][i])
                latest[result["Id"]] = float(result["Values"][newest])
        return latest


def summary(task):
    stats = task.get("ReplicationTaskStats") or {}
    return {
        "identifier": task["ReplicationTaskIdentifier"],
        "arn": task["ReplicationTaskArn"],
        "status": task.get("Status"),
        "migration_type": task.get("MigrationType"),
        "replication_instance_arn": task.get("ReplicationInstanceArn"),
        "source_endpoint_arn": task.get("SourceEndpointArn"),
        "target_endpoint_arn": task.get("TargetEndpointArn"),
        "full_load_progress_percent": stats.get("FullLoadProgressPercent"),
        "tables_loaded": stats.get("TablesLoaded"),
        "tables_loading": stats.get("TablesLoading"),
        "tables_queued": stats.get("TablesQueued"),
        "tables_errored": stats.get("TablesErrored"),
        "start_date": iso(task.get("ReplicationTaskStartDate")),
        "stop_reason": task.get("StopReason"),
        "last_failure_message": task.get("LastFailureMessage"),
    }


def iso(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def counts(rows, key):
    found = {}
    for row in rows:
        found[row.get(key)] = found.get(row.get(key), 0) + 1
    return found


def main():
    argument_spec = dict(
        identifier=dict(type="str", aliases=["replication_task_identifier"]),
        table_statistics=dict(type="bool", default=True),
        cdc_latency=dict(type="bool", default=True),
        cdc_latency_period=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = dms.dms_client(module)
    found = []
    try:
        tasks = list_tasks(client, module.params["identifier"])
        latency = Latency(module, client) if module.params["cdc_latency"] and tasks else None
        for task in tasks:
            info = summary(task)
            if latency:
                info.update(latency.of(task))
            if module.params["table_statistics"]:
                rows = [camel_dict_to_snake_dict(row) for row in table_statistics(client, task["ReplicationTaskArn"])]
                info.update(
                    table_statistics=rows,
                    table_states=counts(rows, "table_state"),
                    validation_states=counts(rows, "validation_state"),
                )
            found.append(info)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read DMS replication tasks")
    module.exit_json(changed=False, replication_tasks=found)


if __name__ == "__main__":
    main()
