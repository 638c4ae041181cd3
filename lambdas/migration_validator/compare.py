"""Compare one table between the source and the target, one bounded step at a time.

The work is a stack of pending key ranges, at first the whole table. A step takes the top of it:

- a range of more than SEGMENT_ROWS rows is cut into segments (bounds only, no checksums), so that no
  single query has to read more than that in one invocation;
- a range of more than LEAF_ROWS rows is cut into up to MAX_BUCKETS buckets, and each side computes,
  in one pass over the range (both sides at once), every bucket's row count and checksum. Buckets
  that agree are done. A bucket with rows on one side only is all missing (or all extra) rows. The
  other buckets become pending ranges;
- small ranges (LEAF_ROWS rows at most) are compared row by row, many in one query per side: each
  side returns the key and checksum of every row, and the difference is worked out here.

For identical tables that is one pass per side, which also gives the row counts; every difference
costs one more small indexed query per side. Bucket bounds come from the smallest and largest key
of an integer key, else from a sample of the keys (whole tables) or every n-th key (smaller ranges).

Progress is a plain dict of JSON values that state.py checkpoints between invocations. A step
changes it only after all its queries returned, so a step cut short by the deadline is redone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from config import split_table_name
from tables import INTEGER_TYPES, Buckets, TableProblem, TableSql, describe

LEAF_ROWS = 2000  # ranges this small are compared row by row
LEAF_BATCH_ROWS = 20_000  # rows of small ranges fetched in one query per side
LEAF_BATCH_RANGES = 200  # ranges OR-ed into one query
BUCKET_ROWS = 500  # rows per bucket aimed at, so that most differing buckets are small ranges at once
MAX_BUCKETS = 2048
SEGMENT_ROWS = 2_000_000  # at most this many rows per checksum pass (a few seconds)
SAMPLED_TABLE_ROWS = 100_000  # whole tables above this size take bucket bounds from a sample
SAMPLE_PER_BUCKET = 20


@dataclass
class Plan:
    """What a comparison needs to know about a table, from both catalogs."""

    name: str  # schema.table
    key: tuple[str, ...]
    integer_key: bool
    sql: dict  # side name -> TableSql
    estimates: list  # [source rows, target rows] from the statistics; <= 0 when unknown
    notes: list = field(default_factory=list)


def plan_table(pair, name: str) -> Plan:
    """Read both catalogs and decide how the table is compared; raises tables.TableProblem."""
    schema, table = split_table_name(name)
    source, target = pair.run(lambda side: describe(side, schema, table))
    for side, shape in (("source", source), ("target", target)):
        if shape is None:
            raise TableProblem(f"does not exist on the {side}")
    columns = tuple(column.name for column in source.columns)
    target_columns = tuple(column.name for column in target.columns)
    only_source = [column for column in columns if column not in target_columns]
    only_target = [column for column in target_columns if column not in columns]
    if only_source or only_target:
        raise TableProblem(
            "columns differ: only on the source: {}; only on the target: {}".format(
                ", ".join(only_source) or "none", ", ".join(only_target) or "none"
            )
        )
    key, notes = source.key, []
    if not key:
        notes.append("no primary key on the source: compared by row count and whole-table checksum")
    # Key ranges only mean the same rows on both sides if both sort the key the same way.
    same_order = all(source.column(column).order == target.column(column).order for column in key)
    if not same_order:
        notes.append("the key columns' collations differ between the sides: key ranges compared in C order")
    integer_key = len(key) == 1 and all(shape.column(key[0]).type in INTEGER_TYPES for shape in (source, target))
    key_order = "native" if same_order else "C"
    return Plan(
        name=name,
        key=key,
        integer_key=integer_key,
        sql={
            "source": TableSql(schema, table, source, columns, key, key_order),
            "target": TableSql(schema, table, target, columns, key, key_order),
        },
        estimates=[source.row_estimate, target.row_estimate],
        notes=notes,
    )


def new_progress(plan: Plan, pair) -> dict:
    """The starting point of a table's comparison: its whole key range, with both sides' row counts
    (the statistics' estimates, or counted when the table was never analysed)."""
    rows = list(plan.estimates)
    if plan.key and min(rows) <= 0:
        rows = list(pair.run(lambda side: side.query(plan.sql[side.name].count(None, None))[0][0]))
    return {
        "pending": [{"lo": None, "hi": None, "rows": rows}],
        "source_rows": 0,
        "target_rows": 0,
        "missing": 0,
        "extra": 0,
        "changed": 0,
        "checksums_differ": False,
        "differences": [],
    }


@dataclass
class Tally:
    """What one step found; added to the progress when the step is complete."""

    source_rows: int = 0
    target_rows: int = 0
    missing: int = 0
    extra: int = 0
    changed: int = 0
    checksums_differ: bool = False
    differences: list = field(default_factory=list)


class TableComparison:
    def __init__(self, plan: Plan, pair, progress: dict, max_reported_keys: int):
        self.plan = plan
        self.pair = pair
        self.progress = progress
        self.max_reported_keys = max_reported_keys

    @property
    def done(self) -> bool:
        return not self.progress["pending"]

    def step(self) -> None:
        """Do the next bounded piece of work (see the module's docstring)."""
        pending = self.progress["pending"]
        if not self.plan.key:
            tally, taken, children = self._compare_whole_table(), len(pending), []
        elif max(pending[-1]["rows"]) <= LEAF_ROWS:
            batch = self._leaf_batch(pending)
            tally, taken, children = self._compare_rows([(item["lo"], item["hi"]) for item in batch]), len(batch), []
        else:
            (tally, children), taken = self._examine(pending[-1]), 1
        del pending[len(pending) - taken :]
        pending.extend(reversed(children))  # the first child on top: ranges are done in key order
        self._add(tally)

    def summary(self) -> dict:
        """The table's result, as stored in the state table and returned."""
        p = self.progress
        if self.plan.key:
            mismatched = p["missing"] + p["extra"] + p["changed"]
            counts = {"missing_rows": p["missing"], "extra_rows": p["extra"], "changed_rows": p["changed"]}
            reason = f"{p['missing']} missing, {p['extra']} extra, {p['changed']} changed rows" if mismatched else ""
        else:
            # Without a key, only the difference in count is known, or that some row differs.
            mismatched = abs(p["source_rows"] - p["target_rows"]) or int(p["checksums_differ"])
            counts = {"missing_rows": None, "extra_rows": None, "changed_rows": None}
            reason = ""
            if p["source_rows"] != p["target_rows"]:
                reason = f"row counts differ: {p['source_rows']} on the source, {p['target_rows']} on the target"
            elif p["checksums_differ"]:
                reason = "same row count but the whole-table checksums differ"
        return {
            "status": "mismatch" if mismatched else "match",
            "primary_key": list(self.plan.key),
            "source_rows": p["source_rows"],
            "target_rows": p["target_rows"],
            **counts,
            "mismatched_rows": mismatched,
            "differences": list(p["differences"]),
            "reason": reason,
            "notes": list(self.plan.notes),
        }

    # -- steps -------------------------------------------------------------------------------------
    def _examine(self, item: dict) -> tuple[Tally, list]:
        """One range: cut into segments when large, else a bucket pass on both sides."""
        lo, hi, rows = item["lo"], item["hi"], item["rows"]
        largest = max(rows)
        segmenting = largest > SEGMENT_ROWS
        count = ceil(largest / SEGMENT_ROWS) if segmenting else max(2, ceil(largest / BUCKET_ROWS))
        buckets = self._buckets(lo, hi, rows, min(MAX_BUCKETS, count))
        if buckets is None:
            return Tally(), []
        if not buckets.bounds:  # at most one key in the range: nothing to cut
            return self._compare_rows([(lo, hi)]), []
        if segmenting:
            share = [ceil(side_rows / (len(buckets.bounds) + 1)) for side_rows in rows]
            return Tally(), [{"lo": start, "hi": end, "rows": share} for start, end in buckets.ranges(lo, hi)]
        source, target = self.pair.run(
            lambda side: {
                number: (bucket_rows, checksum)
                for number, bucket_rows, checksum in side.query(
                    self.plan.sql[side.name].bucket_checksums(lo, hi, buckets)
                )
            }
        )
        tally, children = Tally(), []
        for number, (start, end) in enumerate(buckets.ranges(lo, hi)):
            ours, theirs = source.get(number, (0, None)), target.get(number, (0, None))
            if ours == theirs:
                tally.source_rows += ours[0]
                tally.target_rows += theirs[0]
            elif min(ours[0], theirs[0]) == 0 and max(ours[0], theirs[0]) > LEAF_ROWS:
                self._one_sided(start, end, ours[0], theirs[0], tally)
            else:
                children.append({"lo": start, "hi": end, "rows": [ours[0], theirs[0]]})
        return tally, children

    def _one_sided(self, start, end, source_rows: int, target_rows: int, tally: Tally) -> None:
        """A bucket with rows on one side only: all missing (or all extra); a few keys are fetched."""
        tally.source_rows += source_rows
        tally.target_rows += target_rows
        tally.missing += source_rows
        tally.extra += target_rows
        room = self.max_reported_keys - len(self.progress["differences"]) - len(tally.differences)
        if room > 0:
            side = self.pair.source if source_rows else self.pair.target
            kind = "missing" if source_rows else "extra"
            for row in side.query(self.plan.sql[side.name].first_keys(start, end, room)):
                tally.differences.append({"kind": kind, "key": self._key(row)})

    def _compare_rows(self, ranges: list) -> Tally:
        """Row by row: the keys and checksums of every row of the ranges, from both sides."""
        source, target = self.pair.run(lambda side: side.query(self.plan.sql[side.name].row_checksums(ranges)))
        tally = Tally(source_rows=len(source), target_rows=len(target))
        theirs = {tuple(row[:-1]): row[-1] for row in target}
        ours = set()
        for *key, checksum in source:
            key = tuple(key)
            ours.add(key)
            if key not in theirs:
                tally.missing += 1
                tally.differences.append({"kind": "missing", "key": self._key(key)})
            elif theirs[key] != checksum:
                tally.changed += 1
                tally.differences.append({"kind": "changed", "key": self._key(key)})
        for *key, _checksum in target:
            if tuple(key) not in ours:
                tally.extra += 1
                tally.differences.append({"kind": "extra", "key": self._key(key)})
        return tally

    def _compare_whole_table(self) -> Tally:
        source, target = self.pair.run(lambda side: side.query(self.plan.sql[side.name].checksum())[0])
        return Tally(source_rows=source[0], target_rows=target[0], checksums_differ=source[1] != target[1])

    # -- bucket bounds -----------------------------------------------------------------------------
    def _buckets(self, lo, hi, rows: list, count: int) -> Buckets | None:
        """Bounds cutting [lo, hi) into about ``count`` buckets: None when neither side has a row in
        it (integer keys), no bounds when it holds a single key."""
        if self.plan.integer_key:
            return self._integer_buckets(lo, hi, count)
        # The keys come from the side with more rows (so the buckets follow the data that is there),
        # or from the other one if that side turns out to have none.
        sides = (self.pair.source, self.pair.target) if rows[0] >= rows[1] else (self.pair.target, self.pair.source)
        largest = max(rows)
        for side in sides:
            sql = self.plan.sql[side.name]
            keys = []
            if lo is None and hi is None and largest > SAMPLED_TABLE_ROWS:
                keys = side.query(sql.sampled_keys(min(100.0, 100.0 * count * SAMPLE_PER_BUCKET / largest)))
            if len(keys) < count:
                keys = side.query(sql.every_nth_key(lo, hi, max(1, ceil(largest / count))))
            if len(keys) < count // 2:  # fewer rows than the estimate said (stale statistics): count them
                present = side.query(sql.count(lo, hi))[0][0]
                keys = side.query(sql.every_nth_key(lo, hi, max(1, ceil(present / count)))) if present > 1 else []
            if keys:
                # At most count - 1 bounds, spread evenly, whatever the row estimate was.
                picked = [keys[i * len(keys) // count] for i in range(1, count)] if len(keys) >= count else keys
                return Buckets(tuple(tuple(key) for key in picked))
        return Buckets(())

    def _integer_buckets(self, lo, hi, count: int) -> Buckets | None:
        """Equal-width buckets between the smallest and the largest key of either side."""
        extremes = self.pair.run(lambda side: side.query(self.plan.sql[side.name].key_extremes(lo, hi))[0])
        lows = [low for low, _high in extremes if low is not None]
        if not lows:
            return None
        first, last = min(lows), max(high for _low, high in extremes if high is not None)
        width = max(1, -(-(last - first + 1) // count))  # ceiling, in integers: keys may be huge
        bounds = tuple((str(first + i * width),) for i in range(1, count) if first + i * width <= last)
        # The arithmetic works in bigint: only when key - first cannot overflow.
        return Buckets(bounds, step=(first, width) if last - first < 2**62 else None)

    # -- helpers -----------------------------------------------------------------------------------
    @staticmethod
    def _leaf_batch(pending: list) -> list:
        """The small ranges on top of the stack that go into one row-by-row query."""
        batch, total = [], 0
        for item in reversed(pending):
            size = max(item["rows"])
            if size > LEAF_ROWS or len(batch) == LEAF_BATCH_RANGES or (batch and total + size > LEAF_BATCH_ROWS):
                break
            batch.append(item)
            total += size
        return batch

    def _key(self, values) -> dict:
        return dict(zip(self.plan.key, values, strict=True))

    def _add(self, tally: Tally) -> None:
        p = self.progress
        for name in ("source_rows", "target_rows", "missing", "extra", "changed"):
            p[name] += getattr(tally, name)
        p["checksums_differ"] = p["checksums_differ"] or tally.checksums_differ
        room = self.max_reported_keys - len(p["differences"])
        p["differences"].extend(tally.differences[: max(0, room)])
