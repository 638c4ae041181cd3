"""DynamoDB: a conditional write is atomic, as in AWS.

AWS checks a write's condition and applies the write as one step, so of several operators who
write ``attribute_not_exists(lock)`` at once exactly one succeeds; the cutover lock
(``cutover_state``) relies on that. moto checks the condition, then writes, with nothing held in
between, and the emulator answers requests on several threads: two writes that arrive together
can both pass the check and both succeed (seen in CI: two operators both began the same shift).

Here every request that reads or writes items runs under one lock, so each is whole before the
next begins, and a read never sees an item half updated. Table-level requests (CreateTable,
DescribeTable, ...) are not held up by it.
"""

from __future__ import annotations

import functools
import threading

# The DynamoHandler actions that read or write items.
ITEM_ACTIONS = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "batch_write_item",
    "batch_get_item",
    "query",
    "scan",
    "transact_write_items",
    "transact_get_items",
    "execute_statement",
    "batch_execute_statement",
    "execute_transaction",
)

_item_lock = threading.RLock()  # reentrant: a batch or transaction may call another action's code


def one_at_a_time(action):
    @functools.wraps(action)
    def held(self, *args, **kwargs):
        with _item_lock:
            return action(self, *args, **kwargs)

    return held


def serialized_actions(handler_class) -> dict:
    """The handler's item actions, each wrapped to run under the lock (by name, for setattr)."""
    return {name: one_at_a_time(getattr(handler_class, name)) for name in ITEM_ACTIONS}


def apply(options) -> None:
    from moto.dynamodb.responses import DynamoHandler

    for name, action in serialized_actions(DynamoHandler).items():
        setattr(DynamoHandler, name, action)
