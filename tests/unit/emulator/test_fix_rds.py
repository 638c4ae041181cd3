"""emulator/fixes/rds_*.py: Aurora member subnet group, automated snapshots on cluster delete."""

from __future__ import annotations

import pytest


def aurora(session, subnet_group: bool = True) -> None:
    """Aurora PostgreSQL cluster aurora-dev (in subnet group db-subnets-dev) with one member instance."""
    ec2, rds = session.client("ec2"), session.client("rds")
    if subnet_group:
        vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        subnet_ids = [
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.60.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
                "SubnetId"
            ]
            for n, zone in ((1, "a"), (2, "b"))
        ]
        rds.create_db_subnet_group(
            DBSubnetGroupName="db-subnets-dev", DBSubnetGroupDescription="Aurora subnets", SubnetIds=subnet_ids
        )
    rds.create_db_cluster(
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        MasterUsername="app",
        MasterUserPassword="not-a-secret-1",
        **({"DBSubnetGroupName": "db-subnets-dev"} if subnet_group else {}),
    )
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-dev-1",
        DBClusterIdentifier="aurora-dev",
        Engine="aurora-postgresql",
        DBInstanceClass="db.serverless",
    )


def member(rds) -> dict:
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier="aurora-dev-1")["DBInstances"]
    return instance


# -- rds_member_subnet_group --------------------------------------------------


def test_member_instance_reports_the_cluster_subnet_group(emulator):
    rds = emulator.client("rds")
    aurora(emulator)
    group = member(rds)["DBSubnetGroup"]
    assert group["DBSubnetGroupName"] == "db-subnets-dev"
    assert group["VpcId"].startswith("vpc-")
    assert len(group["Subnets"]) == 2


def test_member_of_a_cluster_without_a_known_group_reports_none(emulator):
    rds = emulator.client("rds")
    aurora(emulator, subnet_group=False)
    assert "DBSubnetGroup" not in member(rds)


def test_plain_moto_member_has_no_subnet_group(plain_moto):
    aurora(plain_moto)
    assert "DBSubnetGroup" not in member(plain_moto.client("rds"))


# -- rds_cluster_automated_snapshots ------------------------------------------


def delete_cluster(rds, **extra) -> None:
    rds.delete_db_instance(DBInstanceIdentifier="aurora-dev-1", SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier="aurora-dev", **extra)


def snapshot_types(rds) -> list[tuple[str, str]]:
    return sorted(
        (s["DBClusterSnapshotIdentifier"], s["SnapshotType"])
        for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]
    )


def test_deleted_cluster_leaves_no_automated_snapshot(emulator):
    rds = emulator.client("rds")
    aurora(emulator)
    assert [kind for _, kind in snapshot_types(rds)] == ["automated"]
    delete_cluster(rds, SkipFinalSnapshot=True)
    assert snapshot_types(rds) == []


def test_final_snapshot_stays(emulator):
    rds = emulator.client("rds")
    aurora(emulator)
    delete_cluster(rds, SkipFinalSnapshot=False, FinalDBSnapshotIdentifier="aurora-dev-final")
    assert snapshot_types(rds) == [("aurora-dev-final", "manual")]


def test_automated_snapshots_kept_on_request(emulator):
    rds = emulator.client("rds")
    aurora(emulator)
    delete_cluster(rds, SkipFinalSnapshot=True, DeleteAutomatedBackups=False)
    assert [kind for _, kind in snapshot_types(rds)] == ["automated"]


def test_plain_moto_leaves_the_automated_snapshot(plain_moto):
    rds = plain_moto.client("rds")
    aurora(plain_moto)
    delete_cluster(rds, SkipFinalSnapshot=True)
    assert [kind for _, kind in snapshot_types(rds)] == ["automated"]


# -- DeleteDBCluster with members: moto already refuses, as AWS does -----------


@pytest.mark.parametrize("session", ["emulator", "plain_moto"])
def test_cluster_with_members_cannot_be_deleted(request, session):
    target = request.getfixturevalue(session)
    rds = target.client("rds")
    aurora(target)
    with pytest.raises(rds.exceptions.InvalidDBClusterStateFault):
        rds.delete_db_cluster(DBClusterIdentifier="aurora-dev", SkipFinalSnapshot=True)
