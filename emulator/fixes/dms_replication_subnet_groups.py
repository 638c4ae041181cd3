"""DMS: replication subnet groups hold real subnets and can be modified.

AWS checks that every subnet of a replication subnet group exists
(``InvalidSubnet``) and that together they cover at least two Availability
Zones (``ReplicationSubnetGroupDoesNotCoverEnoughAZs``), and describes the
group with those subnets and their VPC, also inside each replication instance
that uses it. ModifyReplicationSubnetGroup replaces description and subnets.
A replication instance naming an unknown group is ``ResourceNotFoundFault``.

moto ignores the subnets (every group shows ``subnet-12345`` in ``vpc-12345``),
answers HTTP 500 for ModifyReplicationSubnetGroup, and files the group's tags
under its name instead of its ARN.
"""

from __future__ import annotations

import functools
import json


def apply(options) -> None:
    from moto.dms import models
    from moto.dms.exceptions import DmsClientError, ResourceNotFoundFault
    from moto.dms.responses import DatabaseMigrationServiceResponse as responses
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    backend = models.DatabaseMigrationServiceBackend
    group_model = models.FakeReplicationSubnetGroup
    instance_model = models.FakeReplicationInstance

    def set_subnets(self, group, subnet_ids):
        """Validate ``subnet_ids`` as AWS does and remember what describing them shows."""
        ec2 = ec2_backends[self.account_id][self.region_name]
        try:
            subnets = [ec2.get_subnet(subnet_id) for subnet_id in subnet_ids or []]
        except InvalidSubnetIdError as error:
            raise DmsClientError("InvalidSubnet", error.message) from None
        if len({subnet.availability_zone for subnet in subnets}) < 2:
            raise DmsClientError(
                "ReplicationSubnetGroupDoesNotCoverEnoughAZs",
                "The replication subnet group does not cover enough Availability Zones (AZs). "
                "Edit the replication subnet group and add more AZs.",
            )
        group.vpc_id = subnets[0].vpc_id
        group.subnets = [
            {
                "SubnetIdentifier": subnet.id,
                "SubnetAvailabilityZone": {"Name": subnet.availability_zone},
                "SubnetStatus": "Active",
            }
            for subnet in subnets
        ]

    create_group = backend.create_replication_subnet_group

    @functools.wraps(create_group)
    def create_replication_subnet_group(self, **kwargs):  # moto passes everything by keyword
        name = kwargs["replication_subnet_group_identifier"]
        probe = group_model(name, "")
        set_subnets(self, probe, kwargs.get("subnet_ids"))  # refuse before anything is stored
        group = create_group(self, **kwargs)
        group.vpc_id, group.subnets = probe.vpc_id, probe.subnets
        # moto tags the bare name; ListTagsForResource asks by ARN
        arn = f"arn:{self.partition}:dms:{self.region_name}:{self.account_id}:subgrp:{name}"
        self.tagger.tag_resource(arn, self.tagger.list_tags_for_resource(name)["Tags"])
        self.tagger.delete_all_tags_for_resource(name)
        return group

    group_to_dict = group_model.to_dict

    @functools.wraps(group_to_dict)
    def group_as_described(self):
        described = group_to_dict(self)
        if getattr(self, "subnets", None):
            described.update(VpcId=self.vpc_id, Subnets=self.subnets)
        return described

    def modify_replication_subnet_group(self):
        params = json.loads(self.body)
        group = self.dms_backend.replication_subnet_groups.get(params["ReplicationSubnetGroupIdentifier"])
        if group is None:
            raise ResourceNotFoundFault("Replication subnet group could not be found.")
        if "SubnetIds" in params:
            set_subnets(self.dms_backend, group, params["SubnetIds"])
        if "ReplicationSubnetGroupDescription" in params:
            group.description = params["ReplicationSubnetGroupDescription"]
        return json.dumps({"ReplicationSubnetGroup": group.to_dict()})

    create_instance = backend.create_replication_instance

    @functools.wraps(create_instance)
    def create_replication_instance(self, **kwargs):  # moto passes everything by keyword
        identifier = kwargs.get("replication_subnet_group_identifier")
        if identifier and identifier not in self.replication_subnet_groups:
            raise ResourceNotFoundFault(f"Replication subnet group {identifier} could not be found.")
        instance = create_instance(self, **kwargs)
        instance.subnet_group = self.replication_subnet_groups.get(identifier)
        return instance

    instance_to_dict = instance_model.to_dict

    @functools.wraps(instance_to_dict)
    def instance_as_described(self):
        described = instance_to_dict(self)
        if getattr(self, "subnet_group", None) is not None:
            described["ReplicationSubnetGroup"] = self.subnet_group.to_dict()
        return described

    backend.create_replication_subnet_group = create_replication_subnet_group
    backend.create_replication_instance = create_replication_instance
    group_model.to_dict = group_as_described
    instance_model.to_dict = instance_as_described
    responses.modify_replication_subnet_group = modify_replication_subnet_group
