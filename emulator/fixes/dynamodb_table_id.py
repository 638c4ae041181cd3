"""DynamoDB: tables have a ``TableId``.

AWS gives every table a unique ``TableId`` (a UUID) and returns it in
CreateTable, DescribeTable and the other table descriptions.
moto leaves it out, and ``community.aws.dynamodb_table`` fails on create, rerun
and delete because it reads it.
"""

from __future__ import annotations

import functools
import uuid


def apply(options) -> None:
    from moto.dynamodb.models.table import Table

    describe = Table.describe

    @functools.wraps(describe)
    def describe_with_id(self, base_key: str = "TableDescription"):
        result = describe(self, base_key=base_key)
        # Made once per table and kept on it, so it is stable until the table is deleted.
        result[base_key]["TableId"] = self.__dict__.setdefault("table_id", str(uuid.uuid4()))
        return result

    Table.describe = describe_with_id
