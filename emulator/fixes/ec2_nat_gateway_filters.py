"""EC2 DescribeNatGateways honours every documented filter and refuses unknown IDs, as AWS does.

moto 5.2.5 applies only ``nat-gateway-id``, ``state``, ``subnet-id`` and ``vpc-id`` and ignores the rest, so a
``tag:Name`` lookup returns every NAT gateway in the account, and a tag-filtered lookup followed by a delete
removes other environments' NATs. It also answers an empty list for an unknown ``NatGatewayIds`` entry, where
AWS answers ``NatGatewayNotFound`` (botocore's NatGatewayDeleted waiter succeeds on that error).
"""

from __future__ import annotations

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend
from moto.ec2.utils import generic_filter


class NatGatewayNotFoundError(EC2ClientError):
    def __init__(self, nat_gateway_id: str):
        super().__init__("NatGatewayNotFound", f"NAT gateway {nat_gateway_id} was not found")


def get_filter_value(self, filter_name: str, method_name: str | None = None):
    attributes = {"nat-gateway-id": "id", "state": "state", "subnet-id": "subnet_id", "vpc-id": "vpc_id"}
    if filter_name in attributes:
        return getattr(self, attributes[filter_name])
    # tag:<key>, tag-key and tag-value; anything else raises FilterNotImplementedError.
    return super(NatGateway, self).get_filter_value(filter_name, "DescribeNatGateways")


def describe_nat_gateways(self, filters, nat_gateway_ids: list[str] | None) -> list[NatGateway]:
    for nat_gateway_id in nat_gateway_ids or []:
        if nat_gateway_id not in self.nat_gateways:
            raise NatGatewayNotFoundError(nat_gateway_id)
    nat_gateways = [n for n in self.nat_gateways.values() if not nat_gateway_ids or n.id in nat_gateway_ids]
    return generic_filter(filters, nat_gateways)


def apply(options) -> None:
    NatGateway.get_filter_value = get_filter_value
    NatGatewayBackend.describe_nat_gateways = describe_nat_gateways
