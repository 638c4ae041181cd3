"""emulator/fixes/rds_modify_db_cluster.py: log exports change, an unknown cluster is DBClusterNotFoundFault."""

from __future__ import annotations

import pytest
from botocore.parsers import ResponseParserError


def cluster(rds, exports: list[str]) -> None:
    rds.create_db_cluster(
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        MasterUsername="app",
        ManageMasterUserPassword=True,
        EnableCloudwatchLogsExports=exports,
    )


def modify_exports(rds, enable=(), disable=()) -> list[str]:
    configuration = {"EnableLogTypes": list(enable), "DisableLogTypes": list(disable)}
    answered = rds.modify_db_cluster(
        DBClusterIdentifier="aurora-dev", ApplyImmediately=True, CloudwatchLogsExportConfiguration=configuration
    )["DBCluster"].get("EnabledCloudwatchLogsExports", [])
    (described,) = rds.describe_db_clusters(DBClusterIdentifier="aurora-dev")["DBClusters"]
    assert described.get("EnabledCloudwatchLogsExports", []) == answered
    return answered


def test_log_exports_are_turned_off_and_on(emulator):
    rds = emulator.client("rds")
    cluster(rds, ["postgresql"])
    assert modify_exports(rds, disable=["postgresql"]) == []
    assert modify_exports(rds, enable=["postgresql"]) == ["postgresql"]


def test_enabling_an_enabled_type_or_disabling_a_disabled_one_changes_nothing(emulator):
    rds = emulator.client("rds")
    cluster(rds, ["postgresql"])
    assert modify_exports(rds, enable=["postgresql"], disable=["instance"]) == ["postgresql"]


def test_other_changes_leave_the_exports_alone(emulator):
    rds = emulator.client("rds")
    cluster(rds, ["postgresql"])
    rds.modify_db_cluster(DBClusterIdentifier="aurora-dev", ApplyImmediately=True, BackupRetentionPeriod=3)
    (described,) = rds.describe_db_clusters(DBClusterIdentifier="aurora-dev")["DBClusters"]
    assert (described["EnabledCloudwatchLogsExports"], described["BackupRetentionPeriod"]) == (["postgresql"], 3)


def test_unknown_cluster_is_not_found(emulator):
    rds = emulator.client("rds")
    with pytest.raises(rds.exceptions.DBClusterNotFoundFault):
        rds.modify_db_cluster(DBClusterIdentifier="missing", BackupRetentionPeriod=3)


def test_plain_moto_ignores_the_log_export_configuration(plain_moto):
    rds = plain_moto.client("rds")
    cluster(rds, ["postgresql"])
    assert modify_exports(rds, disable=["postgresql"]) == ["postgresql"]


def test_plain_moto_answers_500_for_an_unknown_cluster(plain_moto):
    rds = plain_moto.client("rds", retries={"max_attempts": 1})
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        rds.modify_db_cluster(DBClusterIdentifier="missing", BackupRetentionPeriod=3)
