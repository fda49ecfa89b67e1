"""Land the operational project-management database incrementally (dlt sql_database, merge).

One run:
1. reads every primary key of every source table and compares it with the keys in
   `raw_pm`; a key that is gone from the source gets a row in `raw_pm._deleted_keys`;
2. reads each table's rows with `updated_at` past the table's watermark (dlt incremental
   state, kept with the pipeline) and merges them on the primary key into `raw_pm.<table>`,
   in the same dlt load as the deletion markers;
3. appends one row per table to `raw_pm._watermarks`: the cursor column, the watermark
   before and after, the rows read and the load id of step 2.

A run with no source changes reads no rows and lands only the (empty) markers and the
watermark rows.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dlt
import pyarrow as pa
import sqlalchemy as sa
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.pipeline.helpers import pipeline_drop

from ingest import config, runner, sink
from ingest.generic import lake as lake_mod
from ingest.log import say
from ingest.sources import pm


@dataclass
class PmLoadSummary(runner.LoadSummary):
    """A landing's summary (`runner.LoadSummary`) with what an incremental read adds: the
    watermark of each table before and after, and the keys found deleted."""

    source: str = ""
    deleted_keys: dict[str, int] = field(default_factory=dict)
    previous_values: dict[str, datetime | None] = field(default_factory=dict)
    last_values: dict[str, datetime | None] = field(default_factory=dict)

    @property
    def rows_read(self) -> dict[str, int]:
        """Changed rows read per table (the rows landed)."""
        return self.rows_by_table

    def describe(self) -> str:
        lines = [
            f"pm: read {sum(self.rows_read.values()):,} changed row(s) and "
            f"{sum(self.deleted_keys.values()):,} deleted key(s) from {self.source} into raw_pm "
            f"on {self.target} in {self.seconds:.1f}s (load {self.load_id})"
        ]
        for table in pm.TABLES:
            last = self.last_values.get(table)
            lines.append(
                f"  {table:<20} {self.rows_read.get(table, 0):>9,} read "
                f"{self.deleted_keys.get(table, 0):>6,} deleted  watermark {last}"
            )
        return "\n".join(lines)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--url",
        default=None,
        help="SQLAlchemy URL of the operational database (default: WAREHOUSE_PM_SOURCE_URL, "
        "else sqlite:///<WAREHOUSE_DATA_DIR>/ops/pm.sqlite)",
    )
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")
    p.add_argument(
        "--refresh",
        action="append",
        default=[],
        metavar="TABLE",
        choices=pm.TABLES,
        help="drop raw_pm.TABLE and its watermark, then read the table in full (after a "
        "column changed type in the source); repeatable",
    )


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return datetime.fromisoformat(value.isoformat()).replace(tzinfo=None)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def cursor_values(p: dlt.Pipeline) -> dict[str, datetime | None]:
    """Each table's watermark as the pipeline's incremental state holds it."""
    values = sink.cursor_values(p, pm.CURSOR_COLUMN)
    return {t: _as_datetime(v) for t, v in values.items() if t in pm.TABLES and v is not None}


def _raw_key_sql(client, table: str, key_columns: list[str]) -> str:
    """Keys present in raw and not marked deleted since they last landed."""
    def text_key(alias: str) -> str:
        parts = [f"cast({alias}.{c} as varchar)" for c in key_columns]
        return f" || '{pm.KEY_SEPARATOR}' || ".join(parts)

    raw = client.make_qualified_table_name(table)
    markers = client.make_qualified_table_name(pm.DELETED_KEYS_TABLE)
    return (
        f"select {text_key('r')} from {raw} r where not exists ("
        f"select 1 from {markers} d where d.table_name = '{table}' "
        f"and d.key_value = {text_key('r')} and d._dlt_load_id > r._dlt_load_id)"
    )


def find_deleted_keys(
    p: dlt.Pipeline, eng: sa.Engine, keys: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """(table, key) of every key in raw_pm that the source no longer has."""
    have_markers = runner.table_exists(p, pm.DELETED_KEYS_TABLE)
    found: list[tuple[str, str]] = []
    for table in pm.TABLES:
        if not runner.table_exists(p, table):
            continue
        with p.sql_client() as client:
            if have_markers:
                sql = _raw_key_sql(client, table, keys[table])
            else:
                parts = [f"cast({c} as varchar)" for c in keys[table]]
                key = f" || '{pm.KEY_SEPARATOR}' || ".join(parts)
                sql = f"select {key} from {client.make_qualified_table_name(table)}"
        landed = {row[0] for row in runner.query(p, sql)}
        if not landed:
            continue
        gone = landed - pm.source_keys(eng, table, keys[table])
        found.extend((table, key) for key in sorted(gone))
    return found


def _text(value: datetime | None) -> str | None:
    """Timestamps land as text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC); staging types them."""
    return None if value is None else value.isoformat(sep=" ")


def _watermarks_table(summary: PmLoadSummary, started_at: datetime) -> pa.Table:
    tables = list(pm.TABLES)
    return pa.table(
        {
            "table_name": pa.array(tables, pa.string()),
            "cursor_column": pa.array([pm.CURSOR_COLUMN] * len(tables), pa.string()),
            "previous_value": pa.array(
                [_text(summary.previous_values.get(t)) for t in tables], pa.string()
            ),
            "last_value": pa.array(
                [_text(summary.last_values.get(t)) for t in tables], pa.string()
            ),
            "rows_read": pa.array([summary.rows_read.get(t, 0) for t in tables], pa.int64()),
            "deleted_keys_detected": pa.array(
                [summary.deleted_keys.get(t, 0) for t in tables], pa.int64()
            ),
            "data_load_id": pa.array([summary.load_id] * len(tables), pa.string()),
            "read_started_at": pa.array([_text(started_at)] * len(tables), pa.string()),
        }
    )


def load(
    url: str | None = None,
    target: config.Target | None = None,
    refresh: list[str] | tuple[str, ...] = (),
) -> PmLoadSummary:
    """Land what changed in the source since the last run; returns what was read.

    A column whose type changed in the source stops the run before anything lands (its
    values may not fit the raw column; checked with dlt's schema contract, `pm.TYPE_CONTRACT`);
    `refresh` names tables to drop from `raw_pm`, with their watermarks, and read again in
    full with the source's current types.

    One audited run, like every landing: the changed rows are staged to the Parquet lake
    (`<lake>/sql/pm/<day>/pm_<table>_<ts>.parquet`) on their way to `raw_pm`, and the run
    gets its row in `ctl.etl_audit_log` (a failure too, before the error is raised).
    """
    url = pm.normalize_url(url or pm.default_url())
    target = target or config.target()
    record = runner.new_run("warehouse_pm", pm.DOMAIN, "sql", f"raw_{pm.DOMAIN}", "load pm")
    with runner.audited(record, target):
        summary = _load(url, target, record, tuple(refresh))
    summary.run_id = record.run_id
    return summary


def load_sample(target: config.Target) -> PmLoadSummary:
    """What changed in the sample database since the last run (the demo and `make load`,
    via the domain registry)."""
    return load(None, target)


def _load(url: str, target: config.Target, record, refresh: tuple[str, ...]) -> PmLoadSummary:
    started = time.perf_counter()
    started_at = datetime.now(UTC).replace(tzinfo=None)
    eng = pm.engine(url)
    try:
        keys = pm.primary_keys(eng)
        p = runner.pipeline(pm.DOMAIN, target)
        summary = PmLoadSummary(pm.DOMAIN, target.describe(), source=pm.describe(url))
        summary.previous_values = cursor_values(p)
        deleted = find_deleted_keys(p, eng, keys)
    except sa.exc.SQLAlchemyError as exc:
        raise pm.SourceError(f"cannot read {pm.describe(url)}: {exc}") from exc
    finally:
        eng.dispose()
    unknown = sorted(set(refresh) - set(pm.TABLES))
    if unknown:
        raise pm.SourceError(f"cannot refresh {unknown}: not a table read from the source")
    readers = dict(
        zip(pm.TABLES, pm.table_resources(url, list(pm.TABLES), keys), strict=True)
    )
    changes = {t: c for t, c in pm.type_changes(p, readers).items() if t not in refresh}
    if changes:
        raise pm.type_change_error(changes)
    landed_tables = p.default_schema.tables if p.default_schema_name else {}
    to_drop = [t for t in refresh if t in landed_tables]
    if to_drop:
        # the tables and their incremental state go; this run reads them in full
        pipeline_drop(p, resources=to_drop)()
    for table, _ in deleted:
        summary.deleted_keys[table] = summary.deleted_keys.get(table, 0) + 1
    markers = pm.deleted_keys_table(deleted, _text(started_at))
    lake = lake_mod.default_dir()
    resources = [
        *readers.values(),
        dlt.resource([markers], name=pm.DELETED_KEYS_TABLE, write_disposition="append"),
    ]
    try:
        data_files, summary.load_id, counts = sink.for_target(target).land_resources(
            p, pm.DOMAIN, "sql", lake, datetime.now(UTC), resources,
            staged={t: t for t in pm.TABLES},
        )
    except PipelineStepFailed as exc:
        raise pm.SourceError(f"landing from {summary.source} failed at {exc.step}: {exc}") from exc
    summary.rows_by_table = {t: counts.get(t, 0) for t in pm.TABLES}
    summary.last_values = cursor_values(p)
    record.rows_loaded = sum(summary.rows_read.values())
    record.detail = ", ".join(f"{t} {n}" for t, n in sorted(summary.rows_read.items()) if n)
    runner.land_tables_in_run(
        pm.DOMAIN, [(pm.WATERMARKS_TABLE, _watermarks_table(summary, started_at))], target,
        "append", None, "sql", "warehouse_pm", lake, record,
    )
    record.rows_loaded = sum(summary.rows_read.values())
    record.parquet_files = data_files + list(record.parquet_files)
    summary.seconds = time.perf_counter() - started
    return summary


def run(args: argparse.Namespace) -> int:
    try:
        summary = load(args.url, config.target(args.target), args.refresh)
    except pm.SourceError as exc:
        say(f"error: {exc}")
        return 1
    say(summary.describe())
    return 0
