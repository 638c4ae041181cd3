"""emulator/fixes/iam_account_lookup.py: finding a request's account creates no IAM backends."""

from __future__ import annotations

import boto3
import pytest
from moto.iam import models as iam_models

from emulator.fixes.iam_account_lookup import account_of_access_key

ACCOUNT = "210987654321"  # an account of its own, so the checks below see only what they made


@pytest.fixture
def account_backends(monkeypatch):
    """The IAM backends of ACCOUNT, with its `aws` partition made; removed again afterwards."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")  # the lookup, not the policies, is tested here
    backends = iam_models.iam_backends[ACCOUNT]
    backends["aws"].create_user("us-east-1", "probe")
    yield backends
    iam_models.iam_backends.pop(ACCOUNT, None)


def test_the_lookup_looks_only_at_existing_partitions(account_backends):
    key = account_backends["aws"].create_access_key("probe")
    assert account_of_access_key(key.access_key_id) == ACCOUNT
    assert account_of_access_key("AKIAUNKNOWNKEY000000") == "123456789012"
    assert list(account_backends.keys()) == ["aws"]


def test_moto_own_lookup_creates_every_partition(account_backends):
    iam_models.get_account_id_from("AKIAUNKNOWNKEY000000")
    assert len(account_backends.keys()) > 1  # aws-cn, aws-us-gov, ...: each with its managed policies


def test_requests_with_a_created_key_still_run_in_its_account(emulator):
    iam = emulator.client("iam")
    iam.create_user(UserName="operator")
    key = iam.create_access_key(UserName="operator")["AccessKey"]
    as_operator = boto3.client(
        "sts",
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    identity = as_operator.get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/operator"
