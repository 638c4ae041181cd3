"""CodeDeploy: deployments run to ``Succeeded`` and StopDeployment stops them.

On AWS a deployment goes ``Created`` -> ``InProgress`` -> ``Succeeded`` (botocore's
DeploymentSuccessful waiter polls GetDeployment for that), gets a start and a
completion time, and for an ECS blue/green deployment group the ECS service then
runs the task definition named in the revision's AppSpec. StopDeployment stops
a deployment that has not completed (status ``Stopped``, with or without
``autoRollbackEnabled``) and refuses a completed one
(``DeploymentAlreadyCompletedException``).

moto leaves every deployment ``Created`` for ever and answers HTTP 500 for
StopDeployment. Here a deployment is a moto ``ManagedState`` (model
``codedeploy::deployment``) that moves one step each time it is read, like
moto's ECS tasks; ``/moto-api/state-manager/set-transition`` can change that.
"""

from __future__ import annotations

import functools

import yaml

COMPLETED = ("Succeeded", "Failed", "Stopped")


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


def apply(options) -> None:
    from moto.codedeploy import models
    from moto.codedeploy.exceptions import CodeDeployException
    from moto.codedeploy.responses import CodeDeployResponse
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.ecs.exceptions import TaskDefinitionNotFoundException
    from moto.ecs.models import ecs_backends
    from moto.moto_api import state_manager
    from moto.moto_api._internal.managed_state_model import ManagedState

    class DeploymentAlreadyCompletedException(CodeDeployException):
        code = 400

        def __init__(self, message: str):
            super().__init__("DeploymentAlreadyCompletedException", message)

    deployment_info = models.DeploymentInfo

    class Deployment(ManagedState, deployment_info):
        def __init__(self, *args, **kwargs):
            ManagedState.__init__(
                self, "codedeploy::deployment", transitions=[("Created", "InProgress"), ("InProgress", "Succeeded")]
            )
            deployment_info.__init__(self, *args, **kwargs)

        @property
        def status(self):
            status = ManagedState.status.fget(self)
            # Times and effects follow the status moto's state manager has just moved to.
            if status != "Created" and self.start_time is None:
                self.start_time = utcnow()
            if status in COMPLETED and self.complete_time is None:
                self.complete_time = utcnow()
                if status == "Succeeded":
                    self.shift_ecs_services()
            return status

        @status.setter
        def status(self, value):
            self._status = value

        def shift_ecs_services(self):
            task_definition = appspec_task_definition(self.revision)
            account_id, region = getattr(self, "location", (None, None))
            if not task_definition or account_id is None:
                return
            ecs = ecs_backends[account_id][region]
            try:
                arn = ecs.describe_task_definition(task_definition).arn
            except TaskDefinitionNotFoundException:
                return
            for target in self.deployment_group.ecs_services:
                service = ecs.services.get(f"{target.get('clusterName')}:{target.get('serviceName')}")
                if service is not None:
                    service.task_definition = arn

    models.DeploymentInfo = Deployment  # moto's backend creates deployments through this name
    state_manager.register_default_transition("codedeploy::deployment", {"progression": "manual", "times": 1})

    backend = models.CodeDeployBackend
    create_deployment, get_deployment, batch_get = (
        backend.create_deployment,
        backend.get_deployment,
        backend.batch_get_deployments,
    )

    @functools.wraps(create_deployment)
    def create_deployment_here(self, *args, **kwargs):
        deployment_id = create_deployment(self, *args, **kwargs)
        self.deployments[deployment_id].location = (self.account_id, self.region_name)
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

    def stop_deployment(self):
        deployment_id = self._get_param("deploymentId")
        deployment = self.codedeploy_backend.deployments.get(deployment_id)
        if deployment is None:
            get_deployment(self.codedeploy_backend, deployment_id)  # DeploymentDoesNotExistException
        if deployment.status in COMPLETED:
            raise DeploymentAlreadyCompletedException(f"The deployment {deployment_id} has already completed.")
        deployment.status = "Stopped"
        deployment.complete_time = utcnow()
        return ActionResult({"status": "Succeeded", "statusMessage": "Deployment stopped."})

    backend.create_deployment = create_deployment_here
    backend.get_deployment = get_deployment_advancing
    backend.batch_get_deployments = batch_get_advancing
    CodeDeployResponse.stop_deployment = stop_deployment
