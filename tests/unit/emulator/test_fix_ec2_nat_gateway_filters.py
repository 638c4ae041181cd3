"""Fix ec2_nat_gateway_filters: DescribeNatGateways filters and NatGatewayNotFound."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _two_nat_gateways(ec2) -> tuple[dict, dict]:
    """One NAT gateway tagged env=blue in one VPC, one tagged env=green in another."""
    made = []
    for number, env in enumerate(["blue", "green"]):
        vpc_id = ec2.create_vpc(CidrBlock=f"10.{number}.0.0/16")["Vpc"]["VpcId"]
        subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{number}.1.0/24")["Subnet"]["SubnetId"]
        nat = ec2.create_nat_gateway(
            SubnetId=subnet_id,
            ConnectivityType="private",
            TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "env", "Value": env}]}],
        )["NatGateway"]
        made.append({"id": nat["NatGatewayId"], "subnet": subnet_id, "vpc": vpc_id, "env": env})
    return made[0], made[1]


def _found(ec2, *filters: tuple[str, str]) -> list[str]:
    answer = ec2.describe_nat_gateways(Filters=[{"Name": name, "Values": [value]} for name, value in filters])
    return [n["NatGatewayId"] for n in answer["NatGateways"]]


@pytest.mark.parametrize(
    "filter_for",
    [
        lambda nat: ("tag:env", nat["env"]),
        lambda nat: ("tag-value", nat["env"]),
        lambda nat: ("nat-gateway-id", nat["id"]),
        lambda nat: ("subnet-id", nat["subnet"]),
        lambda nat: ("vpc-id", nat["vpc"]),
    ],
)
def test_each_filter_selects_only_the_matching_nat_gateway(emulator, filter_for):
    ec2 = emulator.client("ec2")
    blue, green = _two_nat_gateways(ec2)
    assert _found(ec2, filter_for(blue)) == [blue["id"]]
    assert _found(ec2, filter_for(green)) == [green["id"]]


def test_tag_key_state_and_combined_filters(emulator):
    ec2 = emulator.client("ec2")
    blue, green = _two_nat_gateways(ec2)
    assert sorted(_found(ec2, ("tag-key", "env"))) == sorted([blue["id"], green["id"]])
    assert _found(ec2, ("tag:env", "blue"), ("vpc-id", green["vpc"])) == []
    assert _found(ec2, ("tag:env", "nobody")) == []
    assert _found(ec2, ("state", "failed")) == []


def test_unknown_id_answers_nat_gateway_not_found(emulator):
    ec2 = emulator.client("ec2")
    with pytest.raises(ClientError) as error:
        ec2.describe_nat_gateways(NatGatewayIds=["nat-0123456789abcdef0"])
    assert error.value.response["Error"]["Code"] == "NatGatewayNotFound"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_plain_moto_ignores_tag_filters_and_unknown_ids(plain_moto):
    ec2 = plain_moto.client("ec2")
    blue, green = _two_nat_gateways(ec2)
    assert sorted(_found(ec2, ("tag:env", "blue"))) == sorted([blue["id"], green["id"]])
    assert ec2.describe_nat_gateways(NatGatewayIds=["nat-0123456789abcdef0"])["NatGateways"] == []
