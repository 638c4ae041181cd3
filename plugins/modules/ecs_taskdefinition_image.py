#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ecs_taskdefinition_image
version_added: 0.3.0
short_description: A task definition revision that is another one with a new container image
description:
  - Registers a revision of an ECS task definition family that copies a base revision exactly - roles, network mode,
    size, every container, volumes, tags - and changes only one container's image (and optionally its command).
    This is the first step of a blue/green release - the revision a CodeDeploy deployment then rolls out.
  - Idempotent - when the family's latest active revision already is that copy, nothing is registered and
    C(changed=false).
  - The base revision is read and copied in the API's own terms, so nothing of it is lost or renamed on the way,
    which a copy through M(community.aws.ecs_taskdefinition_info) and M(community.aws.ecs_taskdefinition) cannot
    promise (their snake_case round trip rewrites keys such as Docker labels).
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  base:
    description:
      - The revision to copy - an ARN, C(family:revision), or a family (its latest active revision), for example the
        task definition an ECS service runs now.
      - The new revision belongs to the same family.
    type: str
    required: true
  container_name:
    description: The container whose image changes; it must exist in the base revision.
    type: str
    required: true
  image:
    description: The new image reference, for example C(123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-dev:1.4.2).
    type: str
    required: true
  command:
    description:
      - The container's new command. Omitted - the base revision's command is kept. An empty list removes it, so the
        image's own entry point and command run.
    type: list
    elements: str
notes:
  - Registering a revision does not change what any service runs; a deployment (for a CODE_DEPLOY service,
    M(envmigrate.aws.codedeploy_deployment)) does.
  - Check mode reports whether a revision would be registered, and its container definitions, without registering it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Copy the revision service svc-app-dev runs, with a new image
  envmigrate.aws.ecs_taskdefinition_image:
    base: app-dev
    container_name: app
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-dev:1.4.2
  register: release_revision

- name: Leave a placeholder's command behind when the real image comes
  envmigrate.aws.ecs_taskdefinition_image:
    base: app-dev:1
    container_name: app
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-dev:1.4.2
    command: []
"""

RETURN = r"""
task_definition_arn:
  description: ARN of the revision with the image - the registered one, or the existing one that already matched.
  returned: always, but in check mode only when no revision would be registered
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/app-dev:3
base_arn:
  description: ARN of the revision that was copied.
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task-definition/app-dev:2
family:
  description: The family of both revisions.
  returned: always
  type: str
  sample: app-dev
revision:
  description: Number of the revision in RV(task_definition_arn).
  returned: when RV(task_definition_arn) is
  type: int
  sample: 3
container_definitions:
  description: The container definitions of the new revision, as ECS takes them (camelCase keys).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-app-dev:1.4.2"}]
"""

import copy

try:
    import botocore  # noqa: F401  (imported for AnsibleAWSModule's check)
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator

# DescribeTaskDefinition's fields that RegisterTaskDefinition takes back; the rest (revision,
# status, ARNs, registeredAt, compatibilities, requiresAttributes, ...) ECS fills in itself.
REGISTERABLE = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
    "enableFaultInjection",
)


def describe(client, task_definition):
    """(registerable fields, ARN, tags) of a revision, or None when ECS does not know it."""
    try:
        answer = client.describe_task_definition(aws_retry=True, taskDefinition=task_definition, include=["TAGS"])
    except is_boto3_error_code("ClientException"):
        return None
    found = answer["taskDefinition"]
    fields = {key: found[key] for key in REGISTERABLE if found.get(key) not in (None, [], {})}
    return fields, found["taskDefinitionArn"], answer.get("tags") or []


def with_image(fields, container_name, image, command):
    """The base revision's fields with one container's image (and command) replaced."""
    wanted = copy.deepcopy(fields)
    containers = [c for c in wanted["containerDefinitions"] if c["name"] == container_name]
    if not containers:
        return None
    containers[0]["image"] = image
    if command is not None:
        containers[0].pop("command", None)
        if command:
            containers[0]["command"] = command
    return wanted


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            base=dict(type="str", required=True),
            container_name=dict(type="str", required=True),
            image=dict(type="str", required=True),
            command=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    client = module.client("ecs", retry_decorator=retry_decorator())
    try:
        base = describe(client, params["base"])
        if base is None:
            module.fail_json(msg="Task definition %s does not exist (or has no active revision)" % params["base"])
        fields, base_arn, tags = base
        wanted = with_image(fields, params["container_name"], params["image"], params["command"])
        if wanted is None:
            names = ", ".join(c["name"] for c in fields["containerDefinitions"])
            module.fail_json(
                msg="Task definition %s has no container %s (it has %s)" % (base_arn, params["container_name"], names)
            )
        result = dict(base_arn=base_arn, family=fields["family"], container_definitions=wanted["containerDefinitions"])
        latest = describe(client, fields["family"])
        if latest is not None and latest[0] == wanted:
            module.exit_json(changed=False, task_definition_arn=latest[1], revision=_revision(latest[1]), **result)
        if module.check_mode:
            module.exit_json(changed=True, **result)
        parameters = dict(wanted, tags=tags) if tags else wanted
        registered = client.register_task_definition(aws_retry=True, **parameters)["taskDefinition"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(
            e, msg="Could not copy task definition %s with image %s" % (params["base"], params["image"])
        )
    arn = registered["taskDefinitionArn"]
    module.exit_json(changed=True, task_definition_arn=arn, revision=registered["revision"], **result)


def _revision(arn):
    return int(arn.rsplit(":", 1)[1])


if __name__ == "__main__":
    main()
