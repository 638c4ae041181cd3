"""EC2 DetachInternetGateway refuses while the VPC still has public addresses mapped, as AWS does.

AWS answers ``DependencyViolation`` ("Network vpc-... has some mapped public address(es). Please unmap those
public address(es) before detaching the gateway.") while any network interface in the VPC has a public IP:
an Elastic IP associated with an instance, ENI or NAT gateway, or an auto-assigned public IP. moto 5.2.5
detaches regardless, so a teardown that detaches the gateway before deleting the NAT gateway or releasing
the addresses passes on moto and fails on AWS.
"""

from __future__ import annotations

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.internet_gateways import InternetGatewayBackend


def apply(options) -> None:
    original = InternetGatewayBackend.detach_internet_gateway

    def detach_internet_gateway(self, internet_gateway_id: str, vpc_id: str) -> None:
        igw = self.get_internet_gateway(internet_gateway_id)
        attached_here = igw.vpc is not None and igw.vpc.id == vpc_id  # otherwise moto answers Gateway.NotAttached
        if attached_here and any(e.public_ip and e.subnet.vpc_id == vpc_id for e in self.enis.values()):
            raise DependencyViolationError(
                f"Network {vpc_id} has some mapped public address(es). "
                "Please unmap those public address(es) before detaching the gateway."
            )
        return original(self, internet_gateway_id, vpc_id)

    InternetGatewayBackend.detach_internet_gateway = detach_internet_gateway
