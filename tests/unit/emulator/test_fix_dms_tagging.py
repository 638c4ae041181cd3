"""emulator/fixes/dms_tagging.py: AddTagsToResource / RemoveTagsFromResource on existing resources."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.unit.emulator import dms_helpers as h


def tags(dms, arn: str) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in dms.list_tags_for_resource(ResourceArn=arn)["TagList"]}


def test_add_and_remove_tags_on_every_kind_of_resource(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator)
    for arn in (setup.task_arn, setup.instance_arn, setup.source_arn):
        dms.add_tags_to_resource(
            ResourceArn=arn, Tags=[{"Key": "Environment", "Value": "dev"}, {"Key": "Old", "Value": "x"}]
        )
        dms.add_tags_to_resource(ResourceArn=arn, Tags=[{"Key": "Environment", "Value": "prod"}])
        dms.remove_tags_from_resource(ResourceArn=arn, TagKeys=["Old"])
        assert tags(dms, arn) == {"Environment": "prod"}


def test_subnet_group_tags_are_listed_by_its_arn(emulator):
    dms = emulator.client("dms")
    dms.create_replication_subnet_group(
        ReplicationSubnetGroupIdentifier="tagged",
        ReplicationSubnetGroupDescription="d",
        SubnetIds=h.subnets(emulator.client("ec2")),
        Tags=[{"Key": "Project", "Value": "envmigrate"}],
    )
    arn = "arn:aws:dms:us-east-1:123456789012:subgrp:tagged"
    assert tags(dms, arn) == {"Project": "envmigrate"}


@pytest.mark.parametrize("operation", ["add_tags_to_resource", "remove_tags_from_resource", "list_tags_for_resource"])
def test_unknown_resource_is_resource_not_found(emulator, operation):
    dms = emulator.client("dms")
    parameters = {"ResourceArn": "arn:aws:dms:us-east-1:123456789012:task:missing"}
    parameters.update(
        {
            "add_tags_to_resource": {"Tags": [{"Key": "k", "Value": "v"}]},
            "remove_tags_from_resource": {"TagKeys": ["k"]},
        }.get(operation, {})
    )
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        getattr(dms, operation)(**parameters)


def test_plain_moto_cannot_add_tags(plain_moto):
    dms = plain_moto.client("dms", retries={"max_attempts": 1})
    setup = h.migration(plain_moto)
    with pytest.raises(ClientError) as error:
        dms.add_tags_to_resource(ResourceArn=setup.task_arn, Tags=[{"Key": "k", "Value": "v"}])
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
