"""envmigrate.aws.dms_replication_task_info against the emulator: what a cutover gate reads."""

from __future__ import annotations

import datetime
import json

from tests.harness.module import run_module as run
from tests.unit.modules.dms_fixtures import (
    INSTANCE,
    TASK,
    assert_aws_error,
    start_task,
)

MODULE = "dms_replication_task_info"


def put_latency(emulator, task_arn, source, target, minutes_ago=1):
    """Data points as DMS publishes them: the task named by the resource ID at the end of its ARN."""
    dimensions = [
        {"Name": "ReplicationInstanceIdentifier", "Value": INSTANCE},
        {"Name": "ReplicationTaskIdentifier", "Value": task_arn.rsplit(":", 1)[-1]},
    ]
    when = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
    emulator.client("cloudwatch").put_metric_data(
        Namespace="AWS/DMS",
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Timestamp": when, "Value": value, "Unit": "Seconds"}
            for name, value in (("CDCLatencySource", source), ("CDCLatencyTarget", target))
        ],
    )


def test_a_task_that_never_ran(emulator, task_arn):
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": TASK})
    assert result["changed"] is False
    (found,) = result["replication_tasks"]
    assert found["identifier"] == TASK
    assert found["arn"] == task_arn
    assert found["status"] == "ready"
    assert found["migration_type"] == "full-load-and-cdc"
    assert found["table_statistics"] == []
    assert found["table_states"] == {}
    assert found["cdc_latency_source"] is None
    assert found["cdc_latency_target"] is None
    assert emulator.mutating_requests() == []


def test_a_running_task_with_latency_and_table_statistics(emulator, dms, task_arn):
    settings = {"ValidationSettings": {"EnableValidation": True}}
    dms.modify_replication_task(ReplicationTaskArn=task_arn, ReplicationTaskSettings=json.dumps(settings))
    start_task(dms, task_arn)
    put_latency(emulator, task_arn, source=9.0, target=99.0, minutes_ago=3)
    put_latency(emulator, task_arn, source=1.0, target=2.0)  # the latest one counts
    emulator.mark()
    (found,) = run(emulator, MODULE, {"identifier": task_arn})["replication_tasks"]
    assert found["status"] == "running"
    assert found["full_load_progress_percent"] == 100
    assert found["tables_errored"] == 0
    assert (found["cdc_latency_source"], found["cdc_latency_target"]) == (1.0, 2.0)
    tables = {(row["schema_name"], row["table_name"]): row for row in found["table_statistics"]}
    assert sorted(tables) == [("public", "customers"), ("public", "orders")]
    assert tables[("public", "orders")]["table_state"] == "Table completed"
    assert tables[("public", "orders")]["validation_state"] == "Validated"
    assert found["table_states"] == {"Table completed": 2}
    assert found["validation_states"] == {"Validated": 2}
    assert emulator.mutating_requests() == []


def test_latency_outside_the_period_is_none(emulator, dms, task_arn):
    start_task(dms, task_arn)
    put_latency(emulator, task_arn, source=1.0, target=2.0, minutes_ago=30)
    (found,) = run(emulator, MODULE, {"identifier": TASK, "cdc_latency_period": 600})["replication_tasks"]
    assert (found["cdc_latency_source"], found["cdc_latency_target"]) == (None, None)


def test_all_tasks_without_the_optional_reads(emulator, dms, task_arn):
    emulator.mark()
    result = run(emulator, MODULE, {"table_statistics": False, "cdc_latency": False})
    (found,) = result["replication_tasks"]
    assert found["identifier"] == TASK
    assert "table_statistics" not in found
    assert "cdc_latency_source" not in found
    assert [e["operation"] for e in emulator.journal()] == ["DescribeReplicationTasks"]


def test_an_unknown_task_is_an_empty_list(emulator):
    result = run(emulator, MODULE, {"identifier": "nope"})
    assert result == {"failed": False, "changed": False, "replication_tasks": []}


def test_check_mode_reads_as_usual(emulator, task_arn):
    result = run(emulator, MODULE, {"identifier": TASK}, check_mode=True)
    assert result["replication_tasks"][0]["status"] == "ready"


def test_access_denied_is_reported(emulator, task_arn):
    emulator.inject_fault("dms", "DescribeTableStatistics", "AccessDeniedFault", message="not authorized")
    result = run(emulator, MODULE, {"identifier": TASK})
    prefix = "Failed to read DMS replication tasks"
    assert_aws_error(result, "AccessDeniedFault", "DescribeTableStatistics", prefix, "not authorized")
