"""DMS's own validation state per table of the replication task (DescribeTableStatistics).

Reported beside the validator's result; it does not decide whether the run passes.
"""

from __future__ import annotations


def validation_states(dms, task_arn: str) -> dict:
    """{"schema.table": ValidationState} for every table the task reports."""
    states, marker = {}, None
    while True:
        request = {"ReplicationTaskArn": task_arn, "MaxRecords": 500}
        if marker:
            request["Marker"] = marker
        answer = dms.describe_table_statistics(**request)
        for row in answer.get("TableStatistics", []):
            states[f"{row['SchemaName']}.{row['TableName']}"] = row.get("ValidationState", "")
        marker = answer.get("Marker")
        if not marker:
            return states
