"""Role aurora_dms and playbooks/migration.yml: what site.yml built, read back; the task under control."""

from __future__ import annotations

import json

import pytest

from tests.harness.playbook import run_playbook
from tests.integration.conftest import SUFFIX, group_id, subnet_ids

# Runs on one worker with the other tests of the shared deployment's group (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("deployment-a")

ONPREM_DB = "198.51.100.10"  # inventories/local


@pytest.fixture
def rds(emulator_process):
    return emulator_process.client("rds")


@pytest.fixture
def dms(emulator_process):
    return emulator_process.client("dms")


def test_aurora_cluster_is_serverless_v2_encrypted_and_private(site, rds, emulator_process):
    (cluster,) = rds.describe_db_clusters(DBClusterIdentifier=f"aurora-{SUFFIX}")["DBClusters"]
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["EngineVersion"] == "16.4"
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert cluster["StorageEncrypted"] is True
    assert cluster["DeletionProtection"] is False
    assert cluster["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert cluster["BackupRetentionPeriod"] == 1
    assert [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]] == [group_id(emulator_process, "db")]
    (group,) = rds.describe_db_subnet_groups(DBSubnetGroupName=cluster["DBSubnetGroup"])["DBSubnetGroups"]
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == subnet_ids(emulator_process, "private")


def test_master_password_is_managed_by_rds_and_never_in_outputs(site, rds, emulator_process):
    (cluster,) = rds.describe_db_clusters(DBClusterIdentifier=f"aurora-{SUFFIX}")["DBClusters"]
    secret_arn = cluster["MasterUserSecret"]["SecretArn"]
    password = json.loads(
        emulator_process.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    )["password"]
    assert password
    assert password not in site.outputs_file.read_text()
    assert password not in json.dumps(site.output)


def test_writer_is_a_private_db_serverless_instance(site, rds):
    (writer,) = rds.describe_db_instances(DBInstanceIdentifier=f"aurora-writer-{SUFFIX}")["DBInstances"]
    assert writer["DBInstanceClass"] == "db.serverless"
    assert writer["DBClusterIdentifier"] == f"aurora-{SUFFIX}"
    assert writer["PubliclyAccessible"] is False


def test_replication_instance_is_private_in_the_dms_group(site, dms, emulator_process):
    (instance,) = dms.describe_replication_instances(
        Filters=[{"Name": "replication-instance-id", "Values": [f"dms-{SUFFIX}"]}]
    )["ReplicationInstances"]
    assert instance["PubliclyAccessible"] is False
    assert [g["VpcSecurityGroupId"] for g in instance["VpcSecurityGroups"]] == [group_id(emulator_process, "dms")]
    subnet_group = instance["ReplicationSubnetGroup"]
    assert sorted(s["SubnetIdentifier"] for s in subnet_group["Subnets"]) == subnet_ids(emulator_process, "private")


def test_endpoints_read_their_credentials_from_secrets_manager(site, dms):
    endpoints = {e["EndpointIdentifier"]: e for e in dms.describe_endpoints()["Endpoints"]}
    source, target = endpoints[f"dms-source-{SUFFIX}"], endpoints[f"dms-target-{SUFFIX}"]
    assert (source["EndpointType"], source["EngineName"]) == ("SOURCE", "postgres")
    assert (target["EndpointType"], target["EngineName"]) == ("TARGET", "aurora-postgresql")
    assert source["SslMode"] == target["SslMode"] == "require"
    for endpoint in (source, target):
        settings = endpoint["PostgreSQLSettings"]
        assert settings["SecretsManagerSecretId"]
        assert settings["SecretsManagerAccessRoleArn"].endswith(f":role/dms-secrets-{SUFFIX}")
        assert "Password" not in endpoint and "Username" not in endpoint


def _sql(emulator, cluster, statement, secret_arn=None):
    response = emulator.client("rds-data").execute_statement(
        resourceArn=cluster["DBClusterArn"],
        secretArn=secret_arn or cluster["MasterUserSecret"]["SecretArn"],
        database="appdb",
        sql=statement,
    )
    return [[next(iter(field.values())) for field in record] for record in response.get("records") or []]


def test_dms_writes_as_a_login_role_of_its_own_whose_password_is_only_in_its_secret(site, rds, dms, emulator_process):
    (cluster,) = rds.describe_db_clusters(DBClusterIdentifier=f"aurora-{SUFFIX}")["DBClusters"]
    assert cluster["HttpEndpointEnabled"] is True
    (target,) = dms.describe_endpoints(Filters=[{"Name": "endpoint-id", "Values": [f"dms-target-{SUFFIX}"]}])[
        "Endpoints"
    ]
    secret_id = target["PostgreSQLSettings"]["SecretsManagerSecretId"]
    secret = json.loads(emulator_process.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    assert (secret["username"], secret["host"], secret["port"]) == ("dms_writer", cluster["Endpoint"], 5432)
    # The role exists in Aurora's PostgreSQL, as AWS's guide for DMS targets asks, and the secret logs in.
    memberships = _sql(
        emulator_process,
        cluster,
        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'dms_writer'",
    )
    assert memberships == [["rds_superuser"]]
    assert _sql(emulator_process, cluster, "SELECT current_user", secret_arn=secret_id) == [["dms_writer"]]
    assert secret["password"] not in site.outputs_file.read_text()
    assert secret["password"] not in json.dumps(site.output)


def test_access_role_reads_exactly_the_two_endpoint_secrets(site, dms, emulator_process):
    names = [f"dms-source-{SUFFIX}", f"dms-target-{SUFFIX}"]
    endpoints = dms.describe_endpoints(Filters=[{"Name": "endpoint-id", "Values": names}])["Endpoints"]
    secret_ids = sorted(e["PostgreSQLSettings"]["SecretsManagerSecretId"] for e in endpoints)
    iam = emulator_process.client("iam")
    policy = iam.get_role_policy(RoleName=f"dms-secrets-{SUFFIX}", PolicyName="read-endpoint-secrets")
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert sorted(statement["Resource"]) == secret_ids


def test_task_is_full_load_and_cdc_with_the_mappings_given(site, dms):
    (task,) = dms.describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": [f"dms-task-{SUFFIX}"]}]
    )["ReplicationTasks"]
    assert task["MigrationType"] == "full-load-and-cdc"
    (rule,) = json.loads(task["TableMappings"])["rules"]
    assert rule["object-locator"] == {"schema-name": "public", "table-name": "%"}
    assert rule["rule-action"] == "include"
    settings = json.loads(task["ReplicationTaskSettings"])
    assert settings["Logging"]["EnableLogging"] is True
    assert settings["ValidationSettings"]["EnableValidation"] is True


def test_dms_service_roles_exist(site, emulator_process):
    iam = emulator_process.client("iam")
    for role in ("dms-vpc-role", "dms-cloudwatch-logs-role"):
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert len(attached) == 1


def _task_status(dms):
    (task,) = dms.describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": [f"dms-task-{SUFFIX}"]}]
    )["ReplicationTasks"]
    return task["Status"]


def _migration(emulator, action):
    return run_playbook(
        emulator, "playbooks/migration.yml", extra_vars={"env_suffix": SUFFIX, "migration_action": action}
    )


def test_migration_start_stop_resume_and_status(site, dms, emulator_process):
    started = _migration(emulator_process, "start")
    assert started.rc == 0, started.failed_message
    assert _task_status(dms) == "running"
    assert {"TestConnection", "StartReplicationTask"} <= {e["operation"] for e in started.mutating_requests}
    started_again = _migration(emulator_process, "start")
    assert started_again.rc == 0, started_again.failed_message
    assert (started_again.changed, started_again.mutating_requests) == (0, [])

    status = _migration(emulator_process, "status")
    assert status.rc == 0, status.failed_message
    (shown,) = status.task_results("Task and tables")
    assert shown["msg"][0].startswith(f"Task dms-task-{SUFFIX}: running (full-load-and-cdc)")
    assert status.mutating_requests == []

    assert _migration(emulator_process, "stop").rc == 0
    assert _task_status(dms) == "stopped"
    stopped_again = _migration(emulator_process, "stop")
    assert stopped_again.rc == 0, stopped_again.failed_message
    assert (stopped_again.changed, stopped_again.mutating_requests) == (0, [])
    restarted = _migration(emulator_process, "start")
    assert restarted.rc != 0 and "Use -e migration_action=resume" in restarted.failed_message
    assert _migration(emulator_process, "resume").rc == 0
    assert _task_status(dms) == "running"


def test_migration_validate_runs_the_validator_and_reports_its_verdict(site, emulator_process):
    # The emulator runs the deployed function; the inventory's on-premises database is a documentation
    # address (RFC 5737) that nothing answers, so the verdict is a failed run that says why.
    result = _migration(emulator_process, "validate")
    assert result.rc == 0, result.failed_message
    (shown,) = result.task_results("The validation function's verdict")
    assert shown["msg"]["complete"] is True and shown["msg"]["passed"] is False
    assert "source" in shown["msg"]["reason"]
    item = emulator_process.client("dynamodb").get_item(
        TableName=f"dynamodb-state-{SUFFIX}", Key={"pk": {"S": "validation"}, "sk": {"S": "latest"}}
    )["Item"]
    assert item["passed"] == {"BOOL": False} and item["reason"]["S"] == shown["msg"]["reason"]


@pytest.mark.parametrize("action", ["restart", "", "START"])
def test_unknown_migration_action_is_refused_with_the_valid_ones(emulator_process, action):
    result = _migration(emulator_process, action)
    assert result.rc != 0
    assert "start, stop, resume, status, validate" in result.failed_message
    assert result.journal == []


@pytest.mark.parametrize(
    ("extra", "failed_task", "message"),
    [
        ({"aurora_dms_migration_type": "full-reload"}, "Validating arguments", "aurora_dms_migration_type"),
        ({"migration_table_mappings": {"rules": []}}, "Check the table mappings", "non-empty 'rules' list"),
        (
            {"migration_table_mappings": {"rules": [{"rule-type": "select", "rule-id": "1"}]}},
            "Check the table mappings",
            "rule-type 'select'",
        ),
        (
            {"aurora_dms_min_acu": 8, "aurora_dms_max_acu": 4},
            "minimum capacity is not above",
            "above aurora_dms_max_acu",
        ),
        ({"aurora_dms_source_port": 70000}, "Check the on-premises source", "port from 1 to 65535"),
        # onprem_db_port also opens sg-dms towards on-premises: the vpc role, first, refuses it.
        ({"onprem_db_port": 70000}, "vpc : Check the ports", "vpc_onprem_db_port 70000 is not a TCP port"),
        ({"onprem_db_password": ""}, "source password is given", "onprem_db_password is not set"),
    ],
)
def test_bad_database_inputs_are_refused_before_any_request(emulator_process, extra, failed_task, message):
    result = run_playbook(emulator_process, "site.yml", extra_vars={"env_suffix": "bad", **extra})
    assert result.rc != 0
    assert failed_task in result.failed_task
    assert message in result.failed_message
    assert result.journal == []
