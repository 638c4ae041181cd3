"""ECS: an awsvpc network configuration may leave out ``securityGroups``.

AWS accepts an ``awsvpcConfiguration`` with subnets only and gives the tasks'
network interfaces the default security group of the subnets' VPC; the
service's network configuration is returned as it was given. moto answers HTTP
500 for CreateService and RunTask (it reads ``securityGroups`` unconditionally).
"""

from __future__ import annotations

import copy
import functools


def apply(options) -> None:
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends
    from moto.ecs.models import Service, Task

    def without_security_groups(configuration) -> bool:
        awsvpc = (configuration or {}).get("awsvpcConfiguration")
        return isinstance(awsvpc, dict) and "securityGroups" not in awsvpc

    validate_network = Service._validate_network

    @functools.wraps(validate_network)
    def _validate_network(self, configuration):
        if not without_security_groups(configuration):
            return validate_network(self, configuration)
        checked = copy.deepcopy(configuration)
        checked["awsvpcConfiguration"]["securityGroups"] = []  # the subnets are still checked
        validate_network(self, checked)
        return configuration

    task_init = Task.__init__

    @functools.wraps(task_init)
    def __init__(self, *args, networking_configuration=None, **kwargs):
        if without_security_groups(networking_configuration):
            backend = kwargs["backend"]
            ec2 = ec2_backends[backend.account_id][backend.region_name]
            networking_configuration = copy.deepcopy(networking_configuration)
            awsvpc = networking_configuration["awsvpcConfiguration"]
            try:
                default = ec2.get_default_security_group(ec2.get_subnet(awsvpc["subnets"][0]).vpc_id)
            except (IndexError, KeyError, InvalidSubnetIdError):
                default = None  # moto reports the missing subnet itself
            awsvpc["securityGroups"] = [default.id] if default else []
        task_init(self, *args, networking_configuration=networking_configuration, **kwargs)

    Service._validate_network = _validate_network
    Task.__init__ = __init__
