"""ECS: CreateService keeps ``healthCheckGracePeriodSeconds``.

AWS stores the grace period a service is created with and returns it in
CreateService and DescribeServices. moto drops it at creation (UpdateService
keeps it), so ``community.aws.ecs_service`` sees a difference on every run.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.ecs.responses import EC2ContainerServiceResponse

    create_service = EC2ContainerServiceResponse.create_service

    @functools.wraps(create_service)
    def create_service_with_grace_period(self):
        result = create_service(self)
        grace_period = self._get_param("healthCheckGracePeriodSeconds")
        if grace_period is not None:
            # The service object is only serialized after we return.
            result.result["service"].health_check_grace_period_seconds = grace_period
        return result

    EC2ContainerServiceResponse.create_service = create_service_with_grace_period
