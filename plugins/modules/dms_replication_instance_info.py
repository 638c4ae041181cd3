#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dms_replication_instance_info
version_added: 0.1.0
short_description: List AWS DMS replication instances
description:
  - Lists the DMS replication instances of the account and region, or the one named by O(identifier).
  - Used, for example, to find out whether any replication instance is left before the account-wide DMS service
    roles are removed.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  identifier:
    description: Identifier of one replication instance; all of them when omitted.
    type: str
    aliases: [replication_instance_identifier]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Every replication instance of the account
  envmigrate.aws.dms_replication_instance_info:
  register: dms_instances

- name: One of them
  envmigrate.aws.dms_replication_instance_info:
    identifier: dms-dev
"""

RETURN = r"""
replication_instances:
  description: The replication instances, as DescribeReplicationInstances describes them, in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    replication_instance_identifier:
      description: Identifier of the instance.
      type: str
      sample: dms-dev
    replication_instance_arn:
      description: ARN of the instance.
      type: str
      sample: arn:aws:dms:us-east-1:123456789012:rep:ABCDEFGHIJKLMNOPQRSTUVWXYZ
    replication_instance_status:
      description: Status of the instance.
      type: str
      sample: available
    replication_instance_class:
      description: Instance class.
      type: str
      sample: dms.t3.medium
    publicly_accessible:
      description: Whether the instance has a public address.
      type: bool
      sample: false
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def list_instances(client, identifier):
    kwargs = {"Filters": [{"Name": "replication-instance-id", "Values": [identifier]}]} if identifier else {}
    paginator = client.get_paginator("describe_replication_instances")
    try:
        pages = paginator.paginate(**kwargs).build_full_result()
    except is_boto3_error_code("ResourceNotFoundFault"):
        return []  # what DMS answers when a filter matches nothing
    return pages.get("ReplicationInstances", [])


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(identifier=dict(type="str", aliases=["replication_instance_identifier"])),
        supports_check_mode=True,
    )
    client = module.client("dms", retry_decorator=AWSRetry.jittered_backoff())
    try:
        instances = AWSRetry.jittered_backoff()(list_instances)(client, module.params["identifier"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list DMS replication instances")
    module.exit_json(changed=False, replication_instances=[camel_dict_to_snake_dict(i) for i in instances])


if __name__ == "__main__":
    main()
