#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: codedeploy_application
version_added: 0.2.0
short_description: A CodeDeploy application and its tags
description:
  - Creates, tags and deletes an AWS CodeDeploy application, the container of the deployment groups that deploy to
    ECS services, EC2 or on-premises instances (C(Server)) or Lambda functions.
  - Compares the compute platform and the tags with the application, so a second run reports C(changed=false) and
    sends no request that changes anything.
  - O(compute_platform) can only be set when the application is created; a difference on an existing application
    fails with a message that names both platforms, before any change.
  - The name is checked before any request against CodeDeploy's rule - 1 to 100 characters, letters, digits and
    C(+=,.@_-).
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  name:
    description: Name of the application, unique in the account and region, for example C(app-dev).
    type: str
    required: true
    aliases: [application_name]
  state:
    description: Whether the application exists.
    type: str
    choices: [present, absent]
    default: present
  compute_platform:
    description:
      - Where the application's deployments go - V(ECS) services, V(Server) (EC2 or on-premises instances) or
        V(Lambda) functions.
      - Can only be set at creation. An existing application with another platform is refused; remove it first
        (O(state=absent)).
    type: str
    choices: [ECS, Server, Lambda]
    default: ECS
notes:
  - Deleting an application (O(state=absent)) also deletes its deployment groups, as CodeDeploy does with
    C(DeleteApplication). The ECS services, load balancers, instances and functions the groups deploy to are not
    touched.
  - Renaming is not supported; another O(name) means another application.
  - CodeDeploy tags an application by its ARN, C(arn:aws:codedeploy:<region>:<account>:application:<name>). The
    account comes from C(sts:GetCallerIdentity) (or, failing that, C(iam:GetUser)), so one of them must be allowed.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The application of the ECS blue/green deployments of environment dev
  envmigrate.aws.codedeploy_application:
    name: app-dev
    compute_platform: ECS
    tags:
      Environment: dev
  register: codedeploy_app

- name: Add a tag and keep the others
  envmigrate.aws.codedeploy_application:
    name: app-dev
    tags:
      Owner: platform
    purge_tags: false

- name: Remove it, with its deployment groups
  envmigrate.aws.codedeploy_application:
    name: app-dev
    state: absent
"""

RETURN = r"""
application:
  description:
    - The application as GetApplication shows it, with snake_case keys, its tags and its ARN.
    - Empty after a delete. In check mode, as it would be; an application that would be created has only
      RV(application.application_name), RV(application.compute_platform), RV(application.tags) and
      RV(application.arn).
  returned: always
  type: dict
  contains:
    application_id:
      description: ID of the application.
      type: str
      sample: 0e9a3f4c-3b8e-4a5e-9a3f-4c3b8e4a5e9a
    application_name:
      description: Name of the application.
      type: str
      sample: app-dev
    compute_platform:
      description: Where its deployments go.
      type: str
      sample: ECS
    create_time:
      description: When the application was created, in ISO 8601.
      type: str
      sample: "2024-05-02T09:41:07.123000+00:00"
    linked_to_git_hub:
      description: Whether the application is connected to a GitHub account.
      type: bool
      sample: false
    git_hub_account_name:
      description: Name of the connection to a GitHub account, when there is one.
      type: str
      returned: when linked to GitHub
      sample: my-github-connection
    arn:
      description: ARN of the application.
      type: str
      sample: arn:aws:codedeploy:us-east-1:123456789012:application:app-dev
    tags:
      description: Tags of the application.
      type: dict
      sample: {"Environment": "dev"}
"""

import re

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# botocore's model of CodeDeploy (shape ApplicationName): 1 to 100 characters of [A-Za-z0-9+=,.@_-].
NAME_MAX_LENGTH = 100
NAME_REFUSED_CHARACTERS = re.compile(r"[^A-Za-z0-9+=,.@_-]")


def name_problem(name):
    """Why CodeDeploy would refuse the application name, or None."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        return "name must be 1 to %d characters long (got %d)" % (NAME_MAX_LENGTH, len(name))
    refused = sorted(set(NAME_REFUSED_CHARACTERS.findall(name)))
    if refused:
        return "name %r has characters CodeDeploy refuses (%s); it allows letters, digits and +=,.@_-" % (
            name,
            " ".join(repr(c) for c in refused),
        )
    return None


class Application(object):
    """Reads and changes one CodeDeploy application."""

    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.client = module.client("codedeploy", retry_decorator=AWSRetry.jittered_backoff())
        self._arn = None

    @property
    def arn(self):
        """GetApplication names no ARN or account; the account comes from STS (or IAM)."""
        if self._arn is None:
            account_id, partition = get_aws_account_info(self.module)
            self._arn = "arn:%s:codedeploy:%s:%s:application:%s" % (
                partition,
                self.module.region,
                account_id,
                self.name,
            )
        return self._arn

    def describe(self):
        """GetApplication's answer with the application's tags, or None when it does not exist."""
        try:
            application = self.client.get_application(aws_retry=True, applicationName=self.name)["application"]
        except is_boto3_error_code("ApplicationDoesNotExistException"):
            return None
        return dict(application, tags=self.tags())

    def tags(self):
        tags, token = [], {}
        while True:
            page = self.client.list_tags_for_resource(aws_retry=True, ResourceArn=self.arn, **token)
            tags.extend(page.get("Tags") or [])
            if not page.get("NextToken"):
                return boto3_tag_list_to_ansible_dict(tags)
            token = {"NextToken": page["NextToken"]}

    def create(self, compute_platform, tags):
        """Create the application; (True, it), or (False, the one that appeared since it was described)."""
        parameters = {"applicationName": self.name, "computePlatform": compute_platform}
        if tags:
            parameters["tags"] = ansible_dict_to_boto3_tag_list(tags)
        try:
            self.client.create_application(aws_retry=True, **parameters)
        except is_boto3_error_code("ApplicationAlreadyExistsException"):
            existing = self.describe()  # created by someone else since: carry on with it
            if existing is None:
                raise
            return False, existing
        return True, self.describe()

    def update_tags(self, to_set, to_remove):
        if to_remove:
            self.client.untag_resource(aws_retry=True, ResourceArn=self.arn, TagKeys=to_remove)
        if to_set:
            self.client.tag_resource(aws_retry=True, ResourceArn=self.arn, Tags=ansible_dict_to_boto3_tag_list(to_set))

    def delete(self):
        # CodeDeploy deletes the deployment groups with the application, and answers no error for a missing one.
        self.client.delete_application(aws_retry=True, applicationName=self.name)


def settings(application):
    """The application in the terms of this module's options, for the diff."""
    if not application:
        return {}
    return {
        "application_name": application["applicationName"],
        "compute_platform": application.get("computePlatform"),
        "tags": application["tags"],
    }


def application_result(application, arn):
    if not application:
        return {}
    result = camel_dict_to_snake_dict(application, ignore_list=["tags"])
    if hasattr(result.get("create_time"), "isoformat"):
        result["create_time"] = result["create_time"].isoformat()
    result["arn"] = arn
    return result


def update(module, application, current):
    params = module.params
    platform, wanted_platform = current.get("computePlatform"), params["compute_platform"]
    if platform != wanted_platform:
        module.fail_json(
            msg="CodeDeploy application %s exists with compute platform %s, not %s; AWS cannot change it. Remove it "
            "first (state=absent) or set compute_platform=%s" % (application.name, platform, wanted_platform, platform)
        )
    before = settings(current)
    to_set, to_remove = {}, []
    if params["tags"] is not None:
        to_set, to_remove = compare_aws_tags(current["tags"], params["tags"], params["purge_tags"])
    tags = dict(((k, v) for k, v in current["tags"].items() if k not in to_remove), **to_set)
    changed = bool(to_set or to_remove)
    if changed and not module.check_mode:
        application.update_tags(to_set, to_remove)
        current = application.describe() or dict(current, tags=tags)
    else:
        current = dict(current, tags=tags)
    return changed, application_result(current, application.arn), before, settings(current)


def ensure_present(module, application, current):
    params = module.params
    if current is not None:
        return update(module, application, current)
    wanted = {"application_name": application.name, "compute_platform": params["compute_platform"]}
    wanted["tags"] = params["tags"] or {}
    if module.check_mode:
        return True, dict(wanted, arn=application.arn), {}, wanted
    created, current = application.create(params["compute_platform"], params["tags"])
    if not created:
        return update(module, application, current)
    return True, application_result(current, application.arn), {}, settings(current)


def ensure_absent(module, application, current):
    if current is None:
        return False, {}, {}, {}
    if not module.check_mode:
        application.delete()
    return True, {}, settings(current), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["application_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        compute_platform=dict(type="str", choices=["ECS", "Server", "Lambda"], default="ECS"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problem = name_problem(module.params["name"])
    if problem:
        module.fail_json(msg=problem)

    application = Application(module)
    try:
        current = application.describe()
        if module.params["state"] == "present":
            changed, result, before, after = ensure_present(module, application, current)
        else:
            changed, result, before, after = ensure_absent(module, application, current)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage CodeDeploy application %s" % application.name)

    module.exit_json(changed=changed, application=result, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
