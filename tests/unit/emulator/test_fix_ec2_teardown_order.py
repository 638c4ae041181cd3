"""A network stack torn down in the wrong order is refused, as on AWS; the right order leaves nothing behind.

Exercises the dependency fixes together (ec2_delete_*_in_use, ec2_detach_internet_gateway_mapped_addresses,
ec2_nat_gateway_deletion, ec2_instance_termination), the way a teardown playbook meets them.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError


def _stack(ec2) -> SimpleNamespace:
    """VPC with internet gateway, public subnet with a NAT gateway, private subnet with an instance,
    and a "db" security group that admits the instance's "app" group."""
    s = SimpleNamespace()
    s.vpc = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    s.igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=s.igw, VpcId=s.vpc)
    s.public = ec2.create_subnet(VpcId=s.vpc, CidrBlock="10.100.1.0/24")["Subnet"]["SubnetId"]
    s.private = ec2.create_subnet(VpcId=s.vpc, CidrBlock="10.100.2.0/24")["Subnet"]["SubnetId"]
    s.eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    s.nat = ec2.create_nat_gateway(SubnetId=s.public, AllocationId=s.eip)["NatGateway"]["NatGatewayId"]
    s.route_table = ec2.create_route_table(VpcId=s.vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=s.route_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=s.nat)
    s.association = ec2.associate_route_table(RouteTableId=s.route_table, SubnetId=s.private)["AssociationId"]
    s.app = ec2.create_security_group(GroupName="app", Description="app", VpcId=s.vpc)["GroupId"]
    s.db = ec2.create_security_group(GroupName="db", Description="db", VpcId=s.vpc)["GroupId"]
    s.rule = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": s.app}]}
    ec2.authorize_security_group_ingress(GroupId=s.db, IpPermissions=[s.rule])
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    s.instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=s.private, SecurityGroupIds=[s.app])[
        "Instances"
    ][0]["InstanceId"]
    return s


def _wrong_order(ec2, s: SimpleNamespace) -> list:
    """Teardown steps in an order that AWS refuses, each as a zero-argument call."""
    return [
        lambda: ec2.delete_vpc(VpcId=s.vpc),  # before its subnets, groups and gateway
        lambda: ec2.delete_security_group(GroupId=s.app),  # referenced by db, used by the instance
        lambda: ec2.delete_subnet(SubnetId=s.public),  # still holds the NAT gateway
        lambda: ec2.delete_subnet(SubnetId=s.private),  # still holds the instance
        lambda: ec2.detach_internet_gateway(InternetGatewayId=s.igw, VpcId=s.vpc),  # NAT's Elastic IP mapped
    ]


def test_wrong_teardown_order_is_refused_with_dependency_violation(emulator):
    ec2 = emulator.client("ec2")
    s = _stack(ec2)
    for step in _wrong_order(ec2, s):
        with pytest.raises(ClientError) as error:
            step()
        assert error.value.response["Error"]["Code"] == "DependencyViolation"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_right_teardown_order_succeeds_and_leaves_nothing(emulator):
    ec2 = emulator.client("ec2")
    s = _stack(ec2)
    ec2.terminate_instances(InstanceIds=[s.instance])
    ec2.delete_nat_gateway(NatGatewayId=s.nat)
    for _ in range(20):  # wait for "deleted", as ec2_vpc_nat_gateway wait=true does
        if ec2.describe_nat_gateways(NatGatewayIds=[s.nat])["NatGateways"][0]["State"] == "deleted":
            break
        time.sleep(0.1)
    ec2.release_address(AllocationId=s.eip)
    ec2.revoke_security_group_ingress(GroupId=s.db, IpPermissions=[s.rule])
    ec2.delete_security_group(GroupId=s.db)
    ec2.delete_security_group(GroupId=s.app)
    ec2.disassociate_route_table(AssociationId=s.association)
    ec2.delete_route_table(RouteTableId=s.route_table)
    ec2.delete_subnet(SubnetId=s.public)
    ec2.delete_subnet(SubnetId=s.private)
    ec2.detach_internet_gateway(InternetGatewayId=s.igw, VpcId=s.vpc)
    ec2.delete_internet_gateway(InternetGatewayId=s.igw)
    ec2.delete_vpc(VpcId=s.vpc)

    in_vpc = [{"Name": "vpc-id", "Values": [s.vpc]}]
    assert ec2.describe_network_interfaces(Filters=in_vpc)["NetworkInterfaces"] == []
    assert ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"] == []
    assert ec2.describe_subnets(Filters=in_vpc)["Subnets"] == []


def test_plain_moto_accepts_the_wrong_order_except_vpc_before_subnets(plain_moto):
    ec2 = plain_moto.client("ec2")
    s = _stack(ec2)
    delete_vpc_first, *rest = _wrong_order(ec2, s)
    with pytest.raises(ClientError) as error:  # moto 5.2.5 already refuses a VPC that still has subnets
        delete_vpc_first()
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    for step in rest:
        step()  # every one of these is a DependencyViolation on AWS
