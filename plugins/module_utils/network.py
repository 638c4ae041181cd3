# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network plan of an environment: which CIDRs are acceptable, and how the VPC is cut.

Kept in Python (not Jinja) so the rules are unit-tested and the filters need no
third-party library (ansible.utils' ipsubnet needs netaddr).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

# Three AZs x (public + private) = 6 subnets; cutting the VPC into 8 equal parts leaves
# two spare blocks, so each subnet is 3 bits longer than the VPC prefix.
SUBNET_EXTRA_BITS = 3
# A /20 VPC gives /23 subnets (507 usable addresses): the smallest that still leaves room
# for the ALB, NAT, Fargate tasks and DMS/Aurora ENIs of one subnet.
LARGEST_VPC_PREFIX = 20
# AWS accepts VPC CIDR blocks between /16 and /28.
SMALLEST_VPC_PREFIX = 16


def _network(value):
    return ipaddress.ip_network(str(value), strict=True)


def vpc_cidr_problems(vpc_cidr, onprem_cidrs=None):
    """Return why `vpc_cidr` cannot be used (one message per problem); [] when it can."""
    try:
        network = _network(vpc_cidr)
    except ValueError:
        return ["vpc_cidr %r is not an IPv4 network in CIDR notation such as 10.0.0.0/16" % (vpc_cidr,)]
    if network.version != 4:
        return ["vpc_cidr %r is not an IPv4 network; a VPC's primary CIDR block is IPv4" % (vpc_cidr,)]
    problems = []
    if network.prefixlen > LARGEST_VPC_PREFIX:
        problems.append(
            "vpc_cidr %s is smaller than /%d: six subnets of three Availability Zones need at least a /%d"
            % (vpc_cidr, LARGEST_VPC_PREFIX, LARGEST_VPC_PREFIX)
        )
    if network.prefixlen < SMALLEST_VPC_PREFIX:
        problems.append("vpc_cidr %s is larger than /%d, the largest AWS allows" % (vpc_cidr, SMALLEST_VPC_PREFIX))
    if not network.is_private:
        problems.append("vpc_cidr %s is not a private (RFC 1918) range" % (vpc_cidr,))
    for onprem in onprem_cidrs or []:
        try:
            other = ipaddress.ip_network(str(onprem), strict=False)
        except ValueError:
            problems.append("onprem_cidrs entry %r is not a network in CIDR notation" % (onprem,))
            continue
        if other.version == 4 and network.overlaps(other):
            problems.append(
                "vpc_cidr %s overlaps the on-premises network %s: VPN routes would be ambiguous" % (vpc_cidr, onprem)
            )
    return problems


def subnet_layout(vpc_cidr, zones):
    """Public and private subnet CIDRs, one of each per zone, derived from the VPC CIDR.

    Block i (of 8) is the public subnet of zone i, block i+4 the private one, so the
    layout of a zone never moves when another zone is added.
    """
    blocks = list(_network(vpc_cidr).subnets(prefixlen_diff=SUBNET_EXTRA_BITS))
    if len(zones) > len(blocks) // 2:
        raise ValueError("at most %d zones fit in %s" % (len(blocks) // 2, vpc_cidr))
    return {
        "public": [{"az": zone, "cidr": str(blocks[index])} for index, zone in enumerate(zones)],
        "private": [{"az": zone, "cidr": str(blocks[index + len(blocks) // 2])} for index, zone in enumerate(zones)],
    }
