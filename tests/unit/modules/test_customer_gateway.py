"""envmigrate.aws.customer_gateway: one gateway per environment, even for a shared on-premises device."""

from __future__ import annotations

from tests.harness.module import run_module

MODULE = "customer_gateway"
DEV = {"name": "cgw-dev", "ip_address": "203.0.113.10", "tags": {"Environment": "dev"}}


def _gateways(emulator):
    gateways = emulator.client("ec2").describe_customer_gateways()["CustomerGateways"]
    return {
        g["CustomerGatewayId"]: {t["Key"]: t["Value"] for t in g.get("Tags", [])}
        for g in gateways
        if g["State"] != "deleted"
    }


def test_create_reads_back_with_name_device_name_and_tags(emulator):
    result = run_module(emulator, MODULE, DEV)
    assert result["changed"] is True
    gateway = result["customer_gateway"]
    (described,) = emulator.client("ec2").describe_customer_gateways(
        CustomerGatewayIds=[gateway["customer_gateway_id"]]
    )["CustomerGateways"]
    assert (described["IpAddress"], described["BgpAsn"], described["DeviceName"]) == (
        "203.0.113.10",
        "65000",
        "cgw-dev",
    )
    assert _gateways(emulator)[gateway["customer_gateway_id"]] == {"Name": "cgw-dev", "Environment": "dev"}


def test_rerun_is_a_no_op(emulator):
    run_module(emulator, MODULE, DEV)
    emulator.mark()
    assert run_module(emulator, MODULE, DEV)["changed"] is False
    assert emulator.mutating_requests() == []


def test_two_environments_on_one_device_keep_their_own_gateway(emulator):
    dev = run_module(emulator, MODULE, DEV)["customer_gateway"]["customer_gateway_id"]
    prod_args = {"name": "cgw-prod", "ip_address": "203.0.113.10", "tags": {"Environment": "prod"}}
    prod = run_module(emulator, MODULE, prod_args)["customer_gateway"]["customer_gateway_id"]
    assert dev != prod
    # Neither run renames or retags the other's gateway, and removing one leaves the other.
    assert run_module(emulator, MODULE, DEV)["changed"] is False
    assert run_module(emulator, MODULE, {"name": "cgw-prod", "state": "absent"})["changed"] is True
    assert _gateways(emulator) == {dev: {"Name": "cgw-dev", "Environment": "dev"}}


def test_tags_are_updated_and_purged(emulator):
    run_module(emulator, MODULE, {**DEV, "tags": {"Environment": "dev", "Owner": "x"}})
    result = run_module(emulator, MODULE, DEV)
    assert result["changed"] is True
    assert result["customer_gateway"]["tags"] == {"Name": "cgw-dev", "Environment": "dev"}


def test_delete_and_delete_again(emulator):
    run_module(emulator, MODULE, DEV)
    assert run_module(emulator, MODULE, {"name": "cgw-dev", "state": "absent"})["changed"] is True
    assert _gateways(emulator) == {}
    assert run_module(emulator, MODULE, {"name": "cgw-dev", "state": "absent"})["changed"] is False


def test_check_mode_creates_and_deletes_nothing(emulator):
    emulator.mark()
    assert run_module(emulator, MODULE, DEV, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    run_module(emulator, MODULE, DEV)
    emulator.mark()
    assert run_module(emulator, MODULE, {"name": "cgw-dev", "state": "absent"}, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert len(_gateways(emulator)) == 1


def test_diff_shows_before_and_after(emulator):
    result = run_module(emulator, MODULE, DEV, diff=True)
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["device_name"] == "cgw-dev"


def test_another_address_for_an_existing_gateway_is_refused(emulator):
    run_module(emulator, MODULE, DEV)
    result = run_module(emulator, MODULE, {**DEV, "ip_address": "203.0.113.99"})
    assert result["failed"] is True
    assert "exists with another IpAddress" in result["msg"]


def test_create_without_an_address_is_refused_before_any_change(emulator):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": "cgw-dev"})
    assert result["failed"] is True
    assert "ip_address is required" in result["msg"]
    assert emulator.mutating_requests() == []


def test_in_use_gateway_delete_fails_with_aws_reason(emulator):
    gateway = run_module(emulator, MODULE, DEV)["customer_gateway"]["customer_gateway_id"]
    ec2 = emulator.client("ec2")
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=gateway, VpnGatewayId=vgw)
    result = run_module(emulator, MODULE, {"name": "cgw-dev", "state": "absent"})
    assert result["failed"] is True
    assert "IncorrectState" in str(result.get("error", {})) or "in use" in result["msg"]
