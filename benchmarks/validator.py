#!/usr/bin/env python3
"""How fast the migration validator (lambdas/migration_validator) compares a million-row table pair.

One local PostgreSQL 16 (pgserver, TCP on 127.0.0.1) holds three databases with the same table:
``src``, ``same`` (a copy) and ``diff`` (a copy with 7 scattered differences: 3 updates, 2 deletes,
2 inserts). Each repeat measures, one after the other so that the machine's load hits all alike:

  baseline        one order-free whole-table hash aggregate, count(*) + sum(row hash), on src and same
                  at once: the least any comparison that reads both tables must cost (the row hash
                  is the validator's own, over the row's text)
  validator       compare.py on src/same and on src/diff (connections open, as for the baseline)
  reladiff        reladiff's hashdiff on the same pairs, with its defaults and with 4 threads per side
                  (its fastest here); the target below is checked against the faster of the two
  pg_comparator   Debian's pg_comparator, when it is on PATH and can run here

The issue's targets, checked at the end: validator on identical tables <= 1.5 x baseline and
<= 0.5 x reladiff; validator with the 7 differences <= 1.5 x validator on identical tables, every
difference found. Medians are compared. Not part of the test suite: the figures depend on the
machine and its load.

    .venv/bin/python benchmarks/validator.py --rows 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas" / "migration_validator")]

import compare  # noqa: E402  (the function's modules, imported as Lambda imports them)
import database  # noqa: E402

from tests.unit.lambdas.conftest import PASSWORD, start_postgres  # noqa: E402  (the tests' TCP server)

TABLE = "orders"
COLUMNS = ("customer_id", "status", "amount", "created_at", "payload", "note")
SCHEMA = f"""
CREATE TABLE {TABLE} (id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, amount numeric(12, 2),
                      created_at timestamptz NOT NULL, payload jsonb, note text);
INSERT INTO {TABLE}
SELECT 2 * g, g % 50000, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4], (g % 100000) / 100.0,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '17 seconds',
       jsonb_build_object('items', g % 7, 'sku', 'SKU-' || (g % 9973)),
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, %(rows)s) AS g;
"""
TARGETS = (
    ("validator, identical", "baseline", 1.5),
    ("validator, identical", "reladiff (fastest), identical", 0.5),
    ("validator, 7 differences", "validator, identical", 1.5),
)


def differences(rows: int) -> tuple[list[str], dict]:
    """SQL that makes ``diff`` differ from ``src`` in 7 scattered rows (keys are 2, 4, ..., 2 * rows),
    and the differences the validator must report, {kind: sorted keys}."""
    last = 2 * rows
    updated = [2 * (rows // 7), 2 * (rows // 2), last]
    deleted = [2, 2 * (3 * rows // 4)]
    inserted = [2 * (rows // 3) + 1, last + 2]  # between two keys, and after the last one
    sql = [
        f"UPDATE {TABLE} SET note = 'changed' WHERE id = {updated[0]}",
        f"UPDATE {TABLE} SET amount = amount + 0.01 WHERE id = {updated[1]}",
        f"UPDATE {TABLE} SET payload = payload || '{{\"items\": -1}}' WHERE id = {updated[2]}",
        f"DELETE FROM {TABLE} WHERE id IN ({deleted[0]}, {deleted[1]})",
        f"INSERT INTO {TABLE} VALUES ({inserted[0]}, 1, 'new', 1, '2026-01-01 00:00+00', NULL, 'inserted'), "
        f"({inserted[1]}, 2, 'new', 2, '2026-01-01 00:00+00', '{{}}', NULL)",
    ]
    expected = {"changed": sorted(updated), "missing": sorted(deleted), "extra": sorted(inserted)}
    return sql, expected


def prepare(server, rows: int) -> dict:
    """Load src, copy it to same and diff, change diff; everything vacuumed, frozen and analysed."""
    admin = server.admin("src")
    admin.run(SCHEMA.replace("%(rows)s", str(rows)))
    admin.close()
    admin = server.admin()
    for copy in ("same", "diff"):
        admin.run(f"CREATE DATABASE {copy} TEMPLATE src STRATEGY FILE_COPY")
    admin.close()
    change, expected = differences(rows)
    diff = server.admin("diff")
    for statement in change:
        diff.run(statement)
    diff.close()
    for name in ("src", "same", "diff"):
        connection = server.admin(name)
        connection.run(f"VACUUM (FREEZE, ANALYZE) {TABLE}")  # hint bits set: no first-reader penalty
        connection.close()
    return expected


def open_pair(port: int, target: str) -> database.Pair:
    deadline = database.Deadline()
    sides = []
    for side, name in (("source", "src"), ("target", target)):
        secret = {"host": "127.0.0.1", "port": port, "username": "postgres", "password": PASSWORD, "dbname": name}
        sides.append(database.connect(side, secret, ssl_mode="disable", connect_timeout=10, deadline=deadline))
    return database.Pair(*sides)


def run_validator(pair: database.Pair) -> tuple[dict, int]:
    """The table compared to the end as the handler does it: (summary, steps)."""
    plan = compare.plan_table(pair, f"public.{TABLE}")
    comparison = compare.TableComparison(plan, pair, compare.new_progress(plan, pair), max_reported_keys=100)
    steps = 0
    while not comparison.done:
        comparison.step()
        steps += 1
    return comparison.summary(), steps


def run_baseline(pair: database.Pair) -> None:
    plan = compare.plan_table(pair, f"public.{TABLE}")
    source, target = pair.run(lambda side: side.query(plan.sql[side.name].checksum())[0])
    assert source == target, (source, target)


RELADIFF_SETTINGS = {
    "reladiff": {"thread_count": 1, "max_threadpool_size": 1},  # its defaults
    "reladiff 4 threads": {"thread_count": 4, "max_threadpool_size": 4},  # its fastest here
}


def reladiff_tables(port: int, target: str, thread_count: int, max_threadpool_size: int):
    import reladiff

    tables = [
        reladiff.connect_to_table(
            f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/{name}", TABLE, "id", thread_count=thread_count
        )
        for name in ("src", target)
    ]
    return tables, max_threadpool_size


def run_reladiff(setup) -> set:
    import reladiff

    tables, max_threadpool_size = setup
    # skip_sort_results: reladiff's sort of the differing rows fails on NULL values.
    with reladiff.diff_tables(
        *tables, extra_columns=COLUMNS, threaded=True, max_threadpool_size=max_threadpool_size, skip_sort_results=True
    ) as diff:
        return {int(row[0]) for _sign, row in diff}


def pg_comparator_command(port: int, target: str) -> list[str]:
    columns = ",".join(COLUMNS)
    return [
        "pg_comparator",
        "--no-lock",
        "--checksum-function=md5",  # ck and fnv need the pgcmp C extension in both databases
        f"pgsql://postgres:{PASSWORD}@127.0.0.1:{port}/src/public.{TABLE}?id:{columns}",
        f"pgsql://postgres:{PASSWORD}@127.0.0.1:{port}/{target}/public.{TABLE}?id:{columns}",
    ]


def pg_comparator_status(port: int) -> str:
    """ "" when pg_comparator can compare the tables here, else why it is left out."""
    if shutil.which("pg_comparator") is None:
        return "not on PATH (Debian package postgresql-comparator)"
    done = subprocess.run(pg_comparator_command(port, "same"), capture_output=True, text=True, timeout=600)
    if done.returncode == 0:
        return ""
    lines = [line for line in done.stderr.splitlines() if "ERROR" in line] or done.stderr.splitlines()[-1:]
    return f"on PATH but cannot run here: {lines[0].strip() if lines else 'exit ' + str(done.returncode)}"


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    outcome = work()
    return time.perf_counter() - started, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-reladiff", action="store_true", help="leave reladiff out")
    args = parser.parse_args()
    # reladiff warns (warnings and logging) about every column type it does not normalise.
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.ERROR)
    for name in ("reladiff", "sqeleton"):
        logging.getLogger(name).setLevel(logging.ERROR)

    with tempfile.TemporaryDirectory(prefix="validator-benchmark-") as directory:
        Path(directory).chmod(0o755)
        print(f"Starting PostgreSQL and loading {args.rows:,} rows into src, same and diff ...", flush=True)
        server = start_postgres(directory, databases=("src",))
        try:
            started = time.perf_counter()
            expected = prepare(server, args.rows)
            print(f"  loaded in {time.perf_counter() - started:.1f} s; differences in diff: {expected}", flush=True)
            return measure(server.port, args, expected)
        finally:
            server.cleanup()


def measure(port: int, args, expected: dict) -> int:
    same, diff = open_pair(port, "same"), open_pair(port, "diff")
    comparator = pg_comparator_status(port)
    reladiffs = {}
    if not args.no_reladiff:
        for label, settings in RELADIFF_SETTINGS.items():
            reladiffs[label] = {pair: reladiff_tables(port, pair, **settings) for pair in ("same", "diff")}
    times: dict[str, list[float]] = {}
    found_all, steps = True, {}
    for repeat in range(1, args.repeat + 1):
        runs = [
            ("baseline", lambda: run_baseline(same)),
            ("validator, identical", lambda: run_validator(same)),
            ("validator, 7 differences", lambda: run_validator(diff)),
        ]
        for label, setups in reladiffs.items():
            runs += [
                (f"{label}, identical", lambda setups=setups: run_reladiff(setups["same"])),
                (f"{label}, 7 differences", lambda setups=setups: run_reladiff(setups["diff"])),
            ]
        if not comparator:
            runs += [
                ("pg_comparator, identical", lambda: subprocess.run(pg_comparator_command(port, "same"), check=True)),
                ("pg_comparator, 7 differences", lambda: subprocess.run(pg_comparator_command(port, "diff"))),
            ]
        for name, work in runs:
            seconds, outcome = timed(work)
            times.setdefault(name, []).append(seconds)
            if name.startswith("validator"):
                summary, steps[name] = outcome
                found = {
                    kind: sorted(int(d["key"]["id"]) for d in summary["differences"] if d["kind"] == kind)
                    for kind in ("changed", "missing", "extra")
                }
                wanted = expected if "differences" in name else {"changed": [], "missing": [], "extra": []}
                found_all = (
                    found_all and found == wanted and summary["mismatched_rows"] == sum(map(len, wanted.values()))
                )
            if name.startswith("reladiff") and name.endswith("differences"):
                found_all = found_all and outcome == {key for keys in expected.values() for key in keys}
        print(f"  repeat {repeat}: " + ", ".join(f"{name} {times[name][-1]:.2f} s" for name, _ in runs), flush=True)
    same.close()
    diff.close()
    return report(times, steps, comparator, found_all)


def report(times: dict, steps: dict, comparator: str, found_all: bool) -> int:
    medians = {name: statistics.median(values) for name, values in times.items()}
    print("\nmedian seconds (min .. max) over the repeats:")
    for name, values in times.items():
        ratio = medians[name] / medians["baseline"]
        extra = f", {steps[name]} steps" if name in steps else ""
        print(
            f"  {name:34} {medians[name]:6.2f}  ({min(values):.2f} .. {max(values):.2f})  "
            f"{ratio:4.2f} x baseline{extra}"
        )
    if comparator:
        print(f"  pg_comparator: {comparator}")
    reladiff = [name for name in medians if name.startswith("reladiff") and name.endswith("identical")]
    if reladiff:  # the target is met against reladiff's fastest configuration
        medians["reladiff (fastest), identical"] = min(medians[name] for name in reladiff)
    print("\ntargets:")
    met = found_all
    for name, reference, limit in TARGETS:
        if reference not in medians:
            print(f"  {name} / {reference}: not measured")
            continue
        ratio = medians[name] / medians[reference]
        met = met and ratio <= limit
        print(f"  {name} / {reference} = {ratio:.2f} (at most {limit}): {'met' if ratio <= limit else 'MISSED'}")
    print(f"  every difference found, none reported on identical tables: {'yes' if found_all else 'NO'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
