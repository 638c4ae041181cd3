"""emulator/fixes/dms_test_connection_repeat.py: TestConnection can be run again for the same pair."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.unit.emulator import dms_helpers as h


def test_repeated_test_connection_tests_again(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator, with_task=False)
    pair = {"ReplicationInstanceArn": setup.instance_arn, "EndpointArn": setup.source_arn}
    assert dms.test_connection(**pair)["Connection"]["Status"] == "testing"
    (connection,) = dms.describe_connections()["Connections"]
    assert connection["Status"] == "successful"
    assert connection["EndpointIdentifier"] == "source"

    assert dms.test_connection(**pair)["Connection"]["Status"] == "testing"
    assert [c["Status"] for c in dms.describe_connections()["Connections"]] == ["successful"]


def test_unknown_endpoint_is_resource_not_found(emulator):
    dms = emulator.client("dms")
    setup = h.migration(emulator, with_task=False)
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.test_connection(ReplicationInstanceArn=setup.instance_arn, EndpointArn=setup.source_arn + "X")


def test_plain_moto_fails_on_the_second_test(plain_moto):
    dms = plain_moto.client("dms", retries={"max_attempts": 1})
    setup = h.migration(plain_moto, with_task=False)
    dms.test_connection(ReplicationInstanceArn=setup.instance_arn, EndpointArn=setup.source_arn)
    with pytest.raises(ClientError) as error:
        dms.test_connection(ReplicationInstanceArn=setup.instance_arn, EndpointArn=setup.source_arn)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
