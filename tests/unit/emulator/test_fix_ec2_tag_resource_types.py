"""Fix ec2_tag_resource_types: DescribeTags names resource types as AWS does."""

from __future__ import annotations

import pytest


def _tag_nat_gateway_and_address(ec2) -> tuple[str, str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]["NatGatewayId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_tags(Resources=[nat_id, allocation_id, vpc_id], Tags=[{"Key": "env", "Value": "blue"}])
    return nat_id, allocation_id


def _tags(ec2, resource_type: str) -> list[tuple[str, str]]:
    answer = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": [resource_type]}])
    return [(t["ResourceId"], t["ResourceType"]) for t in answer["Tags"]]


@pytest.mark.parametrize(("index", "resource_type"), [(0, "natgateway"), (1, "elastic-ip")])
def test_describe_tags_reports_and_filters_the_aws_type(emulator, index, resource_type):
    ec2 = emulator.client("ec2")
    resource_id = _tag_nat_gateway_and_address(ec2)[index]
    assert _tags(ec2, resource_type) == [(resource_id, resource_type)]
    everything = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
    assert [t["ResourceType"] for t in everything] == [resource_type]


def test_other_types_are_unchanged(emulator):
    ec2 = emulator.client("ec2")
    _tag_nat_gateway_and_address(ec2)
    assert [resource_type for _, resource_type in _tags(ec2, "vpc")] == ["vpc"]


def test_plain_moto_says_nat_gateway(plain_moto):
    ec2 = plain_moto.client("ec2")
    nat_id, _ = _tag_nat_gateway_and_address(ec2)
    assert _tags(ec2, "natgateway") == []
    assert _tags(ec2, "nat-gateway") == [(nat_id, "nat-gateway")]
