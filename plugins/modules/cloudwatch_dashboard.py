#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
version_added: 0.4.0
short_description: A CloudWatch dashboard with its body and its tags
description:
  - Creates, updates and deletes an Amazon CloudWatch dashboard, with its body (the widgets) and its tags.
  - The body is compared with the dashboard's (C(GetDashboard)) as parsed JSON, so layout and key order do not
    matter; C(PutDashboard) is sent only when the dashboard is missing or its body differs. CloudWatch keeps the body
    as it was sent and does not rewrite it, so a second run reports C(changed=false) and sends no request that changes
    anything.
  - Tags are compared with the dashboard's (C(ListTagsForResource)) and changed with C(TagResource) and
    C(UntagResource) by the dashboard's ARN, also right after a dashboard is created.
  - The name and the body are checked before any request - the name against CloudWatch's rule (1 to 255 letters,
    digits, hyphens and underscores), the body must be a JSON object with a C(widgets) list of objects.
  - When CloudWatch refuses the body (C(InvalidParameterInput)), the module fails with CloudWatch's validation messages
    and changes nothing. Warnings CloudWatch answers for a body it accepted are shown as warnings.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  name:
    description: Name of the dashboard, unique in the account, for example C(dashboard-dev).
    type: str
    required: true
  state:
    description: Whether the dashboard exists.
    type: str
    choices: [present, absent]
    default: present
  body:
    description:
      - The dashboard body, as a dictionary or a JSON string, with the structure of
        U(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
        It must be a JSON object with a C(widgets) list.
      - Required with O(state=present); ignored with O(state=absent).
      - A JSON string is sent as it is written; a dictionary is sent as Ansible serializes it.
    type: json
notes:
  - Dashboards are global to the account, not regional; the region only chooses the endpoint the requests go to, and
    the dashboard's ARN (C(arn:aws:cloudwatch::<account>:dashboard/<name>)) names no region.
  - Renaming is not supported; another O(name) means another dashboard.
  - CloudWatch validates the widgets themselves (metrics, regions, sizes); this module checks only the structure
    above before sending the body.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The dashboard of environment dev, from a dictionary
  envmigrate.aws.cloudwatch_dashboard:
    name: dashboard-dev
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: Requests
            region: us-east-1
            stat: Sum
            period: 60
            metrics:
              - [envmigrate, Requests, Environment, dev]
    tags:
      Environment: dev
      Project: envmigrate
  register: dashboard

- name: The same dashboard from a JSON file
  envmigrate.aws.cloudwatch_dashboard:
    name: dashboard-dev
    body: "{{ lookup('file', 'dashboard-dev.json') }}"

- name: Add a tag and keep the others
  envmigrate.aws.cloudwatch_dashboard:
    name: dashboard-dev
    body: "{{ lookup('file', 'dashboard-dev.json') }}"
    tags:
      Owner: platform
    purge_tags: false

- name: Remove it
  envmigrate.aws.cloudwatch_dashboard:
    name: dashboard-dev
    state: absent
"""

RETURN = r"""
dashboard:
  description:
    - The dashboard as CloudWatch shows it (C(GetDashboard), C(ListDashboards), C(ListTagsForResource)), in snake_case.
    - Empty after a delete, or when it is absent.
    - In check mode, as it would be, without RV(dashboard.size) and RV(dashboard.last_modified); a dashboard that
      would be created has no RV(dashboard.arn) either.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the dashboard.
      type: str
      sample: dashboard-dev
    arn:
      description: ARN of the dashboard (dashboards are global, so it names no region).
      type: str
      sample: arn:aws:cloudwatch::123456789012:dashboard/dashboard-dev
    body:
      description: The dashboard body, parsed.
      type: dict
      sample: {"widgets": [{"type": "text", "width": 6, "height": 2, "properties": {"markdown": "dev"}}]}
    size:
      description: Size of the dashboard body, in bytes.
      type: int
      sample: 91
    last_modified:
      description: When the dashboard was last changed, in ISO 8601.
      type: str
      sample: "2026-11-25T06:34:46.401000+00:00"
    tags:
      description: Tags of the dashboard.
      type: dict
      sample: {"Environment": "dev"}
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# PutDashboard: "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"."
NAME_MAX_LENGTH = 255
NAME_REFUSED_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]")
# The query-protocol codes botocore reports for DashboardNotFoundError and DashboardInvalidInputError.
NOT_FOUND = "ResourceNotFound"
INVALID_BODY = "InvalidParameterInput"


def name_problem(name):
    """Why CloudWatch would refuse the dashboard name, or None."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        return "name must be 1 to %d characters long (got %d)" % (NAME_MAX_LENGTH, len(name))
    refused = sorted(set(NAME_REFUSED_CHARACTERS.findall(name)))
    if refused:
        return "name %r has characters CloudWatch refuses (%s); it allows letters, digits, hyphens and underscores" % (
            name,
            " ".join(repr(c) for c in refused),
        )
    return None


def parse_body(text):
    """(body, None) for a dashboard body CloudWatch could accept, or (None, why it cannot)."""
    try:
        body = json.loads(text)
    except ValueError as e:
        return None, "body is not valid JSON: %s" % e
    if not isinstance(body, dict):
        return None, "body must be a JSON object with a widgets list, got a JSON %s" % type(body).__name__
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        return None, "body must have a widgets list (the dashboard's widgets), got %s" % json.dumps(widgets)
    not_objects = [str(index) for index, widget in enumerate(widgets) if not isinstance(widget, dict)]
    if not_objects:
        return None, "every widget of the body must be a JSON object; widgets %s are not" % ", ".join(not_objects)
    return body, None


def stored_body(text):
    """The dashboard's body parsed; kept as text if it is not JSON, so that it differs from any wanted body."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def normalized(body):
    """The body as one canonical JSON text: key order and layout do not matter, list order and values do."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def validation_messages(messages):
    """CloudWatch's DashboardValidationMessages as "data path: message" lines."""
    lines = []
    for message in messages or []:
        path = message.get("DataPath")
        lines.append("%s: %s" % (path, message.get("Message")) if path else str(message.get("Message")))
    return lines


def cloudwatch_tags(tags):
    return ansible_dict_to_boto3_tag_list(tags)


class Dashboard(object):
    """Reads and changes one CloudWatch dashboard."""

    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.client = module.client("cloudwatch", retry_decorator=retry_decorator())

    def get(self):
        """GetDashboard's answer, or None when there is no such dashboard."""
        try:
            return self.client.get_dashboard(aws_retry=True, DashboardName=self.name)
        except is_boto3_error_code(NOT_FOUND):
            return None

    def entry(self):
        """The dashboard's ListDashboards entry (its size and when it was last changed), or {}."""
        parameters = {"DashboardNamePrefix": self.name}
        while True:
            answer = self.client.list_dashboards(aws_retry=True, **parameters)
            for entry in answer.get("DashboardEntries") or []:
                if entry.get("DashboardName") == self.name:
                    return entry
            if not answer.get("NextToken"):
                return {}
            parameters["NextToken"] = answer["NextToken"]

    def tags(self, arn):
        answer = self.client.list_tags_for_resource(aws_retry=True, ResourceARN=arn)
        return boto3_tag_list_to_ansible_dict(answer.get("Tags") or [])

    def describe(self):
        """The dashboard with its parsed body, size, last change and tags, or None when there is none."""
        dashboard = self.get()
        if dashboard is None:
            return None
        entry = self.entry()
        last_modified = entry.get("LastModified")
        return {
            "name": dashboard["DashboardName"],
            "arn": dashboard["DashboardArn"],
            "body": stored_body(dashboard.get("DashboardBody") or ""),
            "size": entry.get("Size"),
            "last_modified": last_modified.isoformat() if last_modified else None,
            "tags": self.tags(dashboard["DashboardArn"]),
        }

    def put(self, text):
        """PutDashboard; warns with what CloudWatch found wrong in a body it accepted, fails when it refuses it."""
        try:
            answer = self.client.put_dashboard(aws_retry=True, DashboardName=self.name, DashboardBody=text)
        except is_boto3_error_code(INVALID_BODY) as e:
            # fail_json_aws also returns them as dashboard_validation_messages.
            problems = validation_messages(e.response.get("dashboardValidationMessages"))
            self.module.fail_json_aws(
                e,
                msg="CloudWatch refused the body of dashboard %s%s. Nothing was changed"
                % (self.name, "".join("; " + line for line in problems)),
            )
        for line in validation_messages(answer.get("DashboardValidationMessages")):
            self.module.warn("CloudWatch accepted the body of dashboard %s with a warning: %s" % (self.name, line))

    def update_tags(self, arn, to_set, to_remove):
        if to_remove:
            self.client.untag_resource(aws_retry=True, ResourceARN=arn, TagKeys=to_remove)
        if to_set:
            self.client.tag_resource(aws_retry=True, ResourceARN=arn, Tags=cloudwatch_tags(to_set))

    def delete(self):
        try:
            self.client.delete_dashboards(aws_retry=True, DashboardNames=[self.name])
        except is_boto3_error_code(NOT_FOUND):
            pass  # deleted by someone else since it was read


def settings(dashboard):
    """The dashboard in the terms of this module's options, for the diff."""
    if not dashboard:
        return {}
    return {"name": dashboard["name"], "body": dashboard["body"], "tags": dashboard["tags"]}


def tag_changes(module, current_tags):
    """(to_set, to_remove) that make the tags what O(tags) and O(purge_tags) ask; none when tags are not given."""
    if module.params["tags"] is None:
        return {}, []
    return compare_aws_tags(current_tags, module.params["tags"], module.params["purge_tags"])


def ensure_present(module, dashboard, current, body, text):
    """Create the dashboard or change what differs: (changed, result, diff before, diff after)."""
    before = settings(current)
    current_tags = current["tags"] if current else {}
    put_body = current is None or normalized(current["body"]) != normalized(body)
    to_set, to_remove = tag_changes(module, current_tags)
    if not (put_body or to_set or to_remove):
        return False, current, before, before

    tags = dict(((k, v) for k, v in current_tags.items() if k not in to_remove), **to_set)
    after = {"name": dashboard.name, "body": body, "tags": tags}
    if module.check_mode:
        predicted = dict(after, arn=current["arn"]) if current else after
        return True, predicted, before, after

    if put_body:
        dashboard.put(text)
    if to_set or to_remove:
        arn = current["arn"] if current else dashboard.get()["DashboardArn"]
        dashboard.update_tags(arn, to_set, to_remove)
    changed_dashboard = dashboard.describe()
    if changed_dashboard is None:
        module.fail_json(msg="CloudWatch dashboard %s was put but GetDashboard does not find it" % dashboard.name)
    return True, changed_dashboard, before, settings(changed_dashboard)


def ensure_absent(module, dashboard, current):
    if current is None:
        return False, {}, {}, {}
    if not module.check_mode:
        dashboard.delete()
    return True, {}, settings(current), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        body=dict(type="json"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["body"])],
        supports_check_mode=True,
    )
    present = module.params["state"] == "present"
    problem = name_problem(module.params["name"])
    body = None
    if problem is None and present:
        body, problem = parse_body(module.params["body"])
    if problem:
        module.fail_json(msg=problem)

    dashboard = Dashboard(module)
    try:
        current = dashboard.describe()
        if present:
            changed, result, before, after = ensure_present(module, dashboard, current, body, module.params["body"])
        else:
            changed, result, before, after = ensure_absent(module, dashboard, current)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage CloudWatch dashboard %s" % dashboard.name)

    module.exit_json(changed=changed, dashboard=result or {}, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
