"""Cross-engine check: the same marts on two targets hold the same rows.

Per table: row count and an order-independent checksum over normalized rows (numbers
rounded to 6 decimals, timestamps to the second without zone, booleans as true/false),
excluding columns that record *when* something was loaded rather than what it says.
A difference names the table and one differing key. A Spark target is read through the
process's Spark session (`ingest.spark_session`), the others through their DB-API connection.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections import Counter
from dataclasses import dataclass

from ingest import config, domains, warehouse

# Columns that carry load times or load ids: they differ between any two runs by design.
VOLATILE_COLUMNS = {
    "load_id",
    "source_load_id",
    "loaded_at",
    "refreshed_at",
    "refreshed_invocation_id",
    "dbt_valid_from",
    "dbt_valid_to",
    "dbt_updated_at",
    "dbt_scd_id",
    "_dlt_load_id",
    "built_at",
}


@dataclass
class TableDiff:
    table: str
    left_rows: int
    right_rows: int
    example_key: str | None
    differing_columns: str = ""

    def describe(self) -> str:
        return (
            f"{self.table}: {self.left_rows} rows vs {self.right_rows} rows"
            + (f"; e.g. key {self.example_key!r} differs" if self.example_key else "")
            + (f" in {self.differing_columns}" if self.differing_columns else "")
        )


def _differing_columns(
    columns: list[str], left_only: Counter, right_only: Counter, key: str
) -> str:
    """`column: left value != right value` for the row with `key` on both sides, from the
    rows only the left and only the right side has."""
    a = next((r for r in left_only if r[0] == key), None)
    b = next((r for r in right_only if r[0] == key), None)
    if a is None or b is None:
        return "" if a is None and b is None else "(the key is on one side only)"
    return ", ".join(
        f"{c}: {x[:40]!r} != {y[:40]!r}" for c, x, y in zip(columns, a, b, strict=True) if x != y
    )


def normalize(value) -> str:
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | decimal.Decimal | float):
        return f"{round(float(value), 6):.6f}" if not isinstance(value, int) else str(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _columns(con, schema: str, table: str) -> list[str]:
    rows = warehouse.fetchall(
        con,
        "select column_name from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
    )
    return [r[0] for r in rows if r[0] not in VOLATILE_COLUMNS]


def table_columns(target: config.Target, schema: str, table: str) -> list[str]:
    """The compared columns of a table (load times and ids left out)."""
    if target.is_spark:
        from ingest import spark_session

        names = spark_session.column_types(schema, table)
        return [c for c in names if c not in VOLATILE_COLUMNS]
    with warehouse.connect(target, read_only=target.is_duckdb) as con:
        return _columns(con, schema, table)


def table_rows(target: config.Target, schema: str, table: str, columns: list[str]) -> Counter:
    if target.is_spark:
        from ingest import spark_session

        rows = spark_session.fetch_columns(schema, table, columns)
    else:
        with warehouse.connect(target, read_only=target.is_duckdb) as con:
            cols = ", ".join(f'"{c}"' for c in columns)
            rows = warehouse.fetchall(con, f'select {cols} from {schema}."{table}"')
    return Counter(tuple(normalize(v) for v in row) for row in rows)


def checksum(rows: Counter) -> str:
    digest = 0
    for row, n in rows.items():
        h = int.from_bytes(hashlib.sha256("\x1f".join(row).encode()).digest()[:8], "big")
        digest = (digest + h * n) % (1 << 64)
    return f"{digest:016x}"


def mart_tables(target: config.Target, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, relation) of every relation in these schemas of the target."""
    if target.is_spark:
        from ingest import spark_session

        return [
            (schema, name)
            for schema in schemas
            for name, _kind in spark_session.relations(schema)
        ]
    with warehouse.connect(target, read_only=target.is_duckdb) as con:
        return [
            (schema, name)
            for schema in schemas
            for name, _kind in warehouse.relations(con, schema)
        ]


def compare(
    left: config.Target, right: config.Target, schemas: tuple[str, ...] | None = None
) -> tuple[list[str], list[TableDiff]]:
    """Compare every mart relation of two targets (the mart schemas of every registered
    domain, or `schemas`); returns (tables compared, differences)."""
    schemas = tuple(domains.mart_schemas()) if schemas is None else schemas
    left_tables = set(mart_tables(left, schemas))
    right_tables = set(mart_tables(right, schemas))
    diffs: list[TableDiff] = []
    for missing in sorted(left_tables ^ right_tables):
        side = "left" if missing in left_tables else "right"
        diffs.append(TableDiff(f"{missing[0]}.{missing[1]} (only on the {side})", 0, 0, None))
    compared = []
    for schema, table in sorted(left_tables & right_tables):
        columns = table_columns(left, schema, table)
        other = table_columns(right, schema, table)
        if set(columns) != set(other):
            only = sorted(set(columns) ^ set(other))
            diffs.append(TableDiff(f"{schema}.{table} (columns differ: {', '.join(only)})",
                                   0, 0, None))
            continue
        a = table_rows(left, schema, table, columns)
        b = table_rows(right, schema, table, columns)
        compared.append(f"{schema}.{table}")
        if checksum(a) != checksum(b):
            left_only, right_only = a - b, b - a
            only = left_only or right_only
            example = next(iter(only))[0] if only else None
            diffs.append(
                TableDiff(
                    f"{schema}.{table}", sum(a.values()), sum(b.values()), example,
                    _differing_columns(columns, left_only, right_only, example)
                    if example else "",
                )
            )
    return compared, diffs
