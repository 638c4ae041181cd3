"""CodeDeploy: ECS blue/green deployments run, shift traffic, fail and stop as on AWS.

On AWS a deployment goes ``Created`` -> ``InProgress`` -> ``Succeeded`` (botocore's
DeploymentSuccessful waiter polls GetDeployment for that) and gets a start and a
completion time. For an ECS blue/green deployment group success means:

- the ECS service runs the task definition named in the revision's AppSpec;
- every production and test listener of each target group pair forwards to the
  replacement target group, the one of the pair production was not forwarding
  to when the deployment was created (DescribeListeners shows it).

A deployment whose replacement tasks cannot start ends ``Failed`` instead, with
``errorInformation`` (``ECS_UPDATE_ERROR``) and, when the deployment's or the
group's automatic rollback covers ``DEPLOYMENT_FAILURE``, ``rollbackInfo``;
traffic stays on (returns to) the original target group, as it does for a
deployment that StopDeployment stops (``Stopped``). StopDeployment refuses a
completed deployment (``DeploymentAlreadyCompletedException``). In the emulator
a task cannot start when a container image lies in this account's ECR registry
but its repository or image does not exist there, unless the repository path is
served by an ECR pull-through cache rule. Images elsewhere (Docker Hub, ...)
count as pullable.

CreateDeployment refuses a second deployment while the group has one
``Created`` or ``InProgress`` (``DeploymentLimitExceededException``), and for an
ECS group a service that does not exist or does not use the ``CODE_DEPLOY``
controller (``InvalidECSServiceException``). ListDeployments refuses an unknown
application or deployment group (moto answers an empty list).

moto leaves every deployment ``Created`` for ever, answers HTTP 500 for
StopDeployment and checks none of the above. Here a deployment is a moto
``ManagedState`` (model ``codedeploy::deployment``) that moves one step each time
it is read, like moto's ECS tasks; ``/moto-api/state-manager/set-transition`` can
change that.
"""

from __future__ import annotations

import copy
import functools
import re

import yaml

COMPLETED = ("Succeeded", "Failed", "Stopped")
ACTIVE = ("Created", "Queued", "InProgress", "Baking", "Ready")
ECR_IMAGE = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
    r"(?P<repository>[^:@]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]+))?$"
)


def appspec_task_definition(revision: dict) -> str | None:
    """The TaskDefinition an ECS AppSpec (JSON or YAML) deploys, if any."""
    content = (revision or {}).get("appSpecContent", {}).get("content")
    try:
        appspec = yaml.safe_load(content) if content else None
    except yaml.YAMLError:
        return None
    for resource in (appspec or {}).get("Resources", []) if isinstance(appspec, dict) else []:
        for target in resource.values() if isinstance(resource, dict) else []:
            if isinstance(target, dict) and target.get("Type") == "AWS::ECS::Service":
                return target.get("Properties", {}).get("TaskDefinition")
    return None


def pulled_through_cache(image: str, account_id: str) -> bool:
    """Whether an ECR pull-through cache rule serves ``image`` (which it then caches, as the pull does on AWS)."""
    try:
        from .ecr_pull_through_cache_rules import pull_through_image
    except ImportError:  # without that fix ECR has no pull-through cache rules
        return False
    return pull_through_image(image, account_id) is not None


def image_pull_error(image: str, account_id: str) -> str | None:
    """Why ECS could not pull ``image``, or None when it can (see the module docstring)."""
    from moto.ecr.models import ecr_backends

    match = ECR_IMAGE.match(image or "")
    if not match or match["registry"] != account_id:
        return None
    if pulled_through_cache(image, account_id):
        return None  # ECR fetched it from the upstream registry
    repository_name, region = match["repository"], match["region"]
    try:
        repository = ecr_backends[account_id][region].repositories.get(repository_name)
    except KeyError:  # a region moto does not know has no repositories
        repository = None
    tag = match["tag"] or (None if match["digest"] else "latest")
    for candidate in repository.images if repository else []:
        if (tag and tag in candidate.image_tags) or (match["digest"] and match["digest"] == candidate.image_digest):
            return None
    reason = f"repository {repository_name} not found" if repository is None else "not found"
    return (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        f"failed to resolve ref {image}: {image}: {reason}"
    )


def apply(options) -> None:
    from moto.codedeploy import models, responses
    from moto.codedeploy.exceptions import CodeDeployException
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.ecs.exceptions import TaskDefinitionNotFoundException
    from moto.ecs.models import ecs_backends
    from moto.elbv2.models import FakeAction, elbv2_backends
    from moto.moto_api import state_manager
    from moto.moto_api._internal.managed_state_model import ManagedState

    def error(name: str):
        """A CodeDeploy error class answering HTTP 400 with this error code."""
        return type(
            name,
            (CodeDeployException,),
            {"code": 400, "__init__": lambda self, message: CodeDeployException.__init__(self, name, message)},
        )

    DeploymentAlreadyCompleted = error("DeploymentAlreadyCompletedException")
    DeploymentLimitExceeded = error("DeploymentLimitExceededException")
    InvalidECSService = error("InvalidECSServiceException")

    # -- load balancer listeners (moto's elbv2 models) -----------------------------------------------------

    def listeners(elb, arns):
        for balancer in elb.load_balancers.values():
            for arn in arns:
                if arn in balancer.listeners:
                    yield balancer, balancer.listeners[arn]

    def forwarded_target_group(listener) -> str | None:
        for action in listener.default_actions:
            if action.type == "forward":
                groups = action.data.get("ForwardConfig", {}).get("TargetGroups", [])
                heaviest = max(groups, key=lambda g: g.get("Weight", 1), default={})
                return action.data.get("TargetGroupArn") or heaviest.get("TargetGroupArn")
        return None

    def forward_to(elb, balancer, listener, target_group_arn: str) -> None:
        """Point the listener's forward default action at one target group, as CodeDeploy's reroute does."""
        actions = []
        for action in listener.default_actions:
            data = copy.deepcopy(action.data)
            if action.type == "forward":
                if "TargetGroupArn" in data:
                    data["TargetGroupArn"] = target_group_arn
                if "ForwardConfig" in data:
                    data["ForwardConfig"]["TargetGroups"] = [{"TargetGroupArn": target_group_arn, "Weight": 1}]
            actions.append(FakeAction(data))
        listener.default_actions = actions
        listener._default_rule[0].actions = actions  # DescribeRules shows the default rule
        target_group = elb.target_groups.get(target_group_arn)
        if target_group is not None and balancer.arn not in target_group.load_balancer_arns:
            target_group.load_balancer_arns.append(balancer.arn)

    def traffic_routes(group, elb) -> list[dict]:
        """Per target group pair: its listeners, the original and the replacement target group."""
        arns = {target_group.name: arn for arn, target_group in elb.target_groups.items()}
        routes = []
        for pair in group.load_balancer_info.get("targetGroupPairInfoList", []):
            pair_arns = [arns.get(target_group.get("name")) for target_group in pair.get("targetGroups", [])]
            if len(pair_arns) != 2 or None in pair_arns:
                continue
            production = pair.get("prodTrafficRoute", {}).get("listenerArns", [])
            test = pair.get("testTrafficRoute", {}).get("listenerArns", [])
            current = next((forwarded_target_group(listener) for _, listener in listeners(elb, production)), None)
            original = current if current in pair_arns else pair_arns[0]
            replacement = pair_arns[1] if original == pair_arns[0] else pair_arns[0]
            routes.append({"listeners": production + test, "original": original, "replacement": replacement})
        return routes

    # -- deployments ---------------------------------------------------------------------------------------

    deployment_info = models.DeploymentInfo

    class Deployment(ManagedState, deployment_info):
        def __init__(self, *args, **kwargs):
            ManagedState.__init__(
                self, "codedeploy::deployment", transitions=[("Created", "InProgress"), ("InProgress", "Succeeded")]
            )
            deployment_info.__init__(self, *args, **kwargs)
            self.location = (None, None)  # (account, region), set by create_deployment
            self.routes: list[dict] = []
            self.error_information: dict | None = None
            self.rollback_info: dict | None = None

        @property
        def status(self):
            status = ManagedState.status.fget(self)
            # Times and effects follow the status moto's state manager has just moved to.
            if status != "Created" and self.start_time is None:
                self.start_time = utcnow()
            if status == "Succeeded" and self.complete_time is None:
                self.complete()
            return self._status

        @status.setter
        def status(self, value):
            self._status = value

        def task_definition(self):
            account_id, region = self.location
            name = appspec_task_definition(self.revision)
            if not name or account_id is None:
                return None
            try:
                return ecs_backends[account_id][region].describe_task_definition(name)
            except TaskDefinitionNotFoundException:
                return None

        def complete(self):
            """Succeed, or fail when a container image of the new task definition cannot be pulled."""
            self.complete_time = utcnow()
            task_definition = self.task_definition()
            images = (
                [container.get("image") for container in task_definition.container_definitions]
                if task_definition
                else []
            )
            failure = next(filter(None, (image_pull_error(image, self.location[0]) for image in images)), None)
            if failure:
                self.fail(failure)
                return
            for target in self.deployment_group.ecs_services if task_definition else []:
                service = ecs_backends[self.location[0]][self.location[1]].services.get(
                    f"{target.get('clusterName')}:{target.get('serviceName')}"
                )
                if service is not None:
                    service.task_definition = task_definition.arn
            self.route_traffic("replacement")

        def fail(self, reason: str):
            self._status = "Failed"
            self.error_information = {
                "code": "ECS_UPDATE_ERROR",
                "message": f"The ECS service cannot reach a steady state: replacement tasks stopped. {reason}",
            }
            rollback = self.auto_rollback_configuration or self.deployment_group.auto_rollback_configuration or {}
            if rollback.get("enabled") and "DEPLOYMENT_FAILURE" in rollback.get("events", []):
                self.rollback_info = {
                    "rollbackMessage": "Automatic rollback triggered by DEPLOYMENT_FAILURE: "
                    "traffic stays on the original task set."
                }
            self.route_traffic("original")

        def stop(self):
            self._status = "Stopped"
            self.complete_time = utcnow()
            self.route_traffic("original")

        def route_traffic(self, which: str):
            account_id, region = self.location
            if account_id is None:
                return
            elb = elbv2_backends[account_id][region]
            for route in self.routes:
                for balancer, listener in listeners(elb, route["listeners"]):
                    forward_to(elb, balancer, listener, route[which])

    models.DeploymentInfo = Deployment  # moto's backend creates deployments through this name
    state_manager.register_default_transition("codedeploy::deployment", {"progression": "manual", "times": 1})

    def check_can_deploy(backend, application_name: str, group_name: str) -> None:
        group = backend.deployment_groups.get(application_name, {}).get(group_name)
        if group is None:
            return  # moto reports the missing application or group
        for deployment in backend.deployments.values():
            if deployment.deployment_group is group and deployment.status in ACTIVE:
                # AWS's wording (CircleCI-Public/aws-ecs-orb#181).
                raise DeploymentLimitExceeded(
                    f"The Deployment Group '{group_name}' already has an active Deployment '{deployment.deployment_id}'"
                )
        ecs = ecs_backends[backend.account_id][backend.region_name]
        for target in group.ecs_services:
            cluster, name = target.get("clusterName"), target.get("serviceName")
            service = ecs.services.get(f"{cluster}:{name}")
            if service is None or service.status != "ACTIVE":
                raise InvalidECSService(f"The ECS service {name} in cluster {cluster} does not exist.")
            if (service.deployment_controller or {}).get("type") != "CODE_DEPLOY":
                # AWS's wording for a group whose service is not CODE_DEPLOY-controlled.
                raise InvalidECSService(
                    "Deployment group's ECS service must be configured for a CODE_DEPLOY deployment controller."
                )

    backend = models.CodeDeployBackend
    create_deployment, get_deployment, batch_get, list_deployments = (
        backend.create_deployment,
        backend.get_deployment,
        backend.batch_get_deployments,
        backend.list_deployments,
    )

    @functools.wraps(create_deployment)
    def create_deployment_checked(self, application_name, deployment_group_name, *args, **kwargs):
        check_can_deploy(self, application_name, deployment_group_name)
        deployment_id = create_deployment(self, application_name, deployment_group_name, *args, **kwargs)
        deployment = self.deployments[deployment_id]
        deployment.location = (self.account_id, self.region_name)
        # Which target group is original is fixed when the deployment starts.
        deployment.routes = traffic_routes(
            deployment.deployment_group, elbv2_backends[self.account_id][self.region_name]
        )
        return deployment_id

    @functools.wraps(get_deployment)
    def get_deployment_advancing(self, deployment_id):
        deployment = get_deployment(self, deployment_id)
        deployment.advance()
        return deployment

    @functools.wraps(batch_get)
    def batch_get_advancing(self, deployment_ids):
        deployments = batch_get(self, deployment_ids)
        for deployment in deployments:
            deployment.advance()
        return deployments

    @functools.wraps(list_deployments)
    def list_deployments_checked(self, application_name, deployment_group_name, *args, **kwargs):
        if application_name and deployment_group_name:
            self.get_deployment_group(application_name, deployment_group_name)  # ...DoesNotExistException
        return list_deployments(self, application_name, deployment_group_name, *args, **kwargs)

    describe = responses._deployment_info

    @functools.wraps(describe)
    def deployment_info_with_errors(deployment):
        info = describe(deployment)  # reads the status first, which may complete the deployment
        info["errorInformation"] = getattr(deployment, "error_information", None) or {}
        info["rollbackInfo"] = getattr(deployment, "rollback_info", None) or {}
        return info

    def stop_deployment(self):
        deployment_id = self._get_param("deploymentId")
        deployment = get_deployment(self.codedeploy_backend, deployment_id)  # DeploymentDoesNotExistException
        if deployment.status in COMPLETED:
            raise DeploymentAlreadyCompleted(f"The deployment {deployment_id} has already completed.")
        deployment.stop()
        return ActionResult({"status": "Succeeded", "statusMessage": "Deployment stopped."})

    backend.create_deployment = create_deployment_checked
    backend.get_deployment = get_deployment_advancing
    backend.batch_get_deployments = batch_get_advancing
    backend.list_deployments = list_deployments_checked
    responses._deployment_info = deployment_info_with_errors
    CodeDeployResponse.stop_deployment = stop_deployment
