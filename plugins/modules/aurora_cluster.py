#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: aurora_cluster
version_added: 0.1.0
short_description: An Aurora DB cluster whose master password RDS keeps in Secrets Manager
description:
  - Creates, modifies and deletes an Amazon Aurora DB cluster (Aurora PostgreSQL or Aurora MySQL), for example an
    Aurora Serverless v2 cluster. The cluster's DB instances (class C(db.serverless) for Serverless v2) are
    managed with M(amazon.aws.rds_instance).
  - The master password is never an option, a variable or a return value. RDS generates it and keeps it in a
    Secrets Manager secret C(rds!cluster-<uuid>) (C(ManageMasterUserPassword)); the secret's ARN is returned in
    RV(cluster.master_user_secret.secret_arn) for whoever needs to log in. The module never reads the secret.
  - Compares the options that are set with the cluster, including changes still pending for the maintenance
    window, and sends C(ModifyDBCluster) with only what differs, so a second run reports C(changed=false).
    O(vpc_security_group_ids) and O(enable_cloudwatch_logs_exports) are compared as sets.
  - Unlike M(amazon.aws.rds_cluster), it can create a cluster with a managed master password, and it does not send
    C(VpcSecurityGroupIds) again when the security groups are the same.
  - O(engine), O(db_subnet_group_name), O(database_name), O(master_username), O(storage_encrypted),
    O(kms_key_id) and O(master_user_secret_kms_key_id) can only be set when the cluster is created; a difference
    on an existing cluster fails with a message that names it, before any change.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  identifier:
    description: The DB cluster identifier, for example C(aurora-dev). RDS stores it in lowercase.
    type: str
    required: true
    aliases: [db_cluster_identifier]
  state:
    description: Whether the cluster exists.
    type: str
    choices: [present, absent]
    default: present
  engine:
    description: The database engine. Can only be set at creation.
    type: str
    choices: [aurora-postgresql, aurora-mysql]
    default: aurora-postgresql
  engine_version:
    description:
      - The engine version, for example V(16.4), or only its leading part, for example V(16).
      - A newer version is an upgrade; C(AllowMajorVersionUpgrade) is sent when the major version changes.
      - A newer minor version of the same major version on the cluster counts as matching (RDS upgrades minor
        versions by itself and cannot downgrade); an older major version fails.
      - AWS picks its default when unset.
    type: str
  db_subnet_group_name:
    description: The DB subnet group the cluster lives in. Can only be set at creation.
    type: str
  vpc_security_group_ids:
    description: IDs of the VPC security groups of the cluster, compared as a set.
    type: list
    elements: str
  database_name:
    description: Name of the database created with the cluster. Can only be set at creation.
    type: str
  master_username:
    description: Name of the master user. Required to create a cluster; can only be set at creation.
    type: str
  manage_master_user_password:
    description:
      - Whether RDS manages the master password in Secrets Manager. The module never takes a password.
      - V(true) creates the cluster with a managed password, and turns management on for an existing cluster
        whose password is not managed yet.
      - V(false) only accepts an existing cluster whose password is not managed. Creating such a cluster or turning
        management off needs a password, which this module does not take; both fail.
    type: bool
    default: true
  master_user_secret_kms_key_id:
    description:
      - ID, ARN or alias of the KMS key that encrypts the master user secret. AWS uses C(aws/secretsmanager) when
        unset.
      - RDS cannot change it once it manages the password.
    type: str
  storage_encrypted:
    description: Whether the cluster's storage is encrypted. Can only be set at creation.
    type: bool
    default: true
  kms_key_id:
    description:
      - ID, ARN or alias of the KMS key that encrypts the storage, with O(storage_encrypted=true). AWS uses
        C(aws/rds) when unset. Can only be set at creation.
    type: str
  serverless_v2_scaling:
    description:
      - The capacity range of the cluster's Aurora Serverless v2 instances, in Aurora capacity units (ACUs),
        in steps of 0.5. Checked before any request.
    type: dict
    suboptions:
      min_capacity:
        description: Lowest capacity, from 0 (auto-pause, where the engine version supports it) to 256.
        type: float
        required: true
      max_capacity:
        description: Highest capacity, from 1 to 256, and at least O(serverless_v2_scaling.min_capacity).
        type: float
        required: true
  backup_retention_period:
    description: Days automated backups are kept, 1 to 35.
    type: int
  preferred_backup_window:
    description: Daily time range in UTC for automated backups, C(hh24:mi-hh24:mi), for example V(03:00-04:00).
    type: str
  enable_cloudwatch_logs_exports:
    description:
      - Log types exported to CloudWatch Logs, compared as a set, for example V([postgresql]).
      - An empty list turns every export off.
    type: list
    elements: str
  enable_http_endpoint:
    description:
      - Whether the RDS Data API (the cluster's HTTP endpoint) is on, so that SQL can be run through AWS's API
        with a Secrets Manager secret, without a network path to the database. Aurora PostgreSQL Serverless v2 and
        provisioned clusters support it from versions 13.12, 14.9, 15.4 and 16.1.
      - Set at creation with C(CreateDBCluster); on an existing cluster with C(EnableHttpEndpoint) or
        C(DisableHttpEndpoint).
    type: bool
  deletion_protection:
    description:
      - Whether RDS refuses to delete the cluster.
      - A cluster with deletion protection is not deleted by O(state=absent); turn it off first.
    type: bool
    default: false
  copy_tags_to_snapshot:
    description: Whether the cluster's tags are copied to its snapshots.
    type: bool
  skip_final_snapshot:
    description: With O(state=absent), whether the cluster is deleted without a final snapshot.
    type: bool
    default: true
  final_snapshot_identifier:
    description: With O(state=absent) and O(skip_final_snapshot=false), the identifier of the final snapshot.
    type: str
  delete_automated_backups:
    description: With O(state=absent), whether the cluster's automated backups are deleted with it.
    type: bool
    default: true
  apply_immediately:
    description:
      - Whether modifications are applied now or in the next maintenance window.
      - Changes waiting for the maintenance window count as done, so a rerun does not send them again.
    type: bool
    default: true
  wait:
    description:
      - Whether to wait until the cluster is available (or deleted).
      - A cluster that is not available is always waited for before it is modified, as RDS refuses to modify it.
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
    default: 30
notes:
  - Deleting a cluster that still has DB instances fails with a message that names them; delete them first.
    In check mode this is a warning, as an earlier task may be about to delete them.
  - Changing O(db_subnet_group_name) moves a cluster with an outage; this module refuses it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Aurora PostgreSQL Serverless v2 cluster, master password kept by RDS in Secrets Manager
  envmigrate.aws.aurora_cluster:
    identifier: aurora-dev
    engine_version: "16.4"
    db_subnet_group_name: db-subnets-dev
    vpc_security_group_ids: ["{{ db_security_group_id }}"]
    database_name: app
    master_username: app_admin
    serverless_v2_scaling:
      min_capacity: 0.5
      max_capacity: 4
    backup_retention_period: 7
    enable_cloudwatch_logs_exports: [postgresql]
    tags:
      Environment: dev
  register: aurora

- name: Its Serverless v2 writer instance
  amazon.aws.rds_instance:
    db_instance_identifier: aurora-dev-1
    db_cluster_identifier: aurora-dev
    engine: aurora-postgresql
    db_instance_class: db.serverless
    wait: false

- name: Where the master password is (the ARN is not secret; the password is only in Secrets Manager)
  ansible.builtin.debug:
    msg: "{{ aurora.cluster.master_user_secret.secret_arn }}"

- name: Start creating the cluster of environment test without waiting for it
  envmigrate.aws.aurora_cluster:
    identifier: aurora-test
    master_username: app_admin
    wait: false

- name: Remove it (its instances must go first), keeping a final snapshot
  envmigrate.aws.aurora_cluster:
    identifier: aurora-test
    state: absent
    skip_final_snapshot: false
    final_snapshot_identifier: aurora-test-final
"""

RETURN = r"""
cluster:
  description:
    - The cluster as DescribeDBClusters shows it, with snake_case keys and tags as a dictionary.
    - Empty after a delete, and in check mode when the cluster would be created.
  returned: always
  type: dict
  contains:
    db_cluster_identifier:
      description: Identifier of the cluster.
      type: str
      sample: aurora-dev
    db_cluster_arn:
      description: ARN of the cluster.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:cluster:aurora-dev
    status:
      description: State of the cluster.
      type: str
      sample: available
    engine:
      description: Database engine.
      type: str
      sample: aurora-postgresql
    engine_version:
      description: Engine version.
      type: str
      sample: "16.4"
    endpoint:
      description: DNS name of the writer endpoint.
      type: str
      sample: aurora-dev.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com
    reader_endpoint:
      description: DNS name of the reader endpoint.
      type: str
      sample: aurora-dev.cluster-ro-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com
    port:
      description: Port the database listens on.
      type: int
      sample: 5432
    database_name:
      description: Name of the database created with the cluster.
      type: str
      sample: app
    master_username:
      description: Name of the master user.
      type: str
      sample: app_admin
    master_user_secret:
      description: The Secrets Manager secret that holds the master user name and password. The password is never
        returned.
      type: dict
      contains:
        secret_arn:
          description: ARN of the secret.
          type: str
          sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0e9a3f4c-3b8e-AbCdEf
        secret_status:
          description: State of the secret (C(creating), C(active), C(rotating), C(impaired)).
          type: str
          sample: active
        kms_key_id:
          description: ARN of the KMS key that encrypts the secret.
          type: str
          sample: arn:aws:kms:us-east-1:123456789012:key/0e9a3f4c-3b8e-4a5e-9a3f-4c3b8e4a5e9a
    db_subnet_group:
      description: Name of the DB subnet group.
      type: str
      sample: db-subnets-dev
    vpc_security_groups:
      description: The VPC security groups of the cluster.
      type: list
      elements: dict
      sample: [{"vpc_security_group_id": "sg-0123456789abcdef0", "status": "active"}]
    storage_encrypted:
      description: Whether the storage is encrypted.
      type: bool
      sample: true
    kms_key_id:
      description: ARN of the KMS key that encrypts the storage.
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/0e9a3f4c-3b8e-4a5e-9a3f-4c3b8e4a5e9a
    serverless_v2_scaling_configuration:
      description: Capacity range of the Serverless v2 instances, in ACUs.
      type: dict
      sample: {"min_capacity": 0.5, "max_capacity": 4.0}
    backup_retention_period:
      description: Days automated backups are kept.
      type: int
      sample: 7
    preferred_backup_window:
      description: Daily backup window in UTC.
      type: str
      sample: 03:00-04:00
    enabled_cloudwatch_logs_exports:
      description: Log types exported to CloudWatch Logs.
      type: list
      elements: str
      sample: [postgresql]
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
      sample: false
    http_endpoint_enabled:
      description: Whether the RDS Data API is on.
      type: bool
      sample: true
    copy_tags_to_snapshot:
      description: Whether tags are copied to snapshots.
      type: bool
      sample: false
    db_cluster_members:
      description: The cluster's DB instances.
      type: list
      elements: dict
      sample: [{"db_instance_identifier": "aurora-dev-1", "is_cluster_writer": true}]
    pending_modified_values:
      description: Changes waiting for the next maintenance window.
      type: dict
      sample: {"engine_version": "16.6"}
    tags:
      description: Tags of the cluster.
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
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.envmigrate.aws.plugins.module_utils.rds import describe_cluster
from ansible_collections.envmigrate.aws.plugins.module_utils.rds import WAIT_DELAY
from ansible_collections.envmigrate.aws.plugins.module_utils.rds import check_wait_delay
from ansible_collections.envmigrate.aws.plugins.module_utils.rds import wait_for_cluster

# Options that name a CreateDBCluster parameter one to one.
CREATE_PARAMETERS = {
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "db_subnet_group_name": "DBSubnetGroupName",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "database_name": "DatabaseName",
    "master_username": "MasterUsername",
    "master_user_secret_kms_key_id": "MasterUserSecretKmsKeyId",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "backup_retention_period": "BackupRetentionPeriod",
    "preferred_backup_window": "PreferredBackupWindow",
    "enable_cloudwatch_logs_exports": "EnableCloudwatchLogsExports",
    "deletion_protection": "DeletionProtection",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "enable_http_endpoint": "EnableHttpEndpoint",
}
# Options that ModifyDBCluster sets one to one; the rest of the mutable ones need their own shape.
MODIFY_PARAMETERS = {
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "backup_retention_period": "BackupRetentionPeriod",
    "preferred_backup_window": "PreferredBackupWindow",
    "deletion_protection": "DeletionProtection",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
}
MUTABLE = list(MODIFY_PARAMETERS) + ["serverless_v2_scaling", "enable_cloudwatch_logs_exports", "enable_http_endpoint"]
CREATE_ONLY = ["engine", "db_subnet_group_name", "database_name", "master_username", "storage_encrypted"]
KMS_KEYS = ["kms_key_id", "master_user_secret_kms_key_id"]
SETTINGS = list(CREATE_PARAMETERS) + ["manage_master_user_password", "serverless_v2_scaling"]


# -- reading -------------------------------------------------------------------------------------


def log_exports(cluster):
    """The log types exported once the pending changes are applied."""
    pending = (cluster.get("PendingModifiedValues") or {}).get("PendingCloudwatchLogsExports") or {}
    exported = set(cluster.get("EnabledCloudwatchLogsExports") or [])
    return sorted((exported | set(pending.get("LogTypesToEnable") or [])) - set(pending.get("LogTypesToDisable") or []))


def scaling(configuration):
    if not configuration:
        return None
    return {"min_capacity": float(configuration["MinCapacity"]), "max_capacity": float(configuration["MaxCapacity"])}


def current_settings(cluster):
    """The cluster in the terms of this module's options, pending changes counted as done."""
    pending = cluster.get("PendingModifiedValues") or {}
    secret = cluster.get("MasterUserSecret") or {}
    groups = cluster.get("VpcSecurityGroups") or []
    return {
        "identifier": cluster["DBClusterIdentifier"],
        "engine": cluster["Engine"],
        "engine_version": pending.get("EngineVersion") or cluster.get("EngineVersion"),
        "db_subnet_group_name": cluster.get("DBSubnetGroup"),
        "vpc_security_group_ids": sorted(g["VpcSecurityGroupId"] for g in groups if g.get("Status") != "removing"),
        "database_name": cluster.get("DatabaseName"),
        "master_username": cluster.get("MasterUsername"),
        "manage_master_user_password": bool(secret),
        "master_user_secret_kms_key_id": secret.get("KmsKeyId"),
        "storage_encrypted": bool(cluster.get("StorageEncrypted")),
        "kms_key_id": cluster.get("KmsKeyId"),
        "serverless_v2_scaling": scaling(cluster.get("ServerlessV2ScalingConfiguration")),
        "backup_retention_period": pending.get("BackupRetentionPeriod", cluster.get("BackupRetentionPeriod")),
        "preferred_backup_window": cluster.get("PreferredBackupWindow"),
        "enable_cloudwatch_logs_exports": log_exports(cluster),
        "deletion_protection": bool(cluster.get("DeletionProtection")),
        "enable_http_endpoint": bool(cluster.get("HttpEndpointEnabled")),
        "copy_tags_to_snapshot": bool(cluster.get("CopyTagsToSnapshot")),
        "tags": boto3_tag_list_to_ansible_dict(cluster.get("TagList") or []),
    }


def wanted_settings(params):
    """The options that are set, normalized as current_settings() shows them."""
    wanted = {key: params[key] for key in SETTINGS if params.get(key) is not None}
    for key in ("vpc_security_group_ids", "enable_cloudwatch_logs_exports"):
        if key in wanted:
            wanted[key] = sorted(set(wanted[key]))
    if "serverless_v2_scaling" in wanted:
        wanted["serverless_v2_scaling"] = {k: float(v) for k, v in wanted["serverless_v2_scaling"].items()}
    return wanted


def cluster_result(cluster):
    if not cluster:
        return {}
    result = camel_dict_to_snake_dict(cluster, ignore_list=["TagList"])
    result["tags"] = boto3_tag_list_to_ansible_dict(result.pop("tag_list", None) or [])
    return result


# -- checking ------------------------------------------------------------------------------------


def scaling_problem(configuration):
    """Why the Serverless v2 capacity range is refused, or None."""
    low, high = configuration["min_capacity"], configuration["max_capacity"]
    got = " (got min_capacity %s, max_capacity %s)" % (low, high)
    if any(value * 2 != int(value * 2) for value in (low, high)):
        return "serverless_v2_scaling capacities must be multiples of 0.5 ACU" + got
    if not 0 <= low <= 256 or not 1 <= high <= 256:
        return "serverless_v2_scaling needs 0 <= min_capacity <= 256 and 1 <= max_capacity <= 256" + got
    if low > high:
        return "serverless_v2_scaling min_capacity %s is above max_capacity %s" % (low, high)
    return None


def check_parameters(module):
    """Refuse what can never work, before any request."""
    params = module.params
    if params["serverless_v2_scaling"]:
        problem = scaling_problem(params["serverless_v2_scaling"])
        if problem:
            module.fail_json(msg=problem)
    if params["kms_key_id"] and not params["storage_encrypted"]:
        module.fail_json(msg="kms_key_id encrypts the storage; it needs storage_encrypted=true")
    if params["master_user_secret_kms_key_id"] and not params["manage_master_user_password"]:
        module.fail_json(msg="master_user_secret_kms_key_id needs manage_master_user_password=true")


def version_parts(version):
    # Numbers compare as numbers; words such as "mysql_aurora" only ever meet their equals.
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in version.split(".")]


def major_version(engine, version):
    # Aurora MySQL majors have two parts (5.7, 8.0); Aurora PostgreSQL majors one (15, 16).
    return version_parts(version)[: 2 if engine == "aurora-mysql" else 1]


def version_change(engine, wanted, current):
    """How the cluster's version must change: "upgrade", "major upgrade", "downgrade", or None if it matches."""
    if current == wanted or current.startswith(wanted + "."):
        return None
    if version_parts(wanted) > version_parts(current):
        return "major upgrade" if major_version(engine, wanted) != major_version(engine, current) else "upgrade"
    return "downgrade" if major_version(engine, wanted) < major_version(engine, current) else None


def engine_version_change(current, wanted):
    if "engine_version" not in wanted:
        return None
    return version_change(current["engine"], wanted["engine_version"], current["engine_version"])


class KeyResolver(object):
    """KMS keys are named by ID, ARN or alias; RDS reports ARNs. Compare what they resolve to."""

    def __init__(self, module):
        self.module = module
        self.client = None

    def arn(self, key_id):
        if key_id.startswith("arn:") and ":key/" in key_id:
            return key_id
        if self.client is None:
            self.client = self.module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
        try:
            return self.client.describe_key(aws_retry=True, KeyId=key_id)["KeyMetadata"]["Arn"]
        except is_boto3_error_code(["NotFoundException", "AccessDeniedException"]):
            return key_id

    def same(self, first, second):
        return first == second or (bool(first and second) and self.arn(first) == self.arn(second))


def create_only_problems(module, current, wanted):
    """What the user asked for that RDS cannot change on an existing cluster."""
    problems = [
        "%s (is %s, wanted %s)" % (key, current[key], wanted[key])
        for key in CREATE_ONLY
        if key in wanted and current[key] != wanted[key]
    ]
    keys = KeyResolver(module)
    for key in KMS_KEYS:
        # A secret made when management is turned on takes the wanted key, so only an existing secret counts.
        existing = key == "kms_key_id" or current["manage_master_user_password"]
        if key in wanted and existing and not keys.same(current[key], wanted[key]):
            problems.append("%s (is %s, wanted %s)" % (key, current[key], wanted[key]))
    if current["manage_master_user_password"] and wanted["manage_master_user_password"] is False:
        problems.append("manage_master_user_password (turning it off needs a master password, which is never taken)")
    if engine_version_change(current, wanted) == "downgrade":
        problems.append("engine_version (is %s, wanted %s)" % (current["engine_version"], wanted["engine_version"]))
    return problems


def changed_settings(current, wanted):
    """The mutable options whose wanted value differs from the cluster's."""
    changes = {key: wanted[key] for key in MUTABLE if key in wanted and wanted[key] != current[key]}
    if engine_version_change(current, wanted):
        changes["engine_version"] = wanted["engine_version"]
    if wanted["manage_master_user_password"] and not current["manage_master_user_password"]:
        changes["manage_master_user_password"] = True
    return changes


# -- changing ------------------------------------------------------------------------------------


def wait_for(module, client, waiter_name, identifier):
    msg = "Failed while waiting (%s) for DB cluster %s" % (waiter_name, identifier)
    wait_for_cluster(module, client, waiter_name, identifier, msg, delay=module.params["wait_delay"])


def scaling_parameter(configuration):
    return {"MinCapacity": configuration["min_capacity"], "MaxCapacity": configuration["max_capacity"]}


def create_parameters(params, wanted):
    parameters = {CREATE_PARAMETERS[key]: value for key, value in wanted.items() if key in CREATE_PARAMETERS}
    parameters.update(DBClusterIdentifier=params["identifier"], ManageMasterUserPassword=True)
    if "serverless_v2_scaling" in wanted:
        parameters["ServerlessV2ScalingConfiguration"] = scaling_parameter(wanted["serverless_v2_scaling"])
    if params["tags"]:
        parameters["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    return parameters


def modify_parameters(module, current, changes):
    params = module.params
    parameters = {MODIFY_PARAMETERS[key]: value for key, value in changes.items() if key in MODIFY_PARAMETERS}
    parameters.update(DBClusterIdentifier=current["identifier"], ApplyImmediately=params["apply_immediately"])
    if "serverless_v2_scaling" in changes:
        parameters["ServerlessV2ScalingConfiguration"] = scaling_parameter(changes["serverless_v2_scaling"])
    if "enable_cloudwatch_logs_exports" in changes:
        wanted = set(changes["enable_cloudwatch_logs_exports"])
        exported = set(current["enable_cloudwatch_logs_exports"])
        parameters["CloudwatchLogsExportConfiguration"] = {
            "EnableLogTypes": sorted(wanted - exported),
            "DisableLogTypes": sorted(exported - wanted),
        }
    if "engine_version" in changes:
        parameters["EngineVersion"] = changes["engine_version"]
        if engine_version_change(current, changes) == "major upgrade":
            parameters["AllowMajorVersionUpgrade"] = True
    if "manage_master_user_password" in changes:
        parameters["ManageMasterUserPassword"] = True
        if params["master_user_secret_kms_key_id"]:
            parameters["MasterUserSecretKmsKeyId"] = params["master_user_secret_kms_key_id"]
    return parameters


def modify(module, client, cluster, current, changes):
    # The Data API of Serverless v2 and provisioned clusters has operations of its own, not ModifyDBCluster's.
    changes = dict(changes)
    http_endpoint = changes.pop("enable_http_endpoint", None)
    if changes:
        client.modify_db_cluster(aws_retry=True, **modify_parameters(module, current, changes))
    if http_endpoint is True:
        client.enable_http_endpoint(aws_retry=True, ResourceArn=cluster["DBClusterArn"])
    elif http_endpoint is False:
        client.disable_http_endpoint(aws_retry=True, ResourceArn=cluster["DBClusterArn"])


def update_tags(client, cluster, to_set, to_remove):
    arn = cluster["DBClusterArn"]
    if to_remove:
        client.remove_tags_from_resource(aws_retry=True, ResourceName=arn, TagKeys=to_remove)
    if to_set:
        client.add_tags_to_resource(aws_retry=True, ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))


def create(module, client, wanted):
    params = module.params
    if not params["master_username"]:
        module.fail_json(msg="master_username is required to create DB cluster %s" % params["identifier"])
    if not params["manage_master_user_password"]:
        module.fail_json(
            msg="DB cluster %s would need a master password, which this module never takes; "
            "create it with manage_master_user_password=true" % params["identifier"]
        )
    after = dict(wanted, identifier=params["identifier"], tags=params["tags"] or {})
    if module.check_mode:
        return True, None, {}, after
    client.create_db_cluster(aws_retry=True, **create_parameters(params, wanted))
    if params["wait"]:
        wait_for(module, client, "db_cluster_available", params["identifier"])
    cluster = describe_cluster(client, params["identifier"])
    return True, cluster, {}, current_settings(cluster)


def update(module, client, cluster):
    params = module.params
    current, wanted = current_settings(cluster), wanted_settings(params)
    problems = create_only_problems(module, current, wanted)
    if problems:
        module.fail_json(
            msg="DB cluster %s exists with settings RDS cannot change: %s. Remove it first (state=absent) "
            "or match them" % (current["identifier"], "; ".join(problems))
        )
    changes = changed_settings(current, wanted)
    to_set, to_remove = {}, []
    if params["tags"] is not None:
        to_set, to_remove = compare_aws_tags(current["tags"], params["tags"], params["purge_tags"])
    after = dict(current, **changes)
    after["tags"] = dict(((k, v) for k, v in current["tags"].items() if k not in to_remove), **to_set)
    changed = bool(changes or to_set or to_remove)
    if module.check_mode:
        return changed, cluster, current, after
    if changes:
        if cluster["Status"] != "available":
            wait_for(module, client, "db_cluster_available", current["identifier"])  # RDS refuses a busy cluster
        modify(module, client, cluster, current, changes)
    update_tags(client, cluster, to_set, to_remove)
    # Also an unchanged cluster that an earlier run left creating: wait=true means "until available".
    waited = params["wait"] and (changes or cluster["Status"] != "available")
    if waited:
        wait_for(module, client, "db_cluster_available", current["identifier"])
    if changed or waited:
        cluster = describe_cluster(client, current["identifier"])
    return changed, cluster, current, current_settings(cluster)


def ensure_present(module, client, cluster):
    if cluster is None:
        return create(module, client, wanted_settings(module.params))
    if cluster["Status"] == "deleting":
        module.fail_json(msg="DB cluster %s is being deleted; run again once it is gone" % module.params["identifier"])
    return update(module, client, cluster)


def live_members(client, cluster):
    """The cluster's DB instances that are not already being deleted."""
    if not cluster.get("DBClusterMembers"):
        return []
    filters = [{"Name": "db-cluster-id", "Values": [cluster["DBClusterIdentifier"]]}]
    instances = client.describe_db_instances(aws_retry=True, Filters=filters)["DBInstances"]
    return sorted(i["DBInstanceIdentifier"] for i in instances if i.get("DBInstanceStatus") != "deleting")


def refuse_delete(module, client, cluster):
    """Fail for what makes RDS refuse the delete, before asking it; in check mode an earlier task may fix it."""
    identifier = cluster["DBClusterIdentifier"]
    reasons = []
    if cluster.get("DeletionProtection"):
        reasons.append("it has deletion protection; turn it off first (state=present, deletion_protection=false)")
    members = live_members(client, cluster)
    if members:
        reasons.append("it still has DB instances %s; delete them first" % ", ".join(members))
    if not reasons:
        return
    msg = "Cannot delete DB cluster %s: %s" % (identifier, "; ".join(reasons))
    if not module.check_mode:
        module.fail_json(msg=msg)
    module.warn(msg)


def delete(module, client, cluster):
    params = module.params
    parameters = {
        "DBClusterIdentifier": cluster["DBClusterIdentifier"],
        "SkipFinalSnapshot": params["skip_final_snapshot"],
        "DeleteAutomatedBackups": params["delete_automated_backups"],
    }
    if not params["skip_final_snapshot"]:
        parameters["FinalDBSnapshotIdentifier"] = params["final_snapshot_identifier"]
    try:
        client.delete_db_cluster(aws_retry=True, **parameters)
    except is_boto3_error_code("DBClusterNotFoundFault"):
        return False  # gone since it was described
    except is_boto3_error_code("InvalidDBClusterStateFault") as e:  # pylint: disable=duplicate-except
        members = live_members(client, cluster)
        msg = "RDS refused to delete DB cluster %s" % cluster["DBClusterIdentifier"]
        module.fail_json_aws(e, msg=msg + (" while it has DB instances %s" % ", ".join(members) if members else ""))
    return True


def ensure_absent(module, client, cluster):
    if cluster is None:
        return False, None, {}, {}
    before = current_settings(cluster)
    if cluster["Status"] == "deleting":  # an earlier run started it
        changed, going = False, True
    else:
        refuse_delete(module, client, cluster)
        if module.check_mode:
            return True, None, before, {}
        changed = going = delete(module, client, cluster)
    if going and module.params["wait"] and not module.check_mode:
        wait_for(module, client, "db_cluster_deleted", cluster["DBClusterIdentifier"])
    return changed, None, before, {}


def main():
    argument_spec = dict(
        identifier=dict(type="str", required=True, aliases=["db_cluster_identifier"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine=dict(type="str", choices=["aurora-postgresql", "aurora-mysql"], default="aurora-postgresql"),
        engine_version=dict(type="str"),
        db_subnet_group_name=dict(type="str"),
        vpc_security_group_ids=dict(type="list", elements="str"),
        database_name=dict(type="str"),
        master_username=dict(type="str"),
        manage_master_user_password=dict(type="bool", default=True, no_log=False),
        master_user_secret_kms_key_id=dict(type="str", no_log=False),
        storage_encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str", no_log=False),
        serverless_v2_scaling=dict(
            type="dict",
            options=dict(
                min_capacity=dict(type="float", required=True),
                max_capacity=dict(type="float", required=True),
            ),
        ),
        backup_retention_period=dict(type="int"),
        preferred_backup_window=dict(type="str"),
        enable_cloudwatch_logs_exports=dict(type="list", elements="str"),
        deletion_protection=dict(type="bool", default=False),
        enable_http_endpoint=dict(type="bool"),
        copy_tags_to_snapshot=dict(type="bool"),
        skip_final_snapshot=dict(type="bool", default=True),
        final_snapshot_identifier=dict(type="str"),
        delete_automated_backups=dict(type="bool", default=True),
        apply_immediately=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        wait_delay=dict(type="int", default=WAIT_DELAY),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("skip_final_snapshot", False, ["final_snapshot_identifier"])],
    )
    check_parameters(module)
    check_wait_delay(module)
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())

    try:
        cluster = describe_cluster(client, module.params["identifier"])
        if module.params["state"] == "present":
            changed, cluster, before, after = ensure_present(module, client, cluster)
        else:
            changed, cluster, before, after = ensure_absent(module, client, cluster)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to manage DB cluster %s" % module.params["identifier"])

    module.exit_json(changed=changed, cluster=cluster_result(cluster), diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
