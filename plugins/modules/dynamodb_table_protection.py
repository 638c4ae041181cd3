#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dynamodb_table_protection
version_added: 0.1.0
short_description: Point-in-time recovery, encryption at rest and deletion protection of a DynamoDB table
description:
  - Sets the protective settings of an existing DynamoDB table that M(community.aws.dynamodb_table) does not
    manage - point-in-time recovery (continuous backups), the key that encrypts the table at rest, and deletion
    protection.
  - Changes only what differs, so a second run reports C(changed=false). Options left unset are not touched.
  - The table must exist. In check mode a table that does not exist yet (because an earlier task would create it)
    is reported as changed.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  name:
    description: Name of the table.
    type: str
    required: true
  point_in_time_recovery:
    description: Whether point-in-time recovery (continuous backups, 35 days) is enabled.
    type: bool
  encryption:
    description:
      - The key that encrypts the table at rest. Every table is encrypted.
      - V(aws_owned) uses a key owned by DynamoDB (free, invisible in KMS).
      - V(aws_managed) uses the AWS managed key C(alias/aws/dynamodb) in the account.
      - V(customer_managed) uses O(kms_key_id).
    type: str
    choices: [aws_owned, aws_managed, customer_managed]
  kms_key_id:
    description: ID, ARN or alias of the KMS key, with O(encryption=customer_managed).
    type: str
  deletion_protection:
    description: Whether DynamoDB refuses to delete the table.
    type: bool
  wait_timeout:
    description: Seconds to wait for the table to be C(ACTIVE) again after a change of encryption.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Protect the state table
  envmigrate.aws.dynamodb_table_protection:
    name: dynamodb-state-dev
    point_in_time_recovery: true
    encryption: aws_managed
    deletion_protection: false

- name: Encrypt with a key of our own
  envmigrate.aws.dynamodb_table_protection:
    name: dynamodb-state-dev
    encryption: customer_managed
    kms_key_id: alias/envmigrate-dev
"""

RETURN = r"""
table:
  description: The protective settings of the table after the change (or as they would be, in check mode).
  returned: always
  type: dict
  contains:
    name:
      description: Name of the table.
      type: str
      sample: dynamodb-state-dev
    point_in_time_recovery:
      description: Whether point-in-time recovery is enabled.
      type: bool
      sample: true
    encryption:
      description: Which key encrypts the table.
      type: str
      sample: aws_managed
    kms_key_arn:
      description: ARN of the KMS key, for C(aws_managed) and C(customer_managed).
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/0e9a3f4c-3b8e-4a5e-9a3f-4c3b8e4a5e9a
    deletion_protection:
      description: Whether deletion protection is enabled.
      type: bool
      sample: false
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# A table that is being created or updated answers UpdateTable with ResourceInUseException.
RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceInUseException"])
WAIT_DELAY = 5


class TableProtection(object):
    """Reads and changes the protective settings of one table."""

    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.dynamodb = module.client("dynamodb", retry_decorator=RETRY)
        self.kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())

    def current(self):
        """The table's settings, or None when it does not exist."""
        try:
            table = self.dynamodb.describe_table(aws_retry=True, TableName=self.name)["Table"]
            backups = self.dynamodb.describe_continuous_backups(aws_retry=True, TableName=self.name)
        except is_boto3_error_code("ResourceNotFoundException"):
            return None
        sse = table.get("SSEDescription") or {}
        key_arn = sse.get("KMSMasterKeyArn") if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING") else None
        recovery = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        return {
            "name": self.name,
            "point_in_time_recovery": recovery.get("PointInTimeRecoveryStatus") == "ENABLED",
            "encryption": self.key_kind(key_arn),
            "kms_key_arn": key_arn,
            "deletion_protection": bool(table.get("DeletionProtectionEnabled", False)),
        }

    def key_kind(self, key_arn):
        """DynamoDB names the key by ARN only; KMS says whether AWS or the customer manages it."""
        if not key_arn:
            return "aws_owned"
        return "aws_managed" if self.describe_key(key_arn).get("KeyManager") == "AWS" else "customer_managed"

    def describe_key(self, key_id):
        try:
            return self.kms.describe_key(aws_retry=True, KeyId=key_id)["KeyMetadata"]
        except is_boto3_error_code(["NotFoundException", "AccessDeniedException"]):
            return {}

    def changes(self, current):
        """What the user asked for that differs from the table."""
        params = self.module.params
        wanted = {k: params[k] for k in ("point_in_time_recovery", "deletion_protection", "encryption")}
        changes = {k: v for k, v in wanted.items() if v is not None and v != current[k]}
        same_kind_other_key = (
            params["encryption"] == "customer_managed"
            and "encryption" not in changes
            and self.describe_key(params["kms_key_id"]).get("Arn") != current["kms_key_arn"]
        )
        if same_kind_other_key:
            changes["encryption"] = "customer_managed"
        return changes

    def apply(self, changes):
        if "point_in_time_recovery" in changes:
            specification = {"PointInTimeRecoveryEnabled": changes["point_in_time_recovery"]}
            self.dynamodb.update_continuous_backups(
                aws_retry=True, TableName=self.name, PointInTimeRecoverySpecification=specification
            )
        if "deletion_protection" in changes:
            self.dynamodb.update_table(
                aws_retry=True, TableName=self.name, DeletionProtectionEnabled=changes["deletion_protection"]
            )
        if "encryption" in changes:
            self.dynamodb.update_table(aws_retry=True, TableName=self.name, SSESpecification=self.sse_specification())
            self.wait_active()

    def sse_specification(self):
        encryption = self.module.params["encryption"]
        if encryption == "aws_owned":
            return {"Enabled": False}
        specification = {"Enabled": True, "SSEType": "KMS"}
        if encryption == "customer_managed":
            specification["KMSMasterKeyId"] = self.module.params["kms_key_id"]
        return specification

    def wait_active(self):
        attempts = max(1, self.module.params["wait_timeout"] // WAIT_DELAY)
        try:
            self.dynamodb.get_waiter("table_exists").wait(
                TableName=self.name, WaiterConfig={"Delay": WAIT_DELAY, "MaxAttempts": attempts}
            )
        except botocore.exceptions.WaiterError as e:
            self.module.fail_json_aws(e, msg="Timed out waiting for table %s to be ACTIVE" % self.name)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        point_in_time_recovery=dict(type="bool"),
        encryption=dict(type="str", choices=["aws_owned", "aws_managed", "customer_managed"]),
        kms_key_id=dict(type="str"),
        deletion_protection=dict(type="bool"),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("encryption", "customer_managed", ["kms_key_id"])],
    )
    if module.params["kms_key_id"] and module.params["encryption"] != "customer_managed":
        module.fail_json(msg="kms_key_id is only used with encryption=customer_managed")

    table = TableProtection(module)
    try:
        before = table.current()
        if before is None:
            if module.check_mode:
                module.exit_json(
                    changed=True, table={"name": table.name}, msg="Table %s does not exist yet" % table.name
                )
            module.fail_json(msg="Table %s does not exist; create it first (community.aws.dynamodb_table)" % table.name)
        changes = table.changes(before)
        after = dict(before, **changes)
        if changes and not module.check_mode:
            table.apply(changes)
            after = table.current()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to set the protection of table %s" % table.name)

    module.exit_json(changed=bool(changes), table=after, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
