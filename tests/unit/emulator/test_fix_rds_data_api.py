"""emulator/fixes/rds_http_endpoint.py and rds_data_postgres.py: the Data API runs SQL on a real PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import psutil
import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError


def serverless_v2(session, identifier: str = "aurora-dev", http_endpoint: bool = True, instance: bool = True) -> dict:
    """Aurora PostgreSQL Serverless v2 cluster with a managed master secret; returns the cluster."""
    rds = session.client("rds")
    cluster = rds.create_db_cluster(
        DBClusterIdentifier=identifier,
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 2},
        MasterUsername="dbadmin",
        ManageMasterUserPassword=True,
        EnableHttpEndpoint=http_endpoint,
        DatabaseName="appdb",
    )["DBCluster"]
    if instance:
        rds.create_db_instance(
            DBInstanceIdentifier=f"{identifier}-1",
            DBClusterIdentifier=identifier,
            Engine="aurora-postgresql",
            DBInstanceClass="db.serverless",
        )
    return cluster


def master_secret(session, cluster: dict) -> dict:
    arn = cluster["MasterUserSecret"]["SecretArn"]
    return {"arn": arn, **json.loads(session.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])}


def run_sql(session, cluster: dict, sql: str, secret_arn: str | None = None, **kwargs) -> dict:
    return session.client("rds-data").execute_statement(
        resourceArn=cluster["DBClusterArn"],
        secretArn=secret_arn or cluster["MasterUserSecret"]["SecretArn"],
        sql=sql,
        **kwargs,
    )


def scalar(response: dict):
    ((field,),) = response["records"]
    ((_, value),) = field.items()
    return value


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, str]:
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def server_directory(emulator, identifier: str) -> Path:
    started = re.findall(rf"PostgreSQL for DB cluster {identifier} started in \S+ s \((\S+)\)", emulator.output())
    return Path(started[-1])


def postgres_running_in(directory: Path) -> bool:
    for process in psutil.process_iter(attrs=["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(directory) in " ".join(process.info["cmdline"] or []):
            return True
    return False


# -- rds_data_postgres: statements --------------------------------------------------------


def test_statement_runs_as_the_master_user_in_the_cluster_database(emulator):
    cluster = serverless_v2(emulator)
    started = time.monotonic()
    response = run_sql(emulator, cluster, "SELECT current_user")
    first_call = time.monotonic() - started  # initdb and start of the cluster's server
    assert scalar(response) == "dbadmin"
    assert first_call < 30
    assert scalar(run_sql(emulator, cluster, "SELECT current_database()")) == "appdb"
    assert scalar(run_sql(emulator, cluster, "SELECT current_database()", database="postgres")) == "postgres"
    attributes = run_sql(
        emulator, cluster, "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
    )["records"]
    assert attributes == [[{"booleanValue": False}, {"booleanValue": True}, {"booleanValue": True}]]
    owner = "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'appdb'"
    assert scalar(run_sql(emulator, cluster, owner)) == "dbadmin"


def test_created_role_exists_and_logs_in_with_its_own_secret(emulator):
    cluster = serverless_v2(emulator)
    created = run_sql(emulator, cluster, "CREATE ROLE dms_user WITH LOGIN PASSWORD 'dms-Passw0rd'")
    assert created["numberOfRecordsUpdated"] == 0 and "records" not in created
    run_sql(emulator, cluster, "GRANT rds_replication TO dms_user")
    roles = run_sql(emulator, cluster, "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'dms_user'")
    assert roles["records"] == [[{"stringValue": "dms_user"}, {"booleanValue": True}]]

    secrets = emulator.client("secretsmanager")
    login = {"username": "dms_user", "password": "dms-Passw0rd"}
    arn = secrets.create_secret(Name="dms", SecretString=json.dumps(login))["ARN"]
    assert scalar(run_sql(emulator, cluster, "SELECT session_user", secret_arn=arn)) == "dms_user"
    wrong = secrets.create_secret(Name="dms-wrong", SecretString=json.dumps({"username": "dms_user", "password": "x"}))
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, cluster, "SELECT 1", secret_arn=wrong["ARN"])
    assert error_of(raised) == (
        "BadRequestException",
        'FATAL: password authentication failed for user "dms_user"; SQLState: 28P01',
    )


def test_parameters_are_bound(emulator):
    cluster = serverless_v2(emulator)
    run_sql(emulator, cluster, "CREATE ROLE reader")
    found = run_sql(
        emulator,
        cluster,
        "SELECT rolname FROM pg_roles WHERE rolname = :name",
        parameters=[{"name": "name", "value": {"stringValue": "reader"}}],
    )
    assert found["records"] == [[{"stringValue": "reader"}]]
    # ':name' in a literal, a :: cast, a comment and a dollar quote stay as they are.
    typed = run_sql(
        emulator,
        cluster,
        "SELECT :n + 1, :flag, :ratio * 2, :nothing::text, ':n', 'x'::text /* :n */, $q$:n$q$, :n",
        parameters=[
            {"name": "n", "value": {"longValue": 41}},
            {"name": "flag", "value": {"booleanValue": True}},
            {"name": "ratio", "value": {"doubleValue": 1.25}},
            {"name": "nothing", "value": {"isNull": True}},
        ],
    )
    assert typed["records"] == [
        [
            {"longValue": 42},
            {"booleanValue": True},
            {"doubleValue": 2.5},
            {"isNull": True},
            {"stringValue": ":n"},
            {"stringValue": "x"},
            {"stringValue": ":n"},
            {"longValue": 41},
        ]
    ]
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, cluster, "SELECT :missing")
    assert error_of(raised)[0] == "BadRequestException"


def test_sql_error_is_a_database_error_with_postgres_message(emulator):
    cluster = serverless_v2(emulator)
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, cluster, "SELECT * FROM no_such_table")
    assert error_of(raised) == (
        "DatabaseErrorException",
        'ERROR: relation "no_such_table" does not exist; Position: 15; SQLState: 42P01',
    )
    with pytest.raises(ClientError) as raised:  # the master user is no superuser
        run_sql(emulator, cluster, "CREATE ROLE boss SUPERUSER")
    assert error_of(raised)[0] == "DatabaseErrorException"
    assert "permission denied" in error_of(raised)[1]


def test_results_rows_updated_metadata_and_json(emulator):
    cluster = serverless_v2(emulator)
    run_sql(emulator, cluster, "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL, price numeric(6,2))")
    inserted = run_sql(emulator, cluster, "INSERT INTO t (name, price) VALUES ('a', 1.50), ('b', NULL)")
    assert inserted["numberOfRecordsUpdated"] == 2
    selected = run_sql(emulator, cluster, "SELECT id, name, price FROM t ORDER BY id", includeResultMetadata=True)
    assert selected["numberOfRecordsUpdated"] == 0
    assert selected["records"] == [
        [{"longValue": 1}, {"stringValue": "a"}, {"stringValue": "1.50"}],
        [{"longValue": 2}, {"stringValue": "b"}, {"isNull": True}],
    ]
    id_column, name_column, price_column = selected["columnMetadata"]
    assert (id_column["name"], id_column["typeName"], id_column["type"]) == ("id", "int4", 4)
    assert (id_column["tableName"], id_column["schemaName"], id_column["isAutoIncrement"]) == ("t", "public", True)
    assert (name_column["typeName"], name_column["nullable"]) == ("text", 0)
    assert (price_column["typeName"], price_column["precision"], price_column["scale"]) == ("numeric", 6, 2)
    as_json = run_sql(emulator, cluster, "SELECT id, name FROM t ORDER BY id", formatRecordsAs="JSON")
    assert "records" not in as_json
    assert json.loads(as_json["formattedRecords"]) == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    arrays = run_sql(emulator, cluster, "SELECT ARRAY[1, NULL], ARRAY['x'], ARRAY[true]")["records"]
    assert arrays == [
        [
            {"arrayValue": {"longValues": [1, None]}},
            {"arrayValue": {"stringValues": ["x"]}},
            {"arrayValue": {"booleanValues": [True]}},
        ]
    ]
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, cluster, "SELECT ARRAY[[1, 2], [3, 4]]")
    assert error_of(raised)[0] == "UnsupportedResultException"


def test_transactions_commit_and_roll_back(emulator):
    cluster = serverless_v2(emulator)
    data = emulator.client("rds-data")
    target = {"resourceArn": cluster["DBClusterArn"], "secretArn": cluster["MasterUserSecret"]["SecretArn"]}
    run_sql(emulator, cluster, "CREATE TABLE t (n int)")
    rolled_back = data.begin_transaction(**target)["transactionId"]
    run_sql(emulator, cluster, "INSERT INTO t VALUES (1)", transactionId=rolled_back)
    assert data.rollback_transaction(transactionId=rolled_back, **target)["transactionStatus"] == "Rollback Complete"
    committed = data.begin_transaction(**target)["transactionId"]
    run_sql(emulator, cluster, "INSERT INTO t VALUES (2)", transactionId=committed)
    assert scalar(run_sql(emulator, cluster, "SELECT count(*) FROM t")) == 0  # not yet visible outside
    assert data.commit_transaction(transactionId=committed, **target)["transactionStatus"] == "Transaction Committed"
    assert scalar(run_sql(emulator, cluster, "SELECT array_agg(n) FROM t")) == {"longValues": [2]}
    with pytest.raises(ClientError) as raised:
        data.commit_transaction(transactionId=committed, **target)
    assert error_of(raised)[0] == "TransactionNotFoundException"


def test_each_cluster_has_its_own_server(emulator):
    first, second = serverless_v2(emulator, "aurora-dev"), serverless_v2(emulator, "aurora-prod")
    run_sql(emulator, first, "CREATE ROLE only_in_dev")
    query = "SELECT count(*) FROM pg_roles WHERE rolname = 'only_in_dev'"
    assert (scalar(run_sql(emulator, first, query)), scalar(run_sql(emulator, second, query))) == (1, 0)
    assert server_directory(emulator, "aurora-dev") != server_directory(emulator, "aurora-prod")


# -- rds_data_postgres: refusals -----------------------------------------------------------


def test_http_endpoint_disabled_or_unknown_cluster_is_refused(emulator):
    cluster = serverless_v2(emulator, http_endpoint=False)
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, cluster, "SELECT 1")
    assert error_of(raised) == (
        "HttpEndpointNotEnabledException",
        f"HttpEndpoint is not enabled for resource {cluster['DBClusterArn']}",
    )
    unknown = {**cluster, "DBClusterArn": cluster["DBClusterArn"].replace("aurora-dev", "aurora-gone")}
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, unknown, "SELECT 1")
    assert error_of(raised)[0] == "HttpEndpointNotEnabledException"


def test_cluster_without_instance_has_no_database(emulator):
    cluster = serverless_v2(emulator, instance=False)
    with pytest.raises(ClientError) as raised:
        run_sql(emulator, cluster, "SELECT 1")
    assert error_of(raised)[0] == "DatabaseNotFoundException"


def test_wrong_secret_is_refused(emulator):
    cluster = serverless_v2(emulator)
    secrets = emulator.client("secretsmanager")
    not_json = secrets.create_secret(Name="plain", SecretString="hunter2")["ARN"]
    stale = secrets.create_secret(
        Name="stale", SecretString=json.dumps({"username": "dbadmin", "password": "not-the-password"})
    )["ARN"]
    missing = cluster["MasterUserSecret"]["SecretArn"].replace("rds!cluster", "rds!gone")
    for secret_arn in (not_json, stale, missing):
        with pytest.raises(ClientError) as raised:
            run_sql(emulator, cluster, "SELECT 1", secret_arn=secret_arn)
        assert error_of(raised)[0] == "BadRequestException", secret_arn


# -- rds_data_postgres: server life cycle ------------------------------------------------


def test_deleting_the_cluster_stops_its_server(emulator):
    rds = emulator.client("rds")
    cluster = serverless_v2(emulator)
    run_sql(emulator, cluster, "SELECT 1")
    directory = server_directory(emulator, "aurora-dev")
    assert directory.exists() and postgres_running_in(directory)
    rds.delete_db_instance(DBInstanceIdentifier="aurora-dev-1", SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier="aurora-dev", SkipFinalSnapshot=True)
    assert not directory.exists()
    assert not postgres_running_in(directory)


def test_reset_stops_the_servers_and_forgets_their_roles(emulator):
    cluster = serverless_v2(emulator)
    run_sql(emulator, cluster, "CREATE ROLE before_reset")
    directory = server_directory(emulator, "aurora-dev")
    emulator.reset()
    assert not directory.exists()
    assert not postgres_running_in(directory)
    cluster = serverless_v2(emulator)
    assert scalar(run_sql(emulator, cluster, "SELECT count(*) FROM pg_roles WHERE rolname = 'before_reset'")) == 0


# -- rds_http_endpoint --------------------------------------------------------------------


def test_http_endpoint_switches_on_and_off(emulator):
    rds = emulator.client("rds")
    cluster = serverless_v2(emulator)

    def enabled() -> bool:
        return rds.describe_db_clusters(DBClusterIdentifier="aurora-dev")["DBClusters"][0]["HttpEndpointEnabled"]

    assert cluster["HttpEndpointEnabled"] is True and enabled() is True
    disabled = rds.disable_http_endpoint(ResourceArn=cluster["DBClusterArn"])
    assert (disabled["ResourceArn"], disabled["HttpEndpointEnabled"]) == (cluster["DBClusterArn"], False)
    assert enabled() is False
    rds.modify_db_cluster(DBClusterIdentifier="aurora-dev", EnableHttpEndpoint=True)  # Serverless v1 only
    assert enabled() is False
    assert rds.enable_http_endpoint(ResourceArn=cluster["DBClusterArn"])["HttpEndpointEnabled"] is True
    assert enabled() is True
    with pytest.raises(ClientError) as raised:
        rds.enable_http_endpoint(ResourceArn=cluster["DBClusterArn"] + "-gone")
    assert error_of(raised)[0] == "ResourceNotFoundFault"


def test_plain_moto_has_no_data_api_on_serverless_v2(plain_moto):
    cluster = serverless_v2(plain_moto)
    assert cluster["HttpEndpointEnabled"] is False
    response = run_sql(plain_moto, cluster, "SELECT current_user")
    assert response["records"] == []  # nothing ran
    rds = plain_moto.client("rds", retries={"max_attempts": 1})
    with pytest.raises((ClientError, ResponseParserError)):  # moto answers an HTML error page
        rds.enable_http_endpoint(ResourceArn=cluster["DBClusterArn"])
