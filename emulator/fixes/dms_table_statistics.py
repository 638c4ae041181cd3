"""DMS: DescribeTableStatistics reports one row per table of a started task.

AWS reports, for each table a replication task selected, its full-load and
change-data-capture counters and its state (``Table completed``, validation
``Validated`` or ``Not enabled``), filterable by ``schema-name``,
``table-name`` and ``table-state``; an unknown task is ``ResourceNotFoundFault``.
moto answers HTTP 500, so no migration can be checked table by table.

There is no source database here, so the tables are those the task's table
mappings name exactly (a ``%`` wildcard cannot be expanded and adds no row), and
the counters are plausible numbers derived from the table's name: stable from
call to call, zero for what the migration type does not do (no CDC counters for
``full-load``, no full-load rows for ``cdc``). A task that never ran has no
statistics yet.
"""

from __future__ import annotations

import json
import re
import zlib
from datetime import UTC, datetime, timedelta


def _matches(pattern: str, name: str) -> bool:
    regex = "".join(".*" if part == "%" else re.escape(part) for part in re.split(r"(%)", pattern))
    return re.fullmatch(regex, name, flags=re.IGNORECASE) is not None


def selected_tables(table_mappings: str) -> list[tuple[str, str]]:
    """(schema, table) named exactly by an include rule and not excluded by another rule."""
    try:
        rules = json.loads(table_mappings or "{}").get("rules", [])
    except ValueError:
        return []
    selections = [r for r in rules if r.get("rule-type") == "selection"]
    included, excluded = [], []
    for rule in selections:
        locator = rule.get("object-locator", {})
        pair = (locator.get("schema-name", ""), locator.get("table-name", ""))
        (excluded if rule.get("rule-action") == "exclude" else included).append(pair)
    return [
        (schema, table)
        for schema, table in dict.fromkeys(included)
        if "%" not in schema + table and not any(_matches(s, schema) and _matches(t, table) for s, t in excluded)
    ]


def _settings(task) -> dict:
    try:
        return json.loads(task.replication_task_settings or "{}")
    except ValueError:
        return {}


def table_statistics(task, schema: str, table: str) -> dict:
    seed = zlib.crc32(f"{schema}.{table}".encode())
    full_load = task.migration_type in ("full-load", "full-load-and-cdc")
    cdc = task.migration_type in ("cdc", "full-load-and-cdc")
    inserts, updates, deletes = (seed % 50, seed // 50 % 20, seed // 1000 % 5) if cdc else (0, 0, 0)
    validating = _settings(task).get("ValidationSettings", {}).get("EnableValidation", False)
    started = task.start_date
    return {
        "SchemaName": schema,
        "TableName": table,
        "Inserts": inserts,
        "Deletes": deletes,
        "Updates": updates,
        "Ddls": 0,
        "AppliedInserts": inserts,
        "AppliedDeletes": deletes,
        "AppliedUpdates": updates,
        "AppliedDdls": 0,
        "FullLoadRows": 1000 + seed % 9000 if full_load else 0,
        "FullLoadCondtnlChkFailedRows": 0,
        "FullLoadErrorRows": 0,
        "FullLoadStartTime": started.isoformat(),
        "FullLoadEndTime": (started + timedelta(seconds=1 + seed % 30)).isoformat(),
        "FullLoadReloaded": False,
        "LastUpdateTime": (task.stop_date or datetime.now(UTC).replace(tzinfo=None)).isoformat(),
        "TableState": "Table completed",
        "ValidationPendingRecords": 0,
        "ValidationFailedRecords": 0,
        "ValidationSuspendedRecords": 0,
        "ValidationState": "Validated" if validating else "Not enabled",
        "ValidationStateDetails": "",
    }


FILTER_KEYS = {"schema-name": "SchemaName", "table-name": "TableName", "table-state": "TableState"}


def apply(options) -> None:
    from moto.dms.exceptions import ResourceNotFoundFault
    from moto.dms.responses import DatabaseMigrationServiceResponse as responses

    def describe_table_statistics(self):
        params = json.loads(self.body)
        task = self.dms_backend.replication_tasks.get(params["ReplicationTaskArn"])
        if task is None:
            raise ResourceNotFoundFault("Replication task could not be found.")
        rows = []
        if task.start_date is not None:
            rows = [table_statistics(task, schema, table) for schema, table in selected_tables(task.table_mappings)]
        for entry in params.get("Filters", []):
            key = FILTER_KEYS.get(entry["Name"])
            if key:
                rows = [row for row in rows if row[key] in entry["Values"]]
        return json.dumps({"ReplicationTaskArn": task.arn, "TableStatistics": rows})

    responses.describe_table_statistics = describe_table_statistics
