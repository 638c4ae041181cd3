"""envmigrate.aws.aurora_db_user: a PostgreSQL login role made through the Data API, its password in a secret.

The emulator runs Data API statements on a real PostgreSQL server per cluster, so these tests read the
role back from PostgreSQL itself.
"""

from __future__ import annotations

import json

import pytest

from tests.harness.module import run_module

MODULE = "aurora_db_user"
SECRET = "secret-dms-target-dev"


@pytest.fixture
def cluster(emulator) -> dict:
    """An Aurora PostgreSQL Serverless v2 cluster with the Data API and an RDS-managed master password."""
    rds = emulator.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        DatabaseName="appdb",
        MasterUsername="dbadmin",
        ManageMasterUserPassword=True,
        EnableHttpEndpoint=True,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 4},
    )
    # The Data API runs SQL on the cluster's writer, so it needs one.
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-dev-1",
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )
    (described,) = rds.describe_db_clusters(DBClusterIdentifier="aurora-dev")["DBClusters"]
    emulator.mark()
    return described


@pytest.fixture
def wanted() -> dict:
    return {
        "cluster_identifier": "aurora-dev",
        "name": "dms_writer",
        "secret_name": SECRET,
        "database_privileges": ["CONNECT", "CREATE", "TEMPORARY"],
        "tags": {"Environment": "dev"},
        "wait_timeout": 1,
    }


@pytest.fixture
def created(emulator, cluster, wanted) -> dict:
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True, result
    emulator.mark()
    return result


def sql(emulator, cluster: dict, statement: str, secret_arn: str | None = None, **parameters) -> list:
    """Run a statement as the master user (or as the user of ``secret_arn``) and return the rows' values."""
    response = emulator.client("rds-data").execute_statement(
        resourceArn=cluster["DBClusterArn"],
        secretArn=secret_arn or cluster["MasterUserSecret"]["SecretArn"],
        database="appdb",
        sql=statement,
        parameters=[{"name": k, "value": {"stringValue": v}} for k, v in parameters.items()],
    )
    return [[next(iter(field.values())) for field in record] for record in response.get("records") or []]


def role(emulator, cluster: dict, name: str = "dms_writer") -> dict | None:
    rows = sql(
        emulator,
        cluster,
        "SELECT rolcanlogin, has_database_privilege(rolname, 'appdb', 'CREATE') FROM pg_roles WHERE rolname = :name",
        name=name,
    )
    return {"login": rows[0][0], "create": rows[0][1]} if rows else None


def secret(emulator) -> dict | None:
    client = emulator.client("secretsmanager")
    try:
        return json.loads(client.get_secret_value(SecretId=SECRET)["SecretString"])
    except client.exceptions.ResourceNotFoundException:
        return None


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


# -- create --------------------------------------------------------------------------------------


def test_creates_the_role_and_a_secret_dms_can_read(emulator, cluster, created):
    stored = secret(emulator)
    assert stored["username"] == "dms_writer"
    assert (stored["host"], stored["port"], stored["dbname"], stored["engine"]) == (
        cluster["Endpoint"],
        cluster["Port"],
        "appdb",
        "postgres",
    )
    assert len(stored["password"]) == 32 and stored["password"].isalnum()
    assert role(emulator, cluster) == {"login": True, "create": True}
    user = created["user"]
    assert (user["name"], user["database"], user["secret_name"]) == ("dms_writer", "appdb", SECRET)
    assert user["database_privileges"] == ["CONNECT", "CREATE", "TEMPORARY"]
    assert user["secret_arn"].startswith("arn:aws:secretsmanager:us-east-1:")


def test_the_password_in_the_secret_logs_in_and_is_never_returned(emulator, cluster, created):
    assert sql(emulator, cluster, "SELECT current_user", secret_arn=created["user"]["secret_arn"]) == [["dms_writer"]]
    assert secret(emulator)["password"] not in json.dumps(created)


def test_secret_is_tagged(emulator, created):
    tags = emulator.client("secretsmanager").describe_secret(SecretId=SECRET)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Environment": "dev"}


# -- no-op and update ----------------------------------------------------------------------------


def test_rerun_is_a_no_op_that_only_reads(emulator, wanted, created):
    password = secret(emulator)["password"]
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is False
    assert result["user"] == created["user"]
    assert operations(emulator) == []
    assert secret(emulator)["password"] == password


def test_missing_membership_and_privileges_are_granted(emulator, cluster, wanted, created):
    sql(emulator, cluster, "REVOKE CREATE ON DATABASE appdb FROM dms_writer")
    sql(emulator, cluster, "CREATE ROLE app_writers")
    result = run_module(emulator, MODULE, dict(wanted, member_of=["app_writers"]))
    assert result["changed"] is True
    assert result["user"]["member_of"] == ["app_writers"]
    assert role(emulator, cluster)["create"] is True
    assert "PutSecretValue" not in operations(emulator)  # the password stays


def test_secret_pointing_elsewhere_is_corrected_keeping_the_password(emulator, cluster, wanted, created):
    stored = secret(emulator)
    client = emulator.client("secretsmanager")
    client.put_secret_value(SecretId=SECRET, SecretString=json.dumps(dict(stored, host="old.example", port=1)))
    emulator.mark()
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True
    assert secret(emulator) == stored
    assert operations(emulator) == ["PutSecretValue"]


def test_rotate_password_sets_a_new_one_in_postgresql_and_the_secret(emulator, cluster, wanted, created):
    old = secret(emulator)["password"]
    result = run_module(emulator, MODULE, dict(wanted, rotate_password=True))
    assert result["changed"] is True
    assert secret(emulator)["password"] != old
    assert sql(emulator, cluster, "SELECT current_user", secret_arn=created["user"]["secret_arn"]) == [["dms_writer"]]


def test_role_dropped_behind_its_back_is_made_again_with_the_secret_password(emulator, cluster, wanted, created):
    sql(emulator, cluster, "REVOKE ALL ON DATABASE appdb FROM dms_writer")
    sql(emulator, cluster, "DROP ROLE dms_writer")
    emulator.mark()
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True
    assert role(emulator, cluster)["login"] is True
    assert "PutSecretValue" not in operations(emulator)
    assert sql(emulator, cluster, "SELECT current_user", secret_arn=created["user"]["secret_arn"]) == [["dms_writer"]]


def test_tags_are_updated_and_purged(emulator, wanted, created):
    result = run_module(emulator, MODULE, dict(wanted, tags={"Owner": "platform"}))
    assert result["changed"] is True
    tags = emulator.client("secretsmanager").describe_secret(SecretId=SECRET)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Owner": "platform"}


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_sends_nothing(emulator, cluster, wanted):
    result = run_module(emulator, MODULE, wanted, check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["database_privileges"] == ["CONNECT", "CREATE", "TEMPORARY"]
    assert operations(emulator) == []
    assert secret(emulator) is None
    assert role(emulator, cluster) is None


def test_check_mode_delete_sends_nothing(emulator, cluster, wanted, created):
    result = run_module(emulator, MODULE, dict(wanted, state="absent"), check_mode=True)
    assert result["changed"] is True
    assert operations(emulator) == []
    assert role(emulator, cluster) is not None and secret(emulator) is not None


# -- delete --------------------------------------------------------------------------------------


def test_delete_drops_the_role_and_the_secret_and_again_is_no_change(emulator, cluster, wanted, created):
    sql(emulator, cluster, "CREATE TABLE owned_by_admin (id int)")
    sql(emulator, cluster, "GRANT SELECT ON owned_by_admin TO dms_writer")
    absent = dict(wanted, state="absent", secret_recovery_window=0)
    assert run_module(emulator, MODULE, absent)["changed"] is True
    assert role(emulator, cluster) is None
    assert secret(emulator) is None
    assert run_module(emulator, MODULE, absent)["changed"] is False


def test_delete_after_the_cluster_is_gone_deletes_the_secret(emulator, wanted, created):
    rds = emulator.client("rds")
    rds.delete_db_instance(DBInstanceIdentifier="aurora-dev-1", SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier="aurora-dev", SkipFinalSnapshot=True)
    result = run_module(emulator, MODULE, dict(wanted, state="absent", secret_recovery_window=0))
    assert result["changed"] is True
    assert secret(emulator) is None


def test_delete_with_a_recovery_window_schedules_the_secret(emulator, wanted, created):
    assert run_module(emulator, MODULE, dict(wanted, state="absent", secret_recovery_window=7))["changed"] is True
    described = emulator.client("secretsmanager").describe_secret(SecretId=SECRET)
    assert "DeletedDate" in described
    assert run_module(emulator, MODULE, dict(wanted, state="absent"))["changed"] is False


# -- what it refuses and the errors it handles ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"name": "DMS-writer"}, "name 'DMS-writer' must be lowercase letters"),
        ({"name": 'x"; DROP ROLE dbadmin; --'}, "must be lowercase letters"),
        ({"member_of": ["pg read"]}, "member_of names a role 'pg read'"),
        ({"state": "absent", "secret_recovery_window": 3}, "secret_recovery_window must be 0"),
    ],
)
def test_bad_input_is_refused_before_any_request(emulator, wanted, args, message):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(wanted, **args))
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []


def test_cluster_without_the_data_api_is_refused(emulator, cluster, wanted):
    emulator.client("rds").disable_http_endpoint(ResourceArn=cluster["DBClusterArn"])
    emulator.mark()
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert "has no RDS Data API; turn it on with enable_http_endpoint=true" in result["msg"]
    assert operations(emulator) == []


def test_missing_cluster_is_reported(emulator, wanted):
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert result["msg"] == "DB cluster aurora-dev does not exist"


def test_secret_of_another_user_is_refused(emulator, cluster, wanted):
    emulator.client("secretsmanager").create_secret(Name=SECRET, SecretString=json.dumps({"username": "app"}))
    emulator.mark()
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert "holds the credentials of app, not of dms_writer" in result["msg"]
    assert operations(emulator) == []


def test_a_resuming_cluster_is_retried(emulator, cluster, wanted):
    emulator.inject_fault("rds-data", "ExecuteStatement", "DatabaseResumingException", "Resuming", count=1)
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True
    assert role(emulator, cluster)["login"] is True


def test_access_denied_is_reported(emulator, cluster, wanted):
    emulator.inject_fault("secretsmanager", "DescribeSecret", "AccessDeniedException", "Not allowed")
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage role dms_writer on DB cluster aurora-dev")
    assert result["error"]["code"] == "AccessDeniedException"
    assert operations(emulator) == []


def test_sql_errors_are_reported_with_postgresql_message(emulator, cluster, wanted):
    result = run_module(emulator, MODULE, dict(wanted, member_of=["no_such_role"]))
    assert result["failed"] is True
    assert 'role "no_such_role" does not exist' in result["msg"] + json.dumps(result.get("error", {}))
