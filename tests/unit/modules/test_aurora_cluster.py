"""envmigrate.aws.aurora_cluster: Aurora with its master password only in Secrets Manager."""

from __future__ import annotations

import json
import types

import botocore.waiter
import pytest

from ansible_collections.envmigrate.aws.plugins.modules import aurora_cluster
from tests.harness.module import run_module

MODULE = "aurora_cluster"
# Waiters poll four times within the timeout; the emulator shows "creating" to one describe only.
ABSENT = {"identifier": "aurora-dev", "state": "absent", "wait_timeout": 1}


@pytest.fixture
def network(emulator) -> dict:
    """A VPC with two subnets in the DB subnet group db-subnets-dev, and two security groups."""
    ec2, rds = emulator.client("ec2"), emulator.client("rds")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.60.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    rds.create_db_subnet_group(
        DBSubnetGroupName="db-subnets-dev",
        DBSubnetGroupDescription="Aurora subnets",
        SubnetIds=[s["SubnetId"] for s in subnets],
    )
    groups = [
        ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
        for name in ("sg-db-dev", "sg-dms-dev")
    ]
    return {"vpc_id": vpc_id, "groups": groups}


@pytest.fixture
def wanted() -> dict:
    return {
        "identifier": "aurora-dev",
        "engine_version": "16.4",
        "database_name": "app",
        "master_username": "app_admin",
        "serverless_v2_scaling": {"min_capacity": 0.5, "max_capacity": 4},
        "backup_retention_period": 7,
        "enable_cloudwatch_logs_exports": ["postgresql"],
        "tags": {"Environment": "dev"},
        "wait_timeout": 1,
    }


@pytest.fixture
def networked(network, wanted) -> dict:
    return dict(wanted, db_subnet_group_name="db-subnets-dev", vpc_security_group_ids=[network["groups"][0]])


@pytest.fixture
def created(emulator, wanted) -> dict:
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is True, result
    emulator.mark()
    return result


def described(emulator, identifier: str = "aurora-dev") -> dict | None:
    rds = emulator.client("rds")
    try:
        (cluster,) = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
    except rds.exceptions.DBClusterNotFoundFault:
        return None
    return cluster


def operations(emulator) -> list[str]:
    return [entry["operation"] for entry in emulator.mutating_requests()]


def add_member(emulator, identifier: str = "aurora-dev-1") -> None:
    emulator.client("rds").create_db_instance(
        DBInstanceIdentifier=identifier,
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )


# -- create --------------------------------------------------------------------------------------


def test_creates_an_encrypted_serverless_v2_cluster_and_waits(emulator, network, networked):
    created = run_module(emulator, MODULE, networked)
    assert created["changed"] is True
    cluster = described(emulator)
    assert cluster["Status"] == "available" == created["cluster"]["status"]
    assert (cluster["Engine"], cluster["EngineVersion"]) == ("aurora-postgresql", "16.4")
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert cluster["StorageEncrypted"] is True
    assert (cluster["DBSubnetGroup"], cluster["DatabaseName"], cluster["MasterUsername"]) == (
        "db-subnets-dev",
        "app",
        "app_admin",
    )
    assert [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]] == [network["groups"][0]]
    assert (cluster["BackupRetentionPeriod"], cluster["EnabledCloudwatchLogsExports"]) == (7, ["postgresql"])
    assert (cluster["DeletionProtection"], cluster["TagList"]) == (False, [{"Key": "Environment", "Value": "dev"}])
    assert created["cluster"]["serverless_v2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 4.0}
    assert created["cluster"]["tags"] == {"Environment": "dev"}


def test_master_password_is_only_in_the_managed_secret(emulator, wanted):
    emulator.mark()
    created = run_module(emulator, MODULE, wanted)
    # The module never reads the secret.
    assert "secretsmanager" not in {entry["service"] for entry in emulator.journal()}
    secret = described(emulator)["MasterUserSecret"]
    assert created["cluster"]["master_user_secret"] == {
        "secret_arn": secret["SecretArn"],
        "secret_status": "active",
        "kms_key_id": secret["KmsKeyId"],
    }
    secrets = emulator.client("secretsmanager")
    (listed,) = secrets.list_secrets()["SecretList"]
    assert listed["ARN"] == secret["SecretArn"] and listed["Name"].startswith("rds!cluster-")
    value = json.loads(secrets.get_secret_value(SecretId=secret["SecretArn"])["SecretString"])
    assert value["username"] == "app_admin"
    assert value["password"] not in json.dumps(created, default=str)


def test_customer_managed_keys_for_storage_and_secret(emulator, wanted):
    kms = emulator.client("kms")
    key = kms.create_key(Description="aurora-dev")["KeyMetadata"]
    kms.create_alias(AliasName="alias/aurora-dev", TargetKeyId=key["KeyId"])
    keyed = dict(wanted, kms_key_id="alias/aurora-dev", master_user_secret_kms_key_id=key["KeyId"])
    run_module(emulator, MODULE, keyed)
    assert described(emulator)["MasterUserSecret"]["KmsKeyId"] == key["Arn"]
    emulator.mark()
    # Alias, key ID and ARN name the same key: nothing to change.
    assert run_module(emulator, MODULE, dict(keyed, master_user_secret_kms_key_id=key["Arn"]))["changed"] is False
    assert emulator.mutating_requests() == []


def test_start_without_waiting_and_wait_later(emulator, wanted):
    started = run_module(emulator, MODULE, dict(wanted, wait=False))
    assert started["cluster"]["status"] == "creating"
    emulator.mark()
    finished = run_module(emulator, MODULE, wanted)
    assert (finished["changed"], finished["cluster"]["status"]) == (False, "available")
    assert emulator.mutating_requests() == []


def test_turns_on_a_managed_password_for_an_existing_cluster(emulator):
    emulator.client("rds").create_db_cluster(
        DBClusterIdentifier="aurora-dev", Engine="aurora-postgresql", MasterUsername="app_admin",
        MasterUserPassword="set-by-someone-else", StorageEncrypted=True,
    )  # fmt: skip
    emulator.mark()
    result = run_module(emulator, MODULE, {"identifier": "aurora-dev", "wait_timeout": 1})
    assert result["changed"] is True
    assert operations(emulator) == ["ModifyDBCluster"]
    secret_arn = described(emulator)["MasterUserSecret"]["SecretArn"]
    assert result["cluster"]["master_user_secret"]["secret_arn"] == secret_arn


# -- update --------------------------------------------------------------------------------------


def test_rerun_is_a_no_op(emulator, wanted, created):
    result = run_module(emulator, MODULE, wanted)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []
    assert result["cluster"]["db_cluster_arn"] == created["cluster"]["db_cluster_arn"]


def test_updates_scaling_backups_log_exports_and_security_groups_in_one_request(emulator, network, networked):
    run_module(emulator, MODULE, networked)
    emulator.mark()
    changed = dict(
        networked,
        serverless_v2_scaling={"min_capacity": 1, "max_capacity": 8.5},
        backup_retention_period=14,
        enable_cloudwatch_logs_exports=[],
        vpc_security_group_ids=network["groups"],
    )
    assert run_module(emulator, MODULE, changed)["changed"] is True
    assert operations(emulator) == ["ModifyDBCluster"]
    cluster = described(emulator)
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 1.0, "MaxCapacity": 8.5}
    assert cluster["BackupRetentionPeriod"] == 14
    assert cluster.get("EnabledCloudwatchLogsExports", []) == []
    assert sorted(g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]) == sorted(network["groups"])
    emulator.mark()
    assert run_module(emulator, MODULE, changed)["changed"] is False
    assert emulator.mutating_requests() == []


def test_same_security_groups_in_another_order_send_nothing(emulator, network, networked):
    run_module(emulator, MODULE, dict(networked, vpc_security_group_ids=network["groups"]))
    emulator.mark()
    reordered = dict(networked, vpc_security_group_ids=[*reversed(network["groups"]), network["groups"][0]])
    assert run_module(emulator, MODULE, reordered)["changed"] is False
    assert emulator.mutating_requests() == []


def test_options_left_unset_are_not_touched(emulator, created):
    result = run_module(emulator, MODULE, {"identifier": "aurora-dev", "wait_timeout": 1})
    assert result["changed"] is False
    assert emulator.mutating_requests() == []


def test_tags_are_updated_and_purged(emulator, wanted, created):
    result = run_module(emulator, MODULE, dict(wanted, tags={"Environment": "dev", "Owner": "data"}))
    assert result["cluster"]["tags"] == {"Environment": "dev", "Owner": "data"}
    assert operations(emulator) == ["AddTagsToResource"]
    run_module(emulator, MODULE, dict(wanted, tags={"Owner": "data"}))
    assert described(emulator)["TagList"] == [{"Key": "Owner", "Value": "data"}]


def test_engine_upgrade_and_downgrade(emulator, wanted, created):
    assert run_module(emulator, MODULE, dict(wanted, engine_version="16.6"))["changed"] is True
    assert described(emulator)["EngineVersion"] == "16.6"
    emulator.mark()
    # An older minor version is what RDS upgraded from; a leading part matches.
    for satisfied in ("16.4", "16"):
        assert run_module(emulator, MODULE, dict(wanted, engine_version=satisfied))["changed"] is False
    result = run_module(emulator, MODULE, dict(wanted, engine_version="15.8"))
    assert result["failed"] is True and "engine_version (is 16.6, wanted 15.8)" in result["msg"]
    assert emulator.mutating_requests() == []


@pytest.mark.parametrize(
    ("engine", "wanted", "current", "change"),
    [
        ("aurora-postgresql", "16.4", "16.4", None),
        ("aurora-postgresql", "16", "16.4", None),
        ("aurora-postgresql", "16.4", "16.6", None),
        ("aurora-postgresql", "16.6", "16.4", "upgrade"),
        ("aurora-postgresql", "16.4", "15.8", "major upgrade"),
        ("aurora-postgresql", "15.8", "16.4", "downgrade"),
        ("aurora-mysql", "8.0.mysql_aurora.3.08.0", "8.0.mysql_aurora.3.05.2", "upgrade"),
        ("aurora-mysql", "8.0.mysql_aurora.3.08.0", "5.7.mysql_aurora.2.12.3", "major upgrade"),
    ],
)
def test_version_change(engine, wanted, current, change):
    assert aurora_cluster.version_change(engine, wanted, current) == change


def test_changes_pending_for_the_maintenance_window_count_as_done():
    cluster = {
        "DBClusterIdentifier": "aurora-dev",
        "Engine": "aurora-postgresql",
        "EngineVersion": "16.4",
        "BackupRetentionPeriod": 7,
        "EnabledCloudwatchLogsExports": ["postgresql"],
        "PendingModifiedValues": {
            "EngineVersion": "16.6",
            "BackupRetentionPeriod": 14,
            "PendingCloudwatchLogsExports": {
                "LogTypesToEnable": ["iam-db-auth-error"],
                "LogTypesToDisable": ["postgresql"],
            },
        },
    }
    settings = aurora_cluster.current_settings(cluster)
    assert (settings["engine_version"], settings["backup_retention_period"]) == ("16.6", 14)
    assert settings["enable_cloudwatch_logs_exports"] == ["iam-db-auth-error"]


# -- delete --------------------------------------------------------------------------------------


def test_delete_and_delete_again(emulator, created):
    result = run_module(emulator, MODULE, ABSENT)
    assert (result["changed"], result["cluster"]) == (True, {})
    assert described(emulator) is None
    # RDS deletes its secret and the automated backups with the cluster.
    assert emulator.client("secretsmanager").list_secrets()["SecretList"] == []
    assert emulator.client("rds").describe_db_cluster_snapshots()["DBClusterSnapshots"] == []
    emulator.mark()
    assert run_module(emulator, MODULE, ABSENT)["changed"] is False
    assert emulator.mutating_requests() == []


def test_delete_with_a_final_snapshot(emulator, created):
    final = dict(ABSENT, skip_final_snapshot=False, final_snapshot_identifier="aurora-dev-final")
    assert run_module(emulator, MODULE, final)["changed"] is True
    snapshots = emulator.client("rds").describe_db_cluster_snapshots()["DBClusterSnapshots"]
    assert [(s["DBClusterSnapshotIdentifier"], s["SnapshotType"]) for s in snapshots] == [
        ("aurora-dev-final", "manual")
    ]


def test_final_snapshot_needs_an_identifier(emulator):
    result = run_module(emulator, MODULE, dict(ABSENT, skip_final_snapshot=False))
    assert result["failed"] is True and "final_snapshot_identifier" in result["msg"]


def test_missing_cluster_is_already_absent(emulator):
    emulator.mark()
    assert run_module(emulator, MODULE, ABSENT) == {"failed": False, "changed": False, "cluster": {}, "diff": {
        "before": {}, "after": {}}}  # fmt: skip
    assert emulator.mutating_requests() == []


def test_cluster_gone_before_the_delete_is_no_change(emulator, created):
    emulator.inject_fault("rds", "DeleteDBCluster", "DBClusterNotFoundFault", "DBCluster aurora-dev not found.", 404)
    assert run_module(emulator, MODULE, ABSENT)["changed"] is False


def test_delete_with_member_instances_names_them_and_sends_nothing(emulator, created):
    add_member(emulator, "aurora-dev-2")
    add_member(emulator, "aurora-dev-1")
    emulator.mark()
    result = run_module(emulator, MODULE, ABSENT)
    assert result["failed"] is True
    assert "still has DB instances aurora-dev-1, aurora-dev-2; delete them first" in result["msg"]
    assert emulator.mutating_requests() == []
    assert described(emulator) is not None


def test_delete_after_the_members_are_deleted(emulator, created):
    add_member(emulator)
    emulator.client("rds").delete_db_instance(DBInstanceIdentifier="aurora-dev-1", SkipFinalSnapshot=True)
    assert run_module(emulator, MODULE, ABSENT)["changed"] is True
    assert described(emulator) is None


def test_rds_refusing_the_delete_is_reported(emulator, created):
    message = "Cluster cannot be deleted, it still contains DB instances in non-deleting state."
    emulator.inject_fault("rds", "DeleteDBCluster", "InvalidDBClusterStateFault", message)
    result = run_module(emulator, MODULE, ABSENT)
    assert result["failed"] is True and result["msg"].startswith("RDS refused to delete DB cluster aurora-dev")
    assert result["error"]["code"] == "InvalidDBClusterStateFault"


def test_deletion_protection_must_be_turned_off_first(emulator, wanted):
    run_module(emulator, MODULE, dict(wanted, deletion_protection=True))
    emulator.mark()
    result = run_module(emulator, MODULE, ABSENT)
    assert result["failed"] is True and "deletion protection" in result["msg"]
    assert emulator.mutating_requests() == []
    assert run_module(emulator, MODULE, wanted)["changed"] is True
    assert run_module(emulator, MODULE, ABSENT)["changed"] is True


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_sends_nothing(emulator, wanted):
    emulator.mark()
    assert run_module(emulator, MODULE, wanted, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert described(emulator) is None
    run_module(emulator, MODULE, wanted)
    emulator.mark()
    bigger = dict(wanted, serverless_v2_scaling={"min_capacity": 2, "max_capacity": 16}, tags={})
    assert run_module(emulator, MODULE, bigger, check_mode=True)["changed"] is True
    assert run_module(emulator, MODULE, ABSENT, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    cluster = described(emulator)
    assert (cluster["ServerlessV2ScalingConfiguration"]["MaxCapacity"], len(cluster["TagList"])) == (4.0, 1)


def test_check_mode_delete_with_members_warns(emulator, created):
    add_member(emulator)
    emulator.mark()
    result = run_module(emulator, MODULE, ABSENT, check_mode=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []


def test_diff_shows_the_settings_before_and_after(emulator, wanted):
    diff = run_module(emulator, MODULE, wanted, diff=True)["diff"]
    assert diff["before"] == {}
    assert diff["after"]["serverless_v2_scaling"] == {"min_capacity": 0.5, "max_capacity": 4.0}
    assert "password" not in json.dumps(diff).replace("manage_master_user_password", "")
    diff = run_module(emulator, MODULE, dict(wanted, backup_retention_period=14), check_mode=True, diff=True)["diff"]
    changed = {key for key in diff["after"] if diff["after"][key] != diff["before"][key]}
    assert changed == {"backup_retention_period"}
    assert (diff["before"]["backup_retention_period"], diff["after"]["backup_retention_period"]) == (7, 14)


# -- refusals and AWS errors ---------------------------------------------------------------------


def test_existing_cluster_with_another_engine_is_refused(emulator, wanted):
    emulator.client("rds").create_db_cluster(
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-mysql",
        MasterUsername="app_admin",
        ManageMasterUserPassword=True,
    )
    emulator.mark()
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert "engine (is aurora-mysql, wanted aurora-postgresql)" in result["msg"]
    assert emulator.mutating_requests() == []
    assert described(emulator)["Engine"] == "aurora-mysql"


def test_create_only_settings_are_refused_on_an_existing_cluster(emulator, wanted, created):
    other = dict(wanted, database_name="other", master_username="root", storage_encrypted=False)
    result = run_module(emulator, MODULE, other)
    assert result["failed"] is True
    for part in ("database_name (is app, wanted other)", "master_username", "storage_encrypted"):
        assert part in result["msg"]
    assert emulator.mutating_requests() == []


def test_access_denied_is_reported(emulator, wanted):
    emulator.mark()
    emulator.inject_fault("rds", "DescribeDBClusters", "AccessDenied", "User is not authorized", status=403)
    result = run_module(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to manage DB cluster aurora-dev")
    assert result["error"]["code"] == "AccessDenied"
    assert emulator.mutating_requests() == []


@pytest.mark.parametrize(
    ("scaling", "message"),
    [
        ({"min_capacity": 8, "max_capacity": 4}, "min_capacity 8.0 is above max_capacity 4.0"),
        ({"min_capacity": 0.25, "max_capacity": 4}, "multiples of 0.5"),
        ({"min_capacity": 1, "max_capacity": 300}, "max_capacity <= 256"),
        ({"min_capacity": 0, "max_capacity": 0.5}, "1 <= max_capacity"),
    ],
)
def test_bad_capacity_is_refused_before_any_request(emulator, wanted, scaling, message):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(wanted, serverless_v2_scaling=scaling))
    assert result["failed"] is True and message in result["msg"]
    assert emulator.journal() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"master_username": None}, "master_username is required to create"),
        ({"manage_master_user_password": False}, "never takes"),
    ],
)
def test_create_without_what_it_needs_is_refused(emulator, wanted, args, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {**wanted, **args})
    assert result["failed"] is True and message in result["msg"]
    assert emulator.mutating_requests() == []


def test_turning_off_the_managed_password_is_refused(emulator, wanted, created):
    result = run_module(emulator, MODULE, dict(wanted, manage_master_user_password=False))
    assert result["failed"] is True and "manage_master_user_password (turning it off" in result["msg"]
    assert emulator.mutating_requests() == []


# -- the Data API --------------------------------------------------------------------------------


def test_data_api_is_turned_on_at_creation_and_off_and_on_again(emulator, wanted):
    with_api = dict(wanted, enable_http_endpoint=True)
    result = run_module(emulator, MODULE, with_api)
    assert result["cluster"]["http_endpoint_enabled"] is True
    assert described(emulator)["HttpEndpointEnabled"] is True

    emulator.mark()
    assert run_module(emulator, MODULE, with_api)["changed"] is False
    result = run_module(emulator, MODULE, dict(wanted, enable_http_endpoint=False))
    assert result["changed"] is True
    assert described(emulator)["HttpEndpointEnabled"] is False
    result = run_module(emulator, MODULE, with_api)
    assert result["changed"] is True
    # Its own operations; ModifyDBCluster is not sent for nothing.
    assert operations(emulator) == ["DisableHttpEndpoint", "EnableHttpEndpoint"]


# -- wait_delay ----------------------------------------------------------------------------------


@pytest.fixture
def waiter_sleeps(monkeypatch) -> list[float]:
    """The seconds botocore's waiters sleep between two looks, recorded instead of slept."""
    sleeps: list[float] = []
    monkeypatch.setattr(botocore.waiter, "time", types.SimpleNamespace(sleep=sleeps.append))
    return sleeps


@pytest.mark.parametrize(
    ("wait", "expected"),
    [
        ({"wait_timeout": 600}, 30),  # the default: botocore's RDS delay, as before wait_delay existed
        ({"wait_timeout": 600, "wait_delay": 2}, 2),
        ({"wait_timeout": 8, "wait_delay": 30}, 2),  # still four looks within a short timeout
    ],
)
def test_create_waits_wait_delay_between_looks(emulator, wanted, waiter_sleeps, wait, expected):
    result = run_module(emulator, MODULE, dict(wanted, **wait))
    assert result["changed"] is True, result
    assert described(emulator)["Status"] == "available"
    assert waiter_sleeps and set(waiter_sleeps) == {expected}  # the emulator shows "creating" once


def test_delete_waits_wait_delay_between_looks(emulator, created, waiter_sleeps):
    result = run_module(emulator, MODULE, dict(ABSENT, wait_timeout=600, wait_delay=1))
    assert result["changed"] is True, result
    assert described(emulator) is None
    assert waiter_sleeps and set(waiter_sleeps) == {1}


def test_wait_delay_below_one_second_is_refused_before_any_request(emulator, wanted):
    emulator.mark()
    result = run_module(emulator, MODULE, dict(wanted, wait_delay=0))
    assert result["failed"] is True
    assert result["msg"] == "wait_delay must be at least 1 second, got 0"
    assert emulator.journal() == []
