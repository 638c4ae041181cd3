"""Fix ec2_nat_gateway_deletion: a deleted NAT gateway releases its ENI and Elastic IP."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError


def _nat_gateway_with_address(ec2) -> tuple[str, str, str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id)["NatGateway"]["NatGatewayId"]
    return nat_id, subnet_id, allocation_id


def _enis(ec2, subnet_id: str) -> list[str]:
    answer = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])
    return [e["NetworkInterfaceId"] for e in answer["NetworkInterfaces"]]


def _wait_deleted(ec2, nat_id: str) -> dict:
    """Poll as a playbook would: the emulator may report "deleting" first, as AWS does."""
    for _ in range(20):
        nat = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]
        if nat["State"] == "deleted":
            return nat
        time.sleep(0.1)
    raise AssertionError(f"{nat_id} never reached deleted")


def test_delete_releases_eni_and_elastic_ip(emulator):
    ec2 = emulator.client("ec2")
    nat_id, subnet_id, allocation_id = _nat_gateway_with_address(ec2)
    assert len(_enis(ec2, subnet_id)) == 1

    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    nat = _wait_deleted(ec2, nat_id)
    assert "DeleteTime" in nat
    assert _enis(ec2, subnet_id) == []
    (address,) = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"]
    assert "AssociationId" not in address
    ec2.release_address(AllocationId=allocation_id)  # free to release, as on AWS
    ec2.delete_subnet(SubnetId=subnet_id)  # nothing left in the subnet


def test_repeated_delete_is_accepted(emulator):
    ec2 = emulator.client("ec2")
    nat_id, _, _ = _nat_gateway_with_address(ec2)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    assert _wait_deleted(ec2, nat_id)["NatGatewayId"] == nat_id


def test_unknown_id_answers_nat_gateway_not_found(emulator):
    with pytest.raises(ClientError) as error:
        emulator.client("ec2").delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0")
    assert error.value.response["Error"]["Code"] == "NatGatewayNotFound"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_plain_moto_keeps_eni_and_association(plain_moto):
    ec2 = plain_moto.client("ec2", retries={"total_max_attempts": 1})
    nat_id, subnet_id, allocation_id = _nat_gateway_with_address(ec2)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert len(_enis(ec2, subnet_id)) == 1
    assert "AssociationId" in ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        ec2.delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0")
