"""envmigrate.aws.dms_endpoint against the emulator: endpoints, tags, tests and tasks read back from DMS."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.unit.modules.dms_fixtures import (
    INSTANCE,
    SECRETS_ROLE,
    SOURCE,
    TASK,
    assert_aws_error,
    operations,
    run,
    start_task,
    tags,
    task,
)

MODULE = "dms_endpoint"
IDENTIFIER = "dms-source-new"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:source-AbCdEf"
WANTED = {
    "identifier": IDENTIFIER,
    "endpoint_type": "source",
    "engine_name": "postgres",
    "database_name": "app",
    "postgresql_settings": {
        "secrets_manager_secret_id": SECRET,
        "secrets_manager_access_role_arn": SECRETS_ROLE,
        "heartbeat_enable": True,
    },
    "tags": {"Environment": "unit"},
}


def read_back(dms, identifier=IDENTIFIER):
    (endpoint,) = dms.describe_endpoints(Filters=[{"Name": "endpoint-id", "Values": [identifier]}])["Endpoints"]
    return endpoint


def test_creates_a_secrets_manager_endpoint_with_tags(emulator, dms):
    result = run(emulator, MODULE, WANTED)
    assert result["changed"] is True
    endpoint = read_back(dms)
    assert endpoint["EndpointType"].lower() == "source"
    assert endpoint["EngineName"] == "postgres"
    assert endpoint["DatabaseName"] == "app"
    assert endpoint["SslMode"] == "require"
    assert endpoint["PostgreSQLSettings"] == {
        "SecretsManagerSecretId": SECRET,
        "SecretsManagerAccessRoleArn": SECRETS_ROLE,
        "HeartbeatEnable": True,
    }
    assert tags(dms, endpoint["EndpointArn"]) == {"Environment": "unit"}
    assert result["endpoint"]["endpoint_arn"] == endpoint["EndpointArn"]
    assert result["endpoint"]["tags"] == {"Environment": "unit"}


def test_aurora_postgresql_target(emulator, dms):
    args = dict(WANTED, identifier="dms-target-new", endpoint_type="target", engine_name="aurora-postgresql")
    assert run(emulator, MODULE, args)["changed"] is True
    assert read_back(dms, "dms-target-new")["EngineName"] == "aurora-postgresql"
    assert run(emulator, MODULE, args)["changed"] is False


def test_second_run_is_a_no_op_without_mutating_requests(emulator):
    run(emulator, MODULE, WANTED)
    emulator.mark()
    result = run(emulator, MODULE, WANTED)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []


def test_modifies_only_what_differs_keeping_the_other_settings(emulator, dms):
    run(emulator, MODULE, WANTED)
    emulator.mark()
    changed = dict(WANTED, database_name="app2", postgresql_settings={"heartbeat_frequency": 5})
    changed["postgresql_settings"].update(WANTED["postgresql_settings"])
    result = run(emulator, MODULE, changed, diff=True)
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == ["ModifyEndpoint"]
    endpoint = read_back(dms)
    assert endpoint["DatabaseName"] == "app2"
    assert endpoint["PostgreSQLSettings"]["HeartbeatFrequency"] == 5
    assert endpoint["PostgreSQLSettings"]["SecretsManagerSecretId"] == SECRET
    assert result["diff"]["before"]["database_name"] == "app"
    assert result["diff"]["after"]["database_name"] == "app2"
    assert run(emulator, MODULE, changed)["changed"] is False


def test_tags_are_added_and_purged(emulator, dms):
    run(emulator, MODULE, WANTED)
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, tags={"Project": "envmigrate"}))
    assert result["changed"] is True
    assert tags(dms, read_back(dms)["EndpointArn"]) == {"Project": "envmigrate"}
    assert sorted(operations(emulator.mutating_requests())) == ["AddTagsToResource", "RemoveTagsFromResource"]
    result = run(emulator, MODULE, dict(WANTED, tags={"Owner": "dba"}, purge_tags=False))
    assert tags(dms, read_back(dms)["EndpointArn"]) == {"Project": "envmigrate", "Owner": "dba"}


def test_check_mode_create_and_modify_send_nothing(emulator, dms):
    emulator.mark()
    result = run(emulator, MODULE, WANTED, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"]["engine_name"] == "postgres"
    assert emulator.mutating_requests() == []
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)
    run(emulator, MODULE, WANTED)
    emulator.mark()
    result = run(emulator, MODULE, dict(WANTED, ssl_mode="verify-full"), check_mode=True, diff=True)
    assert result["changed"] is True
    assert (result["diff"]["before"]["ssl_mode"], result["diff"]["after"]["ssl_mode"]) == ("require", "verify-full")
    assert emulator.mutating_requests() == []
    assert read_back(dms)["SslMode"] == "require"


def test_deletes_and_a_second_delete_is_a_no_op(emulator, dms):
    run(emulator, MODULE, WANTED)
    result = run(emulator, MODULE, {"identifier": IDENTIFIER, "state": "absent"})
    assert result["changed"] is True
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": IDENTIFIER, "state": "absent"})["changed"] is False
    assert emulator.mutating_requests() == []


def test_create_needs_type_and_engine_but_a_test_of_an_existing_endpoint_does_not(emulator, instance_arn):
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": IDENTIFIER, "database_name": "app"})
    assert result["failed"] is True
    assert result["msg"] == f"To create endpoint {IDENTIFIER} set endpoint_type, engine_name"
    assert emulator.mutating_requests() == []
    run(emulator, MODULE, dict(WANTED, ssl_mode="none"))
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": IDENTIFIER, "test_connection": {"replication_instance": INSTANCE}})
    assert result["changed"] is False  # ssl_mode "none" is kept, not reset to require
    assert result["connection"]["status"] == "successful"
    assert operations(emulator.mutating_requests()) == ["TestConnection"]


def test_delete_while_a_task_uses_it_fails_clearly(emulator, task_arn):
    result = run(emulator, MODULE, {"identifier": SOURCE, "state": "absent"})
    assert result["failed"] is True
    assert "Failed to delete endpoint dms-source-unit (delete the replication tasks that use it first)" in result["msg"]
    assert result["error"]["code"] == "InvalidResourceStateFault"


SOURCE_ARGS = {
    "identifier": SOURCE,
    "endpoint_type": "source",
    "engine_name": "postgres",
    "database_name": "app",
    "postgresql_settings": {
        "secrets_manager_secret_id": f"{SOURCE}-secret",
        "secrets_manager_access_role_arn": SECRETS_ROLE,
    },
}


def test_change_under_a_running_task_fails_naming_the_task(emulator, dms, task_arn):
    start_task(dms, task_arn)
    emulator.mark()
    result = run(emulator, MODULE, dict(SOURCE_ARGS, database_name="other"))
    assert result["failed"] is True
    assert f"used by running replication task(s) {TASK}" in result["msg"]
    assert "running_task_action=stop_modify_resume" in result["msg"]
    assert emulator.mutating_requests() == []
    assert read_back(dms, SOURCE)["DatabaseName"] == "app"


def test_tag_change_under_a_running_task_needs_no_stop(emulator, dms, task_arn):
    start_task(dms, task_arn)
    emulator.mark()
    result = run(emulator, MODULE, dict(SOURCE_ARGS, tags={"Environment": "unit"}))
    assert result["changed"] is True
    assert operations(emulator.mutating_requests()) == ["AddTagsToResource"]


def test_stop_modify_resume(emulator, dms, task_arn):
    start_task(dms, task_arn)
    emulator.mark()
    args = dict(SOURCE_ARGS, database_name="other", running_task_action="stop_modify_resume")
    result = run(emulator, MODULE, args)
    assert result["changed"] is True
    assert result["resumed_tasks"] == [TASK]
    assert operations(emulator.mutating_requests()) == ["StopReplicationTask", "ModifyEndpoint", "StartReplicationTask"]
    resumed = [e for e in emulator.journal() if e["operation"] == "StartReplicationTask"]
    assert resumed and resumed[0]["status"] == 200
    assert read_back(dms, SOURCE)["DatabaseName"] == "other"
    assert task(dms, task_arn)["Status"] == "running"
    emulator.mark()
    assert run(emulator, MODULE, args)["changed"] is False
    assert emulator.mutating_requests() == []


def test_check_mode_stop_modify_resume_sends_nothing(emulator, dms, task_arn):
    start_task(dms, task_arn)
    emulator.mark()
    args = dict(SOURCE_ARGS, database_name="other", running_task_action="stop_modify_resume")
    result = run(emulator, MODULE, args, check_mode=True)
    assert result["changed"] is True
    assert result["resumed_tasks"] == [TASK]
    assert emulator.mutating_requests() == []
    assert task(dms, task_arn)["Status"] == "running"


def test_connection_is_tested_once_and_not_again_on_a_rerun(emulator, instance_arn):
    args = dict(WANTED, test_connection={"replication_instance_arn": INSTANCE})
    result = run(emulator, MODULE, args)
    assert result["changed"] is True
    assert result["connection"]["status"] == "successful"
    assert result["connection"]["replication_instance_arn"] == instance_arn
    emulator.mark()
    result = run(emulator, MODULE, args)
    assert result["changed"] is False
    assert result["connection"]["status"] == "successful"
    assert emulator.mutating_requests() == []


def test_connection_test_is_skipped_in_check_mode(emulator, instance_arn):
    emulator.mark()
    args = dict(WANTED, test_connection={"replication_instance_arn": instance_arn})
    result = run(emulator, MODULE, args, check_mode=True)
    assert result["changed"] is True
    assert "connection" not in result
    assert emulator.mutating_requests() == []


def test_connection_test_from_a_missing_instance_fails_clearly(emulator):
    result = run(emulator, MODULE, dict(WANTED, test_connection={"replication_instance_arn": "nope"}))
    assert result["failed"] is True
    assert result["msg"] == "The replication instance nope does not exist"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"server_name": "db.example.internal"}, "server_name and port come from the Secrets Manager secret"),
        ({"engine_name": "mysql"}, "postgresql_settings apply to engine_name postgres or aurora-postgresql only"),
        (
            {"postgresql_settings": {"secrets_manager_secret_id": SECRET}},
            "parameters are required together: secrets_manager_secret_id, secrets_manager_access_role_arn",
        ),
        ({"password": "hunter2"}, "Unsupported parameters"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(emulator, args, message):
    emulator.mark()
    arguments = {key: value for key, value in {**WANTED, **args}.items() if value is not None}
    result = run(emulator, MODULE, arguments)
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


# -- AWS errors ------------------------------------------------------------------------------------


def test_already_exists_is_reported(emulator):
    emulator.inject_fault("dms", "CreateEndpoint", "ResourceAlreadyExistsFault", message="Endpoint already exists")
    result = run(emulator, MODULE, WANTED)
    prefix = f"Failed to create endpoint {IDENTIFIER}"
    assert_aws_error(result, "ResourceAlreadyExistsFault", "CreateEndpoint", prefix, "Endpoint already exists")


def test_access_denied_is_reported(emulator):
    run(emulator, MODULE, WANTED)
    emulator.inject_fault("dms", "ModifyEndpoint", "AccessDeniedFault", message="not authorized to dms:ModifyEndpoint")
    result = run(emulator, MODULE, dict(WANTED, database_name="app2"))
    message = "not authorized to dms:ModifyEndpoint"
    assert_aws_error(result, "AccessDeniedFault", "ModifyEndpoint", f"Failed to modify endpoint {IDENTIFIER}", message)


def test_invalid_state_from_aws_is_reported(emulator):
    run(emulator, MODULE, WANTED)
    emulator.inject_fault(
        "dms", "ModifyEndpoint", "InvalidResourceStateFault", message="Endpoint is used by a running task"
    )
    result = run(emulator, MODULE, dict(WANTED, database_name="app2"))
    assert result["failed"] is True
    assert result["error"]["code"] == "InvalidResourceStateFault"
    assert result["msg"].startswith(f"Failed to modify endpoint {IDENTIFIER}")


def test_not_found_while_deleting_counts_as_deleted(emulator, dms):
    run(emulator, MODULE, WANTED)
    emulator.inject_fault("dms", "DeleteEndpoint", "ResourceNotFoundFault", message="Endpoint could not be found.")
    result = run(emulator, MODULE, {"identifier": IDENTIFIER, "state": "absent", "wait": False})
    assert result["failed"] is False
    assert result["changed"] is False


def test_failed_modify_after_stopping_says_the_tasks_are_stopped(emulator, dms, task_arn):
    start_task(dms, task_arn)
    emulator.inject_fault("dms", "ModifyEndpoint", "AccessDeniedFault", message="not authorized")
    args = dict(SOURCE_ARGS, database_name="other", running_task_action="stop_modify_resume")
    result = run(emulator, MODULE, args)
    prefix = (
        f"Failed to modify endpoint {SOURCE} (replication task(s) {TASK} were stopped for it and are still stopped)"
    )
    assert_aws_error(result, "AccessDeniedFault", "ModifyEndpoint", prefix, "not authorized")
    assert task(dms, task_arn)["Status"] == "stopped"
