"""One table as one side's catalog describes it, and the SQL the comparison runs on it.

Everything is computed inside PostgreSQL: a row's checksum is ``hashtextextended()`` (64 bits, the
hash PostgreSQL uses for hash partitioning, stable across versions) of the row's text in a fixed
column order, and a range's checksum is the order-free ``sum()`` of its rows' checksums, with
``count(*)``. Key ranges are half-open, ``[lo, hi)``, where ``lo``/``hi`` are a key's column values as
text (None: unbounded); the SQL turns them back into typed literals of that side's column types.
"""

from __future__ import annotations

from dataclasses import dataclass

INTEGER_TYPES = ("smallint", "integer", "bigint")
RELATION_KINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view", "f": "foreign table"}
# Collations whose order is plain code-point order in UTF-8, the same on every server.
CODE_POINT_LOCALES = ("C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic")


class TableProblem(Exception):
    """The table cannot be compared (missing on a side, not a table, different columns)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # format_type(): "bigint", "character varying(20)", "public.mood"
    collation: str = ""  # SQL name of its collation ('pg_catalog."default"'); "" if the type has none
    order: str = ""  # what decides its sort order (see sort_order()); "" if the type has no collation


@dataclass(frozen=True)
class Shape:
    """One side's description of a table."""

    columns: tuple[Column, ...]
    key: tuple[str, ...]  # primary key column names in key order; () without a primary key
    row_estimate: int  # pg_class.reltuples; <= 0 when unknown (never analysed)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def describe(side, schema: str, name: str) -> Shape | None:
    """The table's shape on one side, or None when the side has no relation of that name; raises
    TableProblem when the relation is not one with rows (a sequence, an index...). Views compare too."""
    found = side.query(
        "SELECT CAST(c.oid AS bigint), c.relkind, CAST(c.reltuples AS bigint) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relname = :name",
        schema=schema,
        name=name,
    )
    if not found:
        return None
    oid, kind, estimate = found[0]
    if kind not in RELATION_KINDS:
        raise TableProblem(f"is not a table on the {side.name} (pg_class.relkind {kind!r})")
    columns = side.query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
        "CASE WHEN a.attcollation = 0 THEN '' ELSE format('%I.%I', n.nspname, co.collname) END, "
        "CASE WHEN a.attcollation = 0 THEN NULL ELSE to_jsonb(co) END "
        "FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation "
        "LEFT JOIN pg_namespace n ON n.oid = co.collnamespace "
        "WHERE a.attrelid = CAST(:oid AS oid) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        oid=oid,
    )
    key = side.query(
        "SELECT a.attname FROM pg_index i "
        "CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY AS k(attnum, position) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = CAST(:oid AS oid) AND i.indisprimary ORDER BY k.position",
        oid=oid,
    )
    key_names = tuple(row[0] for row in key)
    database = None
    if any(collation for column_name, _type, collation, _info in columns if column_name in key_names):
        database = side.query("SELECT to_jsonb(d) - 'datacl' FROM pg_database d WHERE d.datname = current_database()")[
            0
        ][0]
    return Shape(
        columns=tuple(
            Column(
                column_name,
                column_type,
                collation,
                sort_order(info, database) if info and column_name in key_names else "",
            )
            for column_name, column_type, collation, info in columns
        ),
        key=key_names,
        row_estimate=int(estimate),
    )


def sort_order(collation: dict, database: dict | None) -> str:
    """What decides how a collatable key column sorts: "C" for code-point order, else provider, locale
    and version. Two sides agree on key order only when these strings are equal. ``collation`` and
    ``database`` are pg_collation and pg_database rows as JSON (their columns differ between versions)."""
    if collation.get("collname") == "default" and database:
        provider = database.get("datlocprovider", "c")
        locale = database.get("datlocale") or database.get("daticulocale") or database.get("datcollate")
        version = database.get("datcollversion") or ""
    else:
        provider = collation.get("collprovider", "c")
        locale = collation.get("colllocale") or collation.get("colliculocale") or collation.get("collcollate")
        version = collation.get("collversion") or ""
    if provider in ("c", "b") and locale in CODE_POINT_LOCALES:
        return "C"
    return f"{provider}:{locale}:{version}"


@dataclass(frozen=True)
class Buckets:
    """Bounds that cut a key range into len(bounds) + 1 buckets: bucket 0 is [lo, bounds[0]), bucket i is
    [bounds[i-1], bounds[i]), the last [bounds[-1], hi). ``step`` = (first, width) when the bounds are
    first + width, first + 2 * width, ... of an integer key: the bucket is then computed by arithmetic."""

    bounds: tuple[tuple[str, ...], ...]
    step: tuple[int, int] | None = None

    def ranges(self, lo, hi) -> list[tuple]:
        edges = [lo, *[list(bound) for bound in self.bounds], hi]
        return list(zip(edges[:-1], edges[1:], strict=True))


class TableSql:
    """The statements for one table on one side (column types and collations are that side's).

    ``key_order`` is "native" (each key column sorts by its own collation, so indexes serve key ranges)
    or "C" (collatable key columns sort in code-point order, because the two sides' collations differ).
    """

    def __init__(self, schema: str, name: str, shape: Shape, columns: tuple[str, ...], key, key_order: str):
        self.relation = f"{quote_ident(schema)}.{quote_ident(name)} AS t"
        self.columns = [shape.column(column) for column in columns]
        self.key = [shape.column(column) for column in key]
        self.key_order = key_order
        self.row_hash = "hashtextextended(CAST(ROW({}) AS text), 0)".format(
            ", ".join(f"t.{quote_ident(column.name)}" for column in self.columns)
        )

    # -- keys --------------------------------------------------------------------------------------
    def _collate(self, column: Column) -> str:
        if not column.collation:
            return ""
        return ' COLLATE "C"' if self.key_order == "C" else f" COLLATE {column.collation}"

    def _key_columns(self) -> list[str]:
        return [f"t.{quote_ident(column.name)}{self._collate(column)}" for column in self.key]

    def _key(self) -> str:
        parts = self._key_columns()
        return parts[0] if len(parts) == 1 else f"ROW({', '.join(parts)})"

    def _key_texts(self) -> list[str]:
        return [f"CAST(t.{quote_ident(column.name)} AS text)" for column in self.key]

    def _key_text(self) -> str:
        return ", ".join(self._key_texts())

    def _bound(self, values) -> str:
        literals = [
            f"CAST({quote_literal(value)} AS {column.type}){self._collate(column)}"
            for column, value in zip(self.key, values, strict=True)
        ]
        return literals[0] if len(literals) == 1 else f"ROW({', '.join(literals)})"

    def range_condition(self, lo, hi) -> str:
        conditions = []
        if lo is not None:
            conditions.append(f"{self._key()} >= {self._bound(lo)}")
        if hi is not None:
            conditions.append(f"{self._key()} < {self._bound(hi)}")
        return " AND ".join(conditions) or "TRUE"

    def _bucket(self, buckets: Buckets) -> str:
        last = len(buckets.bounds)
        if buckets.step is not None:
            first, width = buckets.step
            key = f"CAST(t.{quote_ident(self.key[0].name)} AS bigint)"
            return f"LEAST(GREATEST(({key} - ({first})) / {width}, 0), {last})"
        return f"width_bucket({self._key()}, ARRAY[{', '.join(self._bound(bound) for bound in buckets.bounds)}])"

    # -- statements --------------------------------------------------------------------------------
    def count(self, lo, hi) -> str:
        return f"SELECT count(*) FROM {self.relation} WHERE {self.range_condition(lo, hi)}"

    def checksum(self) -> str:
        """Row count and checksum of the whole table."""
        return f"SELECT count(*), sum({self.row_hash}) FROM {self.relation}"

    def bucket_checksums(self, lo, hi, buckets: Buckets) -> str:
        """(bucket, rows, checksum) of each non-empty bucket of [lo, hi), in one pass over the range.

        The empty UNION ALL branch is there for the planner only. Grouped directly by an expression
        of the key, it would expect one group per row (the key is unique) and aggregate in a single
        process; grouped by a column of a UNION ALL, which has no statistics, it expects a few groups
        and hashes them in parallel workers, each row's bucket and checksum computed in the scan.
        """
        return (
            f"SELECT bucket, count(*), sum(row_hash) FROM ("
            f"SELECT {self._bucket(buckets)} AS bucket, {self.row_hash} AS row_hash FROM {self.relation} "
            f"WHERE {self.range_condition(lo, hi)} "
            f"UNION ALL SELECT NULL, NULL FROM generate_series(1, 0)) AS checksums GROUP BY bucket"
        )

    def row_checksums(self, ranges) -> str:
        """(key column texts..., row checksum) of every row in the given ranges, in key order."""
        where = " OR ".join(f"({self.range_condition(lo, hi)})" for lo, hi in ranges)
        return (
            f"SELECT {self._key_text()}, {self.row_hash} FROM {self.relation} "
            f"WHERE {where} ORDER BY {', '.join(self._key_columns())}"
        )

    def first_keys(self, lo, hi, limit: int) -> str:
        return (
            f"SELECT {self._key_text()} FROM {self.relation} WHERE {self.range_condition(lo, hi)} "
            f"ORDER BY {', '.join(self._key_columns())} LIMIT {int(limit)}"
        )

    def key_extremes(self, lo, hi) -> str:
        """Smallest and largest key in [lo, hi) (single integer key; both served by the index)."""
        key = f"t.{quote_ident(self.key[0].name)}"
        return f"SELECT min({key}), max({key}) FROM {self.relation} WHERE {self.range_condition(lo, hi)}"

    def sampled_keys(self, percent: float) -> str:
        """Keys of about ``percent`` % of the rows, picked at random, in key order."""
        return (
            f"SELECT {self._key_text()} FROM {self.relation} TABLESAMPLE BERNOULLI ({percent:.6f}) "
            f"ORDER BY {', '.join(self._key_columns())}"
        )

    def every_nth_key(self, lo, hi, step: int) -> str:
        """The keys at positions step + 1, 2 * step + 1, ... of [lo, hi) in key order, which cut it into
        buckets of ``step`` rows (one ordered scan of the range, by its index)."""
        texts = ", ".join(f"{expression} AS k{number}" for number, expression in enumerate(self._key_texts()))
        names = ", ".join(f"k{number}" for number in range(len(self.key)))
        return (
            f"SELECT {names} FROM (SELECT {texts}, row_number() OVER (ORDER BY {', '.join(self._key_columns())}) "
            f"AS position FROM {self.relation} WHERE {self.range_condition(lo, hi)}) AS numbered "
            f"WHERE position > 1 AND (position - 1) % {int(step)} = 0 ORDER BY position"
        )


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    # Doubling quotes is the whole escape because the session pins standard_conforming_strings=on.
    return "'" + text.replace("'", "''") + "'"
