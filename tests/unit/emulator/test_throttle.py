"""``--throttle RATE``: a fraction of requests get the service's own throttling error, reproducibly with ``--seed``."""

from __future__ import annotations

import re
import subprocess

import botocore.model
import pytest
from botocore.retries.standard import ExponentialBackoff

from emulator.__main__ import parse_args
from tests.harness.emulator import ROOT, Emulator

# botocore reads "max_attempts" as retries (1 means two requests); "total_max_attempts" counts the first one.
NO_RETRIES = {"retries": {"mode": "standard", "total_max_attempts": 1}}
STANDARD_RETRIES = {"retries": {"mode": "standard", "max_attempts": 10}}


def shorten_backoff(monkeypatch) -> None:
    """botocore's own backoff, a hundred times shorter: a throttled retry waits up to seconds otherwise."""
    original = ExponentialBackoff.delay_amount
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: original(self, context) / 100)


@pytest.fixture
def quick_backoff(monkeypatch):
    shorten_backoff(monkeypatch)


def describe_100_times(seed: int) -> list[tuple]:
    """Journal (operation, status, error) of 100 DescribeVpcs calls with standard retries, on a fresh emulator."""
    process = Emulator("--throttle", "0.3", "--seed", str(seed))
    try:
        ec2 = process.client("ec2", **STANDARD_RETRIES)
        for _ in range(100):
            ec2.describe_vpcs()  # raises if a call exhausts its retries
        return [(e["operation"], e["status"], e.get("error")) for e in process.journal()]
    finally:
        process.cleanup()


@pytest.fixture(scope="module")
def seed_1_run():
    with pytest.MonkeyPatch.context() as monkeypatch:
        shorten_backoff(monkeypatch)
        return describe_100_times(seed=1)


@pytest.mark.slow
def test_standard_retries_ride_out_throttling_and_the_journal_shows_it(seed_1_run):
    throttled = [entry for entry in seed_1_run if entry[1] != 200]
    assert len(seed_1_run) == 100 + len(throttled)  # every call succeeded in the end
    assert set(throttled) == {("DescribeVpcs", 503, "RequestLimitExceeded")}
    assert 15 <= len(throttled) <= 50  # about 30% of all requests


@pytest.mark.slow
def test_the_same_seed_throttles_the_same_requests(seed_1_run, quick_backoff):
    assert describe_100_times(seed=1) == seed_1_run
    assert describe_100_times(seed=2) != seed_1_run


# -- every protocol's throttling error, as botocore parses it ---------------


@pytest.fixture(scope="module")
def always_throttled():
    process = Emulator("--throttle", "1")
    yield process
    process.cleanup()


@pytest.fixture
def throttled(always_throttled):
    always_throttled.reset()  # /moto-api is never throttled, or this would fail
    return always_throttled


THROTTLING_ERRORS = [
    ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),  # EC2 XML
    ("rds", lambda c: c.describe_db_clusters(), "Throttling", 400),  # query XML
    ("iam", lambda c: c.list_roles(), "Throttling", 400),
    ("elbv2", lambda c: c.describe_load_balancers(), "Throttling", 400),
    ("cloudwatch", lambda c: c.describe_alarms(), "Throttling", 400),  # JSON, query-compatible
    ("dms", lambda c: c.describe_replication_instances(), "ThrottlingException", 400),  # JSON
    ("dynamodb", lambda c: c.describe_table(TableName="t"), "ThrottlingException", 400),
    (
        "dynamodb",
        lambda c: c.get_item(TableName="t", Key={"k": {"S": "v"}}),
        "ProvisionedThroughputExceededException",
        400,
    ),
    ("ecs", lambda c: c.list_clusters(), "ThrottlingException", 400),
    ("logs", lambda c: c.describe_log_groups(), "ThrottlingException", 400),
    ("events", lambda c: c.list_rules(), "ThrottlingException", 400),
    ("secretsmanager", lambda c: c.list_secrets(), "ThrottlingException", 400),
    ("codedeploy", lambda c: c.list_applications(), "ThrottlingException", 400),
    ("lambda", lambda c: c.list_functions(), "TooManyRequestsException", 429),  # REST JSON
    ("route53", lambda c: c.list_hosted_zones(), "Throttling", 400),  # REST XML
    ("s3", lambda c: c.list_buckets(), "SlowDown", 503),
]


@pytest.mark.parametrize(
    ("service", "call", "code", "status"),
    THROTTLING_ERRORS,
    ids=[f"{service}-{code}" for service, _, code, _ in THROTTLING_ERRORS],
)
def test_each_service_answers_its_own_throttling_error(throttled, service, call, code, status):
    client = throttled.client(service, **NO_RETRIES)
    with pytest.raises(client.exceptions.ClientError) as error:
        call(client)
    assert error.value.response["Error"]["Code"] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    ((entry),) = throttled.journal()
    assert (entry["service"], entry["status"], entry["error"]) == (service, status, code)


@pytest.mark.parametrize(("service", "code"), [("codedeploy", "ThrottlingException"), ("cloudwatch", "Throttling")])
def test_cbor_clients_get_a_cbor_throttling_error(throttled, monkeypatch, service, code):
    # This botocore prefers JSON for these services; a client that speaks
    # smithy-rpc-v2-cbor (as newer SDKs do) must get an error it can parse.
    monkeypatch.setattr(
        botocore.model,
        "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS",
        ("smithy-rpc-v2-cbor", *botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS),
    )
    client = throttled.client(service, **NO_RETRIES)
    assert client.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    with pytest.raises(client.exceptions.ClientError) as error:
        client.list_applications() if service == "codedeploy" else client.describe_alarms()
    assert error.value.response["Error"]["Code"] == code
    ((entry),) = throttled.journal()
    assert (entry["status"], entry["error"]) == (400, code)


def test_a_random_seed_is_printed_so_the_run_can_be_replayed(always_throttled):
    match = re.search(r"throttling 100% of requests; --seed (\d+) replays", always_throttled.output())
    assert match


# -- command line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("--throttle", "1.5"), ("--throttle", "-0.1"), ("--throttle", "nan"), ("--throttle", "lots"), ("--seed", "-1")]
    + [("--seed", "1.5"), ("--seed", "x")],
)
def test_bad_throttle_and_seed_values_are_refused(capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        parse_args([option, value])
    assert exit_info.value.code == 2
    assert f"argument {option}: expected" in capsys.readouterr().err


def test_throttle_and_seed_values():
    assert (parse_args([]).throttle, parse_args([]).seed) == (0.0, None)
    options = parse_args(["--throttle", "0.3", "--seed", "7"])
    assert (options.throttle, options.seed) == (0.3, 7)
    assert parse_args(["--throttle", "0.3"]).seed is not None  # chosen at random, printed at startup


def test_help_lists_the_options():
    result = subprocess.run(
        [str(ROOT / "scripts" / "aws-emulator"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for option in ("--latency realistic[:SCALE]", "--throttle RATE", "--seed N"):
        assert option in result.stdout
