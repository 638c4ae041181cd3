"""emulator/fixes/dms_table_statistics.py: DescribeTableStatistics from the task's table mappings."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.unit.emulator import dms_helpers as h


def start(dms, task_arn: str) -> None:
    h.task_status(dms, task_arn)
    dms.start_replication_task(ReplicationTaskArn=task_arn, StartReplicationTaskType="start-replication")


def test_running_full_load_and_cdc_task_reports_every_selected_table(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    start(dms, setup.task_arn)
    answer = dms.describe_table_statistics(ReplicationTaskArn=setup.task_arn)
    assert answer["ReplicationTaskArn"] == setup.task_arn
    rows = answer["TableStatistics"]
    assert [(r["SchemaName"], r["TableName"]) for r in rows] == [("public", "customers"), ("public", "orders")]
    for row in rows:
        assert row["TableState"] == "Table completed"
        assert row["ValidationState"] == "Not enabled"
        assert row["FullLoadRows"] > 0 and row["FullLoadErrorRows"] == 0
        assert row["Inserts"] + row["Updates"] + row["Deletes"] >= 0
        assert row["FullLoadEndTime"] >= row["FullLoadStartTime"]
    again = dms.describe_table_statistics(ReplicationTaskArn=setup.task_arn)["TableStatistics"]
    assert [r["FullLoadRows"] for r in again] == [r["FullLoadRows"] for r in rows]  # stable between calls


def test_filters_on_table_name_and_state(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    start(dms, setup.task_arn)
    (row,) = dms.describe_table_statistics(
        ReplicationTaskArn=setup.task_arn, Filters=[{"Name": "table-name", "Values": ["orders"]}]
    )["TableStatistics"]
    assert row["TableName"] == "orders"
    assert (
        dms.describe_table_statistics(
            ReplicationTaskArn=setup.task_arn, Filters=[{"Name": "table-state", "Values": ["Table error"]}]
        )["TableStatistics"]
        == []
    )


def test_full_load_task_has_no_cdc_counters_and_validation_shows(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator, with_task=False)
    mappings = json.loads(h.TABLE_MAPPINGS)
    mappings["rules"].append(
        {
            "rule-type": "selection",
            "rule-id": "9",
            "rule-name": "9",
            "object-locator": {"schema-name": "public", "table-name": "%"},
            "rule-action": "include",
        }
    )
    mappings["rules"].append(
        {
            "rule-type": "selection",
            "rule-id": "10",
            "rule-name": "10",
            "object-locator": {"schema-name": "public", "table-name": "ord%"},
            "rule-action": "exclude",
        }
    )
    task_arn = h.task(
        dms,
        setup,
        MigrationType="full-load",
        TableMappings=json.dumps(mappings),
        ReplicationTaskSettings=json.dumps({"ValidationSettings": {"EnableValidation": True}}),
    )
    start(dms, task_arn)
    (row,) = dms.describe_table_statistics(ReplicationTaskArn=task_arn)["TableStatistics"]
    assert row["TableName"] == "customers"  # the wildcard adds nothing, "ord%" excludes orders
    assert (row["Inserts"], row["Updates"], row["Deletes"]) == (0, 0, 0)
    assert row["ValidationState"] == "Validated"


def test_task_that_never_ran_has_no_statistics_and_unknown_task_is_not_found(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    assert dms.describe_table_statistics(ReplicationTaskArn=setup.task_arn)["TableStatistics"] == []
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.describe_table_statistics(ReplicationTaskArn=setup.task_arn + "-missing")


def test_plain_moto_cannot_describe_table_statistics(plain_moto):
    dms = plain_moto.client("dms", retries={"max_attempts": 1})
    setup = h.migration(plain_moto)
    dms.start_replication_task(ReplicationTaskArn=setup.task_arn, StartReplicationTaskType="start-replication")
    with pytest.raises(ClientError) as error:
        dms.describe_table_statistics(ReplicationTaskArn=setup.task_arn)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
