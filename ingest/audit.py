"""The control tables in schema `ctl`: one row per ingest run, per run, per watermark.

Written from Python (plain SQL through `ingest.warehouse.connect`), on DuckDB and PostgreSQL:

- `ctl.etl_audit_log`  one row per ingest run (success or failure), written when it ends
- `ctl.etl_run`        one row per ingest run and per dbt invocation (dbt writes its own rows
                       from an on-run-end hook, macro `ctl_record_run`)
- `ctl.watermark`      last cursor value and rows read per incremental source table
- `ctl.data_quality_result` is created here too (same DDL as the dbt hook) so that the
  operator views exist before the first dbt invocation; only dbt writes it.

The DDL below must match `macros/ctl/ctl_tables.sql` column for column (a test compares them).
Tables are created idempotently on every write; the connection is opened only after dlt has
finished, because DuckDB allows one writer per file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import config, warehouse

SCHEMA = "ctl"
MAX_MESSAGE = 4000

DDL: dict[str, str] = {
    "etl_audit_log": """
        run_id           varchar not null,
        pipeline_name    varchar not null,
        source_name      varchar not null,
        protocol         varchar not null,
        target_table     varchar not null,
        status           varchar not null,
        rows_loaded      bigint,
        parquet_files    integer,
        lake_paths       varchar,
        error_message    varchar,
        started_at       timestamp with time zone not null,
        finished_at      timestamp with time zone,
        duration_seconds double precision
    """,
    "etl_run": """
        run_id           varchar not null,
        run_kind         varchar not null,
        command          varchar not null,
        target_name      varchar,
        status           varchar not null,
        started_at       timestamp with time zone not null,
        finished_at      timestamp with time zone,
        duration_seconds double precision,
        message          varchar
    """,
    "data_quality_result": """
        run_id            varchar not null,
        test_name         varchar not null,
        test_unique_id    varchar not null,
        model             varchar,
        column_name       varchar,
        severity          varchar,
        status            varchar not null,
        failing_rows      bigint,
        execution_seconds double precision,
        message           varchar,
        checked_at        timestamp with time zone not null
    """,
    "watermark": """
        source_name      varchar not null,
        table_name       varchar not null,
        cursor_column    varchar not null,
        last_value       varchar,
        rows_read        bigint,
        total_rows_read  bigint,
        run_id           varchar,
        updated_at       timestamp with time zone not null
    """,
}


@dataclass
class RunRecord:
    """One ingest run, as it will appear in `ctl.etl_audit_log` and `ctl.etl_run`."""

    run_id: str
    pipeline_name: str
    source_name: str
    protocol: str
    target_table: str
    command: str
    started_at: datetime
    status: str = "running"
    rows_loaded: int = 0
    parquet_files: list[Path] = field(default_factory=list)
    error_message: str | None = None
    finished_at: datetime | None = None
    detail: str = ""
    # "ingest": a row in etl_audit_log and in etl_run; "dbt": a dbt invocation that never
    # started (its warehouse was held), a row in etl_run only, as dbt's own rows are
    kind: str = "ingest"

    @property
    def duration_seconds(self) -> float:
        end = self.finished_at or datetime.now(UTC)
        return round((end - self.started_at).total_seconds(), 3)

    def finish(self, status: str, error: str | None = None) -> None:
        self.status = status
        self.error_message = error[:MAX_MESSAGE] if error else None
        self.finished_at = datetime.now(UTC)


def _sql(con, sql: str) -> str:
    """Queries are written with `?` placeholders; psycopg2 wants `%s`."""
    return sql if _is_duckdb(con) else sql.replace("?", "%s")


def _is_duckdb(con) -> bool:
    return "duckdb" in type(con).__module__


def _execute(con, sql: str, params: Sequence = ()) -> list[tuple]:
    """Run one statement on the connection itself (a DuckDB cursor is a new connection)."""
    if _is_duckdb(con):
        res = con.execute(sql, list(params)) if params else con.execute(sql)
        return res.fetchall() if res.description else []
    cur = con.cursor()
    try:
        cur.execute(_sql(con, sql), tuple(params)) if params else cur.execute(sql)
        return cur.fetchall() if cur.description else []
    finally:
        cur.close()


def ensure_tables(con) -> None:
    """Create schema `ctl` and its tables if missing (idempotent, both engines)."""
    _execute(con, f"create schema if not exists {SCHEMA}")
    for name, columns in DDL.items():
        _execute(con, f"create table if not exists {SCHEMA}.{name} ({columns})")


def _has_run(con, table: str, run_id: str) -> bool:
    return bool(_execute(con, f"select 1 from {SCHEMA}.{table} where run_id = ?", (run_id,)))


def write_run(record: RunRecord, target: config.Target | None = None) -> None:
    """Append the run's `etl_audit_log` and `etl_run` rows (one transaction where possible).

    Idempotent by run id: a row already there is not written again (a spooled record
    replayed twice, `ingest.audit_spool`)."""
    target = target or config.target()
    if target.is_spark:  # no connection from Python: Parquet files in the lake's ctl folder
        from ingest import spark_landing

        spark_landing.write_audit(record, target.name)
        return
    with warehouse.connect(target) as con:
        ensure_tables(con)
        _execute(con, "begin transaction")
        if record.kind == "ingest" and not _has_run(con, "etl_audit_log", record.run_id):
            _execute(
                con,
                f"insert into {SCHEMA}.etl_audit_log (run_id, pipeline_name, source_name, "
                "protocol, target_table, status, rows_loaded, parquet_files, lake_paths, "
                "error_message, started_at, finished_at, duration_seconds) "
                "values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.run_id,
                    record.pipeline_name,
                    record.source_name,
                    record.protocol,
                    record.target_table,
                    record.status,
                    record.rows_loaded,
                    len(record.parquet_files),
                    ";".join(str(p) for p in record.parquet_files) or None,
                    record.error_message,
                    record.started_at,
                    record.finished_at,
                    record.duration_seconds,
                ),
            )
        if not _has_run(con, "etl_run", record.run_id):
            _execute(
                con,
                f"insert into {SCHEMA}.etl_run (run_id, run_kind, command, target_name, status, "
                "started_at, finished_at, duration_seconds, message) values (?,?,?,?,?,?,?,?,?)",
                (
                    record.run_id,
                    record.kind,
                    record.command,
                    target.name,
                    record.status,
                    record.started_at,
                    record.finished_at,
                    record.duration_seconds,
                    record.error_message
                    or f"{record.rows_loaded} row(s) into {record.target_table}"
                    + (f": {record.detail}" if record.detail else ""),
                ),
            )
        _execute(con, "commit")


def read_watermark(
    source_name: str, table_name: str, target: config.Target | None = None
) -> tuple[str | None, int]:
    """(last cursor value as text, total rows read) of a source table, or (None, 0)."""
    target = target or config.target()
    with warehouse.connect(target) as con:
        ensure_tables(con)
        rows = _execute(
            con,
            f"select last_value, total_rows_read from {SCHEMA}.watermark "
            "where source_name = ? and table_name = ?",
            (source_name, table_name),
        )
    row = rows[0] if rows else None
    return (row[0], int(row[1] or 0)) if row else (None, 0)


def write_watermark(
    source_name: str,
    table_name: str,
    cursor_column: str,
    last_value: str | None,
    rows_read: int,
    run_id: str,
    target: config.Target | None = None,
) -> None:
    """Replace the watermark row of a source table (delete + insert: portable upsert)."""
    target = target or config.target()
    _, total = read_watermark(source_name, table_name, target)
    with warehouse.connect(target) as con:
        ensure_tables(con)
        key = (source_name, table_name)
        _execute(con, "begin transaction")
        _execute(
            con, f"delete from {SCHEMA}.watermark where source_name = ? and table_name = ?", key
        )
        _execute(
            con,
            f"insert into {SCHEMA}.watermark (source_name, table_name, cursor_column, last_value, "
            "rows_read, total_rows_read, run_id, updated_at) values (?,?,?,?,?,?,?,?)",
            (*key, cursor_column, last_value, rows_read, total + rows_read, run_id,
             datetime.now(UTC)),
        )
        _execute(con, "commit")
