#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ecs_cluster
version_added: 0.2.0
short_description: An ECS cluster with its Container Insights setting and its tags
description:
  - Creates, updates and deletes an Amazon ECS cluster, with its Container Insights setting (cluster setting
    C(containerInsights)) and its tags.
  - Compares the setting and the tags with the cluster (C(DescribeClusters) with C(SETTINGS) and C(TAGS)) and changes
    only what differs - C(UpdateClusterSettings) for Container Insights, C(TagResource) and C(UntagResource) by the
    cluster's ARN for tags - so a second run reports C(changed=false) and sends no request that changes anything.
  - A deleted cluster stays visible as C(INACTIVE) for a while; this module treats it as absent, and creating a cluster
    of that name (C(CreateCluster)) makes it C(ACTIVE) again.
  - The name is checked before any request against ECS's rule - 1 to 255 letters, digits, hyphens and underscores.
  - M(community.aws.ecs_cluster) can set neither cluster settings nor tags; this module sets both.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  name:
    description: Name of the cluster, unique in the account and region, for example C(ecs-dev).
    type: str
    required: true
    aliases: [cluster_name]
  state:
    description: Whether the cluster exists (is C(ACTIVE)).
    type: str
    choices: [present, absent]
    default: present
  container_insights:
    description:
      - CloudWatch Container Insights for the cluster - V(enabled), V(enhanced) (with task- and container-level
        metrics) or V(disabled).
      - Changed in place on an existing cluster.
    type: str
    choices: [enabled, enhanced, disabled]
    default: enabled
  wait:
    description:
      - With O(state=absent), wait until the cluster is C(INACTIVE) (a cluster with capacity providers passes through
        C(DEPROVISIONING)).
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait with O(wait=true) before failing.
    type: int
    default: 300
notes:
  - ECS refuses to delete a cluster that still has C(ACTIVE) services, tasks that have not stopped, or registered
    container instances. The module then fails, names what to remove first and changes nothing; delete the services
    (for example with M(community.aws.ecs_service) and C(state=absent)) and stop the tasks, then run it again.
  - Renaming is not supported; another O(name) means another cluster.
  - Capacity providers, Service Connect defaults and the execute-command configuration are left as they are.
  - A cluster that describes no C(containerInsights) setting counts as V(disabled).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The Fargate cluster of environment dev, with Container Insights
  envmigrate.aws.ecs_cluster:
    name: ecs-dev
    container_insights: enabled
    tags:
      Environment: dev
      Project: envmigrate
      ManagedBy: ansible
  register: ecs_cluster

- name: Enhanced observability, keeping the tags as they are
  envmigrate.aws.ecs_cluster:
    name: ecs-dev
    container_insights: enhanced

- name: Add a tag and keep the others
  envmigrate.aws.ecs_cluster:
    name: ecs-dev
    tags:
      Owner: platform
    purge_tags: false

- name: Remove it (its services must be deleted first)
  envmigrate.aws.ecs_cluster:
    name: ecs-dev
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster as DescribeClusters shows it, in snake_case.
    - Empty after a delete, or when it is absent. In check mode, as it would be; a cluster that would be created has
      only RV(cluster.cluster_name), RV(cluster.settings) and RV(cluster.tags).
  returned: always
  type: dict
  contains:
    cluster_name:
      description: Name of the cluster.
      type: str
      sample: ecs-dev
    cluster_arn:
      description: ARN of the cluster.
      type: str
      sample: arn:aws:ecs:us-east-1:123456789012:cluster/ecs-dev
    status:
      description: C(ACTIVE), or C(PROVISIONING) while its capacity providers are being made.
      type: str
      sample: ACTIVE
    settings:
      description: The cluster settings.
      type: dict
      contains:
        container_insights:
          description: Whether Container Insights is on (C(enabled), C(enhanced)) or C(disabled).
          type: str
          sample: enabled
    tags:
      description: Tags of the cluster.
      type: dict
      sample: {"Environment": "dev"}
    active_services_count:
      description: Number of C(ACTIVE) services in the cluster.
      type: int
      sample: 1
    running_tasks_count:
      description: Number of tasks in the cluster in the C(RUNNING) state.
      type: int
      sample: 2
"""

import re
import time

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

# ECS CreateCluster: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed."
NAME_MAX_LENGTH = 255
NAME_REFUSED_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]")
INSIGHTS = "containerInsights"
# What DeleteCluster refuses while it is in the cluster, and what to do about it.
IN_USE = {
    "ClusterContainsServicesException": "it still has ACTIVE services; delete the services first (scale them to 0 "
    "and delete them, for example with community.aws.ecs_service state=absent)",
    "ClusterContainsTasksException": "it still has tasks that have not stopped; stop the tasks first (StopTask, "
    "or delete the services that run them)",
    "ClusterContainsContainerInstancesException": "it still has registered container instances; deregister them "
    "first (DeregisterContainerInstance)",
    "ClusterContainsCapacityProviderException": "it still has capacity providers that are in use; remove them "
    "first (PutClusterCapacityProviders)",
}
WAIT_DELAY = 5


def name_problem(name):
    """Why ECS would refuse the cluster name, or None."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        return "name must be 1 to %d characters long (got %d)" % (NAME_MAX_LENGTH, len(name))
    refused = sorted(set(NAME_REFUSED_CHARACTERS.findall(name)))
    if refused:
        return "name %r has characters ECS refuses (%s); it allows letters, digits, hyphens and underscores" % (
            name,
            " ".join(repr(c) for c in refused),
        )
    return None


def ecs_tags(tags):
    return ansible_dict_to_boto3_tag_list(tags, tag_name_key_name="key", tag_value_key_name="value")


def container_insights(cluster):
    """The cluster's Container Insights setting; a cluster that names none has it disabled."""
    for setting in cluster.get("settings") or []:
        if setting.get("name") == INSIGHTS:
            return setting.get("value") or "disabled"
    return "disabled"


class Cluster(object):
    """Reads and changes one ECS cluster."""

    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.client = module.client("ecs", retry_decorator=retry_decorator())

    def describe(self, include_inactive=False):
        """DescribeClusters' answer with settings and tags, or None when there is none (or it is INACTIVE)."""
        answer = self.client.describe_clusters(aws_retry=True, clusters=[self.name], include=["SETTINGS", "TAGS"])
        for cluster in answer.get("clusters") or []:
            if cluster.get("clusterName") == self.name and (include_inactive or cluster.get("status") != "INACTIVE"):
                return dict(cluster, tags=boto3_tag_list_to_ansible_dict(cluster.get("tags") or [], "key", "value"))
        return None

    def create(self, insights, tags):
        parameters = {"clusterName": self.name, "settings": [{"name": INSIGHTS, "value": insights}]}
        if tags:
            parameters["tags"] = ecs_tags(tags)
        self.client.create_cluster(aws_retry=True, **parameters)

    def update_insights(self, arn, insights):
        self.client.update_cluster_settings(
            aws_retry=True, cluster=arn, settings=[{"name": INSIGHTS, "value": insights}]
        )

    def update_tags(self, arn, to_set, to_remove):
        if to_remove:
            self.client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=to_remove)
        if to_set:
            self.client.tag_resource(aws_retry=True, resourceArn=arn, tags=ecs_tags(to_set))

    def delete(self, arn):
        """DeleteCluster; the status it answers (INACTIVE, or DEPROVISIONING), or fails when the cluster is in use."""
        try:
            return self.client.delete_cluster(aws_retry=True, cluster=arn)["cluster"].get("status")
        except is_boto3_error_code(list(IN_USE)) as e:
            code = e.response["Error"]["Code"]
            self.module.fail_json_aws(
                e, msg="ECS cluster %s cannot be deleted: %s. Nothing was changed." % (self.name, IN_USE[code])
            )
        except is_boto3_error_code("ClusterNotFoundException"):  # pylint: disable=duplicate-except
            return "INACTIVE"  # deleted by someone else since it was described

    def wait_inactive(self, timeout):
        deadline = time.time() + timeout
        while True:
            cluster = self.describe()
            if cluster is None:
                return
            if time.time() >= deadline:
                self.module.fail_json(
                    msg="Timed out after %d seconds waiting for ECS cluster %s to become INACTIVE (it is %s)"
                    % (timeout, self.name, cluster.get("status"))
                )
            time.sleep(WAIT_DELAY)


def settings(cluster):
    """The cluster in the terms of this module's options, for the diff."""
    if not cluster:
        return {}
    return {
        "cluster_name": cluster["clusterName"],
        "container_insights": container_insights(cluster),
        "tags": cluster["tags"],
    }


def cluster_result(cluster):
    if not cluster:
        return {}
    return {
        "cluster_name": cluster["clusterName"],
        "cluster_arn": cluster["clusterArn"],
        "status": cluster.get("status"),
        "settings": {"container_insights": container_insights(cluster)},
        "tags": cluster["tags"],
        "active_services_count": cluster.get("activeServicesCount", 0),
        "running_tasks_count": cluster.get("runningTasksCount", 0),
    }


def update(module, cluster, current):
    """Change what differs on an existing cluster: (changed, result, diff before, diff after)."""
    params = module.params
    before = settings(current)
    arn = current["clusterArn"]
    insights = params["container_insights"]
    change_insights = container_insights(current) != insights
    to_set, to_remove = {}, []
    if params["tags"] is not None:
        to_set, to_remove = compare_aws_tags(current["tags"], params["tags"], params["purge_tags"])
    tags = dict(((k, v) for k, v in current["tags"].items() if k not in to_remove), **to_set)
    wanted = dict(
        current,
        settings=[s for s in current.get("settings") or [] if s.get("name") != INSIGHTS]
        + [{"name": INSIGHTS, "value": insights}],
        tags=tags,
    )
    changed = bool(change_insights or to_set or to_remove)
    if changed and not module.check_mode:
        if change_insights:
            cluster.update_insights(arn, insights)
        cluster.update_tags(arn, to_set, to_remove)
        current = cluster.describe() or wanted
    elif changed:
        current = wanted
    return changed, cluster_result(current), before, settings(current)


def ensure_present(module, cluster, current):
    params = module.params
    if current is not None:
        return update(module, cluster, current)
    wanted = {
        "cluster_name": cluster.name,
        "container_insights": params["container_insights"],
        "tags": params["tags"] or {},
    }
    if module.check_mode:
        result = {
            "cluster_name": cluster.name,
            "settings": {"container_insights": params["container_insights"]},
            "tags": wanted["tags"],
        }
        return True, result, {}, wanted
    cluster.create(params["container_insights"], params["tags"])
    created = cluster.describe()
    if created is None:
        module.fail_json(msg="ECS cluster %s was created but DescribeClusters does not show it ACTIVE" % cluster.name)
    # CreateCluster answers an existing ACTIVE cluster (made by someone else since it was described) as it is.
    _changed, result, _before, after = update(module, cluster, created)
    return True, result, {}, after


def ensure_absent(module, cluster, current):
    params = module.params
    if current is None:
        return False, {}, {}, {}
    changed = current.get("status") != "DEPROVISIONING"  # already being deleted otherwise
    if module.check_mode:
        return changed, {}, settings(current), {}
    status = cluster.delete(current["clusterArn"]) if changed else "DEPROVISIONING"
    if params["wait"] and status != "INACTIVE":
        cluster.wait_inactive(params["wait_timeout"])
    return changed, {}, settings(current), {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["cluster_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        container_insights=dict(type="str", choices=["enabled", "enhanced", "disabled"], default="enabled"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problem = name_problem(module.params["name"])
    if problem:
        module.fail_json(msg=problem)

    cluster = Cluster(module)
    try:
        current = cluster.describe()
        if module.params["state"] == "present":
            changed, result, before, after = ensure_present(module, cluster, current)
        else:
            changed, result, before, after = ensure_absent(module, cluster, current)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage ECS cluster %s" % cluster.name)

    module.exit_json(changed=changed, cluster=result, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
