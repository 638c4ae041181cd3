"""emulator/fixes/dynamodb_item_requests_atomic.py: of several conditional writes at once, one wins.

The race is a matter of timing, so these tests run moto in this process (``mock_aws``) and widen
the window between moto's condition check and its write: each read of an item takes 0.2 s. Plain
moto then lets every writer through; with the fix's serialized actions exactly one succeeds, as
in AWS. The cutover lock's own test (``test_cutover_state``) runs the same race against the
emulator at full speed.
"""

from __future__ import annotations

import threading
import time

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from emulator.fixes.dynamodb_item_requests_atomic import serialized_actions

WRITERS = 4


@pytest.fixture
def slow_item_reads(monkeypatch):
    get_item = Table.get_item

    def slow_get_item(self, *args, **kwargs):
        item = get_item(self, *args, **kwargs)
        time.sleep(0.2)  # every writer reads "no lock yet" before any of them writes
        return item

    monkeypatch.setattr(Table, "get_item", slow_get_item)


def race(write) -> list[str]:
    """Each writer calls write(client, name) at once; the answers, "won" or an error code."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="cutover-race",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        barrier = threading.Barrier(WRITERS)
        answers = []

        def writer(name):
            barrier.wait()
            try:
                write(client, name)
                answers.append("won")
            except client.exceptions.ConditionalCheckFailedException:
                answers.append("ConditionalCheckFailedException")

        threads = [threading.Thread(target=writer, args=(f"op{n}",)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        owner = client.get_item(TableName="cutover-race", Key={"pk": {"S": "state"}})["Item"]["owner"]["S"]
        assert owner.startswith("op")
    return answers


def take_lock_by_update(client, name):
    client.update_item(
        TableName="cutover-race",
        Key={"pk": {"S": "state"}},
        UpdateExpression="SET #owner = :me",
        ConditionExpression="attribute_not_exists(#owner)",
        ExpressionAttributeNames={"#owner": "owner"},
        ExpressionAttributeValues={":me": {"S": name}},
    )


def take_lock_by_put(client, name):
    client.put_item(
        TableName="cutover-race",
        Item={"pk": {"S": "state"}, "owner": {"S": name}},
        ConditionExpression="attribute_not_exists(pk)",
    )


@pytest.mark.parametrize("write", [take_lock_by_update, take_lock_by_put])
def test_with_the_fix_exactly_one_conditional_write_wins(slow_item_reads, monkeypatch, write):
    for name, action in serialized_actions(DynamoHandler).items():
        monkeypatch.setattr(DynamoHandler, name, action)
    answers = race(write)
    assert sorted(answers) == ["ConditionalCheckFailedException"] * (WRITERS - 1) + ["won"]


def test_plain_moto_lets_every_conditional_update_through(slow_item_reads):
    assert race(take_lock_by_update) == ["won"] * WRITERS
