"""envmigrate.aws.dynamodb_table_protection against the emulator: settings read back from DynamoDB."""

from __future__ import annotations

import pytest

from tests.harness.module import run_module

MODULE = "dynamodb_table_protection"
TABLE = "dynamodb-state-unit"


@pytest.fixture
def dynamodb(emulator):
    client = emulator.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def _read_back(dynamodb):
    table = dynamodb.describe_table(TableName=TABLE)["Table"]
    backups = dynamodb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]
    return {
        "pitr": backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        "sse": table.get("SSEDescription", {}).get("Status", "AWS_OWNED"),
        "deletion_protection": table["DeletionProtectionEnabled"],
    }


PROTECTED = {"name": TABLE, "point_in_time_recovery": True, "encryption": "aws_managed", "deletion_protection": True}


def test_sets_every_setting(emulator, dynamodb):
    result = run_module(emulator, MODULE, PROTECTED)
    assert result["changed"] is True
    assert _read_back(dynamodb) == {"pitr": "ENABLED", "sse": "ENABLED", "deletion_protection": True}
    assert result["table"] == {
        "name": TABLE,
        "point_in_time_recovery": True,
        "encryption": "aws_managed",
        "kms_key_arn": dynamodb.describe_table(TableName=TABLE)["Table"]["SSEDescription"]["KMSMasterKeyArn"],
        "deletion_protection": True,
    }


def test_second_run_is_a_no_op_without_mutating_requests(emulator, dynamodb):
    run_module(emulator, MODULE, PROTECTED)
    emulator.mark()
    result = run_module(emulator, MODULE, PROTECTED)
    assert result["changed"] is False
    assert emulator.mutating_requests() == []


def test_updates_only_what_differs_and_leaves_unset_options_alone(emulator, dynamodb):
    run_module(emulator, MODULE, PROTECTED)
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": TABLE, "deletion_protection": False})
    assert result["changed"] is True
    assert _read_back(dynamodb) == {"pitr": "ENABLED", "sse": "ENABLED", "deletion_protection": False}
    assert [e["operation"] for e in emulator.mutating_requests()] == ["UpdateTable"]


def test_back_to_the_aws_owned_key_and_no_recovery(emulator, dynamodb):
    run_module(emulator, MODULE, PROTECTED)
    result = run_module(emulator, MODULE, {"name": TABLE, "encryption": "aws_owned", "point_in_time_recovery": False})
    assert result["changed"] is True
    assert _read_back(dynamodb) == {"pitr": "DISABLED", "sse": "AWS_OWNED", "deletion_protection": True}


def test_customer_managed_key(emulator, dynamodb):
    kms = emulator.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/unit", TargetKeyId=key["KeyId"])
    args = {"name": TABLE, "encryption": "customer_managed", "kms_key_id": "alias/unit"}
    result = run_module(emulator, MODULE, args)
    assert result["changed"] is True
    assert result["table"]["kms_key_arn"] == key["Arn"]
    assert run_module(emulator, MODULE, args)["changed"] is False


def test_check_mode_reports_the_change_and_sends_nothing(emulator, dynamodb):
    emulator.mark()
    result = run_module(emulator, MODULE, PROTECTED, check_mode=True, diff=True)
    assert result["changed"] is True
    assert emulator.mutating_requests() == []
    assert _read_back(dynamodb) == {"pitr": "DISABLED", "sse": "AWS_OWNED", "deletion_protection": False}
    assert result["diff"]["before"]["point_in_time_recovery"] is False
    assert result["diff"]["after"]["point_in_time_recovery"] is True


def test_missing_table_fails_clearly_but_passes_check_mode(emulator):
    result = run_module(emulator, MODULE, {"name": "nope", "point_in_time_recovery": True})
    assert result["failed"] is True
    assert "Table nope does not exist" in result["msg"]
    assert run_module(emulator, MODULE, {"name": "nope", "point_in_time_recovery": True}, check_mode=True)["changed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"encryption": "customer_managed"}, "kms_key_id"),
        ({"kms_key_id": "alias/x", "encryption": "aws_managed"}, "only used with encryption=customer_managed"),
        ({"encryption": "plaintext"}, "value of encryption must be one of"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(emulator, args, message):
    emulator.mark()
    result = run_module(emulator, MODULE, {"name": TABLE, **args})
    assert result["failed"] is True
    assert message in result["msg"]
    assert emulator.journal() == []
