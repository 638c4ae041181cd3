"""Fix ec2_vgw_route_propagation: Enable/DisableVgwRoutePropagation and PropagatingVgws."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

UNKNOWN_RTB = "rtb-0123456789abcdef0"
UNKNOWN_VGW = "vgw-0123456789abcdef0"


def _route_table_and_gateway(ec2, attach: bool = True) -> tuple[str, str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    route_table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    gateway_id = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    if attach:
        ec2.attach_vpn_gateway(VpcId=vpc_id, VpnGatewayId=gateway_id)
        _wait_attached(ec2, gateway_id)
    return route_table_id, gateway_id


def _wait_attached(ec2, gateway_id: str) -> None:
    """Poll as a playbook would: the emulator may report "attaching" first, as AWS does."""
    for _ in range(20):
        gateway = ec2.describe_vpn_gateways(VpnGatewayIds=[gateway_id])["VpnGateways"][0]
        if [a["State"] for a in gateway["VpcAttachments"]] == ["attached"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"{gateway_id} never attached")


def _propagating(ec2, route_table_id: str) -> list[dict]:
    return ec2.describe_route_tables(RouteTableIds=[route_table_id])["RouteTables"][0]["PropagatingVgws"]


def test_enable_then_disable_shows_in_describe_route_tables(emulator):
    ec2 = emulator.client("ec2")
    route_table_id, gateway_id = _route_table_and_gateway(ec2)
    assert _propagating(ec2, route_table_id) == []

    ec2.enable_vgw_route_propagation(RouteTableId=route_table_id, GatewayId=gateway_id)
    ec2.enable_vgw_route_propagation(RouteTableId=route_table_id, GatewayId=gateway_id)  # idempotent
    assert _propagating(ec2, route_table_id) == [{"GatewayId": gateway_id}]

    ec2.disable_vgw_route_propagation(RouteTableId=route_table_id, GatewayId=gateway_id)
    assert _propagating(ec2, route_table_id) == []


def test_every_route_table_lists_propagating_gateways(emulator):
    # ec2_vpc_route_table reads route_table["PropagatingVgws"] without a default.
    tables = emulator.client("ec2").describe_route_tables()["RouteTables"]
    assert tables and all(table["PropagatingVgws"] == [] for table in tables)


@pytest.mark.parametrize("operation", ["enable_vgw_route_propagation", "disable_vgw_route_propagation"])
@pytest.mark.parametrize(
    ("route_table", "gateway", "code"),
    [
        (UNKNOWN_RTB, None, "InvalidRouteTableID.NotFound"),
        (None, UNKNOWN_VGW, "InvalidVpnGatewayID.NotFound"),
    ],
)
def test_unknown_ids_answer_not_found(emulator, operation, route_table, gateway, code):
    ec2 = emulator.client("ec2")
    route_table_id, gateway_id = _route_table_and_gateway(ec2)
    with pytest.raises(ClientError) as error:
        getattr(ec2, operation)(RouteTableId=route_table or route_table_id, GatewayId=gateway or gateway_id)
    assert error.value.response["Error"]["Code"] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_enable_refuses_a_gateway_not_attached_to_the_vpc(emulator):
    ec2 = emulator.client("ec2")
    route_table_id, gateway_id = _route_table_and_gateway(ec2, attach=False)
    with pytest.raises(ClientError) as error:
        ec2.enable_vgw_route_propagation(RouteTableId=route_table_id, GatewayId=gateway_id)
    assert error.value.response["Error"]["Code"] == "Gateway.NotAttached"
    assert _propagating(ec2, route_table_id) == []


def test_plain_moto_does_not_implement_propagation(plain_moto):
    ec2 = plain_moto.client("ec2", retries={"total_max_attempts": 1})
    route_table_id, gateway_id = _route_table_and_gateway(ec2)
    assert "PropagatingVgws" not in ec2.describe_route_tables(RouteTableIds=[route_table_id])["RouteTables"][0]
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        ec2.enable_vgw_route_propagation(RouteTableId=route_table_id, GatewayId=gateway_id)
