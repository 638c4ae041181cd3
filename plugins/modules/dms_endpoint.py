#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envmigrate.aws contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dms_endpoint
version_added: 0.1.0
short_description: Create, modify, test and delete AWS DMS endpoints
description:
  - Creates an AWS Database Migration Service source or target endpoint, changes what differs on an existing one
    with C(ModifyEndpoint), optionally tests the connection from a replication instance, and deletes it.
  - Database credentials are never options of this module. A PostgreSQL endpoint reads host, port, user and
    password from a Secrets Manager secret named in O(postgresql_settings), which DMS reads with the role in
    O(postgresql_settings.secrets_manager_access_role_arn).
  - Compares only what the user set (PostgreSQL settings key by key, since AWS adds its defaults), so a second
    run reports C(changed=false).
  - AWS does not modify an endpoint while a replication task that uses it runs. O(running_task_action) decides
    whether the module fails, naming the tasks, or stops them, modifies the endpoint and resumes them.
  - Unlike M(community.aws.dms_endpoint) it accepts every DMS engine name (V(aurora-postgresql) included),
    manages tags through the tagging API, and waits with botocore's DMS waiters.
author:
  - envmigrate.aws contributors (!UNKNOWN)
options:
  identifier:
    description: The endpoint identifier.
    type: str
    required: true
    aliases: [endpoint_identifier]
  state:
    description: Whether the endpoint should exist.
    type: str
    choices: [present, absent]
    default: present
  endpoint_type:
    description:
      - Whether DMS reads from (V(source)) or writes to (V(target)) the endpoint.
      - Required to create an endpoint; when unset, an existing endpoint keeps its type.
    type: str
    choices: [source, target]
  engine_name:
    description:
      - The DMS engine name, for example V(postgres), V(aurora-postgresql), V(mysql), V(s3).
      - Required to create an endpoint; when unset, an existing endpoint keeps its engine.
    type: str
  database_name:
    description: Name of the database on the endpoint.
    type: str
  server_name:
    description:
      - Host name of the database server.
      - Not with O(postgresql_settings.secrets_manager_secret_id), whose secret must hold the host. DMS cannot use the
        master user secret that RDS manages for Aurora, which holds no host; create a user and a secret for DMS.
    type: str
  port:
    description:
      - Port of the database server.
      - Not with O(postgresql_settings.secrets_manager_secret_id), whose secret must hold the port.
    type: int
  ssl_mode:
    description:
      - How DMS encrypts the connection.
      - When unset, a new endpoint gets V(require) and an existing endpoint keeps its mode.
    type: str
    choices: [none, require, verify-ca, verify-full]
  certificate_arn:
    description:
      - ARN of the DMS certificate that verifies the server, for O(ssl_mode=verify-ca) or O(ssl_mode=verify-full).
    type: str
  postgresql_settings:
    description:
      - Settings of a V(postgres) or V(aurora-postgresql) endpoint. Only the settings given are compared and sent.
    type: dict
    suboptions:
      secrets_manager_secret_id:
        description: Name or ARN of the Secrets Manager secret with the connection details and credentials.
        type: str
      secrets_manager_access_role_arn:
        description: ARN of the IAM role that lets DMS read the secret.
        type: str
      heartbeat_enable:
        description: Whether DMS writes heartbeats to the source, so idle sources do not hold WAL.
        type: bool
      heartbeat_frequency:
        description: Minutes between heartbeats.
        type: int
      heartbeat_schema:
        description: Schema that holds the heartbeat table.
        type: str
      slot_name:
        description: Name of an existing logical replication slot for change data capture.
        type: str
      plugin_name:
        description: The logical decoding plugin of the replication slot.
        type: str
        choices: [no-preference, test-decoding, pglogical]
      capture_ddls:
        description: Whether DMS creates the DDL capture artifacts on the source.
        type: bool
      ddl_artifacts_schema:
        description: Schema for the DDL capture artifacts.
        type: str
      map_boolean_as_boolean:
        description: Whether PostgreSQL booleans migrate as booleans rather than strings.
        type: bool
  test_connection:
    description:
      - Test the connection from this replication instance to the endpoint and wait until it succeeds
        (botocore's C(TestConnectionSucceeds) waiter); fails with DMS's reason when the test fails.
      - The test runs when the endpoint was created or changed, or when the last test of the pair did not succeed,
        so an unchanged endpoint is not tested again. It is skipped in check mode.
    type: dict
    suboptions:
      replication_instance_arn:
        description: ARN or identifier of the replication instance to test from.
        type: str
        required: true
        aliases: [replication_instance]
  running_task_action:
    description:
      - What to do when a change needs C(ModifyEndpoint) while a replication task that uses the endpoint runs.
      - V(fail) fails with a message that names the tasks, changing nothing.
      - V(stop_modify_resume) stops the tasks, modifies the endpoint, waits for the connection tests that AWS starts
        after a modification, and resumes the tasks.
    type: str
    choices: [fail, stop_modify_resume]
    default: fail
  wait:
    description:
      - Whether to wait until the endpoint is deleted.
      - Stopping and resuming tasks with O(running_task_action=stop_modify_resume) always waits.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait for each step.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: On-premises PostgreSQL source, credentials in Secrets Manager
  envmigrate.aws.dms_endpoint:
    identifier: dms-source-dev
    endpoint_type: source
    engine_name: postgres
    database_name: app
    ssl_mode: require
    postgresql_settings:
      secrets_manager_secret_id: "{{ source_secret_arn }}"
      secrets_manager_access_role_arn: "{{ dms_secrets_role_arn }}"
      heartbeat_enable: true
      heartbeat_frequency: 5
    test_connection:
      replication_instance_arn: "{{ replication_instance_arn }}"
    tags:
      Environment: dev

- name: Aurora PostgreSQL target
  envmigrate.aws.dms_endpoint:
    identifier: dms-target-dev
    endpoint_type: target
    engine_name: aurora-postgresql
    database_name: app
    postgresql_settings:
      secrets_manager_secret_id: "{{ aurora_secret_arn }}"
      secrets_manager_access_role_arn: "{{ dms_secrets_role_arn }}"

- name: Point the source at another secret, pausing the running task meanwhile
  envmigrate.aws.dms_endpoint:
    identifier: dms-source-dev
    endpoint_type: source
    engine_name: postgres
    postgresql_settings:
      secrets_manager_secret_id: "{{ new_secret_arn }}"
      secrets_manager_access_role_arn: "{{ dms_secrets_role_arn }}"
    running_task_action: stop_modify_resume

- name: Remove it
  envmigrate.aws.dms_endpoint:
    identifier: dms-source-dev
    state: absent
"""

RETURN = r"""
endpoint:
  description:
    - The endpoint as DescribeEndpoints shows it, with its tags (DMS never returns passwords).
    - In check mode, the endpoint as it would be. Empty after deletion.
  returned: always
  type: dict
  contains:
    endpoint_identifier:
      description: Identifier of the endpoint.
      type: str
      sample: dms-source-dev
    endpoint_arn:
      description: ARN of the endpoint.
      type: str
      sample: arn:aws:dms:us-east-1:123456789012:endpoint:ABCDEFGHIJKLMNOPQRSTUVWXYZ
    endpoint_type:
      description: Source or target, as AWS writes it.
      type: str
      sample: SOURCE
    engine_name:
      description: The engine.
      type: str
      sample: postgres
    database_name:
      description: The database.
      type: str
      sample: app
    ssl_mode:
      description: The SSL mode.
      type: str
      sample: require
    status:
      description: Status of the endpoint.
      type: str
      sample: active
    postgre_sql_settings:
      description: The PostgreSQL settings, AWS defaults included.
      type: dict
      sample: {"secrets_manager_secret_id": "arn:aws:secretsmanager:us-east-1:123456789012:secret:src-AbCdEf"}
    tags:
      description: Tags of the endpoint.
      type: dict
      sample: {"Environment": "dev"}
connection:
  description: The last connection test of the endpoint from O(test_connection.replication_instance_arn).
  returned: when O(test_connection) is set and not in check mode
  type: dict
  contains:
    status:
      description: Outcome of the test.
      type: str
      sample: successful
    last_failure_message:
      description: Why the last test failed.
      type: str
      sample: ""
    replication_instance_arn:
      description: The replication instance the test ran from.
      type: str
resumed_tasks:
  description:
    - Identifiers of the replication tasks stopped for the change and resumed.
    - In check mode, the tasks that would be.
  returned: with O(running_task_action=stop_modify_resume)
  type: list
  elements: str
  sample: [dms-task-dev]
"""

try:
    import botocore
except ImportError:
    pass  # caught by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters

from ansible_collections.envmigrate.aws.plugins.module_utils import dms

KIND = "endpoint"
POSTGRES_ENGINES = ("postgres", "aurora-postgresql")
DEFAULT_SSL_MODE = "require"
# option -> DescribeEndpoints / ModifyEndpoint key, compared when the option is set
PLAIN_SETTINGS = {
    "engine_name": "EngineName",
    "database_name": "DatabaseName",
    "server_name": "ServerName",
    "port": "Port",
    "ssl_mode": "SslMode",
    "certificate_arn": "CertificateArn",
}


class Endpoint:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.identifier = module.params["identifier"]
        self.client = dms.dms_client(module)

    def current(self):
        return dms.describe(self.client, KIND, self.identifier)

    def wanted_postgresql_settings(self):
        settings = scrub_none_parameters(self.params["postgresql_settings"] or {})
        return snake_dict_to_camel_dict(settings, capitalize_first=True) if settings else None

    def modifications(self, raw):
        """ModifyEndpoint parameters for what differs from what the user set."""
        changes = {}
        wanted_type = self.params["endpoint_type"]
        if wanted_type and (raw.get("EndpointType") or "").lower() != wanted_type:
            changes["EndpointType"] = wanted_type
        for option, key in PLAIN_SETTINGS.items():
            if self.params[option] is not None and self.params[option] != raw.get(key):
                changes[key] = self.params[option]
        wanted = self.wanted_postgresql_settings()
        if wanted and dms.settings_differences(wanted, raw.get("PostgreSQLSettings") or {}):
            changes["PostgreSQLSettings"] = wanted  # AWS merges these into the endpoint's settings
        return changes

    def create(self):
        params = scrub_none_parameters(
            {
                "EndpointIdentifier": self.identifier,
                "EndpointType": self.params["endpoint_type"],
                "EngineName": self.params["engine_name"],
                "DatabaseName": self.params["database_name"],
                "ServerName": self.params["server_name"],
                "Port": self.params["port"],
                "SslMode": self.params["ssl_mode"] or DEFAULT_SSL_MODE,
                "CertificateArn": self.params["certificate_arn"],
                "PostgreSQLSettings": self.wanted_postgresql_settings(),
                "Tags": dms.create_tags(self.params["tags"]),
            }
        )
        try:
            return self.client.create_endpoint(aws_retry=True, **params)["Endpoint"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, "create")

    def modify(self, raw, changes, paused=()):
        try:
            self.client.modify_endpoint(aws_retry=True, EndpointArn=raw["EndpointArn"], **changes)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            names = ", ".join(task["ReplicationTaskIdentifier"] for task in paused)
            self.fail(
                e,
                "modify",
                hint=f" (replication task(s) {names} were stopped for it and are still stopped)" if paused else "",
            )

    def delete(self, raw):
        try:
            self.client.delete_endpoint(aws_retry=True, EndpointArn=raw["EndpointArn"])
        except is_boto3_error_code("ResourceNotFoundFault"):
            return False  # deleted meanwhile
        except is_boto3_error_code("InvalidResourceStateFault") as e:
            self.fail(e, "delete", hint=" (delete the replication tasks that use it first)")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, "delete")
        return True

    def fail(self, error, action, hint=""):
        self.module.fail_json_aws(error, msg=f"Failed to {action} endpoint {self.identifier}{hint}")

    def running_tasks(self, raw):
        tasks = dms.tasks_using(self.client, "endpoint-arn", raw["EndpointArn"])
        return [task for task in tasks if task["Status"] in dms.TASK_ACTIVE_STATES]


def view(raw, tags):
    """The endpoint's settings, for the diff (AWS spells the endpoint type in capitals)."""
    if raw is None:
        return {}
    return {
        "identifier": raw["EndpointIdentifier"],
        "endpoint_type": (raw.get("EndpointType") or "").lower(),
        "engine_name": raw.get("EngineName"),
        "database_name": raw.get("DatabaseName"),
        "server_name": raw.get("ServerName"),
        "port": raw.get("Port"),
        "ssl_mode": raw.get("SslMode"),
        "certificate_arn": raw.get("CertificateArn"),
        "postgresql_settings": camel_dict_to_snake_dict(raw.get("PostgreSQLSettings") or {}),
        "tags": tags,
    }


def described(raw, tags):
    if not raw:
        return {}
    result = camel_dict_to_snake_dict(raw)
    result["tags"] = tags  # after the conversion, which would rewrite tag keys
    return result


def predicted(raw, changes):
    """The endpoint as it will be after ``changes`` (PostgreSQL settings merge key by key)."""
    after = dict(raw, **changes)
    if "PostgreSQLSettings" in changes:
        after["PostgreSQLSettings"] = dict(raw.get("PostgreSQLSettings") or {}, **changes["PostgreSQLSettings"])
    return after


def ensure_present(endpoint, raw):
    module = endpoint.module
    params = module.params
    result = {}
    if raw is None:
        tags = params["tags"] or {}
        if module.check_mode:
            new = predicted(
                {"EndpointIdentifier": endpoint.identifier, "Status": "creating"}, endpoint_changes(endpoint)
            )
            return dict(changed=True, before={}, after=view(new, tags), endpoint=described(new, tags))
        missing = [option for option in ("endpoint_type", "engine_name") if not params[option]]
        if missing:
            module.fail_json(msg=f"To create endpoint {endpoint.identifier} set {', '.join(missing)}")
        raw = endpoint.create()
        changed, before = True, {}
    else:
        tags = dms.get_tags(endpoint.client, raw["EndpointArn"])
        before = view(raw, tags)
        changes = endpoint.modifications(raw)
        to_set, to_remove = dms.tag_changes(tags, params["tags"], params["purge_tags"])
        changed = bool(changes or to_set or to_remove)
        paused = endpoint.running_tasks(raw) if changes else []
        if paused:
            result["resumed_tasks"] = refuse_or_pause(endpoint, paused)
        if module.check_mode:
            after_tags = dms.tags_after(tags, to_set, to_remove)
            new = predicted(raw, changes)
            return dict(
                result, changed=changed, before=before, after=view(new, after_tags), endpoint=described(new, after_tags)
            )
        apply_changes(endpoint, raw, changes, paused)
        dms.apply_tags(endpoint.client, raw["EndpointArn"], to_set, to_remove)
        if paused:
            resume(endpoint, raw, paused)

    raw = endpoint.current()
    tags = dms.get_tags(endpoint.client, raw["EndpointArn"])
    if params["test_connection"]:
        result["connection"] = test_connection(endpoint, raw, changed)
    return dict(result, changed=changed, before=before, after=view(raw, tags), endpoint=described(raw, tags))


def endpoint_changes(endpoint):
    """Everything the user set, as ModifyEndpoint would name it (the check-mode view of a new endpoint)."""
    return dict(endpoint.modifications({}), SslMode=endpoint.params["ssl_mode"] or DEFAULT_SSL_MODE)


def refuse_or_pause(endpoint, tasks):
    names = ", ".join(task["ReplicationTaskIdentifier"] for task in tasks)
    if endpoint.params["running_task_action"] == "fail":
        endpoint.module.fail_json(
            msg=(
                f"Endpoint {endpoint.identifier} is used by running replication task(s) {names}; AWS does not modify "
                "an endpoint while a task that uses it runs. Stop the task(s) first, or set "
                "running_task_action=stop_modify_resume"
            )
        )
    return [task["ReplicationTaskIdentifier"] for task in tasks]


def apply_changes(endpoint, raw, changes, paused):
    timeout = endpoint.params["wait_timeout"]
    for task in paused:
        dms.stop_task(endpoint.module, endpoint.client, task, timeout)
    if changes:
        endpoint.modify(raw, changes, paused)


def resume(endpoint, raw, paused):
    """Resume the stopped tasks once the connection tests that AWS starts after ModifyEndpoint are done;
    a task does not start while its endpoint is being tested."""
    timeout = endpoint.params["wait_timeout"]
    for task in paused:
        instance_arn = task["ReplicationInstanceArn"]
        testing = dms.connections(endpoint.client, raw["EndpointArn"], instance_arn)
        if any(connection["Status"] == "testing" for connection in testing):
            dms.wait_for_connection(endpoint.module, endpoint.client, raw["EndpointArn"], instance_arn, timeout)
        dms.resume_task(endpoint.module, endpoint.client, task["ReplicationTaskArn"], timeout)


def test_connection(endpoint, raw, changed):
    module = endpoint.module
    instance = module.params["test_connection"]["replication_instance_arn"]
    instance_arn = dms.resolve_arn(module, endpoint.client, "replication instance", instance)
    last = dms.connections(endpoint.client, raw["EndpointArn"], instance_arn)
    status = last[0]["Status"] if last else None
    if status == "successful" and not changed:
        return camel_dict_to_snake_dict(last[0])
    # A test that is running (AWS starts one after ModifyEndpoint) is waited for, not started again.
    if status != "testing":
        try:
            endpoint.client.test_connection(
                aws_retry=True, ReplicationInstanceArn=instance_arn, EndpointArn=raw["EndpointArn"]
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to test endpoint {endpoint.identifier} from {instance}")
    dms.wait_for_connection(module, endpoint.client, raw["EndpointArn"], instance_arn, module.params["wait_timeout"])
    return camel_dict_to_snake_dict(dms.connections(endpoint.client, raw["EndpointArn"], instance_arn)[0])


def ensure_absent(endpoint, raw):
    module = endpoint.module
    if raw is None:
        return dict(changed=False, before={}, after={}, endpoint={})
    before = view(raw, dms.get_tags(endpoint.client, raw["EndpointArn"]))
    changed = raw.get("Status") != "deleting"
    if not module.check_mode:
        if changed:
            changed = endpoint.delete(raw)
        if module.params["wait"]:
            dms.wait_for(
                module,
                endpoint.client,
                "endpoint_deleted",
                KIND,
                raw["EndpointArn"],
                module.params["wait_timeout"],
                dms.ENDPOINT_POLL_DELAY,
            )
    return dict(changed=changed, before=before, after={}, endpoint={})


def validate(module):
    params = module.params
    secret = (params["postgresql_settings"] or {}).get("secrets_manager_secret_id")
    if secret and (params["server_name"] or params["port"]):
        module.fail_json(
            msg="server_name and port come from the Secrets Manager secret; do not set them with "
            "postgresql_settings.secrets_manager_secret_id. DMS needs host and port in the secret, so it cannot use "
            "the master user secret that RDS manages for Aurora: create a database user and a secret for DMS"
        )
    if params["postgresql_settings"] and params["engine_name"] and params["engine_name"] not in POSTGRES_ENGINES:
        module.fail_json(
            msg="postgresql_settings apply to engine_name %s only, not %s"
            % (" or ".join(POSTGRES_ENGINES), params["engine_name"])
        )


def main():
    postgresql_settings = dict(
        secrets_manager_secret_id=dict(type="str", no_log=False),
        secrets_manager_access_role_arn=dict(type="str", no_log=False),
        heartbeat_enable=dict(type="bool"),
        heartbeat_frequency=dict(type="int"),
        heartbeat_schema=dict(type="str"),
        slot_name=dict(type="str"),
        plugin_name=dict(type="str", choices=["no-preference", "test-decoding", "pglogical"]),
        capture_ddls=dict(type="bool"),
        ddl_artifacts_schema=dict(type="str"),
        map_boolean_as_boolean=dict(type="bool"),
    )
    argument_spec = dict(
        identifier=dict(type="str", required=True, aliases=["endpoint_identifier"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        endpoint_type=dict(type="str", choices=["source", "target"]),
        engine_name=dict(type="str"),
        database_name=dict(type="str"),
        server_name=dict(type="str"),
        port=dict(type="int"),
        ssl_mode=dict(type="str", choices=["none", "require", "verify-ca", "verify-full"]),
        certificate_arn=dict(type="str"),
        postgresql_settings=dict(
            type="dict",
            options=postgresql_settings,
            required_together=[("secrets_manager_secret_id", "secrets_manager_access_role_arn")],
        ),
        test_connection=dict(
            type="dict",
            options=dict(
                replication_instance_arn=dict(type="str", required=True, aliases=["replication_instance"]),
            ),
        ),
        running_task_action=dict(type="str", choices=["fail", "stop_modify_resume"], default="fail"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    endpoint = Endpoint(module)
    try:
        raw = endpoint.current()
        ensure = ensure_present if module.params["state"] == "present" else ensure_absent
        result = ensure(endpoint, raw)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage endpoint {endpoint.identifier}")
    before, after = result.pop("before"), result.pop("after")
    module.exit_json(diff={"before": before, "after": after}, **result)


if __name__ == "__main__":
    main()
