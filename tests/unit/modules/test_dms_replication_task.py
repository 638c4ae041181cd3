"""envmigrate.aws.dms_replication_task against the emulator: tasks read back from DMS."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from ansible_collections.envmigrate.aws.plugins.module_utils import dms as dms_utils
from tests.unit.modules.dms_fixtures import (
    INSTANCE,
    SOURCE,
    TABLE_MAPPINGS,
    TARGET,
    TASK,
    assert_aws_error,
    operations,
    record_waiter_sleeps,
    run,
    start_task,
    tags,
)

MODULE = "dms_replication_task"
SETTINGS = {
    "TargetMetadata": {"SupportLobs": True, "LobMaxSize": 32},
    "Logging": {
        "EnableLogging": True,
        "LogComponents": [
            {"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEFAULT"},
            {"Id": "TARGET_APPLY", "Severity": "LOGGER_SEVERITY_WARNING"},
        ],
    },
}
WANTED = {
    "identifier": TASK,
    "replication_instance": INSTANCE,
    "source_endpoint": SOURCE,
    "target_endpoint": TARGET,
    "migration_type": "full-load-and-cdc",
    "table_mappings": TABLE_MAPPINGS,
    "task_settings": SETTINGS,
    "tags": {"Environment": "unit"},
}
# What AWS shows after creation: every setting filled in, log components in its own order.
AWS_SETTINGS = {
    "TargetMetadata": {"TargetSchema": "", "SupportLobs": True, "FullLobMode": False, "LobMaxSize": 32},
    "FullLoadSettings": {"TargetTablePrepMode": "DROP_AND_CREATE", "MaxFullLoadSubTasks": 8},
    "Logging": {
        "EnableLogging": True,
        "CloudWatchLogGroup": "dms-tasks-dms-unit",
        "CloudWatchLogStream": "dms-task-ABCDEF",
        "LogComponents": [
            {"Id": "TRANSFORMATION", "Severity": "LOGGER_SEVERITY_DEFAULT"},
            {"Id": "TARGET_APPLY", "Severity": "LOGGER_SEVERITY_WARNING"},
            {"Id": "SOURCE_UNLOAD", "Severity": "LOGGER_SEVERITY_DEFAULT"},
            {"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEFAULT"},
        ],
    },
}


def read_back(dms):
    (found,) = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-id", "Values": [TASK]}])[
        "ReplicationTasks"
    ]
    return found


def set_aws_settings(dms, arn):
    """Stand in for AWS, which fills in every setting the user left out."""
    dms.modify_replication_task(ReplicationTaskArn=arn, ReplicationTaskSettings=json.dumps(AWS_SETTINGS))


@pytest.fixture
def created(emulator, dms, instance_arn, endpoints):
    result = run(emulator, MODULE, WANTED)
    assert result["changed"] is True, result
    return read_back(dms)["ReplicationTaskArn"]


def test_creates_the_task_and_waits_until_ready(emulator, dms, instance_arn, endpoints):
    result = run(emulator, MODULE, WANTED)
    assert result["changed"] is True
    found = read_back(dms)
    assert found["Status"] == "ready"
    assert (found["ReplicationInstanceArn"], found["SourceEndpointArn"], found["TargetEndpointArn"]) == (
        instance_arn,
        *endpoints,
    )
    assert json.loads(found["TableMappings"]) == TABLE_MAPPINGS
    assert json.loads(found["ReplicationTaskSettings"]) == SETTINGS
    assert tags(dms, found["ReplicationTaskArn"]) == {"Environment": "unit"}
    returned = result["replication_task"]
    assert returned["status"] == "ready"
    assert returned["table_mappings"] == TABLE_MAPPINGS
    assert returned["tags"] == {"Environment": "unit"}


def test_create_without_waiting_and_wait_later(emulator, dms, instance_arn, endpoints):
    result = run(emulator, MODULE, dict(WANTED, wait=False))
    assert result["changed"] is True
    assert result["replication_task"]["status"] == "creating"
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": TASK})
    assert result["changed"] is False
    assert result["replication_task"]["status"] == "ready"
    assert emulator.mutating_requests() == []


def test_second_run_is_a_no_op_without_mutating_requests(emulator, created):
    emulator.mark()
    result = run(emulator, MODULE, WANTED)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []


def test_documents_compare_as_documents_not_text(emulator, created):
    reordered = {"rules": list(reversed(TABLE_MAPPINGS["rules"]))}
    emulator.mark()
    args = dict(WANTED, table_mappings=json.dumps(reordered, indent=4), task_settings=json.dumps(SETTINGS))
    assert run(emulator, MODULE, args)["changed"] is False
    assert emulator.mutating_requests() == []


def test_only_the_settings_the_user_set_are_compared(emulator, dms, created):
    set_aws_settings(dms, created)
    emulator.mark()
    assert run(emulator, MODULE, WANTED)["changed"] is False
    assert emulator.mutating_requests() == []


def test_a_changed_setting_is_merged_into_the_task_settings(emulator, dms, created):
    set_aws_settings(dms, created)
    emulator.mark()
    settings = {"Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"}]}}
    result = run(emulator, MODULE, dict(WANTED, task_settings=settings))
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == ["ModifyReplicationTask"]
    after = json.loads(read_back(dms)["ReplicationTaskSettings"])
    components = {c["Id"]: c["Severity"] for c in after["Logging"]["LogComponents"]}
    assert components["SOURCE_CAPTURE"] == "LOGGER_SEVERITY_DEBUG"
    assert components["TARGET_APPLY"] == "LOGGER_SEVERITY_WARNING"  # untouched
    assert after["FullLoadSettings"] == AWS_SETTINGS["FullLoadSettings"]  # untouched
    assert "CloudWatchLogGroup" not in after["Logging"]  # read-only, not sent back
    assert run(emulator, MODULE, dict(WANTED, task_settings=settings))["changed"] is False


def test_modifies_table_mappings_and_migration_type(emulator, dms, created):
    mappings = {"rules": TABLE_MAPPINGS["rules"][:1]}
    emulator.mark()
    args = dict(WANTED, table_mappings=mappings, migration_type="cdc")
    result = run(emulator, MODULE, args, diff=True)
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == ["ModifyReplicationTask"]
    found = read_back(dms)
    assert json.loads(found["TableMappings"]) == mappings
    assert found["MigrationType"] == "cdc"
    assert len(result["diff"]["before"]["table_mappings"]["rules"]) == 2
    assert len(result["diff"]["after"]["table_mappings"]["rules"]) == 1
    assert run(emulator, MODULE, args)["changed"] is False


def test_tags_are_changed_without_modifying_the_task(emulator, dms, created):
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, tags={"Environment": "unit", "Owner": "dba"}))
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == ["AddTagsToResource"]
    assert tags(dms, created) == {"Environment": "unit", "Owner": "dba"}


def test_check_mode_create_sends_nothing(emulator, dms, instance_arn, endpoints):
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, state="running"), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["status"] == "running"
    assert emulator.mutating_requests() == []
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)


def test_check_mode_modify_sends_nothing(emulator, dms, created):
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, migration_type="cdc"), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["migration_type"] == "cdc"
    assert emulator.mutating_requests() == []
    assert read_back(dms)["MigrationType"] == "full-load-and-cdc"


# -- running and stopped ---------------------------------------------------------------------------


def test_starts_stops_and_resumes(emulator, dms, created):
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": TASK, "state": "running"})["changed"] is True
    assert read_back(dms)["Status"] == "running"
    assert operations(emulator.mutating_requests()) == ["StartReplicationTask"]
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": TASK, "state": "running"})["changed"] is False
    assert emulator.mutating_requests() == []

    assert run(emulator, MODULE, {"identifier": TASK, "state": "stopped"})["changed"] is True
    assert read_back(dms)["Status"] == "stopped"
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": TASK, "state": "stopped"})["changed"] is False
    assert emulator.mutating_requests() == []

    result = run(emulator, MODULE, {"identifier": TASK, "state": "running"})
    assert result["changed"] is True
    assert result["replication_task"]["status"] == "running"


def test_a_task_that_never_ran_counts_as_stopped(emulator, created):
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": TASK, "state": "stopped"})["changed"] is False
    assert emulator.mutating_requests() == []


def test_check_mode_start_sends_nothing(emulator, dms, created):
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": TASK, "state": "running"}, check_mode=True)
    assert result["changed"] is True
    assert result["replication_task"]["status"] == "running"
    assert emulator.mutating_requests() == []
    assert read_back(dms)["Status"] == "ready"


def test_create_and_run_in_one_step(emulator, dms, instance_arn, endpoints):
    result = run(emulator, MODULE, dict(WANTED, state="running"))
    assert result["changed"] is True
    assert read_back(dms)["Status"] == "running"
    emulator.mark()
    assert run(emulator, MODULE, dict(WANTED, state="running"))["changed"] is False
    assert emulator.mutating_requests() == []


def test_modifying_a_running_task_fails_clearly_by_default(emulator, dms, created):
    start_task(dms, created)
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, migration_type="cdc"))
    assert result["failed"] is True
    assert f"Replication task {TASK} is running; AWS modifies a task only when it is not running" in result["msg"]
    assert "modify_running=stop_modify_resume" in result["msg"]
    assert emulator.mutating_requests() == []


def test_stop_modify_resume(emulator, dms, created):
    start_task(dms, created)
    emulator.mark()
    args = dict(WANTED, migration_type="cdc", modify_running="stop_modify_resume")
    result = run(emulator, MODULE, args)
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == [
        "StopReplicationTask",
        "ModifyReplicationTask",
        "StartReplicationTask",
    ]
    found = read_back(dms)
    assert (found["MigrationType"], found["Status"]) == ("cdc", "running")
    emulator.mark()
    assert run(emulator, MODULE, args)["changed"] is False
    assert emulator.mutating_requests() == []


def test_state_stopped_stops_before_modifying(emulator, dms, created):
    start_task(dms, created)
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, migration_type="cdc", state="stopped"))
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == ["StopReplicationTask", "ModifyReplicationTask"]
    found = read_back(dms)
    assert (found["MigrationType"], found["Status"]) == ("cdc", "stopped")


# -- absent ----------------------------------------------------------------------------------------


def test_deletes_a_running_task_after_stopping_it(emulator, dms, created):
    start_task(dms, created)
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": TASK, "state": "absent"}, diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert operations(emulator.mutating_requests()) == ["StopReplicationTask", "DeleteReplicationTask"]
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": TASK, "state": "absent"})["changed"] is False
    assert emulator.mutating_requests() == []


def test_check_mode_delete_sends_nothing(emulator, dms, created):
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": TASK, "state": "absent"}, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert read_back(dms)["Status"] == "ready"


# -- refused inputs --------------------------------------------------------------------------------


def rule(**changes):
    return {**TABLE_MAPPINGS["rules"][0], **changes}


@pytest.mark.parametrize(
    ("mappings", "message"),
    [
        ("{not json", "table_mappings is not valid JSON"),
        ("[]", "table_mappings must be a JSON object, not list"),
        ({"rules": []}, "table_mappings must have a non-empty 'rules' list"),
        ({"tables": []}, "table_mappings must have a non-empty 'rules' list"),
        ({"rules": [rule(**{"rule-type": "select"})]}, "rule 1 has rule-type 'select'; expected one of selection"),
        ({"rules": [rule(**{"rule-action": "add"})]}, "rule 1 (selection) has rule-action 'add'"),
        ({"rules": [{k: v for k, v in rule().items() if k != "object-locator"}]}, "needs an object-locator"),
        ({"rules": ["selection"]}, "table_mappings rule 1 must be an object"),
        (
            {"rules": [{"rule-type": "transformation", "rule-id": "9", "rule-action": "rename"}]},
            "table_mappings must have at least one selection rule",
        ),
    ],
)
def test_bad_table_mappings_are_refused_before_any_request(emulator, mappings, message):
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, table_mappings=mappings))
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


def test_read_only_settings_are_refused_before_any_request(emulator):
    emulator.mark()
    settings = {"Logging": {"EnableLogging": True, "CloudWatchLogGroup": "mine"}}
    result = run(emulator, MODULE, dict(WANTED, task_settings=settings))
    assert result["failed"] is True
    assert "task_settings cannot set Logging.CloudWatchLogGroup" in result["msg"]
    assert emulator.journal() == []


def test_missing_options_to_create_are_named(emulator):
    result = run(emulator, MODULE, {"identifier": TASK, "migration_type": "cdc"})
    assert result["failed"] is True
    assert result["msg"] == (
        f"To create replication task {TASK} set replication_instance, source_endpoint, target_endpoint, table_mappings"
    )


def test_missing_endpoint_fails_clearly(emulator, instance_arn):
    emulator.mark()
    result = run(emulator, MODULE, WANTED)
    assert result["failed"] is True
    assert result["msg"] == f"The endpoint {SOURCE} does not exist"
    assert emulator.mutating_requests() == []


def test_other_endpoints_for_an_existing_task_are_refused(emulator, dms, created, endpoints):
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, source_endpoint=TARGET))
    assert result["failed"] is True
    assert f"source_endpoint is {endpoints[0]}" in result["msg"]
    assert "AWS cannot change the instance or endpoints of a task" in result["msg"]
    assert emulator.mutating_requests() == []


# -- AWS errors ------------------------------------------------------------------------------------


def test_already_exists_is_reported(emulator, instance_arn, endpoints):
    emulator.inject_fault(
        "dms", "CreateReplicationTask", "ResourceAlreadyExistsFault", message="Replication task already exists"
    )
    result = run(emulator, MODULE, WANTED)
    prefix = f"Failed to create replication task {TASK}"
    message = "Replication task already exists"
    assert_aws_error(result, "ResourceAlreadyExistsFault", "CreateReplicationTask", prefix, message)


def test_invalid_state_from_aws_is_reported(emulator, created):
    message = "Replication Task, excluding logging severity task settings, cannot be modified while it is running state"
    emulator.inject_fault("dms", "ModifyReplicationTask", "InvalidResourceStateFault", message=message)
    result = run(emulator, MODULE, dict(WANTED, migration_type="cdc"))
    prefix = f"Failed to modify replication task {TASK}"
    assert_aws_error(result, "InvalidResourceStateFault", "ModifyReplicationTask", prefix, message)


def test_access_denied_is_reported(emulator, created):
    emulator.inject_fault("dms", "StartReplicationTask", "AccessDeniedFault", message="not authorized")
    result = run(emulator, MODULE, {"identifier": TASK, "state": "running"})
    prefix = f"Failed to start replication task {TASK}"
    assert_aws_error(result, "AccessDeniedFault", "StartReplicationTask", prefix, "not authorized")


def test_not_found_is_reported(emulator, created):
    emulator.inject_fault("dms", "StartReplicationTask", "ResourceNotFoundFault", message="Task could not be found.")
    result = run(emulator, MODULE, {"identifier": TASK, "state": "running"})
    assert result["failed"] is True
    assert result["error"]["code"] == "ResourceNotFoundFault"


def test_failed_modify_after_stopping_says_the_task_is_stopped(emulator, dms, created):
    start_task(dms, created)
    emulator.inject_fault("dms", "ModifyReplicationTask", "AccessDeniedFault", message="not authorized")
    result = run(emulator, MODULE, dict(WANTED, migration_type="cdc", modify_running="stop_modify_resume"))
    prefix = f"Failed to modify replication task {TASK} (it was stopped for the change and is still stopped)"
    assert_aws_error(result, "AccessDeniedFault", "ModifyReplicationTask", prefix, "not authorized")
    assert read_back(dms)["Status"] == "stopped"


# -- wait_delay ----------------------------------------------------------------------------------


@pytest.fixture
def slow_creation(emulator):
    """A new task shows "creating" to one describe (the emulator's default is none); back to none afterwards."""
    state_manager(emulator, "set-transition", {"progression": "manual", "times": 2})
    yield
    state_manager(emulator, "unset-transition")


def state_manager(emulator, action: str, transition: dict | None = None) -> None:
    body = {"model_name": "dms::replicationtask"}
    if transition:
        body["transition"] = transition
    request = urllib.request.Request(
        f"{emulator.endpoint}/moto-api/state-manager/{action}", method="POST", data=json.dumps(body).encode()
    )
    urllib.request.urlopen(request, timeout=30).read()


@pytest.mark.parametrize(
    ("wait", "expected"),
    [
        ({"wait_timeout": 600}, dms_utils.TASK_POLL_DELAY),  # the default, as before wait_delay existed
        ({"wait_timeout": 600, "wait_delay": 2}, 2),
        ({"wait_timeout": 8, "wait_delay": 15}, 2),  # still four looks within a short timeout
    ],
)
def test_create_waits_wait_delay_between_looks(
    emulator, dms, instance_arn, endpoints, slow_creation, monkeypatch, wait, expected
):
    waiter_sleeps = record_waiter_sleeps(monkeypatch)
    result = run(emulator, MODULE, dict(WANTED, **wait))
    assert result["changed"] is True, result
    assert read_back(dms)["Status"] == "ready"
    assert waiter_sleeps and set(waiter_sleeps) == {expected}


def test_wait_delay_below_one_second_is_refused_before_any_request(emulator):
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, wait_delay=0))
    assert result["failed"] is True
    assert result["msg"] == "wait_delay must be at least 1 second, got 0"
    assert emulator.journal() == []
