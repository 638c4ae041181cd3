#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dms_replication_instance
version_added: 0.1.0
short_description: Create, modify and delete AWS DMS replication instances
description:
  - Creates an AWS Database Migration Service replication instance, changes what differs on an existing one with
    C(ModifyReplicationInstance), and deletes it.
  - Compares the requested settings with the instance, including changes still pending for the next maintenance
    window, so a second run reports C(changed=false). Options left unset are not compared.
  - O(publicly_accessible), O(replication_subnet_group) and O(kms_key_id) can only be set when the instance is
    created; a difference on an existing instance fails with a message that names it.
  - Right after the IAM role C(dms-vpc-role) is created, DMS answers for a while that the role
    "is not configured properly". Creating the instance retries that error a bounded number of times with a
    jittered backoff before it fails.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  identifier:
    description: The replication instance identifier. DMS stores it in lowercase.
    type: str
    required: true
    aliases: [replication_instance_identifier]
  state:
    description: Whether the replication instance should exist.
    type: str
    choices: [present, absent]
    default: present
  instance_class:
    description:
      - The compute and memory capacity, for example V(dms.t3.medium).
      - Required to create an instance.
    type: str
    aliases: [replication_instance_class]
  allocated_storage:
    description: Storage in GiB for logs and cached changes.
    type: int
  engine_version:
    description: The DMS engine version, for example V(3.5.3). AWS picks its default when unset.
    type: str
  allow_major_version_upgrade:
    description: Whether a change of O(engine_version) may be a major version upgrade.
    type: bool
    default: false
  multi_az:
    description: Whether the instance has a standby in another Availability Zone.
    type: bool
  publicly_accessible:
    description: Whether the instance has a public IP address. Can only be set at creation.
    type: bool
    default: false
  replication_subnet_group:
    description: Identifier of the replication subnet group the instance runs in. Can only be set at creation.
    type: str
  vpc_security_group_ids:
    description: The VPC security groups of the instance, compared as a set.
    type: list
    elements: str
  kms_key_id:
    description:
      - ID, ARN or alias of the KMS key that encrypts the instance's storage. Can only be set at creation.
    type: str
  apply_immediately:
    description:
      - Whether modifications are applied now or in the next maintenance window.
      - Changes waiting for the maintenance window count as done, so a rerun does not send them again.
    type: bool
    default: false
  wait:
    description: Whether to wait until the instance is available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait.
    type: int
    default: 1800
  wait_delay:
    description:
      - Seconds between two looks while waiting.
      - A short O(wait_timeout) looks more often, at least four times within it.
      - Must be at least V(1); a lower value is refused before any request is sent.
    type: int
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Replication instance in the private subnets
  envmigrate.aws.dms_replication_instance:
    identifier: dms-dev
    instance_class: dms.t3.medium
    allocated_storage: 50
    engine_version: "3.5.3"
    multi_az: false
    replication_subnet_group: dms-subnets-dev
    vpc_security_group_ids:
      - "{{ dms_security_group_id }}"
    tags:
      Environment: dev
      Project: envmigrate

- name: Start creating it, wait for it later
  envmigrate.aws.dms_replication_instance:
    identifier: dms-dev
    instance_class: dms.t3.medium
    wait: false

- name: Larger instance, now rather than in the maintenance window
  envmigrate.aws.dms_replication_instance:
    identifier: dms-dev
    instance_class: dms.r5.large
    apply_immediately: true

- name: Remove it
  envmigrate.aws.dms_replication_instance:
    identifier: dms-dev
    state: absent
"""

RETURN = r"""
replication_instance:
  description:
    - The replication instance as DescribeReplicationInstances shows it, with its tags.
    - In check mode, the instance as it would be. Empty after deletion.
  returned: always
  type: dict
  contains:
    replication_instance_identifier:
      description: Identifier of the instance.
      type: str
      sample: dms-dev
    replication_instance_arn:
      description: ARN of the instance.
      type: str
      sample: arn:aws:dms:us-east-1:123456789012:rep:ABCDEFGHIJKLMNOPQRSTUVWXYZ
    replication_instance_status:
      description: Status of the instance.
      type: str
      sample: available
    replication_instance_class:
      description: The instance class.
      type: str
      sample: dms.t3.medium
    allocated_storage:
      description: Storage in GiB.
      type: int
      sample: 50
    engine_version:
      description: The DMS engine version.
      type: str
      sample: 3.5.3
    multi_az:
      description: Whether the instance is Multi-AZ.
      type: bool
      sample: false
    publicly_accessible:
      description: Whether the instance has a public IP address.
      type: bool
      sample: false
    replication_subnet_group:
      description: The replication subnet group, with its subnets and VPC.
      type: dict
    vpc_security_groups:
      description: The security groups of the instance.
      type: list
      elements: dict
      sample: [{"vpc_security_group_id": "sg-0123456789abcdef0", "status": "active"}]
    kms_key_id:
      description: The KMS key that encrypts the storage.
      type: str
    pending_modified_values:
      description: Changes waiting for the next maintenance window.
      type: dict
      sample: {"replication_instance_class": "dms.r5.large"}
    replication_instance_private_ip_addresses:
      description: Private IP addresses of the instance.
      type: list
      elements: str
      sample: ["10.0.1.25"]
    tags:
      description: Tags of the instance.
      type: dict
      sample: {"Environment": "dev"}
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters

from ansible_collections.envmigrate.aws.plugins.module_utils import dms

KIND = "replication instance"
# option -> (DescribeReplicationInstances / ModifyReplicationInstance key) for what can be modified
MODIFIABLE = {
    "instance_class": "ReplicationInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "engine_version": "EngineVersion",
    "multi_az": "MultiAZ",
}


class ReplicationInstance:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.identifier = module.params["identifier"]
        self.client = dms.dms_client(module)

    # -- reading ----------------------------------------------------------------------------------
    def current(self):
        return dms.describe(self.client, KIND, self.identifier)

    def effective(self, raw):
        """The instance with its pending modifications applied: what it will be."""
        return dict(raw, **(raw.get("PendingModifiedValues") or {}))

    def view(self, raw, tags):
        """The managed settings, for the diff."""
        if raw is None:
            return {}
        instance = self.effective(raw)
        return {
            "identifier": instance["ReplicationInstanceIdentifier"],
            "instance_class": instance.get("ReplicationInstanceClass"),
            "allocated_storage": instance.get("AllocatedStorage"),
            "engine_version": instance.get("EngineVersion"),
            "multi_az": instance.get("MultiAZ"),
            "publicly_accessible": instance.get("PubliclyAccessible"),
            "replication_subnet_group": subnet_group_of(instance),
            "vpc_security_group_ids": sorted(security_groups_of(instance)),
            "kms_key_id": instance.get("KmsKeyId"),
            "tags": tags,
        }

    # -- comparing ---------------------------------------------------------------------------------
    def modifications(self, raw):
        """ModifyReplicationInstance parameters for what differs."""
        instance = self.effective(raw)
        changes = {}
        for option, key in MODIFIABLE.items():
            if self.params[option] is not None and self.params[option] != instance.get(key):
                changes[key] = self.params[option]
        wanted_groups = self.params["vpc_security_group_ids"]
        if wanted_groups is not None and set(wanted_groups) != set(security_groups_of(instance)):
            changes["VpcSecurityGroupIds"] = wanted_groups
        if "EngineVersion" in changes and self.params["allow_major_version_upgrade"]:
            changes["AllowMajorVersionUpgrade"] = True
        return changes

    def create_only_conflicts(self, raw):
        conflicts = []
        if self.params["publicly_accessible"] != bool(raw.get("PubliclyAccessible")):
            conflicts.append("publicly_accessible is %s" % raw.get("PubliclyAccessible"))
        wanted_group = self.params["replication_subnet_group"]
        if wanted_group is not None and wanted_group.lower() != (subnet_group_of(raw) or "").lower():
            conflicts.append("replication_subnet_group is %s" % subnet_group_of(raw))
        if self.params["kms_key_id"] is not None and not self.same_key(raw.get("KmsKeyId")):
            conflicts.append("kms_key_id is %s" % raw.get("KmsKeyId"))
        return conflicts

    def same_key(self, current_key):
        """DMS reports the key by ARN; the user may name it by ID, ARN or alias."""
        wanted = self.params["kms_key_id"]
        if not current_key:
            return False
        if wanted == current_key or current_key.endswith("/" + wanted):
            return True
        kms = self.module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
        try:
            return kms.describe_key(aws_retry=True, KeyId=wanted)["KeyMetadata"]["Arn"] == current_key
        except is_boto3_error_code(["NotFoundException", "AccessDeniedException"]):
            return False

    # -- changing -------------------------------------------------------------------------------------
    def create(self):
        params = scrub_none_parameters(
            {
                "ReplicationInstanceIdentifier": self.identifier,
                "ReplicationInstanceClass": self.params["instance_class"],
                "AllocatedStorage": self.params["allocated_storage"],
                "EngineVersion": self.params["engine_version"],
                "MultiAZ": self.params["multi_az"],
                "PubliclyAccessible": self.params["publicly_accessible"],
                "ReplicationSubnetGroupIdentifier": self.params["replication_subnet_group"],
                "VpcSecurityGroupIds": self.params["vpc_security_group_ids"],
                "KmsKeyId": self.params["kms_key_id"],
                "Tags": dms.create_tags(self.params["tags"]),
            }
        )
        try:
            created = dms.retry_vpc_role(self.client.create_replication_instance)(aws_retry=True, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "create", hint=dms.vpc_role_hint(e) if hasattr(e, "response") else "")
        return created["ReplicationInstance"]

    def modify(self, raw, changes):
        if raw["ReplicationInstanceStatus"] != "available":
            self.wait_available(raw)  # AWS refuses to modify an instance that is busy
        try:
            self.client.modify_replication_instance(
                aws_retry=True,
                ReplicationInstanceArn=raw["ReplicationInstanceArn"],
                ApplyImmediately=self.params["apply_immediately"],
                **changes,
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "modify")

    def delete(self, raw):
        try:
            self.client.delete_replication_instance(
                aws_retry=True, ReplicationInstanceArn=raw["ReplicationInstanceArn"]
            )
        except is_boto3_error_code("ResourceNotFoundFault"):
            return False  # deleted meanwhile
        except is_boto3_error_code("InvalidResourceStateFault") as e:
            self.fail(e, "delete", hint=" (delete the replication tasks that use it first)")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "delete")
        return True

    def fail(self, error, action, hint=""):
        self.module.fail_json_aws(error, msg=f"Failed to {action} replication instance {self.identifier}{hint}")

    # -- waiting ----------------------------------------------------------------------------------------
    def wait_available(self, raw):
        self._wait("replication_instance_available", raw["ReplicationInstanceArn"])

    def wait_deleted(self, raw):
        self._wait("replication_instance_deleted", raw["ReplicationInstanceArn"])

    def _wait(self, waiter, arn):
        dms.wait_for(
            self.module, self.client, waiter, KIND, arn, self.params["wait_timeout"], self.params["wait_delay"]
        )


def subnet_group_of(instance):
    return (instance.get("ReplicationSubnetGroup") or {}).get("ReplicationSubnetGroupIdentifier")


def security_groups_of(instance):
    return [group["VpcSecurityGroupId"] for group in instance.get("VpcSecurityGroups") or []]


def predicted(raw, changes):
    """The instance as it will be after ``changes`` (check mode)."""
    after = dict(raw, **dict((k, v) for k, v in changes.items() if k in MODIFIABLE.values()))
    if "VpcSecurityGroupIds" in changes:
        after["VpcSecurityGroups"] = [
            {"VpcSecurityGroupId": g, "Status": "adding"} for g in changes["VpcSecurityGroupIds"]
        ]
    return after


def described(raw, tags):
    if not raw:
        return {}
    result = camel_dict_to_snake_dict(raw)
    result["tags"] = tags  # after the conversion, which would rewrite tag keys
    return result


def ensure_present(instance, raw):
    module = instance.module
    params = module.params
    if raw is not None and raw["ReplicationInstanceStatus"] == "deleting":
        if not module.check_mode:
            instance.wait_deleted(raw)  # the identifier is taken until the old instance is gone
        raw = None
    if raw is None:
        return create(instance)

    conflicts = instance.create_only_conflicts(raw)
    if conflicts:
        module.fail_json(
            msg="Replication instance %s exists with %s; these can only be set when it is created"
            % (instance.identifier, ", ".join(conflicts))
        )
    tags = dms.get_tags(instance.client, raw["ReplicationInstanceArn"])
    changes = instance.modifications(raw)
    to_set, to_remove = dms.tag_changes(tags, params["tags"], params["purge_tags"])
    changed = bool(changes or to_set or to_remove)
    before = instance.view(raw, tags)
    if module.check_mode:
        after, after_tags = predicted(raw, changes), dms.tags_after(tags, to_set, to_remove)
        return changed, before, instance.view(after, after_tags), described(after, after_tags)

    if changes:
        instance.modify(raw, changes)
    dms.apply_tags(instance.client, raw["ReplicationInstanceArn"], to_set, to_remove)
    # Also an unchanged instance that an earlier run left creating: wait=true means "until available".
    if params["wait"] and (changes or raw["ReplicationInstanceStatus"] != "available"):
        instance.wait_available(raw)
    raw = instance.current()
    tags = dms.get_tags(instance.client, raw["ReplicationInstanceArn"])
    return changed, before, instance.view(raw, tags), described(raw, tags)


def create(instance):
    module = instance.module
    if not module.params["instance_class"]:
        module.fail_json(msg="instance_class is required to create replication instance %s" % instance.identifier)
    tags = module.params["tags"] or {}
    if module.check_mode:
        predicted = {
            "ReplicationInstanceIdentifier": instance.identifier,
            "ReplicationInstanceStatus": "creating",
            "ReplicationInstanceClass": module.params["instance_class"],
            "AllocatedStorage": module.params["allocated_storage"],
            "EngineVersion": module.params["engine_version"],
            "MultiAZ": module.params["multi_az"],
            "PubliclyAccessible": module.params["publicly_accessible"],
            "ReplicationSubnetGroup": {"ReplicationSubnetGroupIdentifier": module.params["replication_subnet_group"]},
            "VpcSecurityGroups": [{"VpcSecurityGroupId": g} for g in module.params["vpc_security_group_ids"] or []],
            "KmsKeyId": module.params["kms_key_id"],
        }
        return True, {}, instance.view(predicted, tags), described(predicted, tags)
    raw = instance.create()
    if module.params["wait"]:
        instance.wait_available(raw)
        raw = instance.current()
    tags = dms.get_tags(instance.client, raw["ReplicationInstanceArn"])
    return True, {}, instance.view(raw, tags), described(raw, tags)


def ensure_absent(instance, raw):
    module = instance.module
    if raw is None:
        return False, {}, {}, {}
    tags = dms.get_tags(instance.client, raw["ReplicationInstanceArn"])
    before = instance.view(raw, tags)
    changed = raw["ReplicationInstanceStatus"] != "deleting"
    if module.check_mode:
        return changed, before, {}, {}
    if changed:
        changed = instance.delete(raw)
    if module.params["wait"]:
        instance.wait_deleted(raw)
    return changed, before, {}, {}


def main():
    argument_spec = dict(
        identifier=dict(type="str", required=True, aliases=["replication_instance_identifier"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        instance_class=dict(type="str", aliases=["replication_instance_class"]),
        allocated_storage=dict(type="int"),
        engine_version=dict(type="str"),
        allow_major_version_upgrade=dict(type="bool", default=False),
        multi_az=dict(type="bool"),
        publicly_accessible=dict(type="bool", default=False),
        replication_subnet_group=dict(type="str"),
        vpc_security_group_ids=dict(type="list", elements="str"),
        kms_key_id=dict(type="str"),
        apply_immediately=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        wait_delay=dict(type="int", default=dms.INSTANCE_POLL_DELAY),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    dms.check_wait_delay(module)
    instance = ReplicationInstance(module)
    try:
        raw = instance.current()
        ensure = ensure_present if module.params["state"] == "present" else ensure_absent
        changed, before, after, result = ensure(instance, raw)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage replication instance %s" % instance.identifier)
    module.exit_json(changed=changed, replication_instance=result, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
