"""DMS endpoints report EndpointType in capitals, as AWS does."""

from __future__ import annotations


def _create(emulator):
    return emulator.client("dms").create_endpoint(
        EndpointIdentifier="src", EndpointType="source", EngineName="postgres"
    )["Endpoint"]


def test_endpoint_type_is_reported_in_capitals(emulator):
    assert _create(emulator)["EndpointType"] == "SOURCE"
    (endpoint,) = emulator.client("dms").describe_endpoints()["Endpoints"]
    assert endpoint["EndpointType"] == "SOURCE"


def test_plain_moto_echoes_the_lowercase_input(plain_moto):
    assert _create(plain_moto)["EndpointType"] == "source"
