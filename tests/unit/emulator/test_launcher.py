"""The emulator launcher: ready line, journal, clean exit on signals."""

from __future__ import annotations

import json
import signal
import socket

import pytest

from tests.harness.emulator import Emulator
from tests.harness.ports import free_port


def test_ready_line_names_the_endpoint(emulator):
    assert emulator.endpoint.startswith("http://127.0.0.1:")
    assert "ready" in emulator.output()


def test_answers_as_aws_after_ready(emulator):
    identity = emulator.client("sts").get_caller_identity()
    assert identity["Account"] == "123456789012"


def test_reset_gives_a_clean_account(emulator):
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    emulator.reset()
    assert vpc_id not in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]


def test_journal_records_service_operation_mutating_and_status(emulator):
    ec2 = emulator.client("ec2")
    ec2.describe_vpcs()
    ec2.create_vpc(CidrBlock="10.1.0.0/16")
    with pytest.raises(ec2.exceptions.ClientError):
        ec2.delete_vpc(VpcId="vpc-00000000")
    entries = emulator.journal()
    assert [(e["service"], e["operation"], e["mutating"]) for e in entries] == [
        ("ec2", "DescribeVpcs", False),
        ("ec2", "CreateVpc", True),
        ("ec2", "DeleteVpc", True),
    ]
    assert [e["status"] for e in entries][:2] == [200, 200]
    assert entries[2]["status"] >= 400
    assert entries[2]["error"] == "InvalidVpcID.NotFound"


def test_a_followed_journal_returns_what_was_answered_since_the_mark_reading_each_line_once(emulator):
    read = emulator.follow_journal()
    ec2 = emulator.client("ec2")
    ec2.describe_vpcs()
    assert [e["operation"] for e in read()] == ["DescribeVpcs"]
    emulator.reset()  # a moto-api request: not part of the journal
    ec2.describe_subnets()
    assert [e["operation"] for e in read()] == ["DescribeVpcs", "DescribeSubnets"]
    assert read() == emulator.journal(since_start=True)[-2:]


def test_a_followed_journal_leaves_a_line_being_written_for_the_next_read(tmp_path):
    reader = Emulator.__new__(Emulator)  # only its journal file: no process
    reader.journal_path, reader._mark = tmp_path / "journal.jsonl", 0
    read = reader.follow_journal()
    assert read() == []
    entry = {"service": "ec2", "operation": "CreateVpc"}
    line = json.dumps(entry).encode() + b"\n"
    with open(reader.journal_path, "ab") as journal:
        journal.write(line + line[:10])
    assert read() == [entry]
    with open(reader.journal_path, "ab") as journal:
        journal.write(line[10:])
    assert read() == [entry, entry]


@pytest.mark.parametrize(
    ("service", "call", "operation", "mutating"),
    [
        ("dynamodb", lambda c: c.list_tables(), "ListTables", False),  # JSON protocol (X-Amz-Target)
        ("codedeploy", lambda c: c.list_applications(), "ListApplications", False),  # JSON, preferred to CBOR
        ("cloudwatch", lambda c: c.describe_alarms(), "DescribeAlarms", False),  # signing name "monitoring"
        ("elbv2", lambda c: c.describe_load_balancers(), "DescribeLoadBalancers", False),  # query protocol
        ("rds", lambda c: c.describe_db_clusters(), "DescribeDBClusters", False),
        ("lambda", lambda c: c.list_functions(), "ListFunctions", False),  # REST JSON
        ("route53", lambda c: c.list_hosted_zones(), "ListHostedZones", False),  # REST XML
        ("s3", lambda c: c.create_bucket(Bucket="journal-test"), "CreateBucket", True),
    ],
)
def test_journal_names_operations_of_every_protocol(emulator, service, call, operation, mutating):
    call(emulator.client(service))
    (entry,) = emulator.journal()
    assert (entry["service"], entry["operation"], entry["mutating"]) == (service, operation, mutating)


def test_journal_tells_s3_object_operations_apart(emulator):
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="objects")
    s3.put_object(Bucket="objects", Key="a/b.txt", Body=b"x")
    s3.copy_object(Bucket="objects", Key="c.txt", CopySource={"Bucket": "objects", "Key": "a/b.txt"})
    s3.get_object(Bucket="objects", Key="a/b.txt")
    s3.delete_object(Bucket="objects", Key="a/b.txt")
    assert [e["operation"] for e in emulator.journal()] == [
        "CreateBucket",
        "PutObject",
        "CopyObject",
        "GetObject",
        "DeleteObject",
    ]


def test_moto_managed_policies_are_loaded(emulator):
    policy = emulator.client("iam").get_policy(
        PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )
    assert policy["Policy"]["PolicyName"] == "AmazonECSTaskExecutionRolePolicy"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_exits_cleanly_on_signal_and_frees_the_port(sig):
    process = Emulator()
    port = int(process.endpoint.rsplit(":", 1)[1])
    assert process.stop(sig) == 0
    assert "stopped" in process.output()
    assert "Traceback" not in process.output()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again
    process.cleanup()


def test_port_option_is_honoured():
    port = free_port()
    process = Emulator(port=port)
    try:
        assert process.endpoint == f"http://127.0.0.1:{port}"
        assert process.client("sts").get_caller_identity()["Account"]
    finally:
        process.cleanup()


def test_journal_records_operations_moto_does_not_implement(plain_moto):
    ec2 = plain_moto.client("ec2", retries={"max_attempts": 1})
    with pytest.raises(Exception):  # noqa: B017 - an HTML 500 page, which botocore cannot even parse
        ec2.enable_vgw_route_propagation(GatewayId="vgw-12345678", RouteTableId="rtb-12345678")
    (entry,) = plain_moto.journal()
    assert (entry["operation"], entry["status"], entry["mutating"]) == ("EnableVgwRoutePropagation", 500, True)


@pytest.mark.parametrize(
    ("sql", "mutating"),
    [
        ("SELECT rolname FROM pg_roles WHERE rolname = :name", False),
        ("  select 1;  ", False),
        ("SHOW server_version", False),
        ("CREATE ROLE dms LOGIN", True),
        ("SELECT 1; DROP ROLE dms", True),  # a second statement may change anything
        ("WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone", True),
    ],
)
def test_data_api_statements_that_only_select_do_not_count_as_mutating(sql, mutating):
    from emulator.requests import _is_read_only_sql

    assert _is_read_only_sql(json.dumps({"sql": sql}).encode()) is (not mutating)
