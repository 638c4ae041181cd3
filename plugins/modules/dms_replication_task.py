#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dms_replication_task
version_added: 0.1.0
short_description: Create, modify, start, stop and delete AWS DMS replication tasks
description:
  - Creates an AWS Database Migration Service replication task, changes what differs on an existing one with
    C(ModifyReplicationTask), starts or stops it, and deletes it.
  - O(table_mappings) and O(task_settings) are compared as documents, not as text. Of the task settings only the
    keys the user set are compared (AWS fills in all the others), recursively; logging components
    (C(Logging.LogComponents)) are compared by their C(Id), in any order. A second run reports C(changed=false).
  - O(table_mappings) is checked before any request - an object with a non-empty C(rules) list, each rule of a
    known C(rule-type), selection rules with a C(rule-action) and an C(object-locator).
  - AWS modifies a task only while it is not running. By default a change to a running task fails with a message
    that says so; O(modify_running=stop_modify_resume) stops the task, modifies it and resumes it.
  - The replication instance and the endpoints of an existing task cannot be changed; a difference fails.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  identifier:
    description: The replication task identifier.
    type: str
    required: true
    aliases: [replication_task_identifier]
  state:
    description:
      - V(present) creates or modifies the task and leaves it as it is running or not.
      - V(running) also starts it (or resumes it) and waits until it runs. A V(full-load) task that has finished its
        load counts as done and is not started again unless O(start_type) is given.
      - V(stopped) also stops it and waits until it is stopped. A task that never ran counts as stopped.
      - V(absent) deletes it, stopping it first when it runs.
    type: str
    choices: [present, absent, running, stopped]
    default: present
  replication_instance:
    description: ARN or identifier of the replication instance. Required to create a task.
    type: str
    aliases: [replication_instance_arn]
  source_endpoint:
    description: ARN or identifier of the source endpoint. Required to create a task.
    type: str
    aliases: [source_endpoint_arn]
  target_endpoint:
    description: ARN or identifier of the target endpoint. Required to create a task.
    type: str
    aliases: [target_endpoint_arn]
  migration_type:
    description: What the task migrates. Required to create a task.
    type: str
    choices: [full-load, cdc, full-load-and-cdc]
  table_mappings:
    description:
      - The table mappings, as a dictionary or as JSON text. Required to create a task.
      - See U(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.html).
    type: json
  task_settings:
    description:
      - Task settings, as a dictionary or as JSON text. Only the keys given are compared and changed; the rest
        of the task's settings stay as they are.
      - C(Logging.CloudWatchLogGroup) and C(Logging.CloudWatchLogStream) are set by AWS and cannot be given.
    type: json
    aliases: [replication_task_settings]
  start_type:
    description:
      - How O(state=running) starts the task.
      - When unset, a task that never ran is started with V(start-replication) and any other with
        V(resume-processing).
      - V(reload-target) loads everything again.
    type: str
    choices: [start-replication, resume-processing, reload-target]
  modify_running:
    description:
      - What to do when the task must be modified while it runs.
      - V(fail) fails with a message, changing nothing.
      - V(stop_modify_resume) stops the task, modifies it, and resumes it (unless O(state=stopped)).
    type: str
    choices: [fail, stop_modify_resume]
    default: fail
  wait:
    description:
      - Whether to wait until the task is ready after creation, running, stopped or deleted.
      - Starting a new task and the stop before a modification or deletion always wait, as AWS needs it.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait for each step.
    type: int
    default: 900
  wait_delay:
    description:
      - Seconds between two looks while waiting (for each step).
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
- name: Full load and change data capture of the public schema
  envmigrate.aws.dms_replication_task:
    identifier: dms-task-dev
    replication_instance: dms-dev
    source_endpoint: dms-source-dev
    target_endpoint: dms-target-dev
    migration_type: full-load-and-cdc
    table_mappings:
      rules:
        - rule-type: selection
          rule-id: "1"
          rule-name: public
          object-locator:
            schema-name: public
            table-name: "%"
          rule-action: include
    task_settings:
      TargetMetadata:
        SupportLobs: true
        LimitedSizeLobMode: true
        LobMaxSize: 32
      ValidationSettings:
        EnableValidation: true
      Logging:
        EnableLogging: true
        LogComponents:
          - Id: SOURCE_CAPTURE
            Severity: LOGGER_SEVERITY_DEFAULT
    tags:
      Environment: dev

- name: Start it and wait until it runs
  envmigrate.aws.dms_replication_task:
    identifier: dms-task-dev
    state: running

- name: Change a setting of the running task, pausing it meanwhile
  envmigrate.aws.dms_replication_task:
    identifier: dms-task-dev
    task_settings:
      ChangeProcessingTuning:
        BatchApplyEnabled: true
    modify_running: stop_modify_resume

- name: Stop it (cutover)
  envmigrate.aws.dms_replication_task:
    identifier: dms-task-dev
    state: stopped

- name: Remove it
  envmigrate.aws.dms_replication_task:
    identifier: dms-task-dev
    state: absent
"""

RETURN = r"""
replication_task:
  description:
    - The task as DescribeReplicationTasks shows it, with its tags; table mappings and settings as dictionaries.
    - In check mode, the task as it would be. Empty after deletion.
  returned: always
  type: dict
  contains:
    replication_task_identifier:
      description: Identifier of the task.
      type: str
      sample: dms-task-dev
    replication_task_arn:
      description: ARN of the task.
      type: str
      sample: arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ
    status:
      description: Status of the task.
      type: str
      sample: running
    migration_type:
      description: What the task migrates.
      type: str
      sample: full-load-and-cdc
    replication_instance_arn:
      description: ARN of the replication instance.
      type: str
    source_endpoint_arn:
      description: ARN of the source endpoint.
      type: str
    target_endpoint_arn:
      description: ARN of the target endpoint.
      type: str
    table_mappings:
      description: The table mappings.
      type: dict
      sample: {"rules": [{"rule-type": "selection", "rule-id": "1", "rule-action": "include"}]}
    replication_task_settings:
      description: All settings of the task, AWS defaults included.
      type: dict
    stop_reason:
      description: Why the task stopped.
      type: str
      sample: Stop Reason FULL_LOAD_ONLY_FINISHED
    last_failure_message:
      description: The last error of the task.
      type: str
    replication_task_stats:
      description: Progress of the task.
      type: dict
      sample: {"full_load_progress_percent": 100, "tables_loaded": 12, "tables_errored": 0}
    tags:
      description: Tags of the task.
      type: dict
      sample: {"Environment": "dev"}
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

import json

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters

from ansible_collections.envmigrate.aws.plugins.module_utils import dms

KIND = "replication task"
# option -> (kind of resource it names, key of the task)
REFERENCES = {
    "replication_instance": ("replication instance", "ReplicationInstanceArn"),
    "source_endpoint": ("endpoint", "SourceEndpointArn"),
    "target_endpoint": ("endpoint", "TargetEndpointArn"),
}
FULL_LOAD_FINISHED = "FULL_LOAD_ONLY_FINISHED"


class ReplicationTask:
    def __init__(self, module, table_mappings, task_settings):
        self.module = module
        self.params = module.params
        self.identifier = module.params["identifier"]
        self.table_mappings = table_mappings
        self.task_settings = task_settings
        self.client = dms.dms_client(module)
        self.timeout = module.params["wait_timeout"]
        self.delay = module.params["wait_delay"]

    def current(self):
        return dms.describe(self.client, KIND, self.identifier)

    # -- comparing ----------------------------------------------------------------------------------
    def modifications(self, raw):
        """ModifyReplicationTask parameters for what differs."""
        changes = {}
        if self.params["migration_type"] and self.params["migration_type"] != raw.get("MigrationType"):
            changes["MigrationType"] = self.params["migration_type"]
        if self.table_mappings is not None and dms.normalize_table_mappings(
            self.table_mappings
        ) != dms.normalize_table_mappings(dms.loads_or_empty(raw.get("TableMappings"))):
            changes["TableMappings"] = json.dumps(self.table_mappings)
        actual_settings = dms.loads_or_empty(raw.get("ReplicationTaskSettings"))
        if self.task_settings and dms.settings_differences(self.task_settings, actual_settings):
            changes["ReplicationTaskSettings"] = json.dumps(dms.merge_settings(actual_settings, self.task_settings))
        return changes

    def reference_conflicts(self, raw):
        """Instance and endpoints named differently from the task's: AWS cannot change them."""
        conflicts = []
        for option, (kind, key) in REFERENCES.items():
            if self.params[option] is None:
                continue
            arn = dms.resolve_arn(self.module, self.client, kind, self.params[option])
            if arn != raw.get(key):
                conflicts.append(f"{option} is {raw.get(key)}")
        return conflicts

    # -- changing -------------------------------------------------------------------------------------
    def create(self):
        missing = [o for o in (*REFERENCES, "migration_type", "table_mappings") if self.params[o] is None]
        if missing:
            self.module.fail_json(msg=f"To create replication task {self.identifier} set {', '.join(missing)}")
        params = {
            key: dms.resolve_arn(self.module, self.client, kind, self.params[o])
            for o, (kind, key) in REFERENCES.items()
        }
        params.update(
            ReplicationTaskIdentifier=self.identifier,
            MigrationType=self.params["migration_type"],
            TableMappings=json.dumps(self.table_mappings),
            ReplicationTaskSettings=json.dumps(self.task_settings) if self.task_settings else None,
            Tags=dms.create_tags(self.params["tags"]),
        )
        if self.module.check_mode:
            return dict(params, Status="creating")
        try:
            return self.client.create_replication_task(aws_retry=True, **scrub_none_parameters(params))[
                "ReplicationTask"
            ]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "create")

    def modify(self, raw, changes, stopped_for_it=False):
        try:
            self.client.modify_replication_task(aws_retry=True, ReplicationTaskArn=raw["ReplicationTaskArn"], **changes)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(
                e, "modify", hint=" (it was stopped for the change and is still stopped)" if stopped_for_it else ""
            )
        dms.wait_not_modifying(self.module, self.client, raw["ReplicationTaskArn"], self.timeout, self.delay)

    def start(self, raw, start_type):
        try:
            self.client.start_replication_task(
                aws_retry=True, ReplicationTaskArn=raw["ReplicationTaskArn"], StartReplicationTaskType=start_type
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "start")

    def stop(self, raw):
        try:
            dms.stop_task(self.module, self.client, raw, self.timeout)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "stop")

    def delete(self, raw):
        try:
            self.client.delete_replication_task(aws_retry=True, ReplicationTaskArn=raw["ReplicationTaskArn"])
        except is_boto3_error_code("ResourceNotFoundFault"):
            return False  # deleted meanwhile
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "delete")
        return True

    def fail(self, error, action, hint=""):
        self.module.fail_json_aws(error, msg=f"Failed to {action} replication task {self.identifier}{hint}")

    def wait(self, waiter, raw):
        dms.wait_for_task(self.module, self.client, waiter, raw["ReplicationTaskArn"], self.timeout, self.delay)

    def wait_running(self, raw):
        """Wait until the task runs; a full-load task may already have finished and stopped, which is fine."""
        try:
            self.client.get_waiter("replication_task_running").wait(
                Filters=[{"Name": "replication-task-arn", "Values": [raw["ReplicationTaskArn"]]}],
                WaiterConfig=dms.waiter_config(self.timeout, self.delay),
            )
        except botocore.exceptions.WaiterError as e:
            if not full_load_finished(self.current() or {}):
                self.module.fail_json_aws(e, msg=f"Replication task {self.identifier} did not reach running")


def full_load_finished(raw):
    return (
        raw.get("MigrationType") == "full-load"
        and raw.get("Status") == "stopped"
        and FULL_LOAD_FINISHED in (raw.get("StopReason") or "")
    )


def view(raw, tags):
    """The managed settings, for the diff."""
    if not raw:
        return {}
    return {
        "identifier": raw["ReplicationTaskIdentifier"],
        "status": raw.get("Status"),
        "migration_type": raw.get("MigrationType"),
        "replication_instance_arn": raw.get("ReplicationInstanceArn"),
        "source_endpoint_arn": raw.get("SourceEndpointArn"),
        "target_endpoint_arn": raw.get("TargetEndpointArn"),
        "table_mappings": dms.normalize_table_mappings(dms.loads_or_empty(raw.get("TableMappings"))),
        "task_settings": dms.loads_or_empty(raw.get("ReplicationTaskSettings")),
        "tags": tags,
    }


def described(raw, tags):
    if not raw:
        return {}
    documents = {
        "table_mappings": dms.loads_or_empty(raw.get("TableMappings")),
        "replication_task_settings": dms.loads_or_empty(raw.get("ReplicationTaskSettings")),
    }
    plain = dict((k, v) for k, v in raw.items() if k not in ("TableMappings", "ReplicationTaskSettings"))
    # Documents and tags after the conversion, which would rewrite their keys.
    return dict(camel_dict_to_snake_dict(plain), tags=tags, **documents)


class Run:
    """One run of the module: the task as it was, as it is now, and whether anything changed."""

    def __init__(self, task):
        self.task = task
        self.module = task.module
        self.check_mode = task.module.check_mode
        self.changed = False
        self.raw = task.current()
        self.tags = dms.get_tags(task.client, self.raw["ReplicationTaskArn"]) if self.raw else {}
        self.before = view(self.raw, self.tags)

    def refresh(self):
        if not self.check_mode and self.raw:
            self.raw = self.task.current()
            self.tags = dms.get_tags(self.task.client, self.raw["ReplicationTaskArn"]) if self.raw else {}

    def result(self):
        return dict(
            changed=self.changed,
            replication_task=described(self.raw, self.tags),
            diff={"before": self.before, "after": view(self.raw, self.tags)},
        )

    # -- present --------------------------------------------------------------------------------------
    def ensure_present(self):
        if self.raw is None or self.raw.get("Status") == "deleting":
            return self.create()
        conflicts = self.task.reference_conflicts(self.raw)
        if conflicts:
            self.module.fail_json(
                msg=f"Replication task {self.task.identifier} exists with {', '.join(conflicts)}; AWS cannot "
                "change the instance or endpoints of a task. Delete the task and create it again"
            )
        changes = self.task.modifications(self.raw)
        to_set, to_remove = dms.tag_changes(self.tags, self.task.params["tags"], self.task.params["purge_tags"])
        self.changed = bool(changes or to_set or to_remove)
        if changes:
            self.apply_modifications(changes)
        elif self.raw["Status"] == "creating" and self.task.params["wait"] and not self.check_mode:
            self.task.wait("replication_task_ready", self.raw)  # created earlier without waiting
        if not self.check_mode:
            dms.apply_tags(self.task.client, self.raw["ReplicationTaskArn"], to_set, to_remove)
        self.tags = dms.tags_after(self.tags, to_set, to_remove)
        self.refresh()

    def create(self):
        self.changed = True
        if self.raw is not None and not self.check_mode:
            self.task.wait("replication_task_deleted", self.raw)  # the identifier is taken until it is gone
        self.raw = self.task.create()
        self.tags = self.task.params["tags"] or {}
        # A new task cannot start before it is ready.
        if not self.check_mode and (self.task.params["wait"] or self.task.params["state"] == "running"):
            self.task.wait("replication_task_ready", self.raw)
            self.refresh()

    def apply_modifications(self, changes):
        status = self.raw["Status"]
        resume = False
        if status in dms.TASK_ACTIVE_STATES:
            if self.task.params["state"] != "stopped" and self.task.params["modify_running"] == "fail":
                self.module.fail_json(
                    msg=f"Replication task {self.task.identifier} is {status}; AWS modifies a task only when it is "
                    f"not running (changes: {', '.join(sorted(changes))}). Stop it first (state=stopped), or set "
                    "modify_running=stop_modify_resume"
                )
            resume = self.task.params["state"] != "stopped"
        if self.check_mode:
            self.raw = dict(self.raw, **changes)
            return
        if status in dms.TASK_ACTIVE_STATES:
            self.task.stop(self.raw)
        elif status == "creating":
            self.task.wait("replication_task_ready", self.raw)
        elif status == "modifying":
            dms.wait_not_modifying(
                self.module, self.task.client, self.raw["ReplicationTaskArn"], self.task.timeout, self.task.delay
            )
        self.task.modify(self.raw, changes, stopped_for_it=resume)
        if resume:
            self.task.start(self.raw, "resume-processing")
            self.task.wait_running(self.raw)

    # -- running / stopped ----------------------------------------------------------------------------
    def ensure_running(self):
        status = self.raw["Status"]
        start_type = self.task.params["start_type"]
        if status in ("running", "starting", "resuming") or (full_load_finished(self.raw) and not start_type):
            if status != "running" and self.task.params["wait"] and not self.check_mode:
                self.task.wait_running(self.raw)
                self.refresh()
            return
        self.changed = True
        if self.check_mode:
            self.raw = dict(self.raw, Status="running")
            return
        if status == "stopping":
            self.task.wait("replication_task_stopped", self.raw)
        elif status == "creating":
            self.task.wait("replication_task_ready", self.raw)
        never_ran = not self.raw.get("ReplicationTaskStartDate")
        self.task.start(self.raw, start_type or ("start-replication" if never_ran else "resume-processing"))
        if self.task.params["wait"]:
            self.task.wait_running(self.raw)
        self.refresh()

    def ensure_stopped(self):
        status = self.raw["Status"]
        if status not in dms.TASK_ACTIVE_STATES:
            return
        self.changed = status != "stopping"
        if self.check_mode:
            self.raw = dict(self.raw, Status="stopped")
            return
        if self.task.params["wait"] or status in ("starting", "resuming"):
            self.task.stop(self.raw)  # a starting task can only be stopped once it runs
        elif status == "running":
            self.task.client.stop_replication_task(aws_retry=True, ReplicationTaskArn=self.raw["ReplicationTaskArn"])
        self.refresh()

    # -- absent ---------------------------------------------------------------------------------------
    def ensure_absent(self):
        if self.raw is None:
            return
        self.changed = self.raw.get("Status") != "deleting"
        if self.check_mode:
            self.raw, self.tags = None, {}
            return
        if self.raw["Status"] in dms.TASK_ACTIVE_STATES:
            self.task.stop(self.raw)  # AWS does not delete a running task
        if self.changed:
            self.changed = self.task.delete(self.raw)
        if self.task.params["wait"]:
            self.task.wait("replication_task_deleted", self.raw)
        self.raw, self.tags = None, {}


def parse_documents(module):
    """Table mappings and task settings as dicts, checked before any request is sent."""
    mappings = dms.parse_document(module, "table_mappings", module.params["table_mappings"])
    if mappings is not None:
        problems = dms.table_mapping_problems(mappings)
        if problems:
            module.fail_json(msg="Invalid table_mappings: " + "; ".join(problems), problems=problems)
    settings = dms.parse_document(module, "task_settings", module.params["task_settings"])
    read_only = [
        f"{section}.{key}"
        for section, keys in dms.READ_ONLY_TASK_SETTINGS.items()
        for key in keys
        if key in ((settings or {}).get(section) or {})
    ]
    if read_only:
        module.fail_json(msg=f"task_settings cannot set {', '.join(read_only)}: AWS sets them")
    return mappings, settings


def main():
    argument_spec = dict(
        identifier=dict(type="str", required=True, aliases=["replication_task_identifier"]),
        state=dict(type="str", choices=["present", "absent", "running", "stopped"], default="present"),
        replication_instance=dict(type="str", aliases=["replication_instance_arn"]),
        source_endpoint=dict(type="str", aliases=["source_endpoint_arn"]),
        target_endpoint=dict(type="str", aliases=["target_endpoint_arn"]),
        migration_type=dict(type="str", choices=["full-load", "cdc", "full-load-and-cdc"]),
        table_mappings=dict(type="json"),
        task_settings=dict(type="json", aliases=["replication_task_settings"]),
        start_type=dict(type="str", choices=["start-replication", "resume-processing", "reload-target"]),
        modify_running=dict(type="str", choices=["fail", "stop_modify_resume"], default="fail"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        wait_delay=dict(type="int", default=dms.TASK_POLL_DELAY),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    dms.check_wait_delay(module)
    mappings, settings = parse_documents(module)
    task = ReplicationTask(module, mappings, settings)
    state = module.params["state"]
    try:
        run = Run(task)
        if state == "absent":
            run.ensure_absent()
        else:
            run.ensure_present()
        if state == "running":
            run.ensure_running()
        elif state == "stopped":
            run.ensure_stopped()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage replication task {task.identifier}")
    module.exit_json(**run.result())


if __name__ == "__main__":
    main()
