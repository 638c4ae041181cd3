"""EC2 DeleteVpc refuses a VPC that still holds resources, as AWS does.

AWS deletes a VPC only once nothing but its default security group, default network ACL and main route
table is left, and answers ``DependencyViolation`` ("The vpc '...' has dependencies and cannot be deleted.")
otherwise. moto 5.2.5 already refuses while subnets, attached VPN gateways or non-main route tables remain,
but deletes the VPC while security groups, an attached internet gateway, egress-only internet gateways, VPC
endpoints or custom network ACLs remain; those are then left pointing at a VPC that no longer exists.
moto's own VPN gateway check only counts attachments in state ``attached``, so one still ``attaching`` (fix
lifecycle_states) slips through; it is checked here in every state but ``detached``.
AWS also deletes the default network ACL with the VPC; moto leaves it listed.
"""

from __future__ import annotations

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.vpcs import VPCBackend


def _dependencies(backend, vpc_id: str) -> list:
    return [
        *(g for g in backend.groups.get(vpc_id, {}).values() if not g.is_default),
        *(i for i in backend.internet_gateways.values() if i.vpc is not None and i.vpc.id == vpc_id),
        *(e for e in backend.egress_only_internet_gateways.values() if e.vpc_id == vpc_id),
        *(e for e in backend.vpc_end_points.values() if e.vpc_id == vpc_id and e.state != "deleted"),
        *(a for a in backend.network_acls.values() if a.vpc_id == vpc_id and not a.default),
        *(g for g in backend.vpn_gateways.values() if _vpn_gateway_attached(g, vpc_id)),
    ]


def _vpn_gateway_attached(gateway, vpc_id: str) -> bool:
    attachment = gateway.attachments.get(vpc_id)
    return attachment is not None and attachment.state != "detached"


def apply(options) -> None:
    original = VPCBackend.delete_vpc

    def delete_vpc(self, vpc_id: str):
        self.get_vpc(vpc_id)  # an unknown ID stays InvalidVpcID.NotFound
        if _dependencies(self, vpc_id):
            raise DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
        vpc = original(self, vpc_id)
        for acl in [a for a in self.network_acls.values() if a.vpc_id == vpc_id]:
            del self.network_acls[acl.id]
        return vpc

    VPCBackend.delete_vpc = delete_vpc
