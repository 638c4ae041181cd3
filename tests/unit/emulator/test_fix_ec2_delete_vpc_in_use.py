"""Fix ec2_delete_vpc_in_use: DeleteVpc answers DependencyViolation while the VPC holds resources."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _sg(ec2, vpc_id):
    group_id = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    return lambda: ec2.delete_security_group(GroupId=group_id)


def _igw(ec2, vpc_id):
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return lambda: ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)


def _egress_only_igw(ec2, vpc_id):
    answer = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)
    eigw_id = answer["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    return lambda: ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id)


def _endpoint(ec2, vpc_id):
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"][0]
    endpoint_id = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        VpcEndpointType="Gateway",  # moto 5.2.5 cannot delete an endpoint created without a type
        ServiceName="com.amazonaws.us-east-1.s3",
        RouteTableIds=[main["RouteTableId"]],
    )["VpcEndpoint"]["VpcEndpointId"]
    return lambda: ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])


def _network_acl(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    return lambda: ec2.delete_network_acl(NetworkAclId=acl_id)


def _subnet(ec2, vpc_id):
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.80.1.0/24")["Subnet"]["SubnetId"]
    return lambda: ec2.delete_subnet(SubnetId=subnet_id)


def _route_table(ec2, vpc_id):
    route_table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    return lambda: ec2.delete_route_table(RouteTableId=route_table_id)


def _vpn_gateway(ec2, vpc_id):
    vgw_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc_id, VpnGatewayId=vgw_id)
    return lambda: ec2.detach_vpn_gateway(VpcId=vpc_id, VpnGatewayId=vgw_id)


def _refused(ec2, vpc_id: str) -> None:
    with pytest.raises(ClientError) as error:
        ec2.delete_vpc(VpcId=vpc_id)
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("dependency", [_sg, _igw, _egress_only_igw, _endpoint, _network_acl])
def test_vpc_is_refused_until_the_dependency_is_gone(emulator, dependency):
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    remove = dependency(ec2, vpc_id)
    _refused(ec2, vpc_id)
    remove()
    ec2.delete_vpc(VpcId=vpc_id)
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []


def test_default_group_acl_and_route_table_go_with_the_vpc(emulator):
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    ec2.delete_vpc(VpcId=vpc_id)
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    assert ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"] == []
    assert ec2.describe_network_acls(Filters=in_vpc)["NetworkAcls"] == []
    assert ec2.describe_route_tables(Filters=in_vpc)["RouteTables"] == []


def test_unknown_vpc_is_still_not_found(emulator):
    with pytest.raises(ClientError) as error:
        emulator.client("ec2").delete_vpc(VpcId="vpc-0123456789abcdef0")
    assert error.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"


# moto 5.2.5 already refuses these; the test shows it for both servers, so an upgrade that drops them is noticed.
@pytest.mark.parametrize("server", ["emulator", "plain_moto"])
@pytest.mark.parametrize("dependency", [_subnet, _route_table, _vpn_gateway])
def test_moto_already_refuses_subnets_route_tables_and_vpn_gateways(request, server, dependency):
    ec2 = request.getfixturevalue(server).client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    dependency(ec2, vpc_id)
    _refused(ec2, vpc_id)


@pytest.mark.parametrize("dependency", [_sg, _igw, _network_acl])
def test_plain_moto_deletes_a_vpc_that_still_holds_resources(plain_moto, dependency):
    ec2 = plain_moto.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.80.0.0/16")["Vpc"]["VpcId"]
    dependency(ec2, vpc_id)
    ec2.delete_vpc(VpcId=vpc_id)
