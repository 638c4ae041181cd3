"""ECS: an awsvpc task in a VPC without DNS hostnames still runs.

AWS gives every task network interface a private DNS name
(``ip-10-0-1-23.ec2.internal``), shown in the task's attachment details, whether
or not the VPC has ``enableDnsHostnames``. moto only names interfaces in VPCs
with DNS hostnames enabled and reads the name unconditionally when it starts an
awsvpc task, so RunTask (and a blue/green task set) answers HTTP 500 elsewhere.
"""

from __future__ import annotations

import functools


def apply(options) -> None:
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface
    from moto.ec2.utils import generate_dns_from_ip
    from moto.ecs.models import Task

    # Read where moto never set it; instances that have a name keep their own.
    NetworkInterface.private_dns_name = None

    task_init = Task.__init__

    @functools.wraps(task_init)
    def __init__(self, *args, **kwargs):
        task_init(self, *args, **kwargs)
        for attachment in self.attachments:
            details = {detail["name"]: detail for detail in attachment.get("details", [])}
            if "privateDnsName" in details and details["privateDnsName"]["value"] is None:
                details["privateDnsName"]["value"] = generate_dns_from_ip(details["privateIPv4Address"]["value"])

    Task.__init__ = __init__
