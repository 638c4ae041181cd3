"""lambdas/migration_validator against a real PostgreSQL (databases source and target, over TCP).

The comparison tests run compare.py on two connections opened as the handler opens them. The
handler tests invoke handler.handler as Lambda would, with the secrets, the DynamoDB state table,
CloudWatch and DMS in the emulator, and read the outcome back: the return value, the state table's
items and the published metrics. Each test builds its tables in a schema of its own.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from boto3.dynamodb.types import TypeDeserializer

from tests.harness.emulator import DUMMY_ENVIRONMENT
from tests.harness.ports import free_port
from tests.unit.emulator import dms_helpers

STATE_TABLE = "dynamodb-state-test"
SUFFIX = "test"

# Every kind of column whose text form depends on session settings, NULLs included.
ORDERS = """
CREATE TABLE {schema}.orders (
    id bigint PRIMARY KEY,
    customer text,
    amount numeric(12, 2),
    ratio double precision,
    created timestamptz,
    local_time timestamp,
    day date,
    payload jsonb,
    blob bytea,
    tags text[],
    paid boolean,
    waited interval
);
INSERT INTO {schema}.orders
SELECT g,
       CASE WHEN g % 7 = 0 THEN NULL ELSE 'customer ' || g END,
       g * 1.25,
       g / 3.0,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute',
       timestamp '2026-01-01 00:00:00' + g * interval '1 second',
       date '2026-01-01' + g,
       CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_object('n', g, 'even', g % 2 = 0, 'name', 'n' || g) END,
       decode(md5(g::text), 'hex'),
       ARRAY['a', g::text],
       g % 2 = 0,
       g * interval '1 second'
FROM generate_series(1, {rows}) AS g;
"""


# -- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def env(emulator, postgres, monkeypatch):
    """The two secrets and the state table in the emulator, the function's environment pointing at
    them, and a fresh schema in both databases (``env.schema``)."""
    for name, value in {**DUMMY_ENVIRONMENT, "AWS_ENDPOINT_URL": emulator.endpoint}.items():
        monkeypatch.setenv(name, value)
    secrets = emulator.client("secretsmanager")
    arns = {
        side: secrets.create_secret(Name=f"secret-dms-{side}-{SUFFIX}", SecretString=json.dumps(postgres.secret(side)))[
            "ARN"
        ]
        for side in ("source", "target")
    }
    emulator.client("dynamodb").create_table(
        TableName=STATE_TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    settings = {
        "SOURCE_SECRET_ID": arns["source"],
        "TARGET_SECRET_ID": arns["target"],
        "STATE_TABLE": STATE_TABLE,
        "ENVIRONMENT": SUFFIX,
        "SSL_MODE": "disable",
        "MAX_REPORTED_KEYS": "20",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TABLES", raising=False)
    monkeypatch.delenv("SCHEMAS", raising=False)
    monkeypatch.delenv("DMS_TASK_ARN", raising=False)

    class Env:
        schema = postgres.new_schema()
        secret_arns = arns

    return Env


class FakeContext:
    """A Lambda context whose time runs out after ``calls`` questions (then 5 s remain, below the margin)."""

    def __init__(self, calls: int | None = None):
        self.calls_left = calls

    def get_remaining_time_in_millis(self) -> int:
        if self.calls_left is None:
            return 900_000
        self.calls_left -= 1
        return 900_000 if self.calls_left >= 0 else 5_000


@contextmanager
def open_pair(validator, postgres):
    """Connections to both databases, opened as the handler opens them (no time limit)."""
    database = validator.database
    deadline = database.Deadline()
    sides = [
        database.connect(side, postgres.secret(side), ssl_mode="disable", connect_timeout=5, deadline=deadline)
        for side in ("source", "target")
    ]
    pair = database.Pair(*sides)
    try:
        yield pair
    finally:
        pair.close()


@pytest.fixture
def pair(validator, postgres):
    with open_pair(validator, postgres) as opened:
        yield opened


@pytest.fixture
def schema(postgres):
    return postgres.new_schema()


def compare_table(validator, pair, name: str, max_reported_keys: int = 20) -> dict:
    """One table compared to the end, step by step, as the handler does it."""
    plan = validator.compare.plan_table(pair, name)
    comparison = validator.compare.TableComparison(
        plan, pair, validator.compare.new_progress(plan, pair), max_reported_keys
    )
    while not comparison.done:
        comparison.step()
    return comparison.summary()


def validate(validator, context=None, **event) -> dict:
    return validator.handler.handler(event, context or FakeContext())


def create_orders(postgres, schema: str, rows: int = 300) -> None:
    postgres.both(ORDERS.format(schema=schema, rows=rows))


def item(emulator, sort_key: str) -> dict | None:
    found = emulator.client("dynamodb").get_item(
        TableName=STATE_TABLE, Key={"pk": {"S": "validation"}, "sk": {"S": sort_key}}, ConsistentRead=True
    )
    if "Item" not in found:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in found["Item"].items()}


def metric(emulator, name: str) -> float | None:
    """The latest value of an envmigrate metric for this environment."""
    now = datetime.now(UTC)
    answer = emulator.client("cloudwatch").get_metric_statistics(
        Namespace="envmigrate",
        MetricName=name,
        Dimensions=[{"Name": "Environment", "Value": SUFFIX}],
        StartTime=now - timedelta(minutes=10),
        EndTime=now + timedelta(minutes=10),
        Period=60,
        Statistics=["Maximum"],
    )
    points = answer["Datapoints"]
    return max(point["Maximum"] for point in points) if points else None


def kinds(table_result: dict) -> dict:
    """{kind: sorted key tuples} of the reported differences."""
    found: dict[str, list] = {}
    for difference in table_result["differences"]:
        found.setdefault(difference["kind"], []).append(tuple(difference["key"].values()))
    return {kind: sorted(keys) for kind, keys in found.items()}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


# -- the comparison ------------------------------------------------------------------------------------


def test_missing_extra_and_changed_rows_are_found_by_key(validator, pair, postgres, schema):
    s = schema
    create_orders(postgres, s, rows=3000)
    postgres.run("target", f"DELETE FROM {s}.orders WHERE id IN (17, 2999)")
    postgres.run("target", f"INSERT INTO {s}.orders (id, customer) VALUES (5000, 'new'), (0, 'new')")
    postgres.run("target", f"UPDATE {s}.orders SET amount = amount + 0.01 WHERE id = 1500")
    postgres.run("target", f"UPDATE {s}.orders SET payload = payload || '{{\"n\": 0}}' WHERE id = 2")
    postgres.run("target", f"UPDATE {s}.orders SET blob = '\\x00' WHERE id = 2024")

    summary = compare_table(validator, pair, f"{s}.orders")

    assert summary["status"] == "mismatch"
    assert (summary["missing_rows"], summary["extra_rows"], summary["changed_rows"]) == (2, 2, 3)
    assert (summary["source_rows"], summary["target_rows"], summary["mismatched_rows"]) == (3000, 3000, 7)
    assert kinds(summary) == {
        "missing": [("17",), ("2999",)],
        "extra": [("0",), ("5000",)],
        "changed": [("1500",), ("2",), ("2024",)],
    }
    assert summary["reason"] == "2 missing, 2 extra, 3 changed rows"


def test_session_settings_make_text_forms_equal_whatever_the_servers_defaults(validator, postgres, schema):
    # The target's defaults differ in everything that changes how values print; the validator pins them.
    create_orders(postgres, schema)
    settings = ["TimeZone = 'Asia/Tokyo'", "DateStyle = 'SQL, DMY'", "IntervalStyle = 'sql_standard'"]
    settings += ["bytea_output = 'escape'", "extra_float_digits = 0"]
    try:
        for setting in settings:
            postgres.run("target", f"ALTER ROLE postgres IN DATABASE target SET {setting}")
        with open_pair(validator, postgres) as opened:
            summary = compare_table(validator, opened, f"{schema}.orders")
    finally:
        postgres.run("target", "ALTER ROLE postgres IN DATABASE target RESET ALL")

    assert summary["status"] == "match", summary


def test_nulls_differ_from_empty_strings_and_from_the_text_null(validator, pair, postgres, schema):
    s = schema
    postgres.both(f"CREATE TABLE {s}.notes (id int PRIMARY KEY, body text, extra jsonb)")
    postgres.run(
        "source", f"INSERT INTO {s}.notes VALUES (1, NULL, NULL), (2, NULL, NULL), (3, '', 'null'), (4, NULL, NULL)"
    )
    postgres.run(
        "target", f"INSERT INTO {s}.notes VALUES (1, '', NULL), (2, 'NULL', NULL), (3, '', 'null'), (4, NULL, 'null')"
    )

    summary = compare_table(validator, pair, f"{s}.notes")

    assert kinds(summary) == {"changed": [("1",), ("2",), ("4",)]}


def test_composite_keys_are_compared_and_reported_column_by_column(validator, pair, postgres, schema):
    s = schema
    postgres.both(
        f"CREATE TABLE {s}.stock (region text, item int, sku text, quantity int, PRIMARY KEY (region, item, sku));"
        f"INSERT INTO {s}.stock SELECT r, i, 'sku-' || (i % 3), i * 2 FROM unnest(ARRAY['eu', 'us', 'ap']) r, "
        "generate_series(1, 400) i"
    )
    postgres.run("target", f"DELETE FROM {s}.stock WHERE region = 'eu' AND item = 10")
    postgres.run("target", f"UPDATE {s}.stock SET quantity = 0 WHERE region = 'us' AND item = 400")
    postgres.run("target", f"INSERT INTO {s}.stock VALUES ('ap', 7, 'sku-x', 1), ('zz', 1, 'sku-0', 1)")

    summary = compare_table(validator, pair, f"{s}.stock")

    assert summary["primary_key"] == ["region", "item", "sku"]
    assert kinds(summary) == {
        "missing": [("eu", "10", "sku-1")],
        "changed": [("us", "400", "sku-1")],
        "extra": [("ap", "7", "sku-x"), ("zz", "1", "sku-0")],
    }
    assert summary["differences"][0]["key"] == {"region": "eu", "item": "10", "sku": "sku-1"}


@pytest.mark.parametrize("key_type", ["bigint", "text"])
def test_differences_on_the_first_and_last_key_of_bucket_ranges(
    validator, pair, postgres, schema, monkeypatch, key_type
):
    # 1000 rows in buckets of 100 (bounds 101, 201, ... for both key types), split again down to 10 rows.
    monkeypatch.setattr(validator.compare, "BUCKET_ROWS", 100)
    monkeypatch.setattr(validator.compare, "LEAF_ROWS", 10)
    s = schema
    key = "g" if key_type == "bigint" else "lpad(g::text, 4, '0')"
    postgres.both(
        f"CREATE TABLE {s}.edges (id {key_type} PRIMARY KEY, v int);"
        f"INSERT INTO {s}.edges SELECT {key}, g FROM generate_series(1, 1000) g"
    )
    edges = [1, 100, 101, 200, 201, 900, 901, 1000]
    text = str if key_type == "bigint" else (lambda n: f"{n:04d}")
    listed = ", ".join(f"'{text(n)}'" for n in edges)
    postgres.run("target", f"UPDATE {s}.edges SET v = -v WHERE id IN ({listed})")
    postgres.run("target", f"DELETE FROM {s}.edges WHERE id IN ('{text(500)}', '{text(501)}')")

    summary = compare_table(validator, pair, f"{s}.edges")

    assert kinds(summary) == {
        "changed": sorted((text(n),) for n in edges),
        "missing": sorted([(text(500),), (text(501),)]),
    }
    assert summary["source_rows"] == 1000 and summary["target_rows"] == 998


def test_large_tables_are_cut_into_segments_and_sampled(validator, pair, postgres, schema, monkeypatch):
    # The thresholds of million-row tables, scaled down to 6000 rows.
    for name, value in {"SEGMENT_ROWS": 2000, "BUCKET_ROWS": 50, "LEAF_ROWS": 40, "SAMPLED_TABLE_ROWS": 1000}.items():
        monkeypatch.setattr(validator.compare, name, value)
    s = schema
    postgres.both(
        f"CREATE TABLE {s}.numbers (id int PRIMARY KEY, v text);"
        f"INSERT INTO {s}.numbers SELECT g * 3, md5(g::text) FROM generate_series(1, 6000) g;"
        f"CREATE TABLE {s}.words (word text PRIMARY KEY, v int);"
        f"INSERT INTO {s}.words SELECT md5(g::text), g FROM generate_series(1, 6000) g;"
        f"ANALYZE {s}.numbers, {s}.words"
    )
    postgres.run("target", f"UPDATE {s}.numbers SET v = 'x' WHERE id IN (3, 9000, 18000)")
    postgres.run("target", f"INSERT INTO {s}.numbers VALUES (4, 'between'), (18003, 'after')")
    postgres.run("target", f"DELETE FROM {s}.numbers WHERE id BETWEEN 6000 AND 8997")  # 1000 rows in a row
    postgres.run("target", f"UPDATE {s}.words SET v = 0 WHERE word IN (md5('1'), md5('3000'), md5('6000'))")

    numbers = compare_table(validator, pair, f"{s}.numbers")
    words = compare_table(validator, pair, f"{s}.words")

    assert (numbers["missing_rows"], numbers["extra_rows"], numbers["changed_rows"]) == (1000, 2, 3)
    assert (numbers["source_rows"], numbers["target_rows"]) == (6000, 5002)
    assert len(numbers["differences"]) == 20  # max_reported_keys
    assert (words["changed_rows"], words["mismatched_rows"], words["source_rows"]) == (3, 3, 6000)
    assert kinds(words) == {"changed": sorted([(md5("1"),), (md5("3000"),), (md5("6000"),)])}


@pytest.mark.parametrize("left", [1, 50])
def test_statistics_that_promise_many_more_rows_than_there_are(validator, pair, postgres, schema, monkeypatch, left):
    for name, value in {"SEGMENT_ROWS": 2000, "BUCKET_ROWS": 50, "LEAF_ROWS": 5, "SAMPLED_TABLE_ROWS": 1000}.items():
        monkeypatch.setattr(validator.compare, name, value)
    s = schema
    postgres.both(
        f"CREATE TABLE {s}.words (word text PRIMARY KEY, v int);"
        f"INSERT INTO {s}.words SELECT md5(g::text), g FROM generate_series(1, 6000) g;"
        f"ANALYZE {s}.words;"  # the statistics say 6000 rows ...
        f"DELETE FROM {s}.words WHERE v > {left}"  # ... and stay so
    )
    postgres.run("target", f"UPDATE {s}.words SET v = -v WHERE v = 1")

    summary = compare_table(validator, pair, f"{s}.words")

    assert (summary["source_rows"], summary["target_rows"]) == (left, left)
    assert kinds(summary) == {"changed": [(md5("1"),)]}


def test_a_table_empty_on_one_side_is_all_missing(validator, pair, postgres, schema):
    create_orders(postgres, schema, rows=5000)
    postgres.run("target", f"TRUNCATE {schema}.orders")

    summary = compare_table(validator, pair, f"{schema}.orders", max_reported_keys=3)

    assert (summary["missing_rows"], summary["extra_rows"], summary["target_rows"]) == (5000, 0, 0)
    assert kinds(summary) == {"missing": [("1",), ("2",), ("3",)]}


def test_key_collations_that_differ_are_compared_in_code_point_order(validator, pair, postgres, schema, monkeypatch):
    # Only C-like collations exist here; counting C.UTF-8 as unknown makes the two sides' key orders differ.
    monkeypatch.setattr(validator.tables, "CODE_POINT_LOCALES", ("C", "POSIX"))
    s = schema
    postgres.run("source", f"CREATE TABLE {s}.codes (code text PRIMARY KEY, v int)")
    postgres.run("target", f'CREATE TABLE {s}.codes (code text COLLATE "C" PRIMARY KEY, v int)')
    postgres.both(f"INSERT INTO {s}.codes SELECT 'code-' || g, g FROM generate_series(1, 500) g")
    postgres.run("target", f"UPDATE {s}.codes SET v = 0 WHERE code IN ('code-1', 'code-99', 'code-500')")

    summary = compare_table(validator, pair, f"{s}.codes")

    assert kinds(summary) == {"changed": [("code-1",), ("code-500",), ("code-99",)]}
    assert any("C order" in note for note in summary["notes"])


def test_a_table_without_primary_key_is_compared_whole(validator, pair, postgres, schema):
    s = schema
    postgres.both(
        f"CREATE TABLE {s}.log (at timestamptz, line text); CREATE TABLE {s}.audit (at timestamptz, line text);"
        f"INSERT INTO {s}.log SELECT timestamptz '2026-01-01 00:00+00' + g * interval '1 s', 'line ' || g "
        "FROM generate_series(1, 200) g;"
        f"INSERT INTO {s}.audit SELECT * FROM {s}.log"
    )
    postgres.run("target", f"UPDATE {s}.audit SET line = 'edited' WHERE line = 'line 7'")
    postgres.run("source", f"INSERT INTO {s}.log SELECT * FROM {s}.log LIMIT 2")  # duplicates count too

    log = compare_table(validator, pair, f"{s}.log")
    audit = compare_table(validator, pair, f"{s}.audit")

    assert log["primary_key"] == [] and "no primary key" in log["notes"][0]
    assert (log["status"], log["source_rows"], log["target_rows"], log["mismatched_rows"]) == ("mismatch", 202, 200, 2)
    assert log["reason"] == "row counts differ: 202 on the source, 200 on the target"
    assert (audit["status"], audit["mismatched_rows"], audit["missing_rows"]) == ("mismatch", 1, None)
    assert audit["reason"] == "same row count but the whole-table checksums differ"


def test_tables_that_cannot_be_compared(validator, pair, postgres, schema):
    s = schema
    postgres.run("source", f"CREATE TABLE {s}.wide (id int PRIMARY KEY, a int, b int)")
    postgres.run("target", f"CREATE TABLE {s}.wide (id int PRIMARY KEY, a int, c int)")
    postgres.run("target", f"CREATE SEQUENCE {s}.counter")
    postgres.run("source", f"CREATE TABLE {s}.counter (id int PRIMARY KEY)")

    problems = {}
    for table in ("wide", "counter", "nowhere"):
        with pytest.raises(validator.tables.TableProblem) as raised:
            validator.compare.plan_table(pair, f"{s}.{table}")
        problems[table] = str(raised.value)

    assert problems == {
        "wide": "columns differ: only on the source: b; only on the target: c",
        "counter": "is not a table on the target (pg_class.relkind 'S')",
        "nowhere": "does not exist on the source",
    }


# -- the handler: results, metrics, checkpoints ----------------------------------------------------------


def test_identical_tables_pass_and_the_result_is_recorded_and_published(validator, env, postgres, emulator):
    create_orders(postgres, env.schema)

    result = validate(validator, tables=[f"{env.schema}.orders"])

    assert result["complete"] is True and result["passed"] is True, result
    assert result["reason"] == "" and result["invocations"] == 1
    summary = result["tables"][f"{env.schema}.orders"]
    assert summary["status"] == "match"
    assert (summary["source_rows"], summary["target_rows"], summary["mismatched_rows"]) == (300, 300, 0)
    assert summary["primary_key"] == ["id"] and summary["differences"] == []

    latest = item(emulator, "latest")
    at = datetime.fromisoformat(latest["at"])  # what the cutover gate does
    assert at.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - at) < timedelta(minutes=1)
    assert latest["passed"] is True and latest["reason"] == "" and latest["run_id"] == result["run_id"]
    assert latest["tables"] == result["tables"]
    assert item(emulator, f"run#{result['at']}")["run_id"] == result["run_id"]
    assert item(emulator, "checkpoint") is None

    assert metric(emulator, "ValidationPassed") == 1
    assert metric(emulator, "TablesValidated") == 1
    assert metric(emulator, "RowsCompared") == 300
    assert metric(emulator, "MismatchedRows") == 0


def test_differences_fail_the_run_with_the_reason(validator, env, postgres, emulator):
    s = env.schema
    create_orders(postgres, s)
    postgres.run("target", f"DELETE FROM {s}.orders WHERE id IN (17, 299)")
    postgres.run("target", f"UPDATE {s}.orders SET ratio = ratio * 2 WHERE id = 150")

    result = validate(validator, tables=[f"{s}.orders"])

    assert result["complete"] is True and result["passed"] is False
    assert result["reason"] == f"{s}.orders: 2 missing, 0 extra, 1 changed rows"
    assert kinds(result["tables"][f"{s}.orders"]) == {"missing": [("17",), ("299",)], "changed": [("150",)]}
    latest = item(emulator, "latest")
    assert latest["passed"] is False and latest["reason"] == result["reason"]
    assert metric(emulator, "ValidationPassed") == 0
    assert metric(emulator, "MismatchedRows") == 3
    assert metric(emulator, "RowsCompared") == 300


def test_a_run_stops_before_the_deadline_and_resumes_from_its_checkpoint(
    validator, env, postgres, emulator, monkeypatch
):
    # Tiny buckets and one range per row query: many steps, so the deadline falls in the middle.
    for name, value in {"BUCKET_ROWS": 20, "LEAF_ROWS": 10, "LEAF_BATCH_RANGES": 1}.items():
        monkeypatch.setattr(validator.compare, name, value)
    s = env.schema
    create_orders(postgres, s, rows=1000)
    postgres.both(f"CREATE TABLE {s}.small (id int PRIMARY KEY); INSERT INTO {s}.small SELECT generate_series(1, 50)")
    postgres.run("target", f"UPDATE {s}.orders SET customer = 'changed' WHERE id IN (1, 333, 1000)")
    tables = [f"{s}.orders", f"{s}.small"]

    answers = [validate(validator, FakeContext(calls=25), tables=tables)]
    checkpoint = item(emulator, "checkpoint")
    while not answers[-1]["complete"] and len(answers) < 30:
        assert item(emulator, "checkpoint")["run_id"] == answers[0]["run_id"]
        answers.append(validate(validator, FakeContext(calls=25), tables=tables))

    first, last = answers[0], answers[-1]
    assert first["complete"] is False and first["passed"] is None
    assert first["progress"]["current_table"] == f"{s}.orders" and first["progress"]["pending_ranges"] > 0
    assert checkpoint is not None and checkpoint["run_id"] == first["run_id"]
    assert len(answers) > 2 and last["complete"] is True
    assert last["run_id"] == first["run_id"] and last["invocations"] == len(answers)
    assert kinds(last["tables"][f"{s}.orders"]) == {"changed": [("1",), ("1000",), ("333",)]}
    assert last["tables"][f"{s}.orders"]["source_rows"] == 1000
    assert last["tables"][f"{s}.small"]["status"] == "match"
    assert item(emulator, "checkpoint") is None
    assert item(emulator, "latest")["run_id"] == first["run_id"]


def test_restart_or_other_tables_start_a_new_run(validator, env, postgres, monkeypatch):
    for name, value in {"BUCKET_ROWS": 20, "LEAF_ROWS": 10, "LEAF_BATCH_RANGES": 1}.items():
        monkeypatch.setattr(validator.compare, name, value)
    s = env.schema
    create_orders(postgres, s, rows=1000)
    postgres.run("target", f"DELETE FROM {s}.orders WHERE id % 100 = 0")
    postgres.both(f"CREATE TABLE {s}.other (id int PRIMARY KEY)")

    stopped = validate(validator, FakeContext(calls=15), tables=[f"{s}.orders"])
    restarted = validate(validator, FakeContext(calls=15), tables=[f"{s}.orders"], restart=True)
    resumed = validate(validator, tables=[f"{s}.orders"])
    other = validate(validator, tables=[f"{s}.orders", f"{s}.other"])

    assert stopped["complete"] is False and restarted["complete"] is False
    assert restarted["run_id"] != stopped["run_id"] and restarted["invocations"] == 1
    assert resumed["run_id"] == restarted["run_id"] and resumed["invocations"] == 2 and resumed["complete"] is True
    assert resumed["tables"][f"{s}.orders"]["missing_rows"] == 10
    assert other["run_id"] not in (stopped["run_id"], restarted["run_id"]) and other["invocations"] == 1


def test_an_invocation_without_time_for_work_fails_instead_of_looping(validator, env, postgres):
    create_orders(postgres, env.schema)

    result = validate(validator, FakeContext(calls=0), tables=[f"{env.schema}.orders"])

    assert result["complete"] is True and result["passed"] is False
    assert "DEADLINE_MARGIN_SECONDS" in result["reason"]


def test_tables_come_from_the_environment_and_unknown_tables_fail_the_run(validator, env, postgres, monkeypatch):
    s = env.schema
    create_orders(postgres, s)
    postgres.both("CREATE TABLE IF NOT EXISTS public.validator_plain (id int PRIMARY KEY)")
    monkeypatch.setenv("TABLES", f"{s}.orders, {s}.nowhere,validator_plain")

    result = validate(validator)

    assert list(result["tables"]) == [f"{s}.orders", f"{s}.nowhere", "public.validator_plain"]
    assert result["tables"][f"{s}.orders"]["status"] == "match"
    assert result["tables"]["public.validator_plain"]["status"] == "match"
    assert result["tables"][f"{s}.nowhere"] == {"status": "error", "reason": "does not exist on the source"}
    assert result["passed"] is False and result["reason"] == f"{s}.nowhere: does not exist on the source"


def test_without_tables_every_table_of_the_schemas_on_the_source_is_compared(validator, env, postgres, monkeypatch):
    s = env.schema
    create_orders(postgres, s)
    postgres.both(f"CREATE TABLE {s}.customers (id int PRIMARY KEY, name text)")
    postgres.both(f"CREATE VIEW {s}.order_view AS SELECT * FROM {s}.orders")
    monkeypatch.setenv("SCHEMAS", s)

    result = validate(validator)

    assert list(result["tables"]) == [f"{s}.customers", f"{s}.orders"]
    assert result["passed"] is True


def test_schemas_with_an_unreachable_source_fail_the_run_with_the_reason(validator, env, emulator, monkeypatch):
    monkeypatch.setenv("SCHEMAS", "public")
    replace_secret(emulator, env, "source", {"port": free_port()})

    result = validate(validator)

    assert result["complete"] is True and result["passed"] is False
    assert "source" in result["reason"]


# -- the handler: failures give a clear result, no traceback ---------------------------------------------


def failed(result: dict) -> str:
    assert result["complete"] is True and result["passed"] is False, result
    assert "Traceback" not in result["reason"]
    return result["reason"]


def replace_secret(emulator, env, side: str, fields: dict) -> None:
    emulator.client("secretsmanager").put_secret_value(SecretId=env.secret_arns[side], SecretString=json.dumps(fields))


def test_databases_that_cannot_be_used_fail_the_run_with_the_reason(validator, env, postgres, emulator, monkeypatch):
    tables = [f"{env.schema}.orders"]
    port = free_port()  # nothing listens there
    replace_secret(emulator, env, "target", postgres.secret("target", port=port))
    unreachable = failed(validate(validator, tables=tables))
    replace_secret(emulator, env, "target", postgres.secret("target", password="wrong"))
    refused = failed(validate(validator, tables=tables))
    replace_secret(emulator, env, "target", postgres.secret("target"))
    monkeypatch.setenv("SSL_MODE", "require")
    without_ssl = failed(validate(validator, tables=tables))

    assert unreachable == f"cannot reach the target database 127.0.0.1:{port}: Connection refused"
    assert refused == (
        f"the target database 127.0.0.1:{postgres.port} refused the login of postgres: "
        'password authentication failed for user "postgres"'
    )
    assert without_ssl == (
        f"cannot open a session on the source database 127.0.0.1:{postgres.port} (sslmode require): Server refuses SSL"
    )
    assert item(emulator, "latest")["reason"] == without_ssl
    assert metric(emulator, "ValidationPassed") == 0


def test_secrets_or_state_table_that_cannot_be_used_fail_the_run_with_the_reason(validator, env, emulator, monkeypatch):
    tables = [f"{env.schema}.orders"]
    replace_secret(emulator, env, "target", {"host": "127.0.0.1", "username": "postgres"})
    incomplete = failed(validate(validator, tables=tables))
    missing_arn = env.secret_arns["source"].replace("secret-dms-source", "secret-dms-gone")
    monkeypatch.setenv("SOURCE_SECRET_ID", missing_arn)
    missing = failed(validate(validator, tables=tables))
    monkeypatch.setenv("STATE_TABLE", "dynamodb-state-gone")
    no_state_table = failed(validate(validator, tables=tables))

    assert incomplete == f"the target database secret {env.secret_arns['target']} lacks password, dbname"
    assert missing.startswith(f"cannot read the source database secret {missing_arn}: ResourceNotFoundException: ")
    assert no_state_table.startswith("cannot read the checkpoint in the state table dynamodb-state-gone: ")
    assert "ResourceNotFoundException" in no_state_table


def test_dms_validation_state_of_each_table_is_reported(validator, env, postgres, emulator, monkeypatch):
    s = env.schema
    for table in ("orders", "customers"):
        postgres.both(f"CREATE TABLE {s}.{table} (id int PRIMARY KEY); INSERT INTO {s}.{table} VALUES (1)")
    dms = emulator.client("dms")
    setup = dms_helpers.migration(emulator, with_task=False)
    rule = {"rule-type": "selection", "rule-id": "1", "rule-name": "1", "rule-action": "include"}
    task_arn = dms_helpers.task(
        dms,
        setup,
        TableMappings=json.dumps({"rules": [{**rule, "object-locator": {"schema-name": s, "table-name": "orders"}}]}),
        ReplicationTaskSettings=json.dumps({"ValidationSettings": {"EnableValidation": True}}),
    )
    dms_helpers.task_status(dms, task_arn)
    dms.start_replication_task(ReplicationTaskArn=task_arn, StartReplicationTaskType="start-replication")
    tables = [f"{s}.orders", f"{s}.customers"]

    monkeypatch.setenv("DMS_TASK_ARN", task_arn)
    result = validate(validator, tables=tables)
    monkeypatch.setenv("DMS_TASK_ARN", task_arn.rsplit(":", 1)[0] + ":NOPE")
    unknown_task = validate(validator, tables=tables)

    assert result["passed"] is True and "dms_error" not in result
    assert result["tables"][f"{s}.orders"]["dms_validation_state"] == "Validated"
    assert result["tables"][f"{s}.customers"]["dms_validation_state"] == "not reported by the task"
    assert item(emulator, f"run#{result['at']}")["tables"][f"{s}.orders"]["dms_validation_state"] == "Validated"
    assert unknown_task["passed"] is True  # DMS's view is reported beside the verdict, it is not the verdict
    assert unknown_task["dms_error"].startswith(f"cannot read DMS's table statistics of {task_arn.rsplit(':', 1)[0]}")


# -- configuration ------------------------------------------------------------------------------------


CONFIGURED = {"SOURCE_SECRET_ID": "s", "TARGET_SECRET_ID": "t", "STATE_TABLE": "d"}


def test_configuration_defaults_and_table_names(validator):
    config = validator.config.load({**CONFIGURED, "TABLES": "a, sales.b,,a"})

    assert config.tables == ("public.a", "sales.b")
    assert (config.max_reported_keys, config.connect_timeout, config.deadline_margin) == (20, 10.0, 30.0)
    assert (config.metric_namespace, config.ssl_mode, config.dms_task_arn) == ("envmigrate", "require", "")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SSL_MODE": "verify-full"}, "SSL_MODE must be one of require, disable"),
        ({"MAX_REPORTED_KEYS": "many"}, "MAX_REPORTED_KEYS must be a number"),
        ({"TABLES": "a.b.c"}, "table name 'a.b.c' is not of the form schema.table or table"),
        ({"SOURCE_SECRET_ID": " "}, "environment variable SOURCE_SECRET_ID is not set"),
    ],
)
def test_configuration_errors_say_what_is_wrong(validator, variables, message):
    with pytest.raises(validator.config.ConfigError, match=message):
        validator.config.load({**CONFIGURED, **variables})


def test_the_handler_answers_configuration_errors_with_a_failed_result(validator, monkeypatch):
    for name in ("SOURCE_SECRET_ID", "TARGET_SECRET_ID", "STATE_TABLE", "TABLES"):
        monkeypatch.delenv(name, raising=False)
    assert failed(validate(validator, tables=["orders"])) == (
        "configuration: environment variable SOURCE_SECRET_ID is not set"
    )
    for name, value in CONFIGURED.items():
        monkeypatch.setenv(name, value)
    assert failed(validate(validator)) == 'no tables to validate: set TABLES or SCHEMAS, or pass "tables" in the event'
    assert failed(validate(validator, tables="a.b.c")).startswith("the event's tables are not valid: ")
