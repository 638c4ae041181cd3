"""Fix ec2_delete_subnet_in_use: DeleteSubnet answers DependencyViolation while it holds a NAT gateway or ENI."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError


def _subnet(ec2) -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]


def _refused(ec2, subnet_id: str) -> None:
    with pytest.raises(ClientError) as error:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_subnet_with_a_nat_gateway_is_refused_until_it_is_deleted(emulator):
    ec2 = emulator.client("ec2")
    subnet_id = _subnet(ec2)
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    _refused(ec2, subnet_id)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    for _ in range(20):  # wait as a playbook would: AWS refuses while the NAT gateway is "deleting"
        if ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "deleted":
            break
        time.sleep(0.1)
    ec2.delete_subnet(SubnetId=subnet_id)


def test_subnet_with_a_network_interface_is_refused_until_it_is_deleted(emulator):
    ec2 = emulator.client("ec2")
    subnet_id = _subnet(ec2)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    _refused(ec2, subnet_id)
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    assert ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["Subnets"] == []


def test_unknown_subnet_is_still_not_found(emulator):
    with pytest.raises(ClientError) as error:
        emulator.client("ec2").delete_subnet(SubnetId="subnet-0123456789abcdef0")
    assert error.value.response["Error"]["Code"] == "InvalidSubnetID.NotFound"


def test_plain_moto_deletes_a_subnet_holding_a_nat_gateway(plain_moto):
    ec2 = plain_moto.client("ec2")
    subnet_id = _subnet(ec2)
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    ec2.delete_subnet(SubnetId=subnet_id)
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"] == "available"
