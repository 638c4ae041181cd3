"""EC2 DeleteSecurityGroup refuses a group that is still in use, as AWS does.

AWS answers ``DependencyViolation`` ("resource sg-... has a dependent object") while a rule of another
security group references the group, or a network interface (of an instance, NAT gateway, endpoint, ...)
uses it. moto 5.2.5 deletes the group and leaves dangling references behind, so a teardown that deletes
security groups before the rules or instances that use them passes on moto and fails on AWS.
"""

from __future__ import annotations

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.security_groups import SecurityGroupBackend


def _in_use(backend, group_id: str) -> bool:
    for groups in backend.groups.values():
        for group in groups.values():
            if group.id == group_id:
                continue  # a group may reference itself
            for rule in group.ingress_rules + group.egress_rules:
                if rule.source_group.get("GroupId") == group_id:
                    return True
    return any(group_id in {g.id for g in eni.group_set} for eni in backend.enis.values())


def apply(options) -> None:
    original = SecurityGroupBackend.delete_security_group

    # Wrapping the public method, not _delete_security_group, leaves moto's own clean-up of a VPC's default
    # group on DeleteVpc alone.
    def delete_security_group(self, name: str | None = None, group_id: str | None = None) -> None:
        group = self.get_security_group_by_name_or_id(group_id or name)
        if group is not None and _in_use(self, group.id):
            raise DependencyViolationError(f"resource {group.id} has a dependent object")
        return original(self, name, group_id)

    SecurityGroupBackend.delete_security_group = delete_security_group
