#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: customer_gateway
version_added: 0.1.0
short_description: A VPN customer gateway of one environment, found by its name
description:
  - Creates, tags and deletes an AWS VPN customer gateway (the on-premises VPN device) identified by its C(Name) tag.
  - Several environments may connect to the same on-premises device. AWS returns the existing gateway for a second
    identical request (same type, address and ASN), so each gateway is created with its own C(DeviceName) and found
    by its C(Name) tag, never by its address.
  - Unlike M(community.aws.ec2_customer_gateway), which finds a gateway by address only, this module never renames,
    retags or deletes another environment's gateway for the same device.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  name:
    description: The gateway's C(Name) tag and device name, unique per environment, for example C(cgw-dev).
    type: str
    required: true
  ip_address:
    description: Public IPv4 address of the on-premises VPN device. Required to create.
    type: str
  bgp_asn:
    description: BGP ASN of the device; AWS requires one even for static routing.
    type: int
    default: 65000
  state:
    description: Whether the gateway exists.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The on-premises VPN device, as seen by environment dev
  envmigrate.aws.customer_gateway:
    name: cgw-dev
    ip_address: 203.0.113.10
    bgp_asn: 65000
    tags:
      Environment: dev

- name: Remove it (a VPN connection that uses it must go first)
  envmigrate.aws.customer_gateway:
    name: cgw-dev
    state: absent
"""

RETURN = r"""
customer_gateway:
  description: The gateway; empty after a delete.
  returned: always
  type: dict
  contains:
    customer_gateway_id:
      description: ID of the gateway.
      type: str
      sample: cgw-0e2c1c4a5b6d7e8f9
    ip_address:
      description: Address of the on-premises device.
      type: str
      sample: 203.0.113.10
    bgp_asn:
      description: BGP ASN of the device.
      type: str
      sample: "65000"
    device_name:
      description: Device name that keeps this gateway apart from others for the same device.
      type: str
      sample: cgw-dev
    state:
      description: State of the gateway.
      type: str
      sample: available
    tags:
      description: Tags of the gateway.
      type: dict
      sample: {"Name": "cgw-dev", "Environment": "dev"}
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

LIVE_STATES = ["pending", "available"]


def find(client, name):
    gateways = client.describe_customer_gateways(
        aws_retry=True,
        Filters=[{"Name": "tag:Name", "Values": [name]}, {"Name": "state", "Values": LIVE_STATES}],
    )["CustomerGateways"]
    return gateways[0] if gateways else None


def describe_result(gateway):
    if not gateway:
        return {}
    result = camel_dict_to_snake_dict(gateway, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(gateway.get("Tags", []))
    result.pop("tags_list", None)
    return result


def immutable_differences(module, existing):
    """What the user asked for that AWS cannot change on an existing gateway."""
    if not module.params["ip_address"]:
        return []
    wanted = {"IpAddress": module.params["ip_address"], "BgpAsn": str(module.params["bgp_asn"])}
    return [key for key, value in wanted.items() if existing.get(key) != value]


def ensure_present(module, client, existing):
    name, tags = module.params["name"], dict(module.params["tags"] or {}, Name=module.params["name"])
    if existing:
        differs = immutable_differences(module, existing)
        if differs:
            module.fail_json(
                msg="Customer gateway %s exists with another %s; AWS cannot change it. Remove it first (state=absent)"
                % (name, " and ".join(differs))
            )
        changed = ensure_ec2_tags(
            client, module, existing["CustomerGatewayId"], tags=tags, purge_tags=module.params["purge_tags"]
        )
        return changed, find(client, name) if changed and not module.check_mode else existing
    if not module.params["ip_address"]:
        module.fail_json(msg="ip_address is required to create customer gateway %s" % name)
    if module.check_mode:
        return True, {"IpAddress": module.params["ip_address"], "DeviceName": name, "State": "pending"}
    created = client.create_customer_gateway(
        aws_retry=True,
        Type="ipsec.1",
        IpAddress=module.params["ip_address"],
        BgpAsn=module.params["bgp_asn"],
        DeviceName=name,
        TagSpecifications=boto3_tag_specifications(tags, types="customer-gateway"),
    )["CustomerGateway"]
    return True, created


def ensure_absent(module, client, existing):
    if not existing:
        return False, None
    if not module.check_mode:
        client.delete_customer_gateway(aws_retry=True, CustomerGatewayId=existing["CustomerGatewayId"])
    return True, None


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        ip_address=dict(type="str"),
        bgp_asn=dict(type="int", default=65000),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    try:
        existing = find(client, module.params["name"])
        if module.params["state"] == "present":
            changed, gateway = ensure_present(module, client, existing)
        else:
            changed, gateway = ensure_absent(module, client, existing)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage customer gateway %s" % module.params["name"])

    module.exit_json(
        changed=changed,
        customer_gateway=describe_result(gateway),
        diff={"before": describe_result(existing), "after": describe_result(gateway)},
    )


if __name__ == "__main__":
    main()
