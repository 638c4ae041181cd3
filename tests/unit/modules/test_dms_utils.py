"""The comparisons behind the DMS modules' no-op reruns, without AWS."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.envmigrate.aws.plugins.module_utils import dms
from ansible_collections.envmigrate.aws.plugins.modules.dms_replication_task import full_load_finished

ACTUAL = {
    "TargetMetadata": {"SupportLobs": True, "LobMaxSize": 32, "FullLobMode": False},
    "Logging": {
        "EnableLogging": True,
        "CloudWatchLogGroup": "group",
        "LogComponents": [
            {"Id": "SOURCE_UNLOAD", "Severity": "LOGGER_SEVERITY_DEFAULT"},
            {"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEFAULT"},
        ],
    },
}


@pytest.mark.parametrize(
    ("wanted", "differences"),
    [
        ({}, []),
        ({"TargetMetadata": {"LobMaxSize": 32}}, []),
        ({"TargetMetadata": {"LobMaxSize": 64}}, ["TargetMetadata.LobMaxSize"]),
        ({"TargetMetadata": {"SupportLobs": 1}}, ["TargetMetadata.SupportLobs"]),  # a bool is not a number
        ({"FullLoadSettings": {"MaxFullLoadSubTasks": 8}}, ["FullLoadSettings"]),
        ({"Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEFAULT"}]}}, []),
        (
            {"Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"}]}},
            ["Logging.LogComponents[SOURCE_CAPTURE].Severity"],
        ),
        (
            {"Logging": {"LogComponents": [{"Id": "TARGET_APPLY", "Severity": "LOGGER_SEVERITY_DEFAULT"}]}},
            ["Logging.LogComponents[TARGET_APPLY]"],
        ),
    ],
)
def test_only_the_settings_the_user_set_are_compared(wanted, differences):
    assert dms.settings_differences(wanted, ACTUAL) == differences


def test_merged_settings_keep_the_rest_and_drop_read_only_keys():
    wanted = {
        "TargetMetadata": {"LobMaxSize": 64},
        "Logging": {"LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"}]},
    }
    merged = dms.merge_settings(ACTUAL, wanted)
    assert merged["TargetMetadata"] == {"SupportLobs": True, "LobMaxSize": 64, "FullLobMode": False}
    assert merged["Logging"] == {
        "EnableLogging": True,
        "LogComponents": [
            {"Id": "SOURCE_UNLOAD", "Severity": "LOGGER_SEVERITY_DEFAULT"},
            {"Id": "SOURCE_CAPTURE", "Severity": "LOGGER_SEVERITY_DEBUG"},
        ],
    }
    assert dms.settings_differences(wanted, merged) == []
    assert ACTUAL["Logging"]["CloudWatchLogGroup"] == "group"  # the input is not changed


def test_table_mappings_compare_in_any_rule_order_with_ids_as_text():
    one = {"rules": [{"rule-id": 2, "rule-name": "b"}, {"rule-id": "1", "rule-name": "a"}]}
    other = {"rules": [{"rule-id": "1", "rule-name": "a"}, {"rule-id": "2", "rule-name": "b"}]}
    assert dms.normalize_table_mappings(one) == dms.normalize_table_mappings(other)
    assert one["rules"][0]["rule-id"] == 2  # the input is not changed


def test_valid_table_mappings_of_every_rule_type():
    rules = [
        {"rule-type": "selection", "rule-action": "include", "object-locator": {"schema-name": "public"}},
        {"rule-type": "selection", "rule-action": "explicit", "object-locator": {"schema-name": "app"}},
        {"rule-type": "transformation", "rule-action": "rename"},
        {"rule-type": "table-settings"},
        {"rule-type": "post-processing"},
    ]
    assert dms.table_mapping_problems({"rules": rules}) == []


def test_every_problem_is_reported_at_once():
    rules = [{"rule-type": "selection"}, {"rule-type": "nope"}]
    assert dms.table_mapping_problems({"rules": rules}) == [
        "table_mappings rule 1 (selection) has rule-action None; expected one of include, exclude, explicit",
        "table_mappings rule 1 (selection) needs an object-locator object",
        "table_mappings rule 2 has rule-type 'nope'; expected one of selection, transformation, table-settings, "
        "post-processing",
    ]


@pytest.mark.parametrize(
    ("timeout", "delay", "expected"),
    [
        (600, 15, {"Delay": 15, "MaxAttempts": 40}),
        (1, 15, {"Delay": 0.25, "MaxAttempts": 4}),
        (20, 5, {"Delay": 5, "MaxAttempts": 4}),
    ],
)
def test_waiter_config_polls_at_least_four_times(timeout, delay, expected):
    assert dms.waiter_config(timeout, delay) == expected


def error(code, message):
    return ClientError({"Error": {"Code": code, "Message": message}}, "CreateReplicationInstance")


@pytest.mark.parametrize(
    ("code", "message", "retried"),
    [
        ("AccessDeniedFault", "The IAM Role arn:aws:iam::1:role/dms-vpc-role is not configured properly.", True),
        (
            "InvalidParameterValueException",
            "The IAM Role arn:aws:iam::1:role/dms-vpc-role is not configured properly",
            True,
        ),
        ("AccessDeniedFault", "User is not authorized to perform dms:CreateReplicationInstance", False),
        ("ResourceAlreadyExistsFault", "role/dms-vpc-role is not configured properly", False),
    ],
)
def test_only_the_dms_vpc_role_error_is_retried(code, message, retried):
    assert dms.is_vpc_role_error(error(code, message)) is retried
    assert dms.VpcRoleRetry.found(dms.VpcRoleRetry.status_code_from_exception(error(code, message))) is retried


@pytest.mark.parametrize(
    ("task", "finished"),
    [
        (
            {"MigrationType": "full-load", "Status": "stopped", "StopReason": "Stop Reason FULL_LOAD_ONLY_FINISHED"},
            True,
        ),
        (
            {"MigrationType": "full-load", "Status": "stopped", "StopReason": "Stop Reason STOPPED_AFTER_FULL_LOAD"},
            False,
        ),
        ({"MigrationType": "full-load-and-cdc", "Status": "stopped", "StopReason": "FULL_LOAD_ONLY_FINISHED"}, False),
        ({"MigrationType": "full-load", "Status": "running"}, False),
    ],
)
def test_a_finished_full_load_counts_as_done(task, finished):
    assert full_load_finished(task) is finished
