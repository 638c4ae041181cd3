"""emulator/fixes/dms_modify_endpoint.py: ModifyEndpoint changes an endpoint in place."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.unit.emulator import dms_helpers as h


def described(dms, arn: str) -> dict:
    (endpoint,) = dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [arn]}])["Endpoints"]
    return endpoint


def test_changes_what_is_named_and_keeps_the_rest(emulator):
    dms = emulator.client("dms")
    arn = h.endpoint(dms, "source", "source")
    modified = dms.modify_endpoint(EndpointArn=arn, Port=5433, ServerName="new.example.internal", SslMode="require")
    assert modified["Endpoint"]["Port"] == 5433
    endpoint = described(dms, arn)
    assert (endpoint["Port"], endpoint["ServerName"], endpoint["SslMode"]) == (5433, "new.example.internal", "require")
    assert (endpoint["DatabaseName"], endpoint["Username"]) == ("app", "migrator")
    assert "Password" not in endpoint


def test_engine_settings_merge_unless_exact(emulator):
    dms = emulator.client("dms")
    arn = h.endpoint(dms, "source", "source")
    dms.modify_endpoint(
        EndpointArn=arn, PostgreSQLSettings={"SecretsManagerSecretId": "secret", "HeartbeatEnable": True}
    )
    dms.modify_endpoint(EndpointArn=arn, PostgreSQLSettings={"HeartbeatFrequency": 5})
    assert described(dms, arn)["PostgreSQLSettings"] == {
        "SecretsManagerSecretId": "secret",
        "HeartbeatEnable": True,
        "HeartbeatFrequency": 5,
    }
    dms.modify_endpoint(EndpointArn=arn, PostgreSQLSettings={"HeartbeatFrequency": 10}, ExactSettings=True)
    assert described(dms, arn)["PostgreSQLSettings"] == {"HeartbeatFrequency": 10}


def test_rename_keeps_the_arn_and_refuses_a_taken_name(emulator):
    dms = emulator.client("dms")
    arn = h.endpoint(dms, "source", "source")
    h.endpoint(dms, "target", "target")
    dms.modify_endpoint(EndpointArn=arn, EndpointIdentifier="renamed")
    assert described(dms, arn)["EndpointIdentifier"] == "renamed"
    with pytest.raises(dms.exceptions.ResourceAlreadyExistsFault):
        dms.modify_endpoint(EndpointArn=arn, EndpointIdentifier="target")


def test_unknown_endpoint_is_resource_not_found(emulator):
    dms = emulator.client("dms")
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.modify_endpoint(EndpointArn="arn:aws:dms:us-east-1:123456789012:endpoint:MISSING", Port=1)


def test_plain_moto_cannot_modify_an_endpoint(plain_moto):
    dms = plain_moto.client("dms", retries={"max_attempts": 1})
    arn = h.endpoint(dms, "source", "source")
    with pytest.raises(ClientError) as error:
        dms.modify_endpoint(EndpointArn=arn, Port=5433)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
