"""The validator's items in the state table (key pk + sk, both strings), all under pk "validation".

- sk "checkpoint": the run in progress (run_id, updated_at, and ``state``: the run's progress as
  zlib-compressed JSON, binary, so a large list of pending key ranges stays far below DynamoDB's
  400 KB item limit). Deleted when the run finishes.
- sk "latest": the last finished run's result (at, passed, reason, tables, run_id, ...), which the
  cutover gate reads.
- sk "run#<at>": the same result, one item per finished run, as history.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone

PARTITION = "validation"
CHECKPOINT = "checkpoint"
LATEST = "latest"


def now_iso() -> str:
    """The time now as ISO 8601 in UTC with its offset (2026-11-25T06:40:00.123+00:00), which
    datetime.fromisoformat() reads; milliseconds so that two runs never share a "run#<at>" item."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class StateStore:
    def __init__(self, table):
        """``table`` is a boto3 DynamoDB Table resource."""
        self.table = table

    def load_checkpoint(self) -> dict | None:
        item = self.table.get_item(Key={"pk": PARTITION, "sk": CHECKPOINT}, ConsistentRead=True).get("Item")
        if not item or "state" not in item:
            return None
        return json.loads(zlib.decompress(bytes(item["state"].value)))

    def save_checkpoint(self, run: dict) -> None:
        self.table.put_item(
            Item={
                "pk": PARTITION,
                "sk": CHECKPOINT,
                "run_id": run["run_id"],
                "updated_at": now_iso(),
                "state": zlib.compress(json.dumps(run, separators=(",", ":")).encode()),
            }
        )

    def clear_checkpoint(self) -> None:
        self.table.delete_item(Key={"pk": PARTITION, "sk": CHECKPOINT})

    def record_result(self, result: dict) -> None:
        """Store a finished run's result as "latest" and as its own "run#<at>" item."""
        attributes = {name: value for name, value in result.items() if name != "complete"}
        for sort_key in (LATEST, f"run#{result['at']}"):
            self.table.put_item(Item={"pk": PARTITION, "sk": sort_key, **attributes})
