"""emulator/fixes/dynamodb_table_id.py: tables have a TableId."""

from __future__ import annotations

import uuid

TABLE = {
    "TableName": "sessions-dev",
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_table_id_is_a_stable_uuid_until_the_table_is_replaced(emulator):
    dynamodb = emulator.client("dynamodb")
    created = dynamodb.create_table(**TABLE)["TableDescription"]["TableId"]
    uuid.UUID(created)
    assert dynamodb.describe_table(TableName="sessions-dev")["Table"]["TableId"] == created
    assert dynamodb.delete_table(TableName="sessions-dev")["TableDescription"]["TableId"] == created
    dynamodb.create_table(**TABLE)
    assert dynamodb.describe_table(TableName="sessions-dev")["Table"]["TableId"] != created


def test_plain_moto_has_no_table_id(plain_moto):
    dynamodb = plain_moto.client("dynamodb")
    dynamodb.create_table(**TABLE)
    assert "TableId" not in dynamodb.describe_table(TableName="sessions-dev")["Table"]
