"""envmigrate.aws.dms_replication_instance against the emulator: the instance read back from DMS."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.envmigrate.aws.plugins.module_utils import dms as dms_utils
from tests.unit.modules.dms_fixtures import (
    INSTANCE,
    assert_aws_error,
    operations,
    record_waiter_sleeps,
    run,
    tags,
)

MODULE = "dms_replication_instance"
VPC_ROLE_MESSAGE = "The IAM Role arn:aws:iam::123456789012:role/dms-vpc-role is not configured properly."


WANTED = {
    "identifier": INSTANCE,
    "instance_class": "dms.t3.medium",
    "allocated_storage": 50,
    "engine_version": "3.5.3",
    "multi_az": False,
    "tags": {"Environment": "unit", "Project": "envmigrate"},
}


@pytest.fixture
def wanted():
    return dict(WANTED)


@pytest.fixture
def networked(subnet_group, emulator):
    """With a subnet group and a security group (a VPC costs the emulator seconds, so not every test has one)."""
    security_group = emulator.client("ec2").describe_security_groups()["SecurityGroups"][0]["GroupId"]
    return dict(WANTED, replication_subnet_group=subnet_group, vpc_security_group_ids=[security_group])


def read_back(dms):
    (instance,) = dms.describe_replication_instances(
        Filters=[{"Name": "replication-instance-id", "Values": [INSTANCE]}]
    )["ReplicationInstances"]
    return instance


def test_creates_the_instance_and_waits_until_available(emulator, dms, networked):
    wanted = networked
    result = run(emulator, MODULE, wanted)
    assert result["changed"] is True
    instance = read_back(dms)
    assert instance["ReplicationInstanceStatus"] == "available"
    assert instance["ReplicationInstanceClass"] == "dms.t3.medium"
    assert instance["AllocatedStorage"] == 50
    assert instance["PubliclyAccessible"] is False
    assert instance["ReplicationSubnetGroup"]["ReplicationSubnetGroupIdentifier"] == wanted["replication_subnet_group"]
    assert [g["VpcSecurityGroupId"] for g in instance["VpcSecurityGroups"]] == wanted["vpc_security_group_ids"]
    assert tags(dms, instance["ReplicationInstanceArn"]) == wanted["tags"]
    returned = result["replication_instance"]
    assert returned["replication_instance_arn"] == instance["ReplicationInstanceArn"]
    assert returned["replication_instance_status"] == "available"
    assert returned["tags"] == wanted["tags"]


def test_start_without_waiting_and_wait_later(emulator, dms, wanted):
    result = run(emulator, MODULE, dict(wanted, wait=False))
    assert result["changed"] is True
    assert result["replication_instance"]["replication_instance_status"] == "creating"
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": INSTANCE})
    assert result["changed"] is False
    assert result["replication_instance"]["replication_instance_status"] == "available"
    assert emulator.mutating_requests() == []


def test_second_run_is_a_no_op_without_mutating_requests(emulator, wanted):
    run(emulator, MODULE, wanted)
    emulator.mark()
    result = run(emulator, MODULE, wanted)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []


def test_modifies_only_what_differs_and_the_tags(emulator, dms, wanted):
    run(emulator, MODULE, wanted)
    emulator.mark()
    changed = dict(wanted, instance_class="dms.r5.large", apply_immediately=True, tags={"Environment": "unit"})
    result = run(emulator, MODULE, changed)
    assert result["changed"] is True
    instance = read_back(dms)
    assert instance["ReplicationInstanceClass"] == "dms.r5.large"
    assert instance["AllocatedStorage"] == 50
    assert tags(dms, instance["ReplicationInstanceArn"]) == {"Environment": "unit"}
    assert operations(emulator.mutating_requests()) == ["ModifyReplicationInstance", "RemoveTagsFromResource"]
    assert run(emulator, MODULE, changed)["changed"] is False


def test_network_settings_no_op_and_unset_options_left_alone(emulator, networked):
    run(emulator, MODULE, networked)
    emulator.mark()
    assert run(emulator, MODULE, networked)["changed"] is False
    groups = networked["vpc_security_group_ids"]
    result = run(emulator, MODULE, {"identifier": INSTANCE, "vpc_security_group_ids": groups})
    assert result["changed"] is False
    assert emulator.mutating_requests() == []
    other = dict(networked, replication_subnet_group="other-subnets")
    result = run(emulator, MODULE, other)
    assert result["failed"] is True
    assert "replication_subnet_group is dms-subnets-unit" in result["msg"]


def test_changes_only_possible_at_creation_are_refused(emulator, wanted):
    run(emulator, MODULE, wanted)
    emulator.mark()
    result = run(emulator, MODULE, dict(wanted, publicly_accessible=True))
    assert result["failed"] is True
    assert "publicly_accessible is False" in result["msg"]
    assert "can only be set when it is created" in result["msg"]
    assert emulator.mutating_requests() == []


def test_check_mode_create_sends_nothing(emulator, dms, wanted):
    emulator.mark()
    result = run(emulator, MODULE, wanted, check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["instance_class"] == "dms.t3.medium"
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)


def test_check_mode_modify_reports_the_diff_and_sends_nothing(emulator, dms, wanted):
    run(emulator, MODULE, wanted)
    emulator.mark()
    result = run(emulator, MODULE, dict(wanted, allocated_storage=100), check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert result["diff"]["before"]["allocated_storage"] == 50
    assert result["diff"]["after"]["allocated_storage"] == 100
    assert read_back(dms)["AllocatedStorage"] == 50


def test_deletes_and_waits_until_gone(emulator, dms, wanted):
    run(emulator, MODULE, wanted)
    result = run(emulator, MODULE, {"identifier": INSTANCE, "state": "absent"}, diff=True)
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": INSTANCE, "state": "absent"})["changed"] is False
    assert emulator.mutating_requests() == []


def test_check_mode_delete_sends_nothing(emulator, dms, wanted):
    run(emulator, MODULE, wanted)
    emulator.mark()
    assert run(emulator, MODULE, {"identifier": INSTANCE, "state": "absent"}, check_mode=True)["changed"] is True
    assert emulator.mutating_requests() == []
    assert read_back(dms)["ReplicationInstanceStatus"] == "available"


def test_delete_while_a_task_uses_it_fails_clearly(emulator, task_arn):
    result = run(emulator, MODULE, {"identifier": INSTANCE, "state": "absent"})
    assert result["failed"] is True
    assert (
        "Failed to delete replication instance dms-unit (delete the replication tasks that use it first)"
        in (result["msg"])
    )
    assert result["error"]["code"] == "InvalidResourceStateFault"


def test_create_needs_an_instance_class(emulator):
    emulator.mark()
    result = run(emulator, MODULE, {"identifier": INSTANCE})
    assert result["failed"] is True
    assert "instance_class is required" in result["msg"]
    assert emulator.mutating_requests() == []


# -- AWS errors ------------------------------------------------------------------------------------


@pytest.fixture
def quick_vpc_role_retry(monkeypatch):
    monkeypatch.setattr(dms_utils, "VPC_ROLE_DELAY", 0.01)
    monkeypatch.setattr(dms_utils, "VPC_ROLE_MAX_DELAY", 0.01)


@pytest.mark.parametrize("code", ["AccessDeniedFault", "InvalidParameterValueException"])
def test_dms_vpc_role_not_ready_is_retried_until_it_works(emulator, dms, wanted, quick_vpc_role_retry, code):
    emulator.inject_fault("dms", "CreateReplicationInstance", code, message=VPC_ROLE_MESSAGE, count=2)
    emulator.mark()
    result = run(emulator, MODULE, wanted)
    assert result["changed"] is True
    assert operations(emulator.journal()).count("CreateReplicationInstance") == 3
    assert read_back(dms)["ReplicationInstanceStatus"] == "available"


def test_dms_vpc_role_never_ready_fails_after_bounded_retries(emulator, wanted, quick_vpc_role_retry):
    emulator.inject_fault("dms", "CreateReplicationInstance", "AccessDeniedFault", message=VPC_ROLE_MESSAGE, count=100)
    emulator.mark()
    result = run(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert "dms-vpc-role is not configured properly" in result["msg"]
    assert "AmazonDMSVPCManagementRole" in result["msg"]
    assert operations(emulator.journal()).count("CreateReplicationInstance") == dms_utils.VPC_ROLE_RETRIES


def test_other_access_denied_is_not_retried(emulator, wanted, quick_vpc_role_retry):
    emulator.inject_fault(
        "dms", "CreateReplicationInstance", "AccessDeniedFault", message="User is not authorized to perform dms:*"
    )
    emulator.mark()
    result = run(emulator, MODULE, wanted)
    prefix = "Failed to create replication instance dms-unit"
    message = "User is not authorized to perform dms:*"
    assert_aws_error(result, "AccessDeniedFault", "CreateReplicationInstance", prefix, message)
    assert operations(emulator.journal()).count("CreateReplicationInstance") == 1


def test_already_exists_is_reported(emulator, wanted):
    emulator.inject_fault(
        "dms", "CreateReplicationInstance", "ResourceAlreadyExistsFault", message="Replication instance exists"
    )
    result = run(emulator, MODULE, wanted)
    assert result["failed"] is True
    assert result["error"]["code"] == "ResourceAlreadyExistsFault"
    assert result["msg"].startswith("Failed to create replication instance dms-unit")


def test_not_found_while_modifying_is_reported(emulator, wanted):
    run(emulator, MODULE, wanted)
    emulator.inject_fault("dms", "ModifyReplicationInstance", "ResourceNotFoundFault", message="not found")
    result = run(emulator, MODULE, dict(wanted, allocated_storage=80))
    assert result["failed"] is True
    assert result["error"]["code"] == "ResourceNotFoundFault"
    assert result["msg"].startswith("Failed to modify replication instance dms-unit")


# -- wait_delay ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "expected"),
    [
        ({"wait_timeout": 600}, dms_utils.INSTANCE_POLL_DELAY),  # the default, as before wait_delay existed
        ({"wait_timeout": 600, "wait_delay": 2}, 2),
        ({"wait_timeout": 8, "wait_delay": 15}, 2),  # still four looks within a short timeout
    ],
)
def test_create_and_delete_wait_wait_delay_between_looks(emulator, dms, wanted, monkeypatch, wait, expected):
    waiter_sleeps = record_waiter_sleeps(monkeypatch)
    assert run(emulator, MODULE, dict(wanted, **wait))["changed"] is True
    assert read_back(dms)["ReplicationInstanceStatus"] == "available"
    assert waiter_sleeps and set(waiter_sleeps) == {expected}  # the emulator shows "creating" once
    waiter_sleeps.clear()
    assert run(emulator, MODULE, {"identifier": INSTANCE, "state": "absent", **wait})["changed"] is True
    with pytest.raises(ClientError, match="ResourceNotFoundFault"):
        read_back(dms)
    assert waiter_sleeps and set(waiter_sleeps) == {expected}


def test_wait_delay_below_one_second_is_refused_before_any_request(emulator, wanted):
    emulator.mark()
    result = run(emulator, MODULE, dict(wanted, wait_delay=0))
    assert result["failed"] is True
    assert result["msg"] == "wait_delay must be at least 1 second, got 0"
    assert emulator.journal() == []
