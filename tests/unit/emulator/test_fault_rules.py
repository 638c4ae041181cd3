"""Errors tests ask for: the next call of an operation answers an AWS error in its own protocol."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("service", "operation", "call", "code"),
    [
        (
            "dynamodb",
            "UpdateTable",
            lambda c: c.update_table(TableName="t", BillingMode="PAY_PER_REQUEST"),
            "AccessDeniedException",
        ),
        ("ec2", "CreateVpc", lambda c: c.create_vpc(CidrBlock="10.0.0.0/16"), "UnauthorizedOperation"),
        ("rds", "DescribeDBClusters", lambda c: c.describe_db_clusters(), "AccessDenied"),
        (
            "dms",
            "CreateReplicationInstance",
            lambda c: c.create_replication_instance(
                ReplicationInstanceIdentifier="x", ReplicationInstanceClass="dms.t3.micro"
            ),
            "AccessDeniedFault",
        ),
        ("s3", "ListBuckets", lambda c: c.list_buckets(), "AccessDenied"),
        ("lambda", "ListFunctions", lambda c: c.list_functions(), "AccessDeniedException"),
    ],
)
def test_injected_error_is_parsed_by_botocore_as_that_code(emulator, service, operation, call, code):
    emulator.inject_fault(service, operation, code, message="not for you", status=403 if service == "s3" else 400)
    client = emulator.client(service, retries={"total_max_attempts": 1})
    with pytest.raises(client.exceptions.ClientError) as raised:
        call(client)
    assert raised.value.response["Error"]["Code"] == code
    (entry,) = emulator.journal()
    assert (entry["operation"], entry["error"]) == (operation, code)


def test_count_limits_the_injection_and_reset_clears_it(emulator):
    ec2 = emulator.client("ec2", retries={"total_max_attempts": 1})
    emulator.inject_fault("ec2", "DescribeVpcs", "RequestLimitExceeded", status=503, count=2)
    for _ in range(2):
        with pytest.raises(ec2.exceptions.ClientError):
            ec2.describe_vpcs()
    ec2.describe_vpcs()  # the third call reaches moto
    emulator.inject_fault("ec2", "DescribeVpcs", "RequestLimitExceeded", status=503)
    emulator.reset()
    ec2.describe_vpcs()
