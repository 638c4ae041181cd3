"""envmigrate.aws.dms_replication_instance_info lists what DMS has."""

from __future__ import annotations

from tests.harness.module import run_module

MODULE = "dms_replication_instance_info"


def _instance(emulator, identifier):
    emulator.client("dms").create_replication_instance(
        ReplicationInstanceIdentifier=identifier, ReplicationInstanceClass="dms.t3.micro", PubliclyAccessible=False
    )


def test_lists_every_instance_or_one(emulator):
    _instance(emulator, "dms-a")
    _instance(emulator, "dms-b")
    every = run_module(emulator, MODULE, {})
    assert every["changed"] is False
    assert sorted(i["replication_instance_identifier"] for i in every["replication_instances"]) == ["dms-a", "dms-b"]
    (one,) = run_module(emulator, MODULE, {"identifier": "dms-b"})["replication_instances"]
    assert (one["replication_instance_identifier"], one["publicly_accessible"]) == ("dms-b", False)


def test_nothing_is_an_empty_list(emulator):
    assert run_module(emulator, MODULE, {})["replication_instances"] == []
    assert run_module(emulator, MODULE, {"identifier": "none"})["replication_instances"] == []


def test_access_denied_is_reported(emulator):
    emulator.inject_fault("dms", "DescribeReplicationInstances", "AccessDeniedFault", message="no dms:Describe*")
    result = run_module(emulator, MODULE, {})
    assert result["failed"] is True
    assert "Failed to list DMS replication instances" in result["msg"]
