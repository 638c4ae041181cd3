"""ECS: UpdateService refuses what only CodeDeploy may change on a CODE_DEPLOY service.

For a service with the blue/green (``CODE_DEPLOY``) deployment controller AWS
lets UpdateService change only the desired count, deployment configuration,
health check grace period, placement constraints and strategies, and the
managed-tags and propagate-tags options (UpdateService API reference). A task
definition, load balancers, network configuration or platform version in the
request (changed or not, even ``taskDefinition: ""``) is refused with
``InvalidParameterException``; a new revision has to go through a CodeDeploy
deployment. moto applies them all, so a role that bypasses CodeDeploy would pass
here and fail on AWS.
"""

from __future__ import annotations

import functools

MESSAGE = (
    "Unable to update {} on services with a CODE_DEPLOY deployment controller. "
    "Use AWS CodeDeploy to trigger a new deployment."
)
# Request parameter -> what AWS's message calls it. The first three messages are
# AWS's own (quoted in boto/boto3#1936, kayac/ecspresso#393,
# hashicorp/terraform-provider-aws#13473); the last two follow their pattern.
REFUSED = {
    "taskDefinition": "task definition",
    "loadBalancers": "load balancers",
    "networkConfiguration": "network parameters",
    "platformVersion": "platform version",
    "serviceRegistries": "service registries",
}


def apply(options) -> None:
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.responses import EC2ContainerServiceResponse

    update_service = EC2ContainerServiceResponse.update_service

    @functools.wraps(update_service)
    def update_service_checked(self):
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("service"))
        if (service.deployment_controller or {}).get("type") == "CODE_DEPLOY":
            for parameter, name in REFUSED.items():
                if self._get_param(parameter) is not None:
                    raise InvalidParameterException(MESSAGE.format(name))
        return update_service(self)

    EC2ContainerServiceResponse.update_service = update_service_checked
