#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: codedeploy_deployment
version_added: 0.2.0
short_description: Start, follow or stop a CodeDeploy blue/green deployment of an ECS service
description:
  - Starts an AWS CodeDeploy deployment of an ECS blue/green deployment group (O(state=present)) and waits until it
    has succeeded, or stops the group's deployment in flight, with or without a rollback (O(state=stopped)).
  - The deployment's revision is an ECS AppSpec sent as content (C(revisionType=AppSpecContent)), built from
    O(task_definition), O(container_name), O(container_port), O(platform_version) and O(hooks).
  - Idempotent. When the group's ECS service already runs the task definition and no deployment is in flight, nothing
    is started (C(changed=false)). When a deployment of the same AppSpec is already in flight for the group, the module
    follows it instead of starting another one (C(changed=false)). A deployment of another revision in flight is
    reported by its ID, before any change, since CodeDeploy allows one at a time (it would answer
    C(DeploymentLimitExceededException)).
  - A deployment that ends C(Failed) or C(Stopped) fails the task with its ID, status, error information and rollback
    information.
  - O(hooks), O(container_port) and O(wait_timeout) are checked before any request.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  application_name:
    description: Name of the CodeDeploy application, for example C(app-dev).
    type: str
    required: true
  deployment_group_name:
    description:
      - Name of the ECS blue/green deployment group in O(application_name), for example C(dg-dev).
      - Its ECS service (C(ecsServices)) is the one compared with O(task_definition).
    type: str
    required: true
  state:
    description:
      - V(present) starts a deployment of O(task_definition) unless the service already runs it, and follows a
        deployment of the same AppSpec that is already in flight.
      - V(stopped) stops a deployment that has not completed, O(deployment_id) or the group's deployment in flight.
    type: str
    choices: [present, stopped]
    default: present
  task_definition:
    description:
      - The ECS task definition to deploy, as an ARN or as C(family:revision) (a C(family) alone means its latest
        C(ACTIVE) revision).
      - Resolved to its ARN with C(ecs:DescribeTaskDefinition) before anything else; the AppSpec names the ARN.
      - Required with O(state=present).
    type: str
  container_name:
    description:
      - Name of the container of O(task_definition) that the load balancer sends traffic to (AppSpec
        C(LoadBalancerInfo.ContainerName)).
      - Required with O(state=present).
    type: str
  container_port:
    description:
      - Port of O(container_name) that receives the traffic (AppSpec C(LoadBalancerInfo.ContainerPort)), 1 to 65535.
      - Required with O(state=present).
    type: int
  platform_version:
    description:
      - Fargate platform version of the replacement task set (AppSpec C(PlatformVersion)), for example C(LATEST) or
        C(1.4.0).
      - Left out of the AppSpec when not set, so the service's own platform version applies.
    type: str
  hooks:
    description:
      - Lambda functions CodeDeploy invokes at the lifecycle events of the deployment, as a mapping of event name to
        function name or ARN.
      - The events of an ECS deployment are C(BeforeInstall), C(AfterInstall), C(AfterAllowTestTraffic),
        C(BeforeAllowTraffic) and C(AfterAllowTraffic); any other name is refused before any request.
      - Written to the AppSpec as a list of one-entry mappings, in the order of the lifecycle.
    type: dict
  description:
    description: Description of the deployment, shown by CodeDeploy. Only used when a deployment is started.
    type: str
  deployment_id:
    description:
      - With O(state=stopped), the ID of the deployment to stop, for example C(d-A1B2C3D4E).
      - When not set, the group's deployments in flight (status C(Created), C(Queued), C(InProgress), C(Ready) or
        C(Baking)) are stopped.
      - It must belong to O(application_name) and O(deployment_group_name).
    type: str
  auto_rollback:
    description:
      - With O(state=stopped), whether CodeDeploy rolls the service back to the revision it ran before the stopped
        deployment (C(autoRollbackEnabled) of C(StopDeployment)).
    type: bool
    default: true
  wait:
    description:
      - With O(state=present), whether to wait until the deployment has succeeded; V(false) returns right after the
        deployment has been started (or found in flight).
      - With O(state=stopped), whether to wait until the stopped deployment has completed.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, at least 1. The deployment goes on after a timeout; the task fails.
      - Polls every 15 seconds (like botocore's C(DeploymentSuccessful) waiter), more often for a short timeout.
    type: int
    default: 1800
notes:
  - Needs C(codedeploy:GetDeploymentGroup), C(codedeploy:ListDeployments), C(codedeploy:GetDeployment),
    C(codedeploy:CreateDeployment), C(codedeploy:StopDeployment), C(ecs:DescribeServices) and
    C(ecs:DescribeTaskDefinition).
  - The comparison with the service uses the task definition of the service's C(PRIMARY) task set (or the service's
    own when it has none) and, when the service names them, the container name and port of its load balancer.
    A different O(platform_version), O(hooks) or O(description) alone starts no deployment.
  - In check mode nothing is started, stopped or waited for; the result says what would be done.
  - A deployment started here goes on when the task fails or times out. Stop it with O(state=stopped).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Release revision 7 of the app blue/green, with test hooks, and wait until it has succeeded
  envmigrate.aws.codedeploy_deployment:
    application_name: app-dev
    deployment_group_name: dg-dev
    task_definition: app-dev:7
    container_name: app
    container_port: 8080
    platform_version: LATEST
    hooks:
      AfterAllowTestTraffic: health-check-dev
      BeforeAllowTraffic: arn:aws:lambda:us-east-1:123456789012:function:migration-validation-dev
    description: Release 2024.05.1
    wait_timeout: 3600
  register: release

- name: Start it and come back later
  envmigrate.aws.codedeploy_deployment:
    application_name: app-dev
    deployment_group_name: dg-dev
    task_definition: arn:aws:ecs:us-east-1:123456789012:task-definition/app-dev:7
    container_name: app
    container_port: 8080
    wait: false

- name: Follow it (the same AppSpec in flight is not started again)
  envmigrate.aws.codedeploy_deployment:
    application_name: app-dev
    deployment_group_name: dg-dev
    task_definition: app-dev:7
    container_name: app
    container_port: 8080

- name: Stop the group's deployment in flight and roll back
  envmigrate.aws.codedeploy_deployment:
    application_name: app-dev
    deployment_group_name: dg-dev
    state: stopped

- name: Stop one deployment and keep what it has deployed so far
  envmigrate.aws.codedeploy_deployment:
    application_name: app-dev
    deployment_group_name: dg-dev
    state: stopped
    deployment_id: "{{ release.deployment.deployment_id }}"
    auto_rollback: false
"""

RETURN = r"""
deployment:
  description:
    - The deployment as GetDeployment shows it (its C(deploymentInfo)), with snake_case keys and times in ISO 8601.
    - The deployment started, followed or stopped; empty when there is none (nothing to do, or check mode with a
      deployment that would be started).
  returned: always
  type: dict
  contains:
    deployment_id:
      description: ID of the deployment.
      type: str
      sample: d-A1B2C3D4E
    status:
      description: C(Created), C(Queued), C(InProgress), C(Baking), C(Ready), C(Succeeded), C(Failed) or C(Stopped).
      type: str
      sample: Succeeded
    application_name:
      description: Name of the application.
      type: str
      sample: app-dev
    deployment_group_name:
      description: Name of the deployment group.
      type: str
      sample: dg-dev
    deployment_config_name:
      description: Deployment configuration used.
      type: str
      sample: CodeDeployDefault.ECSAllAtOnce
    description:
      description: Description of the deployment.
      type: str
      sample: Release 2024.05.1
    creator:
      description: What started it (C(user), C(autoscaling), C(codeDeployRollback), ...).
      type: str
      sample: user
    create_time:
      description: When it was created.
      type: str
      sample: "2024-05-02T09:41:07.123000+00:00"
    start_time:
      description: When it started, once it has.
      type: str
      sample: "2024-05-02T09:41:09.456000+00:00"
    complete_time:
      description: When it completed, once it has.
      type: str
      sample: "2024-05-02T09:47:31.789000+00:00"
    revision:
      description: The revision deployed; its C(app_spec_content.content) is the AppSpec as sent.
      type: dict
      sample: {"revision_type": "AppSpecContent", "app_spec_content": {"content": "{\"version\": 0.0, ...}"}}
    error_information:
      description: Why it failed, when it did (C(code) and C(message)).
      type: dict
      sample: {"code": "ECS_UPDATE_ERROR", "message": "CannotPullContainerError ..."}
    rollback_info:
      description: The rollback it started or that started it (C(rollback_deployment_id), C(rollback_message), ...).
      type: dict
      sample: {"rollback_deployment_id": "d-B2C3D4E5F", "rollback_message": "..."}
    deployment_overview:
      description: Number of targets per status.
      type: dict
      sample: {"pending": 0, "in_progress": 0, "succeeded": 1, "failed": 0, "skipped": 0, "ready": 0}
appspec:
  description:
    - With O(state=present), the ECS AppSpec that is (or would be) sent, as a dict, with the task definition's ARN.
    - Empty with O(state=stopped).
  returned: always
  type: dict
  sample:
    version: 0.0
    Resources:
      - TargetService:
          Type: AWS::ECS::Service
          Properties:
            TaskDefinition: arn:aws:ecs:us-east-1:123456789012:task-definition/app-dev:7
            LoadBalancerInfo:
              ContainerName: app
              ContainerPort: 8080
            PlatformVersion: LATEST
    Hooks:
      - AfterAllowTestTraffic: health-check-dev
msg:
  description: What was done, or why nothing was.
  returned: always
  type: str
  sample: Started deployment d-A1B2C3D4E of app-dev/dg-dev
"""

import copy
import json

try:
    import botocore
    from botocore.waiter import WaiterModel, create_waiter_with_client
except ImportError:
    pass  # caught by AnsibleAWSModule

try:
    import yaml
except ImportError:  # an AppSpec of another tool may be YAML; ours is JSON
    yaml = None

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator

# The lifecycle events of an ECS deployment at which an AppSpec may name a Lambda function, in their order.
ECS_HOOK_EVENTS = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
IN_FLIGHT = ["Created", "Queued", "InProgress", "Ready", "Baking"]
COMPLETED = ("Succeeded", "Failed", "Stopped")
WAIT_DELAY = 15  # botocore's DeploymentSuccessful waiter polls every 15 seconds

# For O(state=stopped): botocore's waiters only wait for success; this one waits for any end.
DEPLOYMENT_COMPLETED = {
    "version": 2,
    "waiters": {
        "DeploymentCompleted": {
            "delay": WAIT_DELAY,
            "operation": "GetDeployment",
            "maxAttempts": 120,
            "acceptors": [
                {"expected": status, "matcher": "path", "state": "success", "argument": "deploymentInfo.status"}
                for status in COMPLETED
            ],
        }
    },
}


def parameter_problems(params):
    """What the parameters ask for that CodeDeploy or this module would refuse, before any request."""
    problems = []
    if params["wait_timeout"] < 1:
        problems.append("wait_timeout must be at least 1 second (got %d)" % params["wait_timeout"])
    if params["state"] != "present":
        return problems
    port = params["container_port"]
    if not 1 <= port <= 65535:
        problems.append("container_port must be 1 to 65535 (got %d)" % port)
    for option in ("task_definition", "container_name"):
        if not params[option].strip():
            problems.append("%s must not be empty" % option)
    for event, function in sorted((params["hooks"] or {}).items()):
        if event not in ECS_HOOK_EVENTS:
            problems.append(
                "hooks: %r is not a lifecycle event of an ECS deployment; use %s" % (event, ", ".join(ECS_HOOK_EVENTS))
            )
        elif not isinstance(function, str) or not function.strip():
            problems.append("hooks: %s must name a Lambda function (name or ARN), got %r" % (event, function))
    return problems


def build_appspec(task_definition_arn, params):
    """The ECS AppSpec of the deployment, as a dict."""
    properties = {
        "TaskDefinition": task_definition_arn,
        "LoadBalancerInfo": {"ContainerName": params["container_name"], "ContainerPort": params["container_port"]},
    }
    if params["platform_version"]:
        properties["PlatformVersion"] = params["platform_version"]
    appspec = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}],
    }
    hooks = params["hooks"] or {}
    if hooks:
        appspec["Hooks"] = [{event: hooks[event]} for event in ECS_HOOK_EVENTS if event in hooks]
    return appspec


def parse_appspec(revision):
    """The AppSpec of a revision given as content (JSON or YAML), or None."""
    if (revision or {}).get("revisionType") != "AppSpecContent":
        return None
    content = (revision.get("appSpecContent") or {}).get("content")
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        pass
    if yaml is None:
        return None
    try:
        return yaml.safe_load(content)
    except yaml.YAMLError:
        return None


def normalized(appspec, resolve):
    """An AppSpec in a form two equal AppSpecs share: version as text, port as int, hooks as a set, ARNs resolved."""
    if not isinstance(appspec, dict):
        return None
    result = copy.deepcopy(appspec)
    try:
        result["version"] = str(float(result.get("version")))
    except (TypeError, ValueError):
        result["version"] = str(result.get("version"))
    for resource in result.get("Resources") or []:
        for target in resource.values() if isinstance(resource, dict) else []:
            properties = target.get("Properties") if isinstance(target, dict) else None
            if not isinstance(properties, dict):
                continue
            if properties.get("TaskDefinition"):
                properties["TaskDefinition"] = resolve(properties["TaskDefinition"])
            info = properties.get("LoadBalancerInfo")
            if isinstance(info, dict) and info.get("ContainerPort") is not None:
                try:
                    info["ContainerPort"] = int(info["ContainerPort"])
                except (TypeError, ValueError):
                    pass
    hooks = result.pop("Hooks", None) or []
    result["Hooks"] = sorted(
        (str(event), str(function)) for hook in hooks if isinstance(hook, dict) for event, function in hook.items()
    )
    return result


def iso_dates(value):
    """``value`` with every datetime (at any depth) as an ISO 8601 string."""
    if isinstance(value, dict):
        return dict((k, iso_dates(v)) for k, v in value.items())
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def deployment_result(info):
    if not info:
        return {}
    return iso_dates(camel_dict_to_snake_dict(info))


class Deployments(object):
    """Reads and changes the deployments of one CodeDeploy deployment group."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.application = module.params["application_name"]
        self.group = module.params["deployment_group_name"]
        self.name = "%s/%s" % (self.application, self.group)
        retry = retry_decorator()
        self.codedeploy = module.client("codedeploy", retry_decorator=retry)
        self.ecs = module.client("ecs", retry_decorator=retry)
        self._arns = {}

    # -- reading -----------------------------------------------------------------------------------

    def deployment_group(self):
        try:
            return self.codedeploy.get_deployment_group(
                aws_retry=True, applicationName=self.application, deploymentGroupName=self.group
            )["deploymentGroupInfo"]
        except is_boto3_error_code("ApplicationDoesNotExistException"):
            self.module.fail_json(msg="CodeDeploy application %s does not exist" % self.application)
        except is_boto3_error_code("DeploymentGroupDoesNotExistException"):
            self.module.fail_json(
                msg="CodeDeploy deployment group %s does not exist in application %s" % (self.group, self.application)
            )

    def get(self, deployment_id):
        return self.codedeploy.get_deployment(aws_retry=True, deploymentId=deployment_id)["deploymentInfo"]

    def in_flight(self):
        """GetDeployment of each of the group's deployments that has not completed."""
        ids, token = [], {}
        while True:
            page = self.codedeploy.list_deployments(
                aws_retry=True,
                applicationName=self.application,
                deploymentGroupName=self.group,
                includeOnlyStatuses=IN_FLIGHT,
                **token,
            )
            ids.extend(page.get("deployments") or [])
            if not page.get("nextToken"):
                break
            token = {"nextToken": page["nextToken"]}
        return [self.get(deployment_id) for deployment_id in ids]

    def task_definition_arn(self, task_definition):
        """The ARN of a task definition named by ARN, family:revision or family."""
        if task_definition not in self._arns:
            try:
                described = self.ecs.describe_task_definition(aws_retry=True, taskDefinition=task_definition)
            except is_boto3_error_code("ClientException") as e:
                self.module.fail_json_aws(e, msg="ECS task definition %s not found" % task_definition)
            self._arns[task_definition] = described["taskDefinition"]["taskDefinitionArn"]
        return self._arns[task_definition]

    def lenient_arn(self, task_definition):
        """For comparing another AppSpec: its task definition's ARN, or the text when ECS does not know it."""
        if task_definition.startswith("arn:") or task_definition in self._arns:
            return self._arns.get(task_definition, task_definition)
        try:
            described = self.ecs.describe_task_definition(aws_retry=True, taskDefinition=task_definition)
        except is_boto3_error_code("ClientException"):
            return task_definition
        self._arns[task_definition] = described["taskDefinition"]["taskDefinitionArn"]
        return self._arns[task_definition]

    def service(self, group_info):
        """The ECS service of the deployment group, as DescribeServices shows it."""
        services = group_info.get("ecsServices") or []
        if group_info.get("computePlatform") not in (None, "ECS") or not services:
            self.module.fail_json(
                msg="CodeDeploy deployment group %s deploys to no ECS service (compute platform %s); this module "
                "starts ECS blue/green deployments" % (self.name, group_info.get("computePlatform"))
            )
        target = services[0]
        cluster, name = target.get("clusterName"), target.get("serviceName")
        answer = self.ecs.describe_services(aws_retry=True, cluster=cluster, services=[name])
        found = [s for s in answer.get("services") or [] if s.get("status") != "INACTIVE"]
        if not found:
            self.module.fail_json(
                msg="ECS service %s in cluster %s, the target of CodeDeploy deployment group %s, does not exist"
                % (name, cluster, self.name)
            )
        return found[0]

    # -- changing ----------------------------------------------------------------------------------

    def create(self, appspec):
        parameters = {
            "applicationName": self.application,
            "deploymentGroupName": self.group,
            "revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(appspec)}},
        }
        if self.params["description"]:
            parameters["description"] = self.params["description"]
        return self.codedeploy.create_deployment(aws_retry=True, **parameters)["deploymentId"]

    def stop(self, deployment_id):
        """StopDeployment; False when the deployment had already completed."""
        try:
            self.codedeploy.stop_deployment(
                aws_retry=True, deploymentId=deployment_id, autoRollbackEnabled=self.params["auto_rollback"]
            )
        except is_boto3_error_code("DeploymentAlreadyCompletedException"):
            return False
        return True

    # -- waiting -----------------------------------------------------------------------------------

    def waiter_config(self):
        timeout = self.params["wait_timeout"]
        delay = min(WAIT_DELAY, max(timeout / 4.0, 0.1))  # poll at least four times within a short timeout
        return {"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))}

    def wait_successful(self, deployment_id, changed, appspec):
        """Wait with botocore's DeploymentSuccessful waiter; a deployment that ends otherwise fails the task."""
        try:
            self.codedeploy.get_waiter("deployment_successful").wait(
                deploymentId=deployment_id, WaiterConfig=self.waiter_config()
            )
        except botocore.exceptions.WaiterError as e:
            info = self.get(deployment_id)
            if info.get("status") != "Succeeded":
                self.fail_deployment(info, changed, appspec, e)
            return info
        return self.get(deployment_id)

    def wait_completed(self, deployment_id):
        raw = getattr(self.codedeploy, "client", self.codedeploy)  # the waiter needs botocore's own client
        waiter = create_waiter_with_client("DeploymentCompleted", WaiterModel(copy.deepcopy(DEPLOYMENT_COMPLETED)), raw)
        try:
            waiter.wait(deploymentId=deployment_id, WaiterConfig=self.waiter_config())
        except botocore.exceptions.WaiterError as e:
            info = self.get(deployment_id)
            if info.get("status") not in COMPLETED:
                self.module.fail_json(
                    msg="Deployment %s of %s was stopped but has not completed after %d seconds (status %s)"
                    % (deployment_id, self.name, self.params["wait_timeout"], info.get("status")),
                    changed=True,
                    deployment=deployment_result(info),
                    appspec={},
                    waiter_error=str(e),
                )
            return info
        return self.get(deployment_id)

    def fail_deployment(self, info, changed, appspec, error=None):
        status = info.get("status")
        deployment_id = info.get("deploymentId")
        error_information = camel_dict_to_snake_dict(info.get("errorInformation") or {})
        rollback_info = camel_dict_to_snake_dict(info.get("rollbackInfo") or {})
        if status in COMPLETED:
            msg = "Deployment %s of %s ended %s" % (deployment_id, self.name, status)
            if error_information:
                msg += ": %s %s" % (error_information.get("code", ""), error_information.get("message", ""))
            if rollback_info:
                msg += "; rollback: %s" % json.dumps(rollback_info, sort_keys=True)
        else:
            msg = "Deployment %s of %s has not succeeded after %d seconds (status %s); it goes on" % (
                deployment_id,
                self.name,
                self.params["wait_timeout"],
                status,
            )
        extra = {"waiter_error": str(error)} if error is not None else {}
        self.module.fail_json(
            msg=msg.strip(),
            changed=changed,
            deployment_id=deployment_id,
            status=status,
            error_information=error_information,
            rollback_info=rollback_info,
            deployment=deployment_result(info),
            appspec=appspec,
            **extra,
        )


def running_task_definition(service):
    """The task definition the service runs: its PRIMARY task set's, or its own."""
    for task_set in service.get("taskSets") or []:
        if task_set.get("status") == "PRIMARY" and task_set.get("taskDefinition"):
            return task_set["taskDefinition"], task_set.get("loadBalancers") or service.get("loadBalancers") or []
    return service.get("taskDefinition"), service.get("loadBalancers") or []


def runs(service, appspec):
    """Whether the service already runs what the AppSpec deploys."""
    properties = appspec["Resources"][0]["TargetService"]["Properties"]
    task_definition, load_balancers = running_task_definition(service)
    if task_definition != properties["TaskDefinition"]:
        return False
    named = [(lb.get("containerName"), lb.get("containerPort")) for lb in load_balancers if lb.get("containerName")]
    wanted = (properties["LoadBalancerInfo"]["ContainerName"], properties["LoadBalancerInfo"]["ContainerPort"])
    return not named or wanted in named


def follow(module, deployments, info, changed, appspec, verb):
    """Wait for a deployment (when asked) and exit with it."""
    deployment_id = info["deploymentId"]
    if module.params["wait"]:
        info = deployments.wait_successful(deployment_id, changed, appspec)
    elif info.get("status") in ("Failed", "Stopped"):
        deployments.fail_deployment(info, changed, appspec)
    msg = "%s deployment %s of %s (status %s)" % (verb, deployment_id, deployments.name, info.get("status"))
    return changed, msg, info


def ensure_present(module, deployments):
    params = module.params
    group_info = deployments.deployment_group()
    service = deployments.service(group_info)
    wanted_arn = deployments.task_definition_arn(params["task_definition"])
    appspec = build_appspec(wanted_arn, params)
    wanted = normalized(appspec, deployments.lenient_arn)
    diff = {
        "before": {"task_definition": running_task_definition(service)[0]},
        "after": {"task_definition": wanted_arn},
    }

    def find_in_flight():
        same, other = None, []
        for info in deployments.in_flight():
            if normalized(parse_appspec(info.get("revision")), deployments.lenient_arn) == wanted:
                same = same or info
            elif info.get("status") not in COMPLETED:  # it may have completed since ListDeployments
                other.append(info)
        return same, other

    def refuse(other):
        module.fail_json(
            msg="Deployment %s of %s is in flight (status %s) with another revision; CodeDeploy runs one deployment "
            "of a group at a time. Wait for it, or stop it (state=stopped)"
            % (
                ", ".join(i["deploymentId"] for i in other),
                deployments.name,
                ", ".join(i.get("status", "?") for i in other),
            ),
            deployment_id=other[0]["deploymentId"],
            deployment=deployment_result(other[0]),
            appspec=appspec,
        )

    same, other = find_in_flight()
    if same is not None:
        if module.check_mode:
            msg = "Would follow deployment %s of %s" % (same["deploymentId"], deployments.name)
            return False, msg, same, appspec, diff
        return follow(module, deployments, same, False, appspec, "Followed") + (appspec, diff)
    if other:
        refuse(other)
    if runs(service, appspec):
        diff["before"] = diff["after"]
        msg = "ECS service %s already runs %s; no deployment in flight" % (service.get("serviceName"), wanted_arn)
        return False, msg, {}, appspec, diff
    if module.check_mode:
        return True, "Would start a deployment of %s to %s" % (wanted_arn, deployments.name), {}, appspec, diff

    try:
        deployment_id = deployments.create(appspec)
    except is_boto3_error_code("DeploymentLimitExceededException") as e:
        same, other = find_in_flight()  # someone else started one since we looked
        if same is not None:
            return follow(module, deployments, same, False, appspec, "Followed") + (appspec, diff)
        if other:
            refuse(other)
        module.fail_json_aws(
            e, msg="CodeDeploy refused a deployment of %s: another deployment of the group is active" % deployments.name
        )
    info = deployments.get(deployment_id)
    return follow(module, deployments, info, True, appspec, "Started") + (appspec, diff)


def ensure_stopped(module, deployments):
    params = module.params
    deployments.deployment_group()  # a clear message when the group does not exist
    if params["deployment_id"]:
        info = deployments.get(params["deployment_id"])
        if (info.get("applicationName"), info.get("deploymentGroupName")) != (
            deployments.application,
            deployments.group,
        ):
            module.fail_json(
                msg="Deployment %s belongs to %s/%s, not %s; nothing was stopped"
                % (
                    params["deployment_id"],
                    info.get("applicationName"),
                    info.get("deploymentGroupName"),
                    deployments.name,
                )
            )
        if info.get("status") in COMPLETED:
            msg = "Deployment %s of %s has already completed (status %s)" % (
                info["deploymentId"],
                deployments.name,
                info.get("status"),
            )
            return False, msg, info
        targets = [info]
    else:
        targets = [info for info in deployments.in_flight() if info.get("status") not in COMPLETED]
        if not targets:
            return False, "No deployment of %s is in flight" % deployments.name, {}

    ids = ", ".join(info["deploymentId"] for info in targets)
    rollback = "with" if params["auto_rollback"] else "without"
    if module.check_mode:
        return True, "Would stop deployment %s of %s %s rollback" % (ids, deployments.name, rollback), targets[0]

    stopped = [info for info in targets if deployments.stop(info["deploymentId"])]
    if not stopped:
        info = deployments.get(targets[0]["deploymentId"])
        return (
            False,
            "Deployment %s of %s has already completed (status %s)"
            % (
                ids,
                deployments.name,
                info.get("status"),
            ),
            info,
        )
    first = stopped[0]["deploymentId"]
    info = deployments.wait_completed(first) if params["wait"] else deployments.get(first)
    for other in stopped[1:]:
        if params["wait"]:
            deployments.wait_completed(other["deploymentId"])
    msg = "Stopped deployment %s of %s %s rollback (status %s)" % (
        ", ".join(i["deploymentId"] for i in stopped),
        deployments.name,
        rollback,
        info.get("status"),
    )
    return True, msg, info


def main():
    argument_spec = dict(
        application_name=dict(type="str", required=True),
        deployment_group_name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "stopped"], default="present"),
        task_definition=dict(type="str"),
        container_name=dict(type="str"),
        container_port=dict(type="int"),
        platform_version=dict(type="str"),
        hooks=dict(type="dict"),
        description=dict(type="str"),
        deployment_id=dict(type="str"),
        auto_rollback=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["task_definition", "container_name", "container_port"])],
    )
    problems = parameter_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    deployments = Deployments(module)
    diff = {"before": {}, "after": {}}
    try:
        if module.params["state"] == "present":
            changed, msg, info, appspec, diff = ensure_present(module, deployments)
        else:
            changed, msg, info = ensure_stopped(module, deployments)
            appspec = {}
            if info:
                after = "Stopped" if changed else info.get("status")
                diff = {"before": {"status": info.get("status")}, "after": {"status": after}}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(
            e, msg="Failed to manage the deployments of CodeDeploy deployment group %s" % deployments.name
        )

    module.exit_json(changed=changed, msg=msg, deployment=deployment_result(info), appspec=appspec, diff=diff)


if __name__ == "__main__":
    main()
