"""EC2 DescribeTags names resource types as AWS does (``natgateway``, ``elastic-ip``, ...).

moto 5.2.5 derives the type from its own ID-prefix table and answers ``nat-gateway`` where AWS says
``natgateway``, so filtering DescribeTags by ``resource-type=natgateway`` finds nothing. The same table
misnames Elastic IPs, dedicated hosts, spot instance requests and reserved instances; AWS's names are those
listed for the ``resource-type`` filter of DescribeTags.
"""

from __future__ import annotations

from moto.ec2 import utils

# moto's ID prefix -> the resource type AWS reports.
AWS_RESOURCE_TYPES = {
    "nat": "natgateway",
    "eipalloc": "elastic-ip",
    "h": "dedicated-host",
    "sir": "spot-instances-request",
    "uuid4": "reserved-instances",
}


def apply(options) -> None:
    # The tag backend reads this dict both to report the type and to filter on it; it is the same object
    # that moto.ec2.models.tags imported, so updating it in place fixes both.
    utils.EC2_PREFIX_TO_RESOURCE.update(AWS_RESOURCE_TYPES)
