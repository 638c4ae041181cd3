"""EC2 DeleteNatGateway releases what the NAT gateway held, as AWS does.

On AWS a deleted NAT gateway goes to state ``deleted`` (with a ``DeleteTime``), its Elastic IP is
disassociated (and can be released or reused) and its network interface is deleted, so the subnet can be
deleted next. moto 5.2.5 only sets the state: the Elastic IP stays associated and the ENI stays in the subnet.
It also fails with HTTP 500 for an unknown ID, where AWS answers ``NatGatewayNotFound``.
"""

from __future__ import annotations

from moto.core.utils import iso_8601_datetime_with_milliseconds, utcnow
from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend

from .ec2_nat_gateway_filters import NatGatewayNotFoundError


def delete_nat_gateway(self, nat_gateway_id: str) -> NatGateway:
    nat_gateway = self.nat_gateways.get(nat_gateway_id)
    if nat_gateway is None:
        raise NatGatewayNotFoundError(nat_gateway_id)
    # moto accepts a repeated delete; release only once ("deleting" when the lifecycle_states fix is applied).
    if nat_gateway.state not in ("deleting", "deleted"):
        eni = nat_gateway._eni
        for address in self.addresses:
            if address.eni is eni:
                self.disassociate_address(address=address.public_ip)
        if eni.id in self.enis:
            eni.delete()  # also returns its private IP to the subnet
        nat_gateway.state = "deleted"
        nat_gateway.delete_time = iso_8601_datetime_with_milliseconds(utcnow())
    return nat_gateway


def apply(options) -> None:
    NatGatewayBackend.delete_nat_gateway = delete_nat_gateway
