"""The control tables in schema `ctl`: one row per ingest run, per run, per watermark.

Written from Python (plain SQL through `ingest.warehouse.connect`), on DuckDB and PostgreSQL:

- `ctl.etl_audit_log`  one row per ingest run (success or failure), written when it ends
- `ctl.etl_run`        one row per ingest run and per dbt invocation (dbt writes its own rows
                       from an on-run-end hook, macro `ctl_record_run`)
- `ctl.watermark`      last cursor value and rows read per incremental source table
- `ctl.data_quality_result` is created here too (same DDL as the dbt hook) so that the
  operator views exist before the first dbt invocation; only dbt writes it.

The tables' columns are declared once, in `macros/ctl/ctl_tables.sql` (`ingest.ctl` reads
them). Run rows go through the target's sink (`ingest.sink`): a transaction on DuckDB and
PostgreSQL, opened only after dlt has finished (DuckDB allows one writer per file), or
Parquet files in the lake on Spark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest import config, ctl, sink, warehouse

SCHEMA = "ctl"
MAX_MESSAGE = 4000

DDL: dict[str, str] = ctl.ddl()


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


def _execute(con, sql: str, params: Sequence = ()) -> list[tuple]:
    """Run one statement on the connection itself (`?` placeholders, both engines)."""
    return ctl.execute(con, sql, params)


def ensure_tables(con) -> None:
    """Create schema `ctl` and its tables if missing (idempotent, both engines)."""
    ctl.ensure_tables(con)


def run_rows(record: RunRecord, target_name: str) -> dict[str, dict]:
    """The run's `etl_audit_log` and `etl_run` rows (column -> value); a dbt invocation that
    never started (`kind` "dbt") has its `etl_run` row only, as dbt's own runs do."""
    message = record.error_message or (
        f"{record.rows_loaded} row(s) into {record.target_table}"
        + (f": {record.detail}" if record.detail else "")
    )
    rows = {
        "etl_audit_log": {
            "run_id": record.run_id,
            "pipeline_name": record.pipeline_name,
            "source_name": record.source_name,
            "protocol": record.protocol,
            "target_table": record.target_table,
            "status": record.status,
            "rows_loaded": record.rows_loaded,
            "parquet_files": len(record.parquet_files),
            "lake_paths": ";".join(str(p) for p in record.parquet_files) or None,
            "error_message": record.error_message,
            "started_at": record.started_at,
            "finished_at": record.finished_at,
            "duration_seconds": record.duration_seconds,
        },
        "etl_run": {
            "run_id": record.run_id,
            "run_kind": record.kind,
            "command": record.command,
            "target_name": target_name,
            "status": record.status,
            "started_at": record.started_at,
            "finished_at": record.finished_at,
            "duration_seconds": record.duration_seconds,
            "message": message,
        },
    }
    if record.kind != "ingest":
        del rows["etl_audit_log"]
    return rows


def write_run(record: RunRecord, target: config.Target | None = None) -> None:
    """Append the run's `etl_audit_log` and `etl_run` rows (one transaction where possible).

    Idempotent by run id: a row already there is not written again (a spooled record
    replayed twice, `ingest.audit_spool`)."""
    target = target or config.target()
    sink.for_target(target).write_ctl(run_rows(record, target.name))


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


def describe_error(exc: BaseException) -> str:
    """One readable line: the innermost cause, with dlt's step when dlt wrapped it."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    root = exc
    seen = {id(root)}
    while (nxt := _cause(root)) is not None and id(nxt) not in seen:
        seen.add(id(nxt))
        root = nxt
    text = " ".join(str(root).split()) or type(root).__name__
    step = getattr(exc, "step", None)
    prefix = f"{step} step failed: " if step else ""
    return f"{prefix}{type(root).__name__}: {text}"[:MAX_MESSAGE]


def _cause(exc: BaseException) -> BaseException | None:
    if exc.__cause__ is not None:
        return exc.__cause__
    return None if exc.__suppress_context__ else exc.__context__
