#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: codedeploy_deployment_group
version_added: 0.2.0
short_description: A CodeDeploy deployment group for ECS blue/green releases behind an Application Load Balancer
description:
  - Creates, updates, tags and deletes an AWS CodeDeploy deployment group that releases an ECS service blue/green
    (deployment style C(BLUE_GREEN) with C(WITH_TRAFFIC_CONTROL)) by moving the traffic of an Application Load
    Balancer listener from one target group to the other.
  - Compares the options, normalized (lists of events and alarms in any order, defaults filled in), with the group as
    C(GetDeploymentGroup) shows it and sends C(UpdateDeploymentGroup) with only what differs, so a second run reports
    C(changed=false) and sends no request that changes anything.
  - Before any change, refuses what AWS would refuse (as the AWS CDK does), with a message that names what it saw - an
    application that does not exist or is not for ECS; a deployment configuration that is not for ECS; rollback on
    alarms without an alarm; target groups that are not two distinct existing ones; a production or test listener that
    does not exist or forwards to neither target group; an ECS service that does not exist, is not C(ACTIVE) or does
    not use the C(CODE_DEPLOY) deployment controller.
  - The CodeDeploy API is synchronous, so there is nothing to wait for.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  application_name:
    description:
      - Name of the CodeDeploy application the group belongs to, for example C(app-dev).
      - The application must exist with compute platform C(ECS) (see M(envmigrate.aws.codedeploy_application)).
    type: str
    required: true
  name:
    description: Name of the deployment group, unique in its application, for example C(dg-dev).
    type: str
    required: true
    aliases: [deployment_group_name]
  state:
    description: Whether the deployment group exists.
    type: str
    choices: [present, absent]
    default: present
  service_role_arn:
    description:
      - ARN of the IAM role CodeDeploy assumes to change the ECS service, the load balancer and to read the alarms,
        for example one with the AWS managed policy C(AWSCodeDeployRoleForECS).
      - Required when O(state=present).
    type: str
  deployment_config_name:
    description:
      - How the traffic moves to the new task set.
      - One of the predefined ECS configurations C(CodeDeployDefault.ECSAllAtOnce),
        C(CodeDeployDefault.ECSLinear10PercentEvery1Minutes), C(CodeDeployDefault.ECSLinear10PercentEvery3Minutes),
        C(CodeDeployDefault.ECSCanary10Percent5Minutes), C(CodeDeployDefault.ECSCanary10Percent15Minutes), or the name
        of a custom configuration that C(GetDeploymentConfig) finds with compute platform C(ECS).
    type: str
    default: CodeDeployDefault.ECSCanary10Percent5Minutes
  ecs_cluster_name:
    description: Name of the ECS cluster of the service. Required when O(state=present).
    type: str
  ecs_service_name:
    description:
      - Name of the ECS service that the group deploys to. Required when O(state=present).
      - The service must be C(ACTIVE) and have been created with the C(CODE_DEPLOY) deployment controller.
    type: str
  target_group_names:
    description:
      - Names of the two target groups the traffic moves between, the one serving now (blue) first.
      - Exactly two distinct target groups that exist. Required when O(state=present).
    type: list
    elements: str
  prod_listener_arns:
    description:
      - ARN of the load balancer listener that serves production traffic, as a list of exactly one.
      - It must forward to one of the target groups of O(target_group_names). Required when O(state=present).
    type: list
    elements: str
  test_listener_arns:
    description:
      - ARN of a listener that serves the new task set for tests before production traffic moves, as a list of at
        most one; empty for none.
      - It must differ from the production listener and forward to one of the target groups of O(target_group_names).
    type: list
    elements: str
    default: []
  ready_action:
    description:
      - What happens once the new task set is ready - V(CONTINUE_DEPLOYMENT) moves the traffic at once,
        V(STOP_DEPLOYMENT) waits O(ready_wait_minutes) for someone to continue the deployment, then stops it.
    type: str
    choices: [CONTINUE_DEPLOYMENT, STOP_DEPLOYMENT]
    default: CONTINUE_DEPLOYMENT
  ready_wait_minutes:
    description:
      - With O(ready_action=STOP_DEPLOYMENT), how long to wait for the traffic to be moved by hand, 0 to 2880 minutes
        (two days).
      - Must be 0 with O(ready_action=CONTINUE_DEPLOYMENT).
    type: int
    default: 0
  termination_wait_minutes:
    description: How long the original (blue) task set keeps running after a successful deployment, 0 to 2880 minutes.
    type: int
    default: 5
  auto_rollback_events:
    description:
      - Events that roll a deployment back automatically. An empty list disables automatic rollback.
      - V(DEPLOYMENT_STOP_ON_ALARM) needs at least one alarm in O(alarms).
    type: list
    elements: str
    choices: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST]
    default: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
  alarms:
    description:
      - Names of up to 10 CloudWatch alarms that stop a deployment when they go into C(ALARM). An empty list disables
        the alarm configuration.
    type: list
    elements: str
    default: []
  ignore_alarm_poll_failure:
    description:
      - Whether a deployment continues when CodeDeploy cannot read the alarms' state from CloudWatch.
      - Only applies with O(alarms); without alarms it is reported as V(false).
    type: bool
    default: false
notes:
  - With the defaults, O(auto_rollback_events) contains V(DEPLOYMENT_STOP_ON_ALARM), so O(alarms) must name at least
    one alarm, or O(auto_rollback_events) must leave that event out.
  - Deleting a group (O(state=absent)) leaves the ECS service, the load balancer and the application alone. A group
    or application that does not exist is not an error.
  - Renaming is not supported; another O(name) means another group.
  - CodeDeploy tags a group by its ARN, C(arn:aws:codedeploy:<region>:<account>:deploymentgroup:<application>/<name>).
    The account comes from C(sts:GetCallerIdentity) (or, failing that, C(iam:GetUser)), so one of them must be
    allowed.
  - The checks before a change read C(codedeploy:GetApplication), C(codedeploy:GetDeploymentConfig) (for a custom
    configuration), C(ecs:DescribeServices), C(elasticloadbalancing:DescribeTargetGroups) and
    C(elasticloadbalancing:DescribeListeners).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Blue/green releases of service svc-dev, 10 % first, rolled back on failure or alarm
  envmigrate.aws.codedeploy_deployment_group:
    application_name: app-dev
    name: dg-dev
    service_role_arn: arn:aws:iam::123456789012:role/codedeploy-dev
    ecs_cluster_name: ecs-dev
    ecs_service_name: svc-dev
    target_group_names: [tg-blue-dev, tg-green-dev]
    prod_listener_arns: ["{{ prod_listener_arn }}"]
    test_listener_arns: ["{{ test_listener_arn }}"]
    alarms: [alb-5xx-dev]
    tags:
      Environment: dev
      Project: envmigrate
  register: deployment_group

- name: All at once, wait an hour for approval, no alarms and no rollback on alarm
  envmigrate.aws.codedeploy_deployment_group:
    application_name: app-dev
    name: dg-dev
    service_role_arn: arn:aws:iam::123456789012:role/codedeploy-dev
    deployment_config_name: CodeDeployDefault.ECSAllAtOnce
    ecs_cluster_name: ecs-dev
    ecs_service_name: svc-dev
    target_group_names: [tg-blue-dev, tg-green-dev]
    prod_listener_arns: ["{{ prod_listener_arn }}"]
    ready_action: STOP_DEPLOYMENT
    ready_wait_minutes: 60
    termination_wait_minutes: 0
    auto_rollback_events: [DEPLOYMENT_FAILURE]

- name: Remove it
  envmigrate.aws.codedeploy_deployment_group:
    application_name: app-dev
    name: dg-dev
    state: absent
"""

RETURN = r"""
deployment_group:
  description:
    - The group as GetDeploymentGroup shows it (C(deploymentGroupInfo)), with snake_case keys, dates in ISO 8601, its
      tags and its ARN.
    - Empty after a delete. In check mode, as it would be; a group that would be created has no
      RV(deployment_group.deployment_group_id).
  returned: always
  type: dict
  contains:
    application_name:
      description: Name of the application.
      type: str
      sample: app-dev
    deployment_group_id:
      description: ID of the group.
      type: str
      sample: 5f2b2d5e-1c3a-4a8e-9d0c-7b6e5a4f3e2d
    deployment_group_name:
      description: Name of the group.
      type: str
      sample: dg-dev
    deployment_config_name:
      description: Deployment configuration of the group.
      type: str
      sample: CodeDeployDefault.ECSCanary10Percent5Minutes
    service_role_arn:
      description: IAM role CodeDeploy assumes.
      type: str
      sample: arn:aws:iam::123456789012:role/codedeploy-dev
    compute_platform:
      description: Compute platform of the application.
      type: str
      sample: ECS
    deployment_style:
      description: Deployment type and option.
      type: dict
      sample: {"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}
    ecs_services:
      description: The ECS service the group deploys to.
      type: list
      elements: dict
      sample: [{"cluster_name": "ecs-dev", "service_name": "svc-dev"}]
    load_balancer_info:
      description: Target groups and listeners the traffic moves between.
      type: dict
      sample:
        target_group_pair_info_list:
          - target_groups: [{"name": "tg-blue-dev"}, {"name": "tg-green-dev"}]
            prod_traffic_route:
              listener_arns:
                - arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-dev/50dc6c495c0c9188/f2f7dc8e
            test_traffic_route: {"listener_arns": []}
    blue_green_deployment_configuration:
      description: When traffic moves and when the original task set ends.
      type: dict
      sample:
        deployment_ready_option: {"action_on_timeout": "CONTINUE_DEPLOYMENT", "wait_time_in_minutes": 0}
        terminate_blue_instances_on_deployment_success: {"action": "TERMINATE", "termination_wait_time_in_minutes": 5}
    auto_rollback_configuration:
      description: Whether and on which events deployments roll back.
      type: dict
      sample: {"enabled": true, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
    alarm_configuration:
      description: CloudWatch alarms that stop a deployment.
      type: dict
      sample: {"enabled": true, "ignore_poll_alarm_failure": false, "alarms": [{"name": "alb-5xx-dev"}]}
    arn:
      description: ARN of the group.
      type: str
      sample: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app-dev/dg-dev
    tags:
      description: Tags of the group.
      type: dict
      sample: {"Environment": "dev"}
"""

import re

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

ECS_PREDEFINED_CONFIGS = (
    "CodeDeployDefault.ECSAllAtOnce",
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
    "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "CodeDeployDefault.ECSCanary10Percent15Minutes",
)
PREDEFINED_PREFIX = "CodeDeployDefault."
ROLLBACK_EVENTS = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]
MAX_WAIT_MINUTES = 2880  # two days, for both the ready wait and the termination wait
MAX_ALARMS = 10  # CodeDeploy answers AlarmsLimitExceededException beyond
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")

# The options behind each setting UpdateDeploymentGroup replaces as a whole.
SETTINGS = (
    ("serviceRoleArn", ("service_role_arn",)),
    ("deploymentConfigName", ("deployment_config_name",)),
    ("deploymentStyle", ("deployment_type", "deployment_option")),
    ("ecsServices", ("ecs_cluster_name", "ecs_service_name")),
    ("loadBalancerInfo", ("target_group_names", "prod_listener_arns", "test_listener_arns")),
    ("blueGreenDeploymentConfiguration", ("ready_action", "ready_wait_minutes", "termination_wait_minutes")),
    ("autoRollbackConfiguration", ("auto_rollback_events",)),
    ("alarmConfiguration", ("alarms", "ignore_alarm_poll_failure")),
)


def unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def option_problems(params):
    """Why AWS would refuse these options, found without any request."""
    problems = []
    for option, what in (("application_name", "application_name"), ("name", "name")):
        problem = name_problem(params[option], what)
        if problem:
            problems.append(problem)
    if params["state"] != "present":
        return problems

    problem = name_problem(params["deployment_config_name"], "deployment_config_name")
    if problem:
        problems.append(problem)
    if not ROLE_ARN.match(params["service_role_arn"]):
        problems.append(
            "service_role_arn must be the ARN of an IAM role, arn:aws:iam::<account>:role/<name> (got %r)"
            % params["service_role_arn"]
        )
    target_groups = params["target_group_names"]
    if len(target_groups) != 2:
        problems.append(
            "target_group_names must name exactly 2 target groups, blue first (got %d: %s)"
            % (len(target_groups), ", ".join(target_groups) or "none")
        )
    elif target_groups[0] == target_groups[1]:
        problems.append("target_group_names must name 2 distinct target groups (got %s twice)" % target_groups[0])
    prod, test = params["prod_listener_arns"], params["test_listener_arns"]
    if len(prod) != 1:
        problems.append("prod_listener_arns must hold exactly 1 listener ARN (got %d)" % len(prod))
    if len(test) > 1:
        problems.append("test_listener_arns must hold at most 1 listener ARN (got %d)" % len(test))
    elif test and test[0] in prod:
        problems.append("the test listener must differ from the production listener (both are %s)" % test[0])
    if params["ready_action"] == "CONTINUE_DEPLOYMENT" and params["ready_wait_minutes"] != 0:
        problems.append(
            "ready_wait_minutes applies only with ready_action=STOP_DEPLOYMENT; with CONTINUE_DEPLOYMENT it must be "
            "0 (got %d)" % params["ready_wait_minutes"]
        )
    for option in ("ready_wait_minutes", "termination_wait_minutes"):
        if not 0 <= params[option] <= MAX_WAIT_MINUTES:
            problems.append("%s must be 0 to %d minutes (got %d)" % (option, MAX_WAIT_MINUTES, params[option]))
    alarms = unique(params["alarms"])
    if "DEPLOYMENT_STOP_ON_ALARM" in params["auto_rollback_events"] and not alarms:
        problems.append(
            "auto_rollback_events has DEPLOYMENT_STOP_ON_ALARM but alarms is empty; name at least one CloudWatch alarm "
            "or leave DEPLOYMENT_STOP_ON_ALARM out"
        )
    if len(alarms) > MAX_ALARMS:
        problems.append("alarms may name at most %d alarms (got %d)" % (MAX_ALARMS, len(alarms)))
    if any(not alarm for alarm in alarms):
        problems.append("alarms must not contain an empty name")
    return problems


def target_group_name(arn):
    """tg-blue-dev from arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/tg-blue-dev/<id>."""
    parts = arn.split(":")[-1].split("/")
    return parts[1] if len(parts) > 2 else arn


class DeploymentGroup(object):
    """Reads and changes one CodeDeploy deployment group, and checks what it refers to."""

    def __init__(self, module):
        self.module = module
        self.application_name = module.params["application_name"]
        self.name = module.params["name"]
        retry = retry_decorator()
        self.client = module.client("codedeploy", retry_decorator=retry)
        self._clients = {}
        self._arn = None

    def other_client(self, service):
        if service not in self._clients:
            self._clients[service] = self.module.client(service, retry_decorator=retry_decorator())
        return self._clients[service]

    @property
    def label(self):
        return "%s/%s" % (self.application_name, self.name)

    @property
    def arn(self):
        if self._arn is None:
            self._arn = codedeploy_arn(self.module, "deploymentgroup:%s" % self.label)
        return self._arn

    # -- reading and changing the group -----------------------------------------------------------

    def describe(self):
        """GetDeploymentGroup's deploymentGroupInfo with the group's tags; None if it or its application is missing."""
        try:
            info = self.client.get_deployment_group(
                aws_retry=True, applicationName=self.application_name, deploymentGroupName=self.name
            )["deploymentGroupInfo"]
        except is_boto3_error_code(["ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException"]):
            return None
        return dict(info, tags=list_tags(self.client, self.arn))

    def create(self, request, tags):
        """Create the group; (True, it), or (False, the one that appeared since it was described)."""
        parameters = dict(request, applicationName=self.application_name, deploymentGroupName=self.name)
        if tags:
            parameters["tags"] = ansible_dict_to_boto3_tag_list(tags)
        try:
            self.client.create_deployment_group(aws_retry=True, **parameters)
        except is_boto3_error_code("DeploymentGroupAlreadyExistsException"):
            existing = self.describe()  # created by someone else since: carry on with it
            if existing is None:
                raise
            return False, existing
        return True, self.describe()

    def update(self, changes):
        answer = self.client.update_deployment_group(
            aws_retry=True, applicationName=self.application_name, currentDeploymentGroupName=self.name, **changes
        )
        self.warn_hooks(answer)

    def update_tags(self, to_set, to_remove):
        update_tags(self.client, self.arn, to_set, to_remove)

    def delete(self):
        # CodeDeploy answers no error for a group that does not exist.
        answer = self.client.delete_deployment_group(
            aws_retry=True, applicationName=self.application_name, deploymentGroupName=self.name
        )
        self.warn_hooks(answer)

    def warn_hooks(self, answer):
        hooks = answer.get("hooksNotCleanedUp") or []
        if hooks:
            names = ", ".join(hook.get("name") or hook.get("hook") or str(hook) for hook in hooks)
            self.module.warn("CodeDeploy could not remove these Auto Scaling lifecycle hooks: %s" % names)

    # -- checks before any change ---------------------------------------------------------------------

    def application_problems(self):
        try:
            application = self.client.get_application(aws_retry=True, applicationName=self.application_name)
        except is_boto3_error_code("ApplicationDoesNotExistException"):
            return [
                "CodeDeploy application %s does not exist; create it first with compute platform ECS "
                "(envmigrate.aws.codedeploy_application)" % self.application_name
            ]
        platform = application["application"].get("computePlatform")
        if platform != "ECS":
            return [
                "CodeDeploy application %s has compute platform %s, not ECS; an ECS blue/green deployment group "
                "needs an ECS application" % (self.application_name, platform)
            ]
        return []

    def deployment_config_problems(self, name):
        if name in ECS_PREDEFINED_CONFIGS:
            return []
        advice = "use one of the predefined ECS configurations (%s) or a custom configuration for ECS" % ", ".join(
            ECS_PREDEFINED_CONFIGS
        )
        if name.startswith(PREDEFINED_PREFIX):  # a predefined configuration for EC2/on-premises or Lambda
            return ["deployment configuration %s is not for ECS; %s" % (name, advice)]
        try:
            config = self.client.get_deployment_config(aws_retry=True, deploymentConfigName=name)
        except is_boto3_error_code("DeploymentConfigDoesNotExistException"):
            return ["deployment configuration %s does not exist; %s" % (name, advice)]
        platform = config["deploymentConfigInfo"].get("computePlatform")
        if platform != "ECS":
            return ["deployment configuration %s is for compute platform %s, not ECS; %s" % (name, platform, advice)]
        return []

    def ecs_service_problems(self, cluster, service):
        ecs = self.other_client("ecs")
        try:
            answer = ecs.describe_services(aws_retry=True, cluster=cluster, services=[service])
        except is_boto3_error_code("ClusterNotFoundException"):
            return ["ECS cluster %s does not exist (so neither does its service %s)" % (cluster, service)]
        found = [s for s in answer.get("services") or [] if service in (s.get("serviceName"), s.get("serviceArn"))]
        if not found:
            reasons = ", ".join(f.get("reason", "?") for f in answer.get("failures") or []) or "not found"
            return ["ECS service %s does not exist in cluster %s (%s)" % (service, cluster, reasons)]
        problems = []
        status = found[0].get("status")
        if status != "ACTIVE":
            problems.append("ECS service %s in cluster %s is %s, not ACTIVE" % (service, cluster, status))
        controller = (found[0].get("deploymentController") or {}).get("type", "ECS")
        if controller != "CODE_DEPLOY":
            problems.append(
                "ECS service %s in cluster %s uses the %s deployment controller, not CODE_DEPLOY; CodeDeploy "
                "blue/green deployments need a service created with deploymentController type CODE_DEPLOY"
                % (service, cluster, controller)
            )
        return problems

    def target_group_arns(self, names):
        """({name: ARN} of the target groups that exist, problems)."""
        elbv2 = self.other_client("elbv2")
        arns, problems = {}, []
        for name in names:
            try:
                groups = elbv2.describe_target_groups(aws_retry=True, Names=[name])["TargetGroups"]
            except is_boto3_error_code("TargetGroupNotFound"):
                groups = []
            if groups:
                arns[name] = groups[0]["TargetGroupArn"]
            else:
                problems.append("target group %s does not exist" % name)
        return arns, problems

    def listener_problems(self, role, arn, target_group_arns):
        elbv2 = self.other_client("elbv2")
        try:
            listeners = elbv2.describe_listeners(aws_retry=True, ListenerArns=[arn])["Listeners"]
        except is_boto3_error_code("ListenerNotFound"):
            listeners = []
        if not listeners:
            return ["%s listener %s does not exist" % (role, arn)]
        if not target_group_arns:
            return []  # the target groups are missing: reported already
        forwards, others = [], []
        for action in listeners[0].get("DefaultActions") or []:
            if action.get("Type") != "forward":
                others.append(action.get("Type"))
                continue
            if action.get("TargetGroupArn"):
                forwards.append(action["TargetGroupArn"])
            for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
                forwards.append(group["TargetGroupArn"])
        if set(forwards) & set(target_group_arns.values()):
            return []
        if forwards:
            seen = "it forwards to %s" % ", ".join(target_group_name(a) for a in unique(forwards))
        else:
            seen = "it has no forward action (default actions: %s)" % (", ".join(others) or "none")
        return [
            "%s listener %s must forward to %s; %s"
            % (role, arn, " or ".join(n for n in self.module.params["target_group_names"]), seen)
        ]

    def problems(self):
        """Why AWS would refuse the group (or why it could not work), found with read-only requests."""
        params = self.module.params
        problems = self.application_problems()
        problems += self.deployment_config_problems(params["deployment_config_name"])
        problems += self.ecs_service_problems(params["ecs_cluster_name"], params["ecs_service_name"])
        arns, missing = self.target_group_arns(params["target_group_names"])
        problems += missing
        if missing:
            arns = {}
        problems += self.listener_problems("production", params["prod_listener_arns"][0], arns)
        for arn in params["test_listener_arns"]:
            problems += self.listener_problems("test", arn, arns)
        return problems


# -- desired and actual state in the terms of the options -----------------------------------------


def wanted_settings(params):
    alarms = unique(params["alarms"])
    return {
        "application_name": params["application_name"],
        "deployment_group_name": params["name"],
        "service_role_arn": params["service_role_arn"],
        "deployment_config_name": params["deployment_config_name"],
        "deployment_type": "BLUE_GREEN",
        "deployment_option": "WITH_TRAFFIC_CONTROL",
        "ecs_cluster_name": params["ecs_cluster_name"],
        "ecs_service_name": params["ecs_service_name"],
        "target_group_names": list(params["target_group_names"]),
        "prod_listener_arns": list(params["prod_listener_arns"]),
        "test_listener_arns": list(params["test_listener_arns"]),
        "ready_action": params["ready_action"],
        "ready_wait_minutes": params["ready_wait_minutes"] if params["ready_action"] == "STOP_DEPLOYMENT" else 0,
        "termination_wait_minutes": params["termination_wait_minutes"],
        "auto_rollback_events": sorted(set(params["auto_rollback_events"])),
        "alarms": sorted(alarms),
        "ignore_alarm_poll_failure": bool(alarms) and params["ignore_alarm_poll_failure"],
        "tags": params["tags"],
    }


def settings(info):
    """The group as GetDeploymentGroup shows it, in the terms of this module's options (normalized)."""
    if not info:
        return {}
    style = info.get("deploymentStyle") or {}
    services = info.get("ecsServices") or [{}]
    pairs = (info.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList") or [{}]
    pair = pairs[0]
    blue_green = info.get("blueGreenDeploymentConfiguration") or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    ready_action = ready.get("actionOnTimeout") or "CONTINUE_DEPLOYMENT"
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    # Blue tasks that are kept alive (not an ECS option) differ from any wait.
    terminated = terminate.get("action", "TERMINATE") == "TERMINATE"
    rollback = info.get("autoRollbackConfiguration") or {}
    alarm_configuration = info.get("alarmConfiguration") or {}
    alarms = [a["name"] for a in alarm_configuration.get("alarms") or []] if alarm_configuration.get("enabled") else []
    return {
        "application_name": info.get("applicationName"),
        "deployment_group_name": info.get("deploymentGroupName"),
        "service_role_arn": info.get("serviceRoleArn"),
        "deployment_config_name": info.get("deploymentConfigName"),
        "deployment_type": style.get("deploymentType"),
        "deployment_option": style.get("deploymentOption"),
        "ecs_cluster_name": services[0].get("clusterName"),
        "ecs_service_name": services[0].get("serviceName"),
        "target_group_names": [group.get("name") for group in pair.get("targetGroups") or []],
        "prod_listener_arns": list((pair.get("prodTrafficRoute") or {}).get("listenerArns") or []),
        "test_listener_arns": list((pair.get("testTrafficRoute") or {}).get("listenerArns") or []),
        "ready_action": ready_action,
        "ready_wait_minutes": (ready.get("waitTimeInMinutes") or 0) if ready_action == "STOP_DEPLOYMENT" else 0,
        "termination_wait_minutes": (terminate.get("terminationWaitTimeInMinutes") or 0) if terminated else None,
        "auto_rollback_events": sorted(set(rollback.get("events") or [])) if rollback.get("enabled") else [],
        "alarms": sorted(set(alarms)),
        "ignore_alarm_poll_failure": bool(alarms) and bool(alarm_configuration.get("ignorePollAlarmFailure")),
        "tags": info.get("tags", {}),
    }


def request(params):
    """Every setting of the group, as CreateDeploymentGroup and UpdateDeploymentGroup take it."""
    events = unique(params["auto_rollback_events"])
    alarms = unique(params["alarms"])
    pair = {
        "targetGroups": [{"name": name} for name in params["target_group_names"]],
        "prodTrafficRoute": {"listenerArns": list(params["prod_listener_arns"])},
    }
    if params["test_listener_arns"]:
        pair["testTrafficRoute"] = {"listenerArns": list(params["test_listener_arns"])}
    stop = params["ready_action"] == "STOP_DEPLOYMENT"
    return {
        "serviceRoleArn": params["service_role_arn"],
        "deploymentConfigName": params["deployment_config_name"],
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "ecsServices": [{"serviceName": params["ecs_service_name"], "clusterName": params["ecs_cluster_name"]}],
        "loadBalancerInfo": {"targetGroupPairInfoList": [pair]},
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": params["termination_wait_minutes"],
            },
            "deploymentReadyOption": {
                "actionOnTimeout": params["ready_action"],
                "waitTimeInMinutes": params["ready_wait_minutes"] if stop else 0,
            },
        },
        "autoRollbackConfiguration": {"enabled": True, "events": events} if events else {"enabled": False},
        "alarmConfiguration": {
            "enabled": bool(alarms),
            "ignorePollAlarmFailure": bool(alarms) and params["ignore_alarm_poll_failure"],
            "alarms": [{"name": name} for name in alarms],
        },
    }


def differences(wanted, actual):
    """The settings of ``request()`` whose options differ between wanted and actual."""
    return [key for key, options in SETTINGS if any(wanted[o] != actual[o] for o in options)]


def update(module, group, current):
    params = module.params
    before = settings(current)
    wanted = wanted_settings(params)
    full_request = request(params)
    changes = dict((key, full_request[key]) for key in differences(wanted, before))
    to_set, to_remove, tags = tag_changes(current["tags"], params["tags"], params["purge_tags"])
    changed = bool(changes or to_set or to_remove)
    if changed and not module.check_mode:
        if changes:
            group.update(changes)
        group.update_tags(to_set, to_remove)
        current = group.describe() or dict(current, tags=tags, **changes)
    else:
        current = dict(current, tags=tags, **changes)
    return changed, snake_result(current, group.arn), before, settings(current)


def ensure_present(module, group, current):
    params = module.params
    problems = group.problems()
    if problems:
        module.fail_json(
            msg="CodeDeploy deployment group %s cannot be %s: %s"
            % (group.label, "updated" if current else "created", "; ".join(problems)),
            problems=problems,
        )
    if current is not None:
        return update(module, group, current)
    if module.check_mode:
        would_be = dict(
            request(params),
            applicationName=group.application_name,
            deploymentGroupName=group.name,
            computePlatform="ECS",
            tags=params["tags"] or {},
        )
        return True, snake_result(would_be, group.arn), {}, settings(would_be)
    created, current = group.create(request(params), params["tags"])
    if not created:
        return update(module, group, current)
    return True, snake_result(current, group.arn), {}, settings(current)


def ensure_absent(module, group, current):
    if current is None:
        return False, {}, {}, {}
    if not module.check_mode:
        group.delete()
    return True, {}, settings(current), {}


def main():
    argument_spec = dict(
        application_name=dict(type="str", required=True),
        name=dict(type="str", required=True, aliases=["deployment_group_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        service_role_arn=dict(type="str"),
        deployment_config_name=dict(type="str", default="CodeDeployDefault.ECSCanary10Percent5Minutes"),
        ecs_cluster_name=dict(type="str"),
        ecs_service_name=dict(type="str"),
        target_group_names=dict(type="list", elements="str"),
        prod_listener_arns=dict(type="list", elements="str"),
        test_listener_arns=dict(type="list", elements="str", default=[]),
        ready_action=dict(
            type="str", choices=["CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT"], default="CONTINUE_DEPLOYMENT"
        ),
        ready_wait_minutes=dict(type="int", default=0),
        termination_wait_minutes=dict(type="int", default=5),
        auto_rollback_events=dict(
            type="list",
            elements="str",
            choices=ROLLBACK_EVENTS,
            default=["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        ),
        alarms=dict(type="list", elements="str", default=[]),
        ignore_alarm_poll_failure=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    required_for_present = [
        "service_role_arn",
        "ecs_cluster_name",
        "ecs_service_name",
        "target_group_names",
        "prod_listener_arns",
    ]
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", required_for_present)],
        supports_check_mode=True,
    )
    problems = option_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)

    group = DeploymentGroup(module)
    try:
        current = group.describe()
        if module.params["state"] == "present":
            changed, result, before, after = ensure_present(module, group, current)
        else:
            changed, result, before, after = ensure_absent(module, group, current)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage CodeDeploy deployment group %s" % group.label)

    module.exit_json(changed=changed, deployment_group=result, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
