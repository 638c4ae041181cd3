"""Identical CreateCustomerGateway requests return the existing gateway; DeviceName keeps them apart."""

from __future__ import annotations

import pytest


def _create(ec2, **extra):
    return ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.10", BgpAsn=65000, **extra)[
        "CustomerGateway"
    ]


def test_identical_request_returns_the_existing_gateway(emulator):
    ec2 = emulator.client("ec2")
    first, second = _create(ec2), _create(ec2)
    assert first["CustomerGatewayId"] == second["CustomerGatewayId"]
    assert len(ec2.describe_customer_gateways()["CustomerGateways"]) == 1


def test_device_name_makes_a_separate_gateway_and_is_reported(emulator):
    ec2 = emulator.client("ec2")
    dev, prod = _create(ec2, DeviceName="cgw-dev"), _create(ec2, DeviceName="cgw-prod")
    assert dev["CustomerGatewayId"] != prod["CustomerGatewayId"]
    described = ec2.describe_customer_gateways(CustomerGatewayIds=[dev["CustomerGatewayId"]])["CustomerGateways"]
    assert described[0]["DeviceName"] == "cgw-dev"
    assert _create(ec2, DeviceName="cgw-dev")["CustomerGatewayId"] == dev["CustomerGatewayId"]


def test_a_deleted_gateway_is_not_returned(emulator):
    ec2 = emulator.client("ec2")
    first = _create(ec2)
    ec2.delete_customer_gateway(CustomerGatewayId=first["CustomerGatewayId"])
    assert _create(ec2)["CustomerGatewayId"] != first["CustomerGatewayId"]


def test_a_gateway_in_use_by_a_vpn_connection_cannot_be_deleted(emulator):
    ec2 = emulator.client("ec2")
    gateway = _create(ec2)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]
    vpn = ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=gateway["CustomerGatewayId"], VpnGatewayId=vgw["VpnGatewayId"]
    )["VpnConnection"]
    with pytest.raises(ec2.exceptions.ClientError) as refused:
        ec2.delete_customer_gateway(CustomerGatewayId=gateway["CustomerGatewayId"])
    assert refused.value.response["Error"]["Code"] == "IncorrectState"
    ec2.delete_vpn_connection(VpnConnectionId=vpn["VpnConnectionId"])
    ec2.delete_customer_gateway(CustomerGatewayId=gateway["CustomerGatewayId"])


def test_plain_moto_creates_a_second_gateway(plain_moto):
    ec2 = plain_moto.client("ec2")
    assert _create(ec2)["CustomerGatewayId"] != _create(ec2)["CustomerGatewayId"]


def test_state_and_tag_filters_are_honoured(emulator):
    ec2 = emulator.client("ec2")
    mine = _create(
        ec2,
        DeviceName="a",
        TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": [{"Key": "Name", "Value": "cgw-a"}]}],
    )
    gone = _create(
        ec2,
        DeviceName="b",
        TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": [{"Key": "Name", "Value": "cgw-a"}]}],
    )
    _create(ec2, DeviceName="c")
    ec2.delete_customer_gateway(CustomerGatewayId=gone["CustomerGatewayId"])
    found = ec2.describe_customer_gateways(
        Filters=[{"Name": "tag:Name", "Values": ["cgw-a"]}, {"Name": "state", "Values": ["pending", "available"]}]
    )["CustomerGateways"]
    assert [g["CustomerGatewayId"] for g in found] == [mine["CustomerGatewayId"]]


def test_plain_moto_ignores_tag_filters(plain_moto):
    ec2 = plain_moto.client("ec2")
    _create(ec2)
    assert ec2.describe_customer_gateways(Filters=[{"Name": "tag:Name", "Values": ["nothing"]}])["CustomerGateways"]
