"""EC2 TerminateInstances releases the network interfaces and Elastic IPs of the instance, as AWS does.

On AWS the network interfaces RunInstances creates are deleted on termination unless the launch said
``DeleteOnTermination: false``, and Elastic IPs associated with the instance are disassociated. moto 5.2.5
creates them with ``DeleteOnTermination`` false, so they stay "in-use" after termination and keep a subnet or
security group busy: once the dependency checks of the ``ec2_delete_*`` fixes are in place, a correct
teardown (terminate, then delete the subnet) would be refused. Terminating an instance twice is accepted
and changes nothing (moto would delete the ENIs a second time and fail).
"""

from __future__ import annotations

import copy

from moto.ec2.models.instances import Instance


def apply(options) -> None:
    original_prep_nics = Instance.prep_nics
    original_terminate = Instance.terminate

    def prep_nics(self, nic_spec, *args, **kwargs):
        attached = {int(n.get("DeviceIndex", 0)): n for n in nic_spec or []}  # the caller's spec, by device index
        original_prep_nics(self, nic_spec, *args, **kwargs)
        for device_index, eni in self.nics.items():
            spec = attached.get(device_index, {})
            if not spec.get("NetworkInterfaceId") and spec.get("DeleteOnTermination") is None:
                eni.delete_on_termination = True

    def terminate(self):
        if self._state.name == "terminated":
            return copy.copy(self._state)
        enis = list(self.nics.values())
        for address in self.ec2_backend.addresses:
            if address.eni in enis or address.instance is self:
                self.ec2_backend.disassociate_address(address=address.public_ip)
        return original_terminate(self)

    Instance.prep_nics = prep_nics
    Instance.terminate = terminate
