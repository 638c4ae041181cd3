#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: route53_weighted_pair
version_added: 0.3.0
short_description: Move traffic between two weighted Route53 records in one change
description:
  - Sets the weights of the two weighted records of one name - the AWS side and the on-premises side of a phased
    cutover - so that they add up to 100, in a single C(ChangeResourceRecordSets) batch, and waits until Route53
    reports the change C(INSYNC).
  - One batch means no moment in which both records carry traffic that does not add up, and no half-done shift when a
    run is interrupted. M(amazon.aws.route53) changes one record per call.
  - Everything else of each record (alias target, TTL, values, health check) is kept as Route53 has it; only the
    weights change. Nothing is sent when both weights already are the requested ones.
  - Both records must exist (the route53_weights role creates them); they are found by their set identifiers. Route53
    wants both records of a weighted name of one type - two C(A) records (an alias to the ALB and the on-premises
    address) or two C(CNAME) records (the ALB's and the on-premises host name).
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  hosted_zone_id:
    description: ID of the hosted zone, for example C(Z0123456789ABCDEFGHIJ) (with or without C(/hostedzone/)).
    type: str
    required: true
  record_name:
    description: The record's name, for example C(app.dev.envmigrate.example); a final dot is optional.
    type: str
    required: true
  aws_identifier:
    description: Set identifier of the record that sends users to AWS, for example C(aws-dev).
    type: str
    required: true
  onprem_identifier:
    description: Set identifier of the record that sends users on premises, for example C(onprem-dev).
    type: str
    required: true
  aws_weight:
    description: The AWS share in percent, one of 0, 25, 50, 75 and 100; the on-premises record gets the rest.
    type: int
    required: true
    choices: [0, 25, 50, 75, 100]
  wait:
    description: Wait until Route53 has applied the change on all its servers (C(INSYNC)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for C(INSYNC).
    type: int
    default: 300
notes:
  - Check mode reports the weights it would set without changing them.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The zone of environment dev
  amazon.aws.route53_zone:
    zone: dev.envmigrate.example
  register: zone

- name: Send a quarter of the users to AWS
  envmigrate.aws.route53_weighted_pair:
    hosted_zone_id: "{{ zone.zone_id }}"
    record_name: app.dev.envmigrate.example
    aws_identifier: aws-dev
    onprem_identifier: onprem-dev
    aws_weight: 25
  register: shift

- name: Say what moved
  ansible.builtin.debug:
    msg: "AWS {{ shift.before.aws }} -> {{ shift.after.aws }} percent"
"""

RETURN = r"""
before:
  description: The weights before, by side (C(aws), C(onprem)).
  returned: always
  type: dict
  sample: {"aws": 0, "onprem": 100}
after:
  description: The weights after (in check mode, as they would be).
  returned: always
  type: dict
  sample: {"aws": 25, "onprem": 75}
change_id:
  description: ID of the Route53 change, when one was sent.
  returned: when changed and not in check mode
  type: str
  sample: /change/C2682N5HXP0BZ4
change_status:
  description: Status of the change when the module returned (C(INSYNC) after a wait).
  returned: when changed and not in check mode
  type: str
  sample: INSYNC
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envmigrate.aws.plugins.module_utils.retries import retry_decorator

# Route53 answers PriorRequestNotComplete while an earlier change of the zone is still applied.
RETRY_CODES = ("PriorRequestNotComplete",)


def find_records(client, zone_id, name, identifiers):
    """The record sets of ``name`` whose set identifiers are ``identifiers``, by identifier."""
    found = {}
    paginator = client.get_paginator("list_resource_record_sets")
    pages = paginator.paginate(HostedZoneId=zone_id, StartRecordName=name)
    for record in pages.build_full_result()["ResourceRecordSets"]:
        if (
            record["Name"].rstrip(".").lower() == name.rstrip(".").lower()
            and record.get("SetIdentifier") in identifiers
        ):
            found[record["SetIdentifier"]] = record
    return found


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            hosted_zone_id=dict(type="str", required=True),
            record_name=dict(type="str", required=True),
            aws_identifier=dict(type="str", required=True),
            onprem_identifier=dict(type="str", required=True),
            aws_weight=dict(type="int", required=True, choices=[0, 25, 50, 75, 100]),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
        ),
        supports_check_mode=True,
    )
    params = module.params
    zone_id = params["hosted_zone_id"].split("/")[-1]
    sides = {"aws": params["aws_identifier"], "onprem": params["onprem_identifier"]}
    wanted = {"aws": params["aws_weight"], "onprem": 100 - params["aws_weight"]}
    client = module.client("route53", retry_decorator=retry_decorator(*RETRY_CODES))
    try:
        records = find_records(client, zone_id, params["record_name"], list(sides.values()))
        missing = [identifier for identifier in sides.values() if identifier not in records]
        if missing:
            module.fail_json(
                msg="Weighted record(s) %s of %s not found in hosted zone %s; run site.yml first (role route53_weights)"
                % (", ".join(missing), params["record_name"], zone_id)
            )
        before = {side: records[identifier].get("Weight") for side, identifier in sides.items()}
        result = dict(before=before, after=wanted)
        if before == wanted:
            module.exit_json(changed=False, **result)
        if module.check_mode:
            module.exit_json(changed=True, **result)
        changes = [
            {"Action": "UPSERT", "ResourceRecordSet": dict(records[identifier], Weight=wanted[side])}
            for side, identifier in sides.items()
        ]
        comment = "envmigrate: AWS share %s -> %s percent" % (before["aws"], wanted["aws"])
        change = client.change_resource_record_sets(
            aws_retry=True, HostedZoneId=zone_id, ChangeBatch={"Comment": comment, "Changes": changes}
        )["ChangeInfo"]
        if params["wait"] and change["Status"] != "INSYNC":
            delay = 2
            client.get_waiter("resource_record_sets_changed").wait(
                Id=change["Id"], WaiterConfig={"Delay": delay, "MaxAttempts": max(1, params["wait_timeout"] // delay)}
            )
            change = client.get_change(aws_retry=True, Id=change["Id"])["ChangeInfo"]
    except botocore.exceptions.WaiterError as e:
        module.fail_json(msg="Route53 did not report the weight change INSYNC in %ss: %s" % (params["wait_timeout"], e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not set the weights of %s" % params["record_name"])
    module.exit_json(changed=True, change_id=change["Id"], change_status=change["Status"], **result)


if __name__ == "__main__":
    main()
