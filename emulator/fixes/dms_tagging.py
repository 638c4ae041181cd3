"""DMS: AddTagsToResource and RemoveTagsFromResource, on resources that exist.

AWS tags endpoints, replication instances, tasks and subnet groups through
AddTagsToResource / RemoveTagsFromResource; moto answers HTTP 500 for both, so
no tag can change after creation. AWS answers ``ResourceNotFoundFault`` for an
ARN that names no resource, in ListTagsForResource too, where moto answers an
empty list.
"""

from __future__ import annotations

import functools
import json


def apply(options) -> None:
    from moto.dms.exceptions import ResourceNotFoundFault
    from moto.dms.responses import DatabaseMigrationServiceResponse as responses

    def known_arns(self):
        yield from (endpoint.endpoint_arn for endpoint in self.endpoints.values())
        yield from self.replication_instances
        yield from self.replication_tasks
        prefix = f"arn:{self.partition}:dms:{self.region_name}:{self.account_id}:subgrp:"
        yield from (prefix + identifier for identifier in self.replication_subnet_groups)

    def existing(self, arn):
        if arn not in set(known_arns(self)):
            raise ResourceNotFoundFault(f"Resource {arn} not found")
        return arn

    def add_tags_to_resource(self):
        arn = existing(self.dms_backend, self._get_param("ResourceArn"))
        tags = [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in self._get_param("Tags", [])]
        self.dms_backend.tagger.tag_resource(arn, tags)
        return json.dumps({})

    def remove_tags_from_resource(self):
        arn = existing(self.dms_backend, self._get_param("ResourceArn"))
        self.dms_backend.tagger.untag_resource_using_names(arn, self._get_param("TagKeys", []))
        return json.dumps({})

    list_tags = responses.list_tags_for_resource

    @functools.wraps(list_tags)
    def list_tags_for_resource(self):
        if self._get_param("ResourceArn"):
            existing(self.dms_backend, self._get_param("ResourceArn"))
        return list_tags(self)

    responses.add_tags_to_resource = add_tags_to_resource
    responses.remove_tags_from_resource = remove_tags_from_resource
    responses.list_tags_for_resource = list_tags_for_resource
