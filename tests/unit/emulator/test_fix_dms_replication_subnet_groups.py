"""emulator/fixes/dms_replication_subnet_groups.py: real subnets, validation, ModifyReplicationSubnetGroup."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.unit.emulator import dms_helpers as h


def group(dms, name: str = "dms-subnets") -> dict:
    (found,) = dms.describe_replication_subnet_groups(
        Filters=[{"Name": "replication-subnet-group-id", "Values": [name]}]
    )["ReplicationSubnetGroups"]
    return found


def test_group_and_instance_show_the_real_subnets_and_vpc(emulator):
    dms, ec2 = emulator.client("dms"), emulator.client("ec2")
    setup = h.migration(emulator, with_task=False)
    vpc_id = ec2.describe_subnets(SubnetIds=setup.subnet_ids)["Subnets"][0]["VpcId"]
    described = group(dms)
    assert described["VpcId"] == vpc_id
    assert [s["SubnetIdentifier"] for s in described["Subnets"]] == setup.subnet_ids
    assert [s["SubnetAvailabilityZone"]["Name"] for s in described["Subnets"]] == ["us-east-1a", "us-east-1b"]
    (instance,) = dms.describe_replication_instances()["ReplicationInstances"]
    assert instance["ReplicationSubnetGroup"]["VpcId"] == vpc_id
    assert instance["ReplicationSubnetGroup"]["ReplicationSubnetGroupDescription"] == "DMS subnets"


def test_modify_replaces_subnets_and_description(emulator):
    dms, ec2 = emulator.client("dms"), emulator.client("ec2")
    setup = h.migration(emulator, with_task=False)
    vpc_id = ec2.describe_subnets(SubnetIds=setup.subnet_ids)["Subnets"][0]["VpcId"]
    third = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.3.0/24", AvailabilityZone="us-east-1c")["Subnet"][
        "SubnetId"
    ]
    answer = dms.modify_replication_subnet_group(
        ReplicationSubnetGroupIdentifier="dms-subnets",
        ReplicationSubnetGroupDescription="wider",
        SubnetIds=[setup.subnet_ids[0], third],
    )["ReplicationSubnetGroup"]
    assert [s["SubnetIdentifier"] for s in answer["Subnets"]] == [setup.subnet_ids[0], third]
    assert group(dms)["ReplicationSubnetGroupDescription"] == "wider"
    (instance,) = dms.describe_replication_instances()["ReplicationInstances"]
    assert len(instance["ReplicationSubnetGroup"]["Subnets"]) == 2


def test_unknown_subnet_one_zone_and_unknown_group_are_refused(emulator):
    dms, ec2 = emulator.client("dms"), emulator.client("ec2")
    subnet_ids = h.subnets(ec2)

    def create(subnets):
        dms.create_replication_subnet_group(
            ReplicationSubnetGroupIdentifier="bad", ReplicationSubnetGroupDescription="d", SubnetIds=subnets
        )

    with pytest.raises(ClientError) as error:
        create([subnet_ids[0], "subnet-00000000000000000"])
    assert error.value.response["Error"]["Code"] == "InvalidSubnet"
    with pytest.raises(dms.exceptions.ReplicationSubnetGroupDoesNotCoverEnoughAZs):
        create([subnet_ids[0]])
    assert dms.describe_replication_subnet_groups()["ReplicationSubnetGroups"] == []
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.modify_replication_subnet_group(ReplicationSubnetGroupIdentifier="missing", SubnetIds=subnet_ids)
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.create_replication_instance(
            ReplicationInstanceIdentifier="ri",
            ReplicationInstanceClass="dms.t3.medium",
            ReplicationSubnetGroupIdentifier="missing",
        )


def test_plain_moto_ignores_the_subnets_and_cannot_modify(plain_moto):
    dms = plain_moto.client("dms", retries={"max_attempts": 1})
    h.migration(plain_moto, with_task=False)
    assert group(dms)["VpcId"] == "vpc-12345"
    with pytest.raises(ClientError) as error:
        dms.modify_replication_subnet_group(ReplicationSubnetGroupIdentifier="dms-subnets", SubnetIds=["subnet-1"])
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
