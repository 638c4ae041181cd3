# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the CodeDeploy modules share: names, ARNs, tags and results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# botocore's model of CodeDeploy (shapes ApplicationName, DeploymentGroupName, DeploymentConfigName):
# 1 to 100 characters of [A-Za-z0-9+=,.@_-].
NAME_MAX_LENGTH = 100
NAME_REFUSED_CHARACTERS = re.compile(r"[^A-Za-z0-9+=,.@_-]")


def name_problem(name, what="name"):
    """Why CodeDeploy would refuse ``name`` (an application, deployment group or configuration name), or None."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        return "%s must be 1 to %d characters long (got %d)" % (what, NAME_MAX_LENGTH, len(name))
    refused = sorted(set(NAME_REFUSED_CHARACTERS.findall(name)))
    if refused:
        return "%s %r has characters CodeDeploy refuses (%s); it allows letters, digits and +=,.@_-" % (
            what,
            name,
            " ".join(repr(c) for c in refused),
        )
    return None


def codedeploy_arn(module, resource):
    """ARN of a CodeDeploy resource (``application:<name>``, ``deploymentgroup:<app>/<group>``) in the module's region.

    CodeDeploy's Get* answers name no ARN or account; the account comes from STS (or IAM).
    """
    account_id, partition = get_aws_account_info(module)
    return "arn:%s:codedeploy:%s:%s:%s" % (partition, module.region, account_id, resource)


def list_tags(client, arn):
    """The tags of a CodeDeploy resource as a dict (every page of ListTagsForResource)."""
    tags, token = [], {}
    while True:
        page = client.list_tags_for_resource(aws_retry=True, ResourceArn=arn, **token)
        tags.extend(page.get("Tags") or [])
        if not page.get("NextToken"):
            return boto3_tag_list_to_ansible_dict(tags)
        token = {"NextToken": page["NextToken"]}


def tag_changes(current, wanted, purge):
    """(to_set, to_remove, tags after) for the module's tags/purge_tags; ``wanted`` None leaves the tags alone."""
    if wanted is None:
        return {}, [], dict(current)
    to_set, to_remove = compare_aws_tags(current, wanted, purge)
    tags = dict(((k, v) for k, v in current.items() if k not in to_remove), **to_set)
    return to_set, to_remove, tags


def update_tags(client, arn, to_set, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, ResourceArn=arn, TagKeys=to_remove)
    if to_set:
        client.tag_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))


def iso_dates(value):
    """``value`` with every datetime (at any depth) as an ISO 8601 string."""
    if isinstance(value, dict):
        return dict((k, iso_dates(v)) for k, v in value.items())
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snake_result(resource, arn):
    """A CodeDeploy answer (with ``tags`` as a dict) as a module result: snake_case keys, ISO dates, its ARN."""
    if not resource:
        return {}
    result = iso_dates(camel_dict_to_snake_dict(resource, ignore_list=["tags"]))
    result["arn"] = arn
    return result
