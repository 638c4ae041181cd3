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

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator
from ansible_collections.envmigrate.aws.plugins.module_utils.codedeploy import codedeploy_arn
from ansible_collections.envmigrate.aws.plugins.module_utils.codedeploy import list_tags
from ansible_collections.envmigrate.aws.plugins.module_utils.codedeploy import name_problem
from ansible_collections.envmigrate.aws.plugins.module_utils.codedeploy import snake_result
from ansible_collections.envmigrate.aws.plugins.module_utils.codedeploy import tag_changes
from ansible_collections.envmigrate.aws.plugins.module_utils.codedeploy import update_tags


class Application(object):
    """Reads and changes one CodeDeploy application."""

    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.client = module.client("codedeploy", retry_decorator=retry_decorator())
        self._arn = None

    @property
    def arn(self):
        if self._arn is None:
            self._arn = codedeploy_arn(self.module, "application:%s" % self.name)
        return self._arn

    def describe(self):
        """GetApplication's answer with the application's tags, or None when it does not exist."""
        try:
            application = self.client.get_application(aws_retry=True, applicationName=self.name)["application"]
        except is_boto3_error_code("ApplicationDoesNotExistException"):
            return None
        return dict(application, tags=list_tags(self.client, self.arn))

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
        update_tags(self.client, self.arn, to_set, to_remove)

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


def update(module, application, current):
    params = module.params
    platform, wanted_platform = current.get("computePlatform"), params["compute_platform"]
    if platform != wanted_platform:
        module.fail_json(
            msg="CodeDeploy application %s exists with compute platform %s, not %s; AWS cannot change it. Remove it "
            "first (state=absent) or set compute_platform=%s" % (application.name, platform, wanted_platform, platform)
        )
    before = settings(current)
    to_set, to_remove, tags = tag_changes(current["tags"], params["tags"], params["purge_tags"])
    changed = bool(to_set or to_remove)
    if changed and not module.check_mode:
        application.update_tags(to_set, to_remove)
        current = application.describe() or dict(current, tags=tags)
    else:
        current = dict(current, tags=tags)
    return changed, snake_result(current, application.arn), before, settings(current)


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
    return True, snake_result(current, application.arn), {}, settings(current)


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
