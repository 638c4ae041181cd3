"""emulator/fixes/dms_describe_not_found.py: filters that match nothing answer ResourceNotFoundFault."""

from __future__ import annotations

import pytest

from tests.unit.emulator import dms_helpers as h

DESCRIBES = [
    ("describe_endpoints", "endpoint-id", "Endpoints"),
    ("describe_replication_instances", "replication-instance-id", "ReplicationInstances"),
    ("describe_replication_tasks", "replication-task-id", "ReplicationTasks"),
]


@pytest.mark.parametrize(("operation", "filter_name", "key"), DESCRIBES)
def test_filter_on_missing_identifier_is_resource_not_found(emulator, operation, filter_name, key):
    dms = emulator.client("dms")
    h.migration(emulator)
    describe = getattr(dms, operation)
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        describe(Filters=[{"Name": filter_name, "Values": ["missing"]}])
    assert describe()[key]  # the existing resources are still there


@pytest.mark.parametrize(("operation", "filter_name", "key"), DESCRIBES)
def test_no_filter_on_an_empty_account_is_an_empty_list(emulator, operation, filter_name, key):
    assert getattr(emulator.client("dms"), operation)()[key] == []


@pytest.mark.parametrize(("operation", "filter_name", "key"), DESCRIBES)
def test_plain_moto_answers_an_empty_list(plain_moto, operation, filter_name, key):
    answer = getattr(plain_moto.client("dms"), operation)(Filters=[{"Name": filter_name, "Values": ["missing"]}])
    assert answer[key] == []
