# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Code shared by the envmigrate.aws DMS modules.

Lookups by identifier or ARN, tags, waiting with botocore's own DMS waiters,
the bounded retry for the dms-vpc-role error, stopping and resuming the tasks
that block a change, and the normalization that makes reruns no-ops (table
mappings and task settings compared as documents, not strings).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

try:
    import botocore
    from botocore.waiter import WaiterModel, create_waiter_with_client
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# Tasks in these states hold their endpoints and settings: AWS refuses ModifyReplicationTask and
# ModifyEndpoint until they are stopped.
TASK_ACTIVE_STATES = ("starting", "running", "stopping", "resuming")
# States from which ModifyReplicationTask is accepted.
TASK_MODIFIABLE_STATES = ("ready", "stopped", "failed")

# Seconds between two polls of a waiter; a short wait_timeout polls more often (see waiter_config).
# The instance and task delays are the defaults of their modules' wait_delay option.
INSTANCE_POLL_DELAY = 15
TASK_POLL_DELAY = 15
ENDPOINT_POLL_DELAY = 5
MIN_WAIT_DELAY = 1  # a faster poll only burns API calls, which DMS throttles

# The dms-vpc-role (or its policy) is eventually consistent: right after IAM creates it, DMS
# answers CreateReplicationInstance with "The IAM Role arn:aws:iam::...:role/dms-vpc-role is not
# configured properly". It settles within a minute or so; anything longer is a real misconfiguration.
VPC_ROLE_MESSAGE = re.compile(r"role/dms-vpc-role is not configured properly")
VPC_ROLE_ERROR_CODES = ("AccessDeniedFault", "InvalidParameterValueException")
VPC_ROLE_NOT_READY = "DmsVpcRoleNotReady"
VPC_ROLE_RETRIES = 8
VPC_ROLE_DELAY = 5
VPC_ROLE_MAX_DELAY = 30

# Task settings that AWS fills in itself and refuses on create or modify.
READ_ONLY_TASK_SETTINGS = {"Logging": ("CloudWatchLogGroup", "CloudWatchLogStream")}
TABLE_MAPPING_RULE_TYPES = ("selection", "transformation", "table-settings", "post-processing")
SELECTION_RULE_ACTIONS = ("include", "exclude", "explicit")

# DMS resources by kind: (describe operation, result key, identifier filter, ARN filter, ARN key).
KINDS = {
    "replication instance": (
        "describe_replication_instances",
        "ReplicationInstances",
        "replication-instance-id",
        "replication-instance-arn",
        "ReplicationInstanceArn",
    ),
    "endpoint": ("describe_endpoints", "Endpoints", "endpoint-id", "endpoint-arn", "EndpointArn"),
    "replication task": (
        "describe_replication_tasks",
        "ReplicationTasks",
        "replication-task-id",
        "replication-task-arn",
        "ReplicationTaskArn",
    ),
}

# A waiter of our own, in botocore's waiter format, for the one wait botocore has none for:
# ReplicationTaskReady fails on "modifying", the state a task passes through after
# ModifyReplicationTask before it is ready or stopped again.
TASK_NOT_MODIFYING = {
    "version": 2,
    "waiters": {
        "ReplicationTaskNotModifying": {
            "operation": "DescribeReplicationTasks",
            "delay": TASK_POLL_DELAY,
            "maxAttempts": 60,
            "acceptors": [
                {
                    "state": "retry",
                    "matcher": "pathAny",
                    "argument": "ReplicationTasks[].Status",
                    "expected": "modifying",
                },
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(ReplicationTasks[?Status != 'modifying']) > `0`",
                    "expected": True,
                },
            ],
        }
    },
}


def dms_client(module):
    return module.client("dms", retry_decorator=AWSRetry.jittered_backoff())


def is_arn(value):
    return value.startswith("arn:")


# -- lookups ---------------------------------------------------------------------------------


def describe(client, kind, value):
    """The description of one DMS resource by identifier or ARN, or None when there is none."""
    operation, key, id_filter, arn_filter, dummy = KINDS[kind]
    filters = [{"Name": arn_filter if is_arn(value) else id_filter, "Values": [value]}]
    try:
        found = getattr(client, operation)(aws_retry=True, Filters=filters)[key]
    except is_boto3_error_code("ResourceNotFoundFault"):
        return None
    return found[0] if found else None


def resolve_arn(module, client, kind, value):
    """The ARN of a resource named by ARN or identifier; fails clearly when there is none.

    In check mode a missing resource may be one an earlier task would have created, so the value
    stands in for its ARN instead.
    """
    if is_arn(value):
        return value
    found = describe(client, kind, value)
    if found is not None:
        return found[KINDS[kind][4]]
    if module.check_mode:
        return value
    module.fail_json(msg=f"The {kind} {value} does not exist")


def tasks_using(client, filter_name, arn):
    """Replication tasks whose endpoint (or instance) is ``arn``."""
    try:
        return client.describe_replication_tasks(
            aws_retry=True, Filters=[{"Name": filter_name, "Values": [arn]}], WithoutSettings=True
        )["ReplicationTasks"]
    except is_boto3_error_code("ResourceNotFoundFault"):
        return []


# -- tags --------------------------------------------------------------------------------------


def get_tags(client, arn):
    tags = client.list_tags_for_resource(aws_retry=True, ResourceArn=arn)["TagList"]
    return boto3_tag_list_to_ansible_dict(tags)


def tag_changes(current, desired, purge):
    """(tags to set, keys to remove); nothing when the user did not pass tags."""
    if desired is None:
        return {}, []
    return compare_aws_tags(current, desired, purge_tags=purge)


def apply_tags(client, arn, to_set, to_remove):
    if to_remove:
        client.remove_tags_from_resource(aws_retry=True, ResourceArn=arn, TagKeys=to_remove)
    if to_set:
        client.add_tags_to_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))


def tags_after(current, to_set, to_remove):
    return dict(((k, v) for k, v in current.items() if k not in to_remove), **to_set)


def create_tags(tags):
    return ansible_dict_to_boto3_tag_list(tags) if tags else None


# -- waiting -------------------------------------------------------------------------------------


def check_wait_delay(module):
    """Refuse a wait_delay below MIN_WAIT_DELAY, before any request."""
    if module.params["wait_delay"] < MIN_WAIT_DELAY:
        module.fail_json(msg=f"wait_delay must be at least {MIN_WAIT_DELAY} second, got {module.params['wait_delay']}")


def waiter_config(timeout, delay):
    """Poll every ``delay`` seconds, and at least four times when ``timeout`` is short."""
    delay = min(delay, max(timeout / 4.0, 0.1))
    return {"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))}


def wait_for(module, client, waiter_name, kind, arn, timeout, delay):
    """Wait with botocore's DMS waiter ``waiter_name`` for the resource ``arn``."""
    filters = [{"Name": KINDS[kind][3], "Values": [arn]}]
    waiter = client.get_waiter(waiter_name)
    try:
        waiter.wait(Filters=filters, WaiterConfig=waiter_config(timeout, delay))
    except botocore.exceptions.WaiterError as e:
        module.fail_json_aws(e, msg=f"Failed while waiting ({waiter_name}) for the {kind} {arn}")


def wait_for_task(module, client, waiter_name, arn, timeout, delay=TASK_POLL_DELAY):
    wait_for(module, client, waiter_name, "replication task", arn, timeout, delay)


def wait_not_modifying(module, client, arn, timeout, delay=TASK_POLL_DELAY):
    """Wait until a modified task is ready or stopped again (botocore has no waiter for it)."""
    raw = getattr(client, "client", client)  # the waiter needs botocore's own client
    waiter = create_waiter_with_client(
        "ReplicationTaskNotModifying", WaiterModel(copy.deepcopy(TASK_NOT_MODIFYING)), raw
    )
    filters = [{"Name": "replication-task-arn", "Values": [arn]}]
    try:
        waiter.wait(Filters=filters, WaiterConfig=waiter_config(timeout, delay))
    except botocore.exceptions.WaiterError as e:
        module.fail_json_aws(e, msg=f"Failed while waiting for replication task {arn} to finish modifying")


def connections(client, endpoint_arn, instance_arn=None):
    filters = [{"Name": "endpoint-arn", "Values": [endpoint_arn]}]
    if instance_arn:
        filters.append({"Name": "replication-instance-arn", "Values": [instance_arn]})
    return client.describe_connections(aws_retry=True, Filters=filters)["Connections"]


def wait_for_connection(module, client, endpoint_arn, instance_arn, timeout):
    """Wait with TestConnectionSucceeds; a failed test fails with DMS's own reason."""
    filters = [
        {"Name": "endpoint-arn", "Values": [endpoint_arn]},
        {"Name": "replication-instance-arn", "Values": [instance_arn]},
    ]
    try:
        client.get_waiter("test_connection_succeeds").wait(
            Filters=filters, WaiterConfig=waiter_config(timeout, ENDPOINT_POLL_DELAY)
        )
    except botocore.exceptions.WaiterError as e:
        tested = (e.last_response or {}).get("Connections") or [{}]
        reason = tested[0].get("LastFailureMessage") or str(e)
        module.fail_json(
            msg=f"Connection test of endpoint {endpoint_arn} from {instance_arn} did not succeed: {reason}",
            connection=tested[0],
        )


# -- the dms-vpc-role retry ----------------------------------------------------------------------


def is_vpc_role_error(error):
    details = error.response.get("Error", {})
    return details.get("Code") in VPC_ROLE_ERROR_CODES and bool(VPC_ROLE_MESSAGE.search(details.get("Message", "")))


class VpcRoleRetry(AWSRetry):
    """AWSRetry that retries only the dms-vpc-role error, recognised by code and message."""

    @staticmethod
    def status_code_from_exception(error):
        return VPC_ROLE_NOT_READY if is_vpc_role_error(error) else AWSRetry.status_code_from_exception(error)

    @staticmethod
    def found(response_code, catch_extra_error_codes=None):
        # Throttling is already retried by the client's own decorator inside this one.
        return response_code == VPC_ROLE_NOT_READY


def retry_vpc_role(call):
    """``call`` retried with a bounded jittered backoff while the dms-vpc-role is not ready."""
    return VpcRoleRetry.jittered_backoff(retries=VPC_ROLE_RETRIES, delay=VPC_ROLE_DELAY, max_delay=VPC_ROLE_MAX_DELAY)(
        call
    )


def vpc_role_hint(error):
    if not is_vpc_role_error(error):
        return ""
    return (
        " (after %d attempts: create the IAM role dms-vpc-role, trusted by dms.amazonaws.com, with the managed "
        "policy AmazonDMSVPCManagementRole attached)" % VPC_ROLE_RETRIES
    )


# -- tasks that block a change -----------------------------------------------------------------


def stop_task(module, client, task, timeout):
    """Stop a task and wait until it is stopped (a starting task is first waited for)."""
    arn = task["ReplicationTaskArn"]
    if task["Status"] in ("starting", "resuming"):
        wait_for_task(module, client, "replication_task_running", arn, timeout)
    if task["Status"] != "stopping":
        client.stop_replication_task(aws_retry=True, ReplicationTaskArn=arn)
    wait_for_task(module, client, "replication_task_stopped", arn, timeout)


def resume_task(module, client, arn, timeout):
    client.start_replication_task(aws_retry=True, ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    wait_for_task(module, client, "replication_task_running", arn, timeout)


# -- JSON documents: table mappings and task settings --------------------------------------------


def parse_document(module, name, value):
    """A JSON option (dict or JSON text) as a dict; None stays None."""
    if value is None or isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except ValueError as e:
        module.fail_json(msg=f"{name} is not valid JSON: {e}")
    if not isinstance(parsed, dict):
        module.fail_json(msg=f"{name} must be a JSON object, not {type(parsed).__name__}")
    return parsed


def loads_or_empty(text):
    try:
        parsed = json.loads(text or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def table_mapping_problems(mappings):
    """Why DMS would refuse these table mappings (or run a task that selects nothing)."""
    rules = mappings.get("rules")
    if not isinstance(rules, list) or not rules:
        return ["table_mappings must have a non-empty 'rules' list"]
    problems = []
    for number, rule in enumerate(rules, start=1):
        problems.extend(rule_problems(number, rule))
    if not problems and not any(rule.get("rule-type") == "selection" for rule in rules):
        problems.append("table_mappings must have at least one selection rule")
    return problems


def rule_problems(number, rule):
    where = f"table_mappings rule {number}"
    if not isinstance(rule, dict):
        return [f"{where} must be an object"]
    rule_type = rule.get("rule-type")
    if rule_type not in TABLE_MAPPING_RULE_TYPES:
        return [f"{where} has rule-type {rule_type!r}; expected one of {', '.join(TABLE_MAPPING_RULE_TYPES)}"]
    if rule_type != "selection":
        return []
    problems = []
    if rule.get("rule-action") not in SELECTION_RULE_ACTIONS:
        problems.append(
            f"{where} (selection) has rule-action {rule.get('rule-action')!r}; "
            f"expected one of {', '.join(SELECTION_RULE_ACTIONS)}"
        )
    if not isinstance(rule.get("object-locator"), dict):
        problems.append(f"{where} (selection) needs an object-locator object")
    return problems


def normalize_table_mappings(mappings):
    """Table mappings as DMS means them: rules identified by rule-id, in any order, ids as text."""
    normalized = copy.deepcopy(mappings or {})
    rules = []
    for rule in normalized.get("rules", []):
        for key in ("rule-id", "rule-name"):
            if key in rule:
                rule[key] = str(rule[key])
        rules.append(rule)
    normalized["rules"] = sorted(rules, key=lambda r: (str(r.get("rule-id", "")), json.dumps(r, sort_keys=True)))
    return normalized


def settings_differences(wanted, actual, path=""):
    """Paths of the settings the user set that differ; AWS's own additions are not compared.

    Lists of objects with an ``Id`` (Logging.LogComponents) are compared as sets keyed by Id.
    """
    if isinstance(wanted, dict):
        if not isinstance(actual, dict):
            return [path or "(root)"]
        found = []
        for key, value in wanted.items():
            found.extend(settings_differences(value, actual.get(key), f"{path}.{key}" if path else key))
        return found
    if _is_id_list(wanted):
        actual_by_id = (
            {item.get("Id"): item for item in actual if isinstance(item, dict)} if isinstance(actual, list) else {}
        )
        found = []
        for item in wanted:
            found.extend(settings_differences(item, actual_by_id.get(item["Id"]), f"{path}[{item['Id']}]"))
        return found
    return [] if _same_scalar(wanted, actual) else [path]


def _is_id_list(value):
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "Id" in i for i in value)


def _same_scalar(wanted, actual):
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return wanted is actual
    return wanted == actual


def merge_settings(actual, wanted):
    """The task's settings with the user's on top (log components merged by Id), minus read-only ones.

    Sending the whole merged document keeps what the user did not set as it is on the task.
    """
    merged = _merge(copy.deepcopy(actual or {}), wanted)
    for section, keys in READ_ONLY_TASK_SETTINGS.items():
        for key in keys:
            if isinstance(merged.get(section), dict):
                merged[section].pop(key, None)
    return merged


def _merge(actual, wanted):
    if isinstance(wanted, dict) and isinstance(actual, dict):
        for key, value in wanted.items():
            actual[key] = _merge(actual.get(key), value)
        return actual
    if _is_id_list(wanted) and isinstance(actual, list):
        by_id = dict((item.get("Id"), item) for item in actual if isinstance(item, dict))
        for item in wanted:
            by_id[item["Id"]] = _merge(by_id.get(item["Id"]), item)
        return list(by_id.values())
    return copy.deepcopy(wanted)
