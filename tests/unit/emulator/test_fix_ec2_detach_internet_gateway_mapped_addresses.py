"""Fix ec2_detach_internet_gateway_mapped_addresses: no detach while public addresses are mapped."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _vpc_with_gateway_and_eni(ec2) -> tuple[str, str, str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    return vpc_id, igw_id, eni_id


def _refused(ec2, igw_id: str, vpc_id: str) -> None:
    with pytest.raises(ClientError) as error:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    assert "mapped public address" in error.value.response["Error"]["Message"]
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_refused_while_an_elastic_ip_is_associated_then_allowed(emulator):
    ec2 = emulator.client("ec2")
    vpc_id, igw_id, eni_id = _vpc_with_gateway_and_eni(ec2)
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    association_id = ec2.associate_address(AllocationId=allocation_id, NetworkInterfaceId=eni_id)["AssociationId"]
    _refused(ec2, igw_id, vpc_id)
    ec2.disassociate_address(AssociationId=association_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]["Attachments"] == []


def test_refused_while_a_nat_gateway_holds_an_elastic_ip(emulator):
    ec2 = emulator.client("ec2")
    vpc_id, igw_id, eni_id = _vpc_with_gateway_and_eni(ec2)
    subnet_id = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["SubnetId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id)["NatGateway"]["NatGatewayId"]
    _refused(ec2, igw_id, vpc_id)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)  # releases the address (fix ec2_nat_gateway_deletion)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)


def test_addresses_in_other_vpcs_do_not_count(emulator):
    ec2 = emulator.client("ec2")
    _, _, eni_id = _vpc_with_gateway_and_eni(ec2)
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation_id, NetworkInterfaceId=eni_id)
    other_vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    other_igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=other_igw, VpcId=other_vpc)
    ec2.detach_internet_gateway(InternetGatewayId=other_igw, VpcId=other_vpc)


def test_plain_moto_detaches_with_addresses_mapped(plain_moto):
    ec2 = plain_moto.client("ec2")
    vpc_id, igw_id, eni_id = _vpc_with_gateway_and_eni(ec2)
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation_id, NetworkInterfaceId=eni_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
