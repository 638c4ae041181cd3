"""Fix ec2_vpn_connection_routes: static routes, Options and filters of VPN connections."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

UNKNOWN_VPN = "vpn-0123456789abcdef0"


def _vpn_connection(ec2, **create) -> str:
    customer_gateway = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65000)
    vpn_gateway = ec2.create_vpn_gateway(Type="ipsec.1")
    return ec2.create_vpn_connection(
        Type="ipsec.1",
        CustomerGatewayId=customer_gateway["CustomerGateway"]["CustomerGatewayId"],
        VpnGatewayId=vpn_gateway["VpnGateway"]["VpnGatewayId"],
        **create,
    )["VpnConnection"]["VpnConnectionId"]


def _describe(ec2, vpn_id: str) -> dict:
    return ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]


def _error(error: pytest.ExceptionInfo) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_static_routes_are_created_listed_and_deleted(emulator):
    ec2 = emulator.client("ec2")
    vpn_id = _vpn_connection(ec2, Options={"StaticRoutesOnly": True})
    assert _describe(ec2, vpn_id)["Routes"] == []

    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.20.0/24")
    assert _describe(ec2, vpn_id)["Routes"] == [
        {"DestinationCidrBlock": "192.168.10.0/24", "Source": "static", "State": "available"},
        {"DestinationCidrBlock": "192.168.20.0/24", "Source": "static", "State": "available"},
    ]

    ec2.delete_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    assert [r["DestinationCidrBlock"] for r in _describe(ec2, vpn_id)["Routes"]] == ["192.168.20.0/24"]


def test_options_are_kept_as_given_with_aws_defaults(emulator):
    ec2 = emulator.client("ec2")
    static = _describe(ec2, _vpn_connection(ec2, Options={"StaticRoutesOnly": True}))["Options"]
    assert static["StaticRoutesOnly"] is True
    assert static["LocalIpv4NetworkCidr"] == "0.0.0.0/0"
    assert static["TunnelInsideIpVersion"] == "ipv4"
    assert _describe(ec2, _vpn_connection(ec2))["Options"]["StaticRoutesOnly"] is False


@pytest.mark.parametrize("operation", ["create_vpn_connection_route", "delete_vpn_connection_route"])
def test_unknown_connection_answers_not_found(emulator, operation):
    ec2 = emulator.client("ec2")
    with pytest.raises(ClientError) as error:
        getattr(ec2, operation)(VpnConnectionId=UNKNOWN_VPN, DestinationCidrBlock="192.168.10.0/24")
    assert _error(error) == ("InvalidVpnConnectionID.NotFound", 400)


def test_existing_route_is_refused_and_missing_route_not_found(emulator):
    ec2 = emulator.client("ec2")
    vpn_id = _vpn_connection(ec2, Options={"StaticRoutesOnly": True})
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    with pytest.raises(ClientError) as error:
        ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    assert _error(error) == ("RouteAlreadyExists", 400)
    with pytest.raises(ClientError) as error:
        ec2.delete_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="10.99.0.0/16")
    assert _error(error) == ("InvalidRoute.NotFound", 400)


@pytest.mark.parametrize(
    ("name", "matching", "other"),
    [
        ("option.static-routes-only", "true", "false"),
        ("route.destination-cidr-block", "192.168.10.0/24", "10.0.0.0/8"),
        ("transit-gateway-id", None, "tgw-0123456789abcdef0"),
    ],
)
def test_filters_amazon_aws_sends(emulator, name, matching, other):
    ec2 = emulator.client("ec2")
    vpn_id = _vpn_connection(ec2, Options={"StaticRoutesOnly": True})
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")

    def found(filters: list[dict]) -> list[str]:
        return [c["VpnConnectionId"] for c in ec2.describe_vpn_connections(Filters=filters)["VpnConnections"]]

    assert found([{"Name": "vpn-connection-id", "Values": [vpn_id]}]) == [vpn_id]
    if matching is not None:
        assert found([{"Name": name, "Values": [matching]}]) == [vpn_id]
    assert found([{"Name": name, "Values": [other]}]) == []


def test_plain_moto_has_no_routes_options_or_route_operations(plain_moto):
    ec2 = plain_moto.client("ec2", retries={"total_max_attempts": 1})
    vpn_id = _vpn_connection(ec2, Options={"StaticRoutesOnly": True})
    connection = _describe(ec2, vpn_id)
    assert "Routes" not in connection and "Options" not in connection
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.10.0/24")
    with pytest.raises(ResponseParserError, match="500 Internal Server Error"):
        ec2.describe_vpn_connections(Filters=[{"Name": "vpn-connection-id", "Values": [vpn_id]}])
