"""The control tables of schema `ctl`, as declared once in `macros/ctl/ctl_tables.sql`.

dbt creates them from the macro `ctl_table_columns` (on-run-start); the loader reads that same
declaration here, so the columns Python writes, the DDL it runs when it writes first and the
Arrow types of the Parquet rows it leaves for Spark all follow the one list in the macro.

Tables written from Python: `etl_audit_log`, `etl_run` (ingest rows) and `watermark`;
`data_quality_result` is created here too so the operator views exist before the first dbt
invocation (only dbt writes it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pyarrow as pa

from ingest import config

SCHEMA = "ctl"
MACRO = config.PROJECT_ROOT / "macros" / "ctl" / "ctl_tables.sql"

_TABLE = re.compile(r"'(\w+)':\s*\[(.*?)\]", re.S)
_COLUMN = re.compile(r"\(\s*'(\w+)'\s*,\s*'([^']+)'\s*\)")
_ARROW = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "double precision": pa.float64(),
    # Spark's control tables hold UTC timestamps without a zone (`timestamp_ntz`)
    "timestamp with time zone": pa.timestamp("us"),
}


@cache
def columns(path: Path = MACRO) -> dict[str, tuple[tuple[str, str], ...]]:
    """{table: ((column, SQL type with `not null`), ...)} from the macro `ctl_table_columns`."""
    text = Path(path).read_text(encoding="utf-8")
    body = text.split("macro ctl_table_columns", 1)[-1].split("endmacro", 1)[0]
    found = {name: tuple(_COLUMN.findall(cols)) for name, cols in _TABLE.findall(body)}
    if not found or not all(found.values()):
        raise RuntimeError(f"{path}: no control table columns found in ctl_table_columns()")
    return found


def ddl() -> dict[str, str]:
    """{table: column list of its `create table`} (DuckDB and PostgreSQL)."""
    return {name: ",\n".join(f"{c} {t}" for c, t in cols) for name, cols in columns().items()}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a control table's rows as Parquet files for Spark."""
    return pa.schema(
        [(c, _ARROW[t.lower().replace(" not null", "").strip()]) for c, t in columns()[table]]
    )


def is_duckdb(con) -> bool:
    return "duckdb" in type(con).__module__


def execute(con, sql: str, params: Sequence = ()) -> list[tuple]:
    """One statement, `?` placeholders, on the connection itself (a DuckDB cursor would be a
    new connection); psycopg2 gets `%s`."""
    if is_duckdb(con):
        res = con.execute(sql, list(params)) if params else con.execute(sql)
        return res.fetchall() if res.description else []
    cur = con.cursor()
    try:
        if params:
            cur.execute(sql.replace("?", "%s"), tuple(params))
        else:
            cur.execute(sql)
        return cur.fetchall() if cur.description else []
    finally:
        cur.close()


def ensure_tables(con) -> None:
    """Create schema `ctl` and its tables if missing (idempotent, both engines)."""
    execute(con, f"create schema if not exists {SCHEMA}")
    for name, body in ddl().items():
        execute(con, f"create table if not exists {SCHEMA}.{name} ({body})")


def insert(con, table: str, row: dict) -> None:
    """Append one row (column -> value) to `ctl.<table>`; columns must be the table's."""
    known = {c for c, _ in columns()[table]}
    unknown = sorted(set(row) - known)
    if unknown:
        raise ValueError(f"ctl.{table} has no column(s) {unknown}")
    names = list(row)
    execute(
        con,
        f"insert into {SCHEMA}.{table} ({', '.join(names)}) "
        f"values ({', '.join('?' for _ in names)})",
        [row[n] for n in names],
    )
