"""UpdateTable switches a table's encryption key; the AWS managed key reports KeyManager AWS."""

from __future__ import annotations


def _table(client, name="sse-table"):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_aws_managed_key_can_be_switched_on_and_off(emulator):
    dynamodb, kms = emulator.client("dynamodb"), emulator.client("kms")
    name = _table(dynamodb)
    assert "SSEDescription" not in dynamodb.describe_table(TableName=name)["Table"]

    answer = dynamodb.update_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    sse = answer["TableDescription"]["SSEDescription"]
    assert (sse["Status"], sse["SSEType"]) == ("ENABLED", "KMS")
    key = kms.describe_key(KeyId=sse["KMSMasterKeyArn"])["KeyMetadata"]
    assert key["KeyManager"] == "AWS"
    assert key["Arn"] == kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]
    assert dynamodb.describe_table(TableName=name)["Table"]["SSEDescription"] == sse

    dynamodb.update_table(TableName=name, SSESpecification={"Enabled": False})
    assert "SSEDescription" not in dynamodb.describe_table(TableName=name)["Table"]


def test_customer_managed_key_by_alias(emulator):
    dynamodb, kms = emulator.client("dynamodb"), emulator.client("kms")
    name = _table(dynamodb)
    own = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/mine", TargetKeyId=own["KeyId"])
    dynamodb.update_table(
        TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/mine"}
    )
    sse = dynamodb.describe_table(TableName=name)["Table"]["SSEDescription"]
    assert sse["KMSMasterKeyArn"] == own["Arn"]
    assert kms.describe_key(KeyId=sse["KMSMasterKeyArn"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"


def test_plain_moto_ignores_sse_on_update_table(plain_moto):
    dynamodb = plain_moto.client("dynamodb")
    name = _table(dynamodb)
    dynamodb.update_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    assert "SSEDescription" not in dynamodb.describe_table(TableName=name)["Table"]
