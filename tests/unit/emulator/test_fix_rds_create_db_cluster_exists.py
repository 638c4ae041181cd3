"""emulator/fixes/rds_create_db_cluster_exists.py: CreateDBCluster refuses an identifier that is taken."""

from __future__ import annotations

import pytest


def create(rds, identifier: str = "aurora-dev", engine: str = "aurora-postgresql") -> dict:
    return rds.create_db_cluster(
        DBClusterIdentifier=identifier, Engine=engine, MasterUsername="app", ManageMasterUserPassword=True
    )["DBCluster"]


def test_second_cluster_with_the_identifier_is_refused(emulator):
    rds = emulator.client("rds")
    first = create(rds)
    for identifier in ("aurora-dev", "Aurora-Dev"):
        with pytest.raises(rds.exceptions.DBClusterAlreadyExistsFault):
            create(rds, identifier, engine="aurora-mysql")
    (described,) = rds.describe_db_clusters(DBClusterIdentifier="aurora-dev")["DBClusters"]
    assert (described["Engine"], described["DbClusterResourceId"]) == (
        "aurora-postgresql",
        first["DbClusterResourceId"],
    )


def test_identifier_is_free_again_after_the_delete(emulator):
    rds = emulator.client("rds")
    create(rds)
    rds.delete_db_cluster(DBClusterIdentifier="aurora-dev", SkipFinalSnapshot=True)
    assert create(rds)["DBClusterIdentifier"] == "aurora-dev"


def test_plain_moto_does_not_answer_already_exists(plain_moto):
    rds = plain_moto.client("rds")
    create(rds)
    # moto names the automated snapshot it takes on create after the minute: within the same minute the
    # second create trips over that name, across a minute boundary it replaces the cluster. Never the
    # DBClusterAlreadyExistsFault AWS answers.
    try:
        replaced = create(rds, engine="aurora-mysql")
    except rds.exceptions.DBClusterSnapshotAlreadyExistsFault:
        return
    assert replaced["Engine"] == "aurora-mysql"
