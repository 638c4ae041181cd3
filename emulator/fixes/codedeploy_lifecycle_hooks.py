"""CodeDeploy: ECS deployments run the Lambda hooks of their AppSpec and wait for the reported status.

An ECS AppSpec may list ``Hooks``, one Lambda function per lifecycle event::

    Hooks:
      - AfterAllowTestTraffic: lambda-health-dev

AWS goes through the events of a blue/green deployment in this order, doing the steps in
brackets itself: BeforeInstall, [Install], AfterInstall, [AllowTestTraffic],
AfterAllowTestTraffic, BeforeAllowTraffic, [AllowTraffic], AfterAllowTraffic. At an event with a
hook it invokes the function asynchronously with ``{"DeploymentId": ...,
"LifecycleEventHookExecutionId": ...}`` and waits, up to one hour, until the function calls
PutLifecycleEventHookExecutionStatus with ``Succeeded`` (the deployment goes on) or ``Failed``
(the deployment fails and, when its automatic rollback covers DEPLOYMENT_FAILURE, rolls back).
A function that cannot be invoked, or that does not report within the hour, fails it too.

moto 5.2.5 has no PutLifecycleEventHookExecutionStatus (HTTP 500) and never invokes a hook.
Here, on top of ``codedeploy_deployments`` (which this module subclasses, changing nothing in
it), a deployment whose AppSpec names hooks walks that order each time moto's state manager
would complete it:

- a hook's function is invoked with InvocationType Event (so ``lambda_invoke_local`` runs a
  Python function's handler) and the deployment stays ``InProgress`` until the function has
  reported; GetDeployment after the report moves it on. A function the emulator cannot run
  (another runtime, an image, without Docker) never reports, so its deployment fails after
  the hour, as on AWS for a function that never calls back;
- [AllowTestTraffic] points the test listeners at the replacement target group, [AllowTraffic]
  does what ``codedeploy_deployments`` does on success (ECS service, every listener);
- ``Failed``, an unknown function or no report within ``HOOK_TIMEOUT_SECONDS`` fails the
  deployment with ``errorInformation`` ``HOOK_EXECUTION_FAILURE`` naming the event and the
  function (the wording is the emulator's), traffic and the service back on the original, and
  ``rollbackInfo`` as ``codedeploy_deployments`` gives it (none after BeforeInstall, where AWS
  says a rollback is not possible);
- an image the replacement tasks cannot pull fails the deployment at [Install], as without hooks.

PutLifecycleEventHookExecutionStatus answers ``lifecycleEventHookExecutionId``;
DeploymentIdRequiredException without an ID, DeploymentDoesNotExistException for an unknown
deployment, UnsupportedActionForDeploymentTypeException for an EC2/on-premises one,
InvalidLifecycleEventHookExecutionStatusException for a status other than Succeeded or Failed,
InvalidLifecycleEventHookExecutionIdException for an ID this deployment never invoked a hook
with, and LifecycleEventAlreadyCompletedException once that hook has reported or the deployment
has ended (the error names are the API's, their messages the emulator's).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import yaml

# The lifecycle events an ECS AppSpec may hook and, between them, the steps CodeDeploy does itself.
ECS_HOOK_EVENTS = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
LIFECYCLE = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
# How long AWS waits for a hook's function to report.
HOOK_TIMEOUT_SECONDS = 3600
COMPLETED = ("Succeeded", "Failed", "Stopped")


def appspec_hooks(revision: dict) -> dict[str, str]:
    """Lifecycle event -> function name or ARN, from an ECS AppSpec's ``Hooks`` (YAML or JSON)."""
    content = (revision or {}).get("appSpecContent", {}).get("content")
    try:
        appspec = yaml.safe_load(content) if content else None
    except yaml.YAMLError:
        return {}
    hooks = appspec.get("Hooks") if isinstance(appspec, dict) else None
    found = {}
    for hook in hooks if isinstance(hooks, list) else []:
        for event, function in hook.items() if isinstance(hook, dict) else []:
            if event in ECS_HOOK_EVENTS and isinstance(function, str):
                found[event] = function
    return found


@dataclass
class HookExecution:
    """One hook of one deployment: ``Pending``, ``InProgress`` once invoked, then ``Succeeded`` or ``Failed``."""

    event: str
    function: str
    execution_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "Pending"
    invoked_at: float | None = None
    failure: str | None = None  # why it failed, when not by the function's own report

    def failure_message(self) -> str:
        why = self.failure or f"reported Failed (lifecycle event hook execution {self.execution_id})"
        return f"The deployment failed because the {self.event} lifecycle event hook {self.function} {why}."


def apply(options) -> None:
    from moto.awslambda.exceptions import LambdaClientError
    from moto.awslambda.models import lambda_backends
    from moto.codedeploy import models
    from moto.codedeploy.exceptions import CodeDeployException, DeploymentDoesNotExistException
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.ecs.models import ecs_backends

    from .codedeploy_deployments import image_pull_error

    Deployment = models.DeploymentInfo
    if not hasattr(Deployment, "route_traffic"):
        raise RuntimeError("codedeploy_lifecycle_hooks builds on codedeploy_deployments, which must be applied first")

    def error(name: str):
        """A CodeDeploy error class answering HTTP 400 with this error code."""
        return type(
            name,
            (CodeDeployException,),
            {"code": 400, "__init__": lambda self, message: CodeDeployException.__init__(self, name, message)},
        )

    DeploymentIdRequired = error("DeploymentIdRequiredException")
    UnsupportedActionForDeploymentType = error("UnsupportedActionForDeploymentTypeException")
    InvalidHookExecutionStatus = error("InvalidLifecycleEventHookExecutionStatusException")
    InvalidHookExecutionId = error("InvalidLifecycleEventHookExecutionIdException")
    LifecycleEventAlreadyCompleted = error("LifecycleEventAlreadyCompletedException")

    class DeploymentWithHooks(Deployment):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            platform = getattr(self.application, "compute_platform", None)
            hooks = appspec_hooks(self.revision) if platform == "ECS" else {}
            self.hooks = {event: HookExecution(event, function) for event, function in hooks.items()}
            self.lifecycle_step = 0  # index into LIFECYCLE of the step not done yet
            self.original_task_definitions: dict[str, str] = {}  # ECS service key -> before [AllowTraffic]

        def complete(self):
            """Called when moto's state manager would end the deployment: walk on from where it stopped."""
            if not self.hooks:
                super().complete()
                return
            while self.lifecycle_step < len(LIFECYCLE):
                step = LIFECYCLE[self.lifecycle_step]
                if step in ECS_HOOK_EVENTS and not self.hook_passed(step):
                    return  # still waiting (InProgress) or failed
                if step == "Install" and self.install_fails():
                    super().complete()  # fails the deployment as it does without hooks
                    return
                if step == "AllowTestTraffic":
                    self.route_test_traffic()
                if step == "AllowTraffic":
                    self.allow_traffic()
                self.lifecycle_step += 1
            self.complete_time = utcnow()
            self._status = "Succeeded"

        # -- the hooks ---------------------------------------------------------------------------------------

        def hook_passed(self, event: str) -> bool:
            hook = self.hooks.get(event)
            if hook is None:
                return True
            if hook.status == "Pending":
                self.invoke_hook(hook)
            if hook.status == "InProgress" and time.monotonic() - hook.invoked_at > HOOK_TIMEOUT_SECONDS:
                hook.status = "Failed"
                hook.failure = f"did not report a status within {HOOK_TIMEOUT_SECONDS // 60} minutes"
            if hook.status == "Failed":
                self.fail_at(hook)
                return False
            if hook.status == "InProgress":
                self._status = "InProgress"
                self.complete_time = None
                return False
            return True

        def invoke_hook(self, hook: HookExecution) -> None:
            account_id, region = self.location
            try:
                function = lambda_backends[account_id][region].get_function(hook.function)
            except LambdaClientError as problem:
                hook.status = "Failed"
                hook.failure = f"could not be invoked: {problem.message}"
                return
            hook.status, hook.invoked_at = "InProgress", time.monotonic()
            event = {"DeploymentId": self.deployment_id, "LifecycleEventHookExecutionId": hook.execution_id}
            function.invoke(json.dumps(event), {"X-Amz-Invocation-Type": "Event"}, {})

        def fail_at(self, hook: HookExecution) -> None:
            self.fail(hook.failure_message())  # traffic back on the original, rollbackInfo
            self.restore_service()
            self.error_information = {"code": "HOOK_EXECUTION_FAILURE", "message": hook.failure_message()}
            if hook.event == "BeforeInstall":
                self.rollback_info = None  # nothing was installed yet
            self.complete_time = utcnow()

        def stop(self):
            super().stop()
            self.restore_service()

        # -- CodeDeploy's own steps --------------------------------------------------------------------------

        def install_fails(self) -> bool:
            task_definition = self.task_definition()
            images = [c.get("image") for c in task_definition.container_definitions] if task_definition else []
            return any(image_pull_error(image, self.location[0]) for image in images)

        def route_test_traffic(self) -> None:
            """Point only the test listeners at the replacement target group."""
            pairs = self.deployment_group.load_balancer_info.get("targetGroupPairInfoList", [])
            test = {arn for pair in pairs for arn in pair.get("testTrafficRoute", {}).get("listenerArns", [])}
            every_route = self.routes
            # route_traffic moves the listeners of self.routes; hand it the test listeners alone.
            self.routes = [
                {**route, "listeners": [a for a in route["listeners"] if a in test]} for route in every_route
            ]
            try:
                self.route_traffic("replacement")
            finally:
                self.routes = every_route

        def allow_traffic(self) -> None:
            """codedeploy_deployments' success: the service's new task definition, all listeners replaced."""
            for key, service in self.ecs_services():
                self.original_task_definitions[key] = service.task_definition
            super().complete()
            self.complete_time = None  # not done yet while AfterAllowTraffic is ahead

        def restore_service(self) -> None:
            for key, service in self.ecs_services():
                if key in self.original_task_definitions:
                    service.task_definition = self.original_task_definitions[key]

        def ecs_services(self):
            account_id, region = self.location
            services = ecs_backends[account_id][region].services
            for target in self.deployment_group.ecs_services:
                key = f"{target.get('clusterName')}:{target.get('serviceName')}"
                if key in services:
                    yield key, services[key]

    models.DeploymentInfo = DeploymentWithHooks  # moto's backend creates deployments through this name

    def put_lifecycle_event_hook_execution_status(self):
        deployment_id = self._get_param("deploymentId")
        execution_id = self._get_param("lifecycleEventHookExecutionId")
        status = self._get_param("status")
        if not deployment_id:
            raise DeploymentIdRequired("At least one deployment ID must be specified.")
        # Not backend.get_deployment: that counts as a read, which moves the deployment on.
        deployment = self.codedeploy_backend.deployments.get(deployment_id)
        if deployment is None:
            raise DeploymentDoesNotExistException(
                f"The deployment {deployment_id} does not exist with the user or AWS account."
            )
        if getattr(deployment.application, "compute_platform", None) not in ("ECS", "Lambda"):
            raise UnsupportedActionForDeploymentType(
                "Lifecycle event hooks report their status only for ECS and Lambda deployments."
            )
        if status not in ("Succeeded", "Failed"):
            raise InvalidHookExecutionStatus(
                f"The lifecycle event hook execution status {status} is invalid. It should be Succeeded or Failed."
            )
        hooks = getattr(deployment, "hooks", {}).values()
        hook = next((h for h in hooks if h.execution_id == execution_id and h.status != "Pending"), None)
        if hook is None:
            raise InvalidHookExecutionId(
                f"The lifecycle event hook execution ID {execution_id} is not valid for deployment {deployment_id}."
            )
        # _status: what the deployment last showed, read without moving it on.
        if hook.status != "InProgress" or deployment._status in COMPLETED:
            raise LifecycleEventAlreadyCompleted(
                f"The lifecycle event hook execution {execution_id} of deployment {deployment_id} "
                "has already completed."
            )
        hook.status = status
        return ActionResult({"lifecycleEventHookExecutionId": execution_id})

    CodeDeployResponse.put_lifecycle_event_hook_execution_status = put_lifecycle_event_hook_execution_status
