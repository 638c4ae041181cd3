"""EC2 DeleteSubnet refuses a subnet that still holds a NAT gateway or a network interface, as AWS does.

AWS answers ``DependencyViolation`` ("The subnet '...' has dependencies and cannot be deleted.") while a NAT
gateway that is not ``deleted``, or any network interface (instance, endpoint, ...), is in the subnet.
moto 5.2.5 deletes the subnet regardless, leaving the NAT gateway and ENIs pointing at a subnet that no
longer exists.
"""

from __future__ import annotations

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.subnets import SubnetBackend


def apply(options) -> None:
    original = SubnetBackend.delete_subnet

    def delete_subnet(self, subnet_id: str):
        self.get_subnet(subnet_id)  # an unknown ID stays InvalidSubnetID.NotFound
        nat_gateways = [n for n in self.nat_gateways.values() if n.subnet_id == subnet_id and n.state != "deleted"]
        enis = [e for e in self.enis.values() if e.subnet.id == subnet_id]
        if nat_gateways or enis:
            raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
        return original(self, subnet_id)

    SubnetBackend.delete_subnet = delete_subnet
